"""Optimistic concurrency: two people who loaded the same version cannot both save it.

The view-level tests run on SQLite and on PostgreSQL (DATABASE_URL). The race with real
threads needs a database whose writers wait for each other's locks: PostgreSQL. The SQLite
test database is in memory with a shared cache, where a second writer fails at once with
"database table is locked" instead of waiting (the file database of production waits: its
transactions are IMMEDIATE, with a busy timeout).
"""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from milestones.models import Milestone
from milestones.services import StaleMilestone, update_milestone
from tests.factories import MilestoneFactory, QuarterFactory, trio
from tests.html import by_id, input_value, selected_option, text
from tests.milestones.helpers import HTMX, engineer_data, row_data, url

D = datetime.date


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_sessions_save_the_same_version_and_exactly_one_wins(
    lead, engineer, milestone, scope_grew
):
    lead_session, engineer_session = signed_in(lead), signed_in(engineer)
    # Both open the row at version 1.
    assert lead_session.get(url("edit", milestone), **HTMX).status_code == 200
    assert engineer_session.get(url("edit", milestone), **HTMX).status_code == 200

    first = lead_session.post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-17", slip_reason=scope_grew.pk),
        **HTMX,
    )
    second = engineer_session.post(
        url("edit", milestone),
        engineer_data(milestone, status="at_risk", notes="Blocked on the vendor"),
        **HTMX,
    )

    assert (first.status_code, second.status_code) == (200, 409)
    saved = Milestone.objects.get(pk=milestone.pk)
    assert (saved.version, saved.target_date, saved.status, saved.notes) == (
        2,
        D(2026, 12, 17),
        "on_track",
        "",
    )
    assert saved.history.count() == 2  # created, and the lead's one save


def test_the_loser_sees_the_current_values_and_what_was_not_saved(
    lead, engineer, milestone, scope_grew
):
    signed_in(lead).post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-17", slip_reason=scope_grew.pk),
        **HTMX,
    )
    response = signed_in(engineer).post(
        url("edit", milestone),
        engineer_data(milestone, status="at_risk", notes="Blocked on the vendor"),
        **HTMX,
    )
    assert response.status_code == 409
    row = by_id(response, f"milestone-{milestone.pk}")
    # The row is the edit row again, at the current values and the current version.
    assert input_value(row, f"m{milestone.pk}-target_date") == "2026-12-17"
    assert selected_option(row, f"m{milestone.pk}-status") == "on_track"
    assert input_value(row, f"m{milestone.pk}-version") == "2"
    message = text(row)
    assert f"{lead.name} saved this milestone" in message
    assert "Nothing of yours was saved" in message
    assert "Status: At risk" in message
    assert "Notes: Blocked on the vendor" in message
    assert 'role="alert"' in row


def test_saving_again_from_the_conflict_row_applies_over_the_current_version(
    lead, engineer, milestone, scope_grew
):
    signed_in(lead).post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-17", slip_reason=scope_grew.pk),
        **HTMX,
    )
    engineer_session = signed_in(engineer)
    engineer_session.post(url("edit", milestone), engineer_data(milestone, notes="A"), **HTMX)
    current = Milestone.objects.get(pk=milestone.pk)
    response = engineer_session.post(
        url("edit", milestone), engineer_data(current, notes="A"), **HTMX
    )
    assert response.status_code == 200
    saved = Milestone.objects.get(pk=milestone.pk)
    assert (saved.version, saved.target_date, saved.notes) == (3, D(2026, 12, 17), "A")


def test_a_stale_plain_post_gets_409_with_the_team_page_showing_the_current_row(
    lead, engineer, milestone
):
    signed_in(lead).post(url("edit", milestone), row_data(milestone, notes="lead's"))
    response = signed_in(engineer).post(
        url("edit", milestone), engineer_data(milestone, notes="mine")
    )
    assert response.status_code == 409
    assert "Nothing of yours was saved" in text(response)
    assert "lead's" in by_id(response, f"m{milestone.pk}-notes")
    assert Milestone.objects.get(pk=milestone.pk).notes == "lead's"


def test_a_stale_drop_gets_409_and_drops_nothing(client, lead, engineer, milestone):
    signed_in(engineer).post(url("edit", milestone), engineer_data(milestone, notes="x"), **HTMX)
    client.force_login(lead)
    response = client.post(url("drop", milestone), {"version": 1}, **HTMX)
    assert response.status_code == 409
    assert "saved this milestone" in text(by_id(response, f"milestone-{milestone.pk}"))
    assert Milestone.objects.get(pk=milestone.pk).status == "on_track"


@pytest.mark.django_db(transaction=True)
def test_two_writers_racing_on_the_same_version_one_wins_one_is_stale(monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database cannot hold two waiting writers")
    # Whoever takes the row first validates slowly, so the other surely arrives while the
    # row is held: without the lock, both would read version 1 and both would save.
    full_clean = Milestone.full_clean

    def slow_full_clean(self, *args, **kwargs):
        time.sleep(0.3)
        return full_clean(self, *args, **kwargs)

    monkeypatch.setattr(Milestone, "full_clean", slow_full_clean)
    team, lead, engineer, _ = trio()
    milestone = MilestoneFactory(team=team, quarter=QuarterFactory(), owner=engineer)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def save(notes: str, user) -> None:
        try:
            start.wait()
            loaded = Milestone.objects.select_related("team", "quarter").get(pk=milestone.pk)
            update_milestone(milestone=loaded, version=1, changes={"notes": notes}, user=user)
            outcomes.append("saved")
        except StaleMilestone as stale:
            outcomes.append(f"stale at version {stale.current.version}")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("lead's", lead)),
        threading.Thread(target=save, args=("engineer's", engineer)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["saved", "stale at version 2"]
    saved = Milestone.objects.get(pk=milestone.pk)
    assert saved.version == 2
    assert saved.history.count() == 2
