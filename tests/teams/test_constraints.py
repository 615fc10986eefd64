import pytest
from django.db import IntegrityError, transaction

from teams.models import Membership
from tests.factories import MembershipFactory, TeamFactory, TechLeadFactory, UserFactory, trio


def test_database_refuses_a_second_tech_lead(db):
    team = TeamFactory()
    TechLeadFactory(team=team)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(team=team, user=UserFactory(), role=Membership.Role.TECH_LEAD)


def test_a_former_tech_lead_does_not_block_a_new_one(db):
    team = TeamFactory()
    TechLeadFactory(team=team, active=False)
    TechLeadFactory(team=team)
    assert team.memberships.filter(role="tech_lead").count() == 2


def test_database_refuses_a_second_active_team_for_a_person(db):
    person = UserFactory()
    MembershipFactory(user=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(team=TeamFactory(), user=person)


def test_a_person_may_keep_past_memberships(db):
    person = UserFactory()
    MembershipFactory(user=person, active=False)
    MembershipFactory(user=person)
    assert person.memberships.count() == 2


def test_trio_is_a_property_not_a_rule(db):
    team, *_ = trio()
    assert team.is_trio
    pair = TeamFactory()
    TechLeadFactory(team=pair)
    MembershipFactory(team=pair)
    assert not pair.is_trio
