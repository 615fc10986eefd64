import datetime

import pytest

from milestones.history import Source
from milestones.models import Milestone
from tests.factories import MilestoneFactory, QuarterFactory
from tests.html import by_id, input_value, text
from tests.milestones.helpers import HTMX

D = datetime.date
CREATE = "/teams/platform/milestones/new/"


def new(**fields) -> dict[str, str]:
    data = {
        "quarter": "2026-q4",
        "title": "Billing export",
        "owner": "",
        "committed_date": "2026-12-04",
        "target_date": "",
    }
    data.update(fields)
    return {name: str(value) for name, value in data.items()}


def test_lead_adds_a_milestone_at_the_foot_of_the_table(client, lead, team, quarter):
    MilestoneFactory(team=team, quarter=quarter, position=5, title="First")
    client.force_login(lead)
    response = client.post(CREATE, new(), **HTMX)
    assert response.status_code == 200
    added = Milestone.objects.get(title="Billing export")
    assert (added.team, added.quarter, added.status, added.position) == (
        team,
        quarter,
        "planned",
        6,
    )
    rows = by_id(response, "milestone-table")
    assert rows.index("First") < rows.index("Billing export")


def test_a_new_milestone_starts_with_its_target_at_the_committed_date(client, lead, team, quarter):
    client.force_login(lead)
    client.post(CREATE, new(committed_date="2026-12-04"), **HTMX)
    added = Milestone.objects.get(title="Billing export")
    assert (added.committed_date, added.target_date, added.version) == (
        D(2026, 12, 4),
        D(2026, 12, 4),
        1,
    )


def test_a_new_milestone_takes_the_target_and_owner_given(client, lead, engineer, team, quarter):
    client.force_login(lead)
    client.post(CREATE, new(target_date="2026-12-11", owner=engineer.pk), **HTMX)
    added = Milestone.objects.get(title="Billing export")
    assert (added.target_date, added.owner) == (D(2026, 12, 11), engineer)


def test_adding_is_recorded_with_who_from_the_web(client, lead, team, quarter):
    client.force_login(lead)
    client.post(CREATE, new(), **HTMX)
    record = Milestone.objects.get(title="Billing export").history.get()
    assert (record.history_type, record.history_user, record.source) == ("+", lead, Source.WEB)


def test_after_adding_the_add_row_is_empty_focused_and_the_table_says_so(
    client, lead, team, quarter
):
    client.force_login(lead)
    response = client.post(CREATE, new(), **HTMX)
    assert input_value(response, "new-title") is None
    assert "autofocus" in by_id(response, "new-title")
    assert "Added “Billing export”." in text(by_id(response, "flash"))
    assert "0 of 1 done" in text(by_id(response, "team-figures"))


def test_plain_post_adds_and_redirects_to_the_new_row(client, lead, team, quarter):
    client.force_login(lead)
    response = client.post(CREATE, new())
    added = Milestone.objects.get(title="Billing export")
    assert response.status_code == 302
    assert response["Location"] == f"/teams/platform/?quarter=2026-q4#milestone-{added.pk}"


def test_a_milestone_is_added_to_the_quarter_being_shown(client, lead, team, quarter):
    earlier = QuarterFactory(year=2026, number=3)
    client.force_login(lead)
    # A date of Q3 is in the past (today is Nov 25): confirmed, as the add row asks.
    added = new(quarter="2026-q3", committed_date="2026-09-10", confirm_past_target="on")
    client.post(CREATE, added, **HTMX)
    assert Milestone.objects.get(title="Billing export").quarter == earlier


def test_a_missing_title_is_refused_in_the_add_row_keeping_what_was_typed(
    client, lead, team, quarter
):
    client.force_login(lead)
    response = client.post(CREATE, new(title="", committed_date="2026-12-04"), **HTMX)
    assert response.status_code == 422
    # htmx puts the answer in place of the add row, not the whole table.
    assert response["HX-Retarget"] == "#add-milestone"
    assert response["HX-Reswap"] == "outerHTML"
    assert "This field is required." in text(by_id(response, "new-title_error"))
    assert input_value(response, "new-committed_date") == "2026-12-04"
    assert "autofocus" in by_id(response, "new-title")
    assert not Milestone.objects.exists()


def test_a_date_far_from_the_quarter_is_refused_beside_the_field(client, lead, team, quarter):
    client.force_login(lead)
    response = client.post(CREATE, new(committed_date="2062-12-04"), **HTMX)
    assert response.status_code == 422
    assert "too far from 2026 Q4" in text(by_id(response, "new-committed_date_error"))
    assert input_value(response, "new-title") == "Billing export"


