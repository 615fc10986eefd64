"""A milestone's ticket link (issue 20): an optional web address, edited by the team's lead and
leadership like any other field, shown on the team, milestone and review pages."""

import pytest

from milestones.models import Milestone
from milestones.permissions import ENGINEER_FIELDS, LEAD_FIELDS, LEADERSHIP_FIELDS
from reviews.services import start_review
from tests.factories import LeadershipFactory
from tests.html import by_id
from tests.milestones.conftest import TODAY
from tests.milestones.helpers import HTMX, engineer_data, reload, row_data, url

TICKET = "https://jira.example.com/browse/PLAT-42"


def test_the_link_is_an_editable_field_of_the_lead_and_leadership_not_the_engineer():
    assert "link" in Milestone.EDITABLE_FIELDS
    assert "link" in LEAD_FIELDS
    assert "link" in LEADERSHIP_FIELDS
    assert "link" not in ENGINEER_FIELDS


def test_the_lead_sets_the_link_in_the_edit_row(client, lead, milestone):
    client.force_login(lead)
    row = by_id(client.get(url("edit", milestone), **HTMX), f"milestone-{milestone.pk}")
    assert 'name="link"' in row
    response = client.post(url("edit", milestone), row_data(milestone, link=TICKET), **HTMX)
    assert response.status_code == 200
    assert reload(milestone).link == TICKET
    assert reload(milestone).history.first().link == TICKET  # in the history like any field


def test_leadership_sets_the_link(client, milestone):
    client.force_login(LeadershipFactory())
    client.post(url("edit", milestone), row_data(milestone, link=TICKET), **HTMX)
    assert reload(milestone).link == TICKET


def test_a_link_without_its_scheme_is_taken_as_https(client, lead, milestone):
    client.force_login(lead)
    client.post(url("edit", milestone), row_data(milestone, link="jira.example.com/X-1"), **HTMX)
    assert reload(milestone).link == "https://jira.example.com/X-1"


def test_a_ticket_key_becomes_its_address_by_the_organisations_template(
    client, lead, milestone, settings
):
    settings.MILEPOST_TICKET_URL_TEMPLATE = "https://jira.example.com/browse/{key}"
    client.force_login(lead)
    response = client.post(url("edit", milestone), row_data(milestone, link=" PLAT-42 "), **HTMX)
    assert response.status_code == 200
    assert reload(milestone).link == TICKET  # as the sheet's link column reads a key


def test_a_ticket_key_without_a_template_is_refused_beside_the_field_saying_what_to_type(
    client, lead, milestone, settings
):
    settings.MILEPOST_TICKET_URL_TEMPLATE = ""
    client.force_login(lead)
    response = client.post(url("edit", milestone), row_data(milestone, link="PLAT-42"), **HTMX)
    assert response.status_code == 422
    assert "is a ticket key, not a web address" in response.text
    assert reload(milestone).version == milestone.version


@pytest.mark.parametrize(
    "link", ["not a link", "javascript:alert(1)", "ftp://files.example.com/plan", "https://"]
)
def test_a_link_that_is_not_a_web_address_is_refused_beside_the_field(
    client, lead, milestone, link
):
    client.force_login(lead)
    response = client.post(url("edit", milestone), row_data(milestone, link=link), **HTMX)
    assert response.status_code == 422
    assert "Enter a valid URL." in response.text
    assert reload(milestone).link == ""
    assert reload(milestone).version == milestone.version


def test_the_model_refuses_a_link_that_is_not_http(milestone):
    milestone.link = "ftp://files.example.com/plan"
    with pytest.raises(Exception, match="valid URL"):
        milestone.full_clean()


def test_the_owner_may_not_change_the_link(client, engineer, milestone):
    client.force_login(engineer)
    row = by_id(client.get(url("edit", milestone), **HTMX), f"milestone-{milestone.pk}")
    assert 'name="link"' not in row
    response = client.post(url("edit", milestone), {**engineer_data(milestone), "link": TICKET})
    assert response.status_code == 403
    assert reload(milestone).link == ""


def test_the_team_page_and_the_milestone_page_link_to_the_ticket(client, engineer, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(link=TICKET)
    client.force_login(engineer)
    team_page = client.get(f"/teams/{milestone.team.slug}/").text
    assert f'href="{TICKET}"' in by_id(team_page, f"milestone-{milestone.pk}")
    assert f'href="{TICKET}"' in client.get(url("detail", milestone)).text


def test_no_link_no_ticket_anchor(client, engineer, milestone):
    client.force_login(engineer)
    assert 'class="ticket-link"' not in client.get(url("detail", milestone)).text


def test_the_review_page_links_to_each_ticket(client, lead, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(link=TICKET)
    review = start_review(team=milestone.team, held_on=TODAY, user=lead)
    client.force_login(lead)
    assert f'href="{TICKET}"' in client.get(review.get_absolute_url()).text
