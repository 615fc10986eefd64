"""Leadership's Organisation page (`teams.organisation`): squads, teams and slip reasons."""

import pytest
from django.urls import reverse

from milestones.models import SlipReason
from teams.models import Squad, Team
from tests.factories import SlipReasonFactory, trio
from tests.html import by_id, text


@pytest.fixture
def signed_in_vp(client, vp):
    client.force_login(vp)
    return client


def test_it_shows_squads_teams_and_slip_reasons(signed_in_vp, team):
    SlipReasonFactory(name="Vendor late")
    page = text(signed_in_vp.get(reverse("people:organisation")))
    assert "Rename " + team.squad.name in page
    assert "Save Platform" in page
    assert "Save Vendor late" in page


@pytest.mark.parametrize("teams", [2, 12])
def test_the_page_costs_the_same_queries_whatever_the_size(
    signed_in_vp, django_assert_max_num_queries, teams
):
    for n in range(teams):
        trio(name=f"Team {n}", slug=f"team-{n}")
    with django_assert_max_num_queries(8):
        assert signed_in_vp.get(reverse("people:organisation")).status_code == 200


def test_a_team_is_added_to_a_squad(signed_in_vp, team):
    response = signed_in_vp.post(
        reverse("people:team_add"),
        {"new-team-name": "Search", "new-team-squad": team.squad_id},
        follow=True,
    )
    assert "Added the team Search" in text(response)
    assert Team.objects.get(slug="search").squad == team.squad


def test_a_team_is_renamed_and_keeps_its_address(signed_in_vp, team):
    prefix = f"team-{team.pk}"
    signed_in_vp.post(
        reverse("people:team_edit", args=[team.pk]),
        {
            f"{prefix}-name": "Platform Core",
            f"{prefix}-squad": team.squad_id,
            f"{prefix}-active": "on",
        },
    )
    team.refresh_from_db()
    assert (team.name, team.slug, team.active) == ("Platform Core", "platform", True)


def test_a_taken_team_name_is_refused_beside_that_teams_name(signed_in_vp, team):
    other = trio(name="Billing", slug="billing")[0]
    prefix = f"team-{other.pk}"
    response = signed_in_vp.post(
        reverse("people:team_edit", args=[other.pk]),
        {f"{prefix}-name": "Platform", f"{prefix}-squad": other.squad_id, f"{prefix}-active": "on"},
    )
    assert response.status_code == 422
    assert "already exists" in text(response)
    assert 'value="Platform"' in by_id(response, f"id_{prefix}-name")


def test_a_squad_is_added_and_renamed(signed_in_vp, db):
    signed_in_vp.post(reverse("people:squad_add"), {"new-squad-name": "Growth"})
    squad = Squad.objects.get(name="Growth")
    signed_in_vp.post(
        reverse("people:squad_edit", args=[squad.pk]), {f"squad-{squad.pk}-name": "Core"}
    )
    squad.refresh_from_db()
    assert squad.name == "Core"


def test_an_empty_squad_name_is_refused(signed_in_vp, db):
    response = signed_in_vp.post(reverse("people:squad_add"), {"new-squad-name": ""})
    assert response.status_code == 422
    assert "This field is required." in text(by_id(response, "id_new-squad-name_error"))


def test_a_slip_reason_is_added_and_retired(signed_in_vp, db):
    signed_in_vp.post(
        reverse("people:slip_reason_add"),
        {"new-reason-name": "Vendor late", "new-reason-position": 2, "new-reason-active": "on"},
    )
    reason = SlipReason.objects.get(name="Vendor late")
    assert reason.active
    signed_in_vp.post(
        reverse("people:slip_reason_edit", args=[reason.pk]),
        {f"reason-{reason.pk}-name": "Vendor late", f"reason-{reason.pk}-position": 2},
    )
    reason.refresh_from_db()
    assert reason.active is False