def test_a_refused_plain_post_shows_the_team_page_with_the_add_row_and_its_errors(
    client, lead, team, quarter
):
    client.force_login(lead)
    response = client.post(CREATE, new(title="Billing export", committed_date=""))
    assert response.status_code == 422
    assert "<h1>Platform</h1>" in response.content.decode()
    assert "This field is required." in text(by_id(response, "new-committed_date_error"))
    assert input_value(response, "new-title") == "Billing export"


# --- A target date in the past (today is Nov 25, 2026: tests/milestones/conftest.py) -----------


def test_adding_with_a_past_target_asks_to_confirm_and_writes_nothing(
    client, lead, engineer, team, quarter
):
    client.force_login(lead)
    typed = new(owner=engineer.pk, committed_date="2026-12-04", target_date="2026-11-20")
    response = client.post(CREATE, typed, **HTMX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#add-milestone"
    # The edit row's message and checkbox, beside the target date.
    error = text(by_id(response, "new-target_date_error"))
    assert error == "This date is in the past, and the milestone is still open: tick to confirm it."
    confirm = by_id(response, "new-confirm_past_target")
    assert 'type="checkbox"' in confirm
    assert 'form="add-milestone-form"' in confirm
    assert "Yes, the target date is in the past" in text(response)
    # Everything typed is kept, nothing is written.
    assert input_value(response, "new-title") == "Billing export"
    assert input_value(response, "new-committed_date") == "2026-12-04"
    assert input_value(response, "new-target_date") == "2026-11-20"
    assert f'value="{engineer.pk}" selected' in by_id(response, "new-owner")
    assert not Milestone.objects.exists()


def test_a_confirmed_past_target_is_added(client, lead, team, quarter):
    client.force_login(lead)
    confirmed = new(target_date="2026-11-20", confirm_past_target="on")
    response = client.post(CREATE, confirmed, **HTMX)
    assert response.status_code == 200
    added = Milestone.objects.get(title="Billing export")
    assert (added.committed_date, added.target_date) == (D(2026, 12, 4), D(2026, 11, 20))
    # The fresh add row asks nothing.
    assert "confirm_past_target" not in by_id(response, "add-milestone")


def test_a_past_committed_date_with_no_target_asks_too(client, lead, team, quarter):
    # The target starts as the committed date: that is the date in the past.
    client.force_login(lead)
    response = client.post(CREATE, new(committed_date="2026-11-02", target_date=""), **HTMX)
    assert response.status_code == 422
    assert "This date is in the past" in text(by_id(response, "new-target_date_error"))
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("target", ["2026-11-25", "2026-12-11", ""])
def test_a_target_of_today_or_later_is_added_at_once(client, lead, team, quarter, target):
    client.force_login(lead)
    response = client.post(CREATE, new(committed_date="2026-12-04", target_date=target), **HTMX)
    assert response.status_code == 200
    assert Milestone.objects.get().title == "Billing export"


def test_without_javascript_a_past_target_is_the_team_page_with_the_add_row_asking(
    client, lead, team, quarter
):
    client.force_login(lead)
    response = client.post(CREATE, new(target_date="2026-11-20"))
    assert response.status_code == 422
    assert "<h1>Platform</h1>" in response.content.decode()
    assert "This date is in the past" in text(by_id(response, "new-target_date_error"))
    assert "autofocus" in by_id(response, "new-target_date")
    assert input_value(response, "new-target_date") == "2026-11-20"
    response = client.post(CREATE, new(target_date="2026-11-20", confirm_past_target="on"))
    assert response.status_code == 302
    assert Milestone.objects.get().target_date == D(2026, 11, 20)


def test_an_owner_from_another_team_is_refused(client, lead, outsider_lead, team, quarter):
    client.force_login(lead)
    response = client.post(CREATE, new(owner=outsider_lead.pk), **HTMX)
    assert response.status_code == 422
    assert "Select a valid choice" in text(by_id(response, "new-owner_error"))


def test_engineers_cannot_add_milestones(client, engineer, team, quarter):
    client.force_login(engineer)
    assert client.post(CREATE, new(), **HTMX).status_code == 403
    assert not Milestone.objects.exists()


def test_leadership_adds_milestones_to_any_team(client, vp, team, quarter):
    client.force_login(vp)
    assert client.post(CREATE, new(), **HTMX).status_code == 200
    assert Milestone.objects.get().team == team


def test_an_unknown_quarter_is_not_found(client, lead, team, quarter):
    client.force_login(lead)
    assert client.post(CREATE, new(quarter="2031-q2"), **HTMX).status_code == 404
    assert client.post(CREATE, new(quarter="soon"), **HTMX).status_code == 404


def test_an_unknown_team_is_not_found(client, vp, quarter):
    client.force_login(vp)
    assert client.post("/teams/nobody/milestones/new/", new(), **HTMX).status_code == 404


def test_adding_is_a_post(client, lead, team, quarter):
    client.force_login(lead)
    assert client.get(CREATE).status_code == 405
