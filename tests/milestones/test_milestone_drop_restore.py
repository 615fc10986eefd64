import datetime

from milestones.models import Milestone
from tests.factories import MilestoneFactory
from tests.html import by_id, text
from tests.milestones.helpers import HTMX, row_data, url

D = datetime.date


def reload(milestone: Milestone) -> Milestone:
    return Milestone.objects.get(pk=milestone.pk)


def test_lead_drops_a_milestone_and_it_stays_in_the_table_struck_through(client, lead, milestone):
    client.force_login(lead)
    response = client.post(url("drop", milestone), {"version": 1}, **HTMX)
    assert response.status_code == 200
    assert reload(milestone).status == "dropped"
    row = by_id(response, f"milestone-{milestone.pk}")
    assert "row-dropped" in row.split(">", 1)[0]
    assert "Dropped" in text(row)


def test_after_a_drop_the_focus_moves_to_restore(client, lead, milestone):
    client.force_login(lead)
    response = client.post(url("drop", milestone), {"version": 1}, **HTMX)
    assert "autofocus" in by_id(response, f"m{milestone.pk}-restore")
    assert "Dropped “Ship the importer”." in text(by_id(response, "flash"))


def test_a_drop_counts_against_the_team_in_the_figures(client, lead, milestone):
    client.force_login(lead)
    response = client.post(url("drop", milestone), {"version": 1}, **HTMX)
    assert "not on time" in text(by_id(response, "team-figures"))


def test_a_drop_is_recorded_with_who_from_the_web(client, lead, milestone):
    client.force_login(lead)
    client.post(url("drop", milestone), {"version": 1}, **HTMX)
    record = milestone.history.order_by("-history_id").first()
    assert (record.status, record.history_user, record.source) == ("dropped", lead, "web")


def test_restore_brings_back_the_status_it_had_before_the_drop(client, lead, milestone):
    client.force_login(lead)
    client.post(url("edit", milestone), row_data(milestone, status="at_risk"), **HTMX)
    client.post(url("drop", milestone), {"version": 2}, **HTMX)
    response = client.post(url("restore", milestone), {"version": 3}, **HTMX)
    assert response.status_code == 200
    assert reload(milestone).status == "at_risk"
    assert "autofocus" in by_id(response, f"m{milestone.pk}-drop")


def test_restoring_a_milestone_that_was_done_brings_back_its_delivery(
    client, lead, team, quarter, engineer
):
    milestone = MilestoneFactory(
        team=team, quarter=quarter, owner=engineer, status="done", delivered_date=D(2026, 11, 2)
    )
    client.force_login(lead)
    client.post(url("drop", milestone), {"version": 1}, **HTMX)
    assert reload(milestone).delivered_date is None
    client.post(url("restore", milestone), {"version": 2}, **HTMX)
    restored = reload(milestone)
    assert (restored.status, restored.delivered_date) == ("done", D(2026, 11, 2))


def test_restoring_clears_leadership_excuse(client, vp, lead, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(status="dropped", excused=True)
    client.force_login(lead)
    client.post(url("restore", milestone), {"version": 1}, **HTMX)
    assert reload(milestone).excused is False


def test_restoring_a_milestone_that_is_not_dropped_is_refused_in_the_row(client, lead, milestone):
    client.force_login(lead)
    response = client.post(url("restore", milestone), {"version": 1}, **HTMX)
    assert response.status_code == 422
    assert "Only a dropped milestone can be restored." in text(
        by_id(response, f"milestone-{milestone.pk}")
    )
    assert reload(milestone).version == 1


def test_plain_post_drops_and_redirects_to_the_row(client, lead, milestone):
    client.force_login(lead)
    response = client.post(url("drop", milestone), {"version": 1})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#milestone-{milestone.pk}")
    assert reload(milestone).status == "dropped"


def test_a_stale_plain_drop_gets_409_and_the_page_shows_why(client, lead, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(version=2)
    client.force_login(lead)
    response = client.post(url("drop", milestone), {"version": 1})
    assert response.status_code == 409
    assert "saved this milestone" in text(by_id(response, f"milestone-{milestone.pk}"))
    assert reload(milestone).status == "on_track"


def test_a_drop_without_a_version_is_a_bad_request(client, lead, milestone):
    client.force_login(lead)
    assert client.post(url("drop", milestone), {}, **HTMX).status_code == 400
    assert client.post(url("drop", milestone), {"version": "one"}, **HTMX).status_code == 400
    assert reload(milestone).status == "on_track"


def test_engineers_cannot_drop_or_restore_even_their_own(client, engineer, milestone):
    client.force_login(engineer)
    assert client.post(url("drop", milestone), {"version": 1}, **HTMX).status_code == 403
    Milestone.objects.filter(pk=milestone.pk).update(status="dropped")
    assert client.post(url("restore", milestone), {"version": 1}, **HTMX).status_code == 403
    assert reload(milestone).status == "dropped"
