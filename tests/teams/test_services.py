"""`teams.services`: the writes behind leadership's People pages, each one transaction that
keeps the one-lead and one-team rules and leaves a history of who changed what."""

import pytest
from django.core.exceptions import ValidationError

from milestones.history import Source, history_source
from milestones.models import SlipReason
from teams import services
from teams.models import Membership, Team
from tests.factories import SquadFactory, TeamFactory


def role_of(person):
    membership = Membership.objects.get(user=person, active=True)
    return membership.team.slug, membership.role


def test_a_new_person_has_no_password_and_joins_their_team(team):
    person = services.create_person(
        username="nia", display_name="Nia Newbie", email="nia@example.com", team=team
    )
    assert not person.has_usable_password()
    assert role_of(person) == ("platform", "engineer")


def test_a_username_already_taken_is_refused_beside_the_username(team, engineer):
    with pytest.raises(ValidationError) as caught:
        services.create_person(username=engineer.username, display_name="X", email="x@example.com")
    assert "username" in caught.value.message_dict


def test_adding_a_tech_lead_demotes_the_teams_lead(team, lead):
    person = services.create_person(
        username="nia", display_name="Nia", email="nia@example.com", team=team, role="tech_lead"
    )
    assert role_of(person) == ("platform", "tech_lead")
    assert role_of(lead) == ("platform", "engineer")


def test_making_an_engineer_tech_lead_keeps_one_lead_per_team(team, lead, engineer):
    services.make_tech_lead(person=engineer)
    assert role_of(engineer) == ("platform", "tech_lead")
    assert role_of(lead) == ("platform", "engineer")
    assert team.memberships.filter(role="tech_lead", active=True).count() == 1


def test_someone_on_no_team_cannot_be_made_tech_lead(loner):
    with pytest.raises(ValidationError, match="on no team"):
        services.make_tech_lead(person=loner)


def test_moving_someone_ends_their_membership_and_starts_another(team, engineer):
    billing = TeamFactory(name="Billing", slug="billing")
    services.move_person(person=engineer, team=billing)
    assert role_of(engineer) == ("billing", "engineer")
    old = Membership.objects.get(user=engineer, team=team)
    assert old.active is False


def test_moving_someone_in_as_tech_lead_demotes_the_lead_there(team, engineer, outsider_lead):
    billing = Team.objects.get(slug="billing")
    services.move_person(person=engineer, team=billing, role="tech_lead")
    assert role_of(engineer) == ("billing", "tech_lead")
    assert role_of(outsider_lead) == ("billing", "engineer")


def test_a_leaver_cannot_sign_in_and_is_on_no_team(team, engineer):
    services.deactivate_person(person=engineer)
    engineer.refresh_from_db()
    assert engineer.is_active is False
    assert not Membership.objects.filter(user=engineer, active=True).exists()
    with pytest.raises(ValidationError, match="has left"):
        services.move_person(person=engineer, team=team)
    services.reactivate_person(person=engineer)
    engineer.refresh_from_db()
    assert engineer.is_active is True


def test_teams_and_squads_are_added_and_renamed_with_their_address_kept(team):
    growth = services.save_squad(name=" Growth ")
    search = services.create_team(name="Search", squad=growth)
    assert (search.slug, search.squad.name) == ("search", "Growth")
    services.update_team(team=team, name="Platform Core", squad=growth)
    team.refresh_from_db()
    assert (team.name, team.slug, team.squad) == ("Platform Core", "platform", growth)
    services.save_squad(squad=growth, name="Growth and search")
    assert growth.name == "Growth and search"


def test_a_team_name_already_taken_is_refused(team):
    with pytest.raises(ValidationError) as caught:
        services.create_team(name="Platform", squad=SquadFactory())
    assert "name" in caught.value.message_dict


def test_slip_reasons_are_added_and_retired(db):
    reason = services.save_slip_reason(name="Vendor late", position=4, active=True)
    services.save_slip_reason(reason=reason, name="Vendor late", position=4, active=False)
    assert SlipReason.objects.get(pk=reason.pk).active is False


def test_every_change_is_in_the_history_with_who_and_from_where(team, engineer, vp):
    billing = TeamFactory(name="Billing", slug="billing")
    with history_source(Source.WEB):
        engineer._history_user = vp
        services.update_person(person=engineer, display_name="Renamed")
        services.move_person(person=engineer, team=billing)
    record = engineer.history.latest("history_id")
    assert (record.display_name, record.source) == ("Renamed", "web")
    assert Membership.history.filter(user_id=engineer.pk, team_id=billing.pk).get().source == "web"


def test_the_password_is_not_kept_in_the_history(engineer):
    assert not hasattr(engineer.history.model, "password")
