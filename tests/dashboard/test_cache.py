"""The dashboard's cache (`dashboard.cache`) never serves a report older than a change: each
write path bumps the quarter's change counter in its transaction, and the next dashboard
shows the change. (The sheet sync's own test is in tests/sheets/test_sync_refreshes_dashboard.)
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

from dashboard import cache
from milestones.changes import bump
from milestones.models import ChangeCounter, Milestone
from tests.dashboard.conftest import TODAY, text
from tests.milestones.helpers import row_data

URL = reverse("dashboard:index")


@pytest.fixture
def as_vp(client, vp, org, frozen_today):
    client.force_login(vp)
    return client


def watched(response) -> str:
    """The words of the at-risk watch list."""
    words = text(response)
    start = words.index("At risk or off track")
    return words[start : words.index("Overdue", start)]


def test_a_second_dashboard_is_served_from_the_cache(as_vp, org, django_assert_num_queries):
    as_vp.get(URL)
    # Session, user, quarters, change counters: no report query.
    with django_assert_num_queries(4):
        response = as_vp.get(URL, {"sort": "-slips"})
    assert "4 of 7 teams on time" in text(response)


def test_a_change_made_behind_the_services_back_is_not_seen_until_a_write_path_bumps(as_vp, org):
    """What the counter is for: the cache really serves the report it built."""
    as_vp.get(URL)
    Milestone.objects.filter(title="Dune maps").update(status=Milestone.Status.AT_RISK)
    assert "Dune maps" not in watched(as_vp.get(URL))
    bump([org.quarter.pk])
    assert "Dune maps" in watched(as_vp.get(URL))


def test_a_web_edit_changes_the_next_dashboard(client, as_vp, org, vp):
    assert "Dune maps" not in watched(as_vp.get(URL))
    milestone = org.milestones["Dune maps"]
    response = client.post(
        reverse("milestones:edit", args=[milestone.team.slug, milestone.pk]),
        row_data(milestone, status=Milestone.Status.AT_RISK),
    )
    assert response.status_code in (200, 302)
    assert "Dune maps" in watched(as_vp.get(URL))


def test_an_admin_edit_changes_the_next_dashboard(client, as_vp, org, vp):
    vp.is_staff = vp.is_superuser = True
    vp.save()
    assert "against a goal of 5" in text(as_vp.get(URL))
    quarter = org.quarter
    response = client.post(
        reverse("admin:milestones_quarter_change", args=[quarter.pk]),
        {
            "year": quarter.year,
            "number": quarter.number,
            "start": quarter.start.isoformat(),
            "end": quarter.end.isoformat(),
            "goal": "3",
            "grace_days": quarter.grace_days,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "against a goal of 3" in text(as_vp.get(URL))


def test_the_quarter_settings_page_changes_the_next_dashboard(as_vp, org):
    assert "against a goal of 5" in text(as_vp.get(URL))
    url = reverse("dashboard:quarter_settings", args=[org.quarter.slug])
    assert as_vp.post(url, {"goal": "2", "grace_days": "7"}).status_code == 302
    assert "against a goal of 2" in text(as_vp.get(URL))


def test_a_review_changes_the_next_dashboard(as_vp, org, vp):
    rows = {row.team.name: row for row in as_vp.get(URL).context["report"].table.rows}
    assert rows["Dune"].last_review is None
    response = as_vp.post(reverse("reviews:start", args=["dune"]), {"held_on": TODAY.isoformat()})
    assert response.status_code in (200, 302)
    rows = {row.team.name: row for row in as_vp.get(URL).context["report"].table.rows}
    assert rows["Dune"].last_review == TODAY


def test_the_roster_command_changes_the_next_dashboard(as_vp, org, tmp_path):
    assert "Zora Quill" not in text(as_vp.get(URL))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "team,squad,role,name,email\nDune,Core,tech_lead,Zora Quill,zora@example.com\n"
    )
    call_command("import_roster", str(roster), "--partial", verbosity=0)
    assert "Zora Quill" in text(as_vp.get(URL))


def test_the_demo_seed_counts_a_change_of_every_quarter(db):
    call_command("seed_demo", "--today", "2026-11-25", verbosity=0)
    counters = ChangeCounter.objects.all()
    assert counters.count() == 4
    assert all(counter.value >= 1 and counter.token for counter in counters)


def test_keys_differ_by_counter_token_day_and_quarter():
    day = TODAY
    base = cache.key("dashboard", day, {1: (3, "a")}, [1])
    assert base != cache.key("dashboard", day, {1: (4, "b")}, [1])
    assert base != cache.key("dashboard", day, {1: (3, "c")}, [1])  # a restored database
    assert base != cache.key("dashboard", TODAY.replace(day=26), {1: (3, "a")}, [1])
    assert base != cache.key("dashboard", day, {1: (3, "a")}, [1, 2])
