"""Leadership's People pages (`teams.people`): the list, adding a person, a person's page with
moving, making tech lead and leaving, and clearing throttled sign-ins."""

import pytest
from django.urls import reverse

from teams import throttle
from teams.models import Membership, SignInFailure
from tests.factories import TeamFactory, trio
from tests.html import by_id, text


@pytest.fixture
def signed_in_vp(client, vp):
    client.force_login(vp)
    return client


def test_only_leadership_opens_the_people_list(client, lead):
    client.force_login(lead)
    response = client.get(reverse("people:list"))
    assert response.status_code == 403
    assert "Only leadership manages people" in text(response)


def test_the_list_shows_everyone_with_team_and_role(signed_in_vp, lead, team):
    page = text(signed_in_vp.get(reverse("people:list")))
    assert lead.name in page
    assert "Tech lead" in page
    assert "Platform" in page


@pytest.mark.parametrize("teams", [2, 12])
def test_the_list_costs_the_same_queries_whatever_the_size(
    signed_in_vp, django_assert_max_num_queries, teams
):
    for n in range(teams):
        trio(name=f"Team {n}", slug=f"team-{n}")
    with django_assert_max_num_queries(8):
        assert signed_in_vp.get(reverse("people:list")).status_code == 200


def test_the_header_links_leadership_to_the_people_pages(signed_in_vp, lead, client):
    assert (
        f'href="{reverse("people:list")}"'
        in signed_in_vp.get(reverse("teams:list")).content.decode()
    )
    client.force_login(lead)
    assert (
        f'href="{reverse("people:list")}"' not in client.get(reverse("teams:list")).content.decode()
    )


def test_adding_a_person_puts_them_on_their_team(signed_in_vp, team):
    response = signed_in_vp.post(
        reverse("people:add"),
        {
            "username": "nia",
            "display_name": "Nia Newbie",
            "email": "nia@example.com",
            "team": team.pk,
            "role": "engineer",
        },
        follow=True,
    )
    assert "Added Nia Newbie" in text(response)
    assert Membership.objects.get(user__username="nia", active=True).team == team


def test_a_taken_username_is_refused_beside_the_field_and_nothing_is_lost(signed_in_vp, lead):
    response = signed_in_vp.post(
        reverse("people:add"),
        {
            "username": lead.username,
            "display_name": "Nia",
            "email": "nia@example.com",
            "team": "",
            "role": "engineer",
        },
    )
    assert response.status_code == 422
    assert "already exists" in text(by_id(response, "id_username_error"))
    assert 'value="nia@example.com"' in response.content.decode()


def test_editing_a_person_saves_and_shows_who_changed_what(signed_in_vp, engineer, vp):
    response = signed_in_vp.post(
        reverse("people:edit", args=[engineer.pk]),
        {"username": engineer.username, "display_name": "Pat Okafor", "email": "pat@example.com"},
        follow=True,
    )
    page = text(response)
    assert "Saved Pat Okafor" in page
    assert f"{vp.name} (web): display name: " in page
    assert "→ Pat Okafor; email address: " in page


def test_moving_someone_to_another_team(signed_in_vp, engineer):
    billing = TeamFactory(name="Billing", slug="billing")
    response = signed_in_vp.post(
        reverse("people:move", args=[engineer.pk]),
        {"team": billing.pk, "role": "engineer"},
        follow=True,
    )
    page = text(response)
    assert f"{engineer.name} is now engineer of Billing" in page
    assert "joined Billing as engineer" in page
    assert "left Platform" in page


def test_making_someone_tech_lead_says_who_stays_on(signed_in_vp, engineer, lead, team):
    page = text(signed_in_vp.get(reverse("people:edit", args=[engineer.pk])))
    assert f"{lead.name} stays on the team as an engineer" in page
    response = signed_in_vp.post(reverse("people:make_lead", args=[engineer.pk]), follow=True)
    assert f"{engineer.name} is now the tech lead of Platform" in text(response)
    assert team.memberships.get(role="tech_lead", active=True).user == engineer


def test_a_leaver_is_recorded_and_cannot_sign_in(signed_in_vp, engineer, client):
    signed_in_vp.post(reverse("people:deactivate", args=[engineer.pk]))
    engineer.refresh_from_db()
    assert engineer.is_active is False


def test_leadership_cannot_record_themselves_as_a_leaver(signed_in_vp, vp):
    response = signed_in_vp.post(reverse("people:deactivate", args=[vp.pk]), follow=True)
    assert "You cannot record yourself as a leaver" in text(response)
    vp.refresh_from_db()
    assert vp.is_active


def test_throttled_sign_ins_are_listed_and_cleared(signed_in_vp, db):
    for _ in range(4):
        throttle.record_failure("mobrien", "203.0.113.7")
    page = text(signed_in_vp.get(reverse("people:list")))
    assert "Account mobrien" in page
    response = signed_in_vp.post(
        reverse("people:clear_throttle"), {"kind": "account", "key": "mobrien"}, follow=True
    )
    assert "Cleared 4 failed sign-ins of mobrien" in text(response)
    assert SignInFailure.objects.count() == 0
