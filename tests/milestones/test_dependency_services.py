"""Adding and removing dependencies (milestones.services.add_dependency, remove_dependency)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from milestones.dependency_reads import dependency_lists
from milestones.models import Dependency
from milestones.services import add_dependency, remove_dependency
from tests.factories import MilestoneFactory, QuarterFactory, TeamFactory


@pytest.fixture
def billing(db):
    return TeamFactory(name="Billing", slug="billing")


@pytest.fixture
def upstream(billing, quarter):
    return MilestoneFactory(team=billing, quarter=quarter, title="Payments API")


def test_a_milestone_waits_on_another_teams_milestone(milestone, upstream, lead):
    link = add_dependency(downstream=milestone, upstream=upstream, user=lead)
    assert (link.downstream, link.upstream, link.created_by) == (milestone, upstream, lead)
    assert link.history.get().history_user == lead


def test_a_milestone_cannot_wait_on_itself(milestone, lead):
    with pytest.raises(ValidationError) as error:
        add_dependency(downstream=milestone, upstream=milestone, user=lead)
    assert error.value.message_dict == {"upstream": ["A milestone cannot wait on itself."]}
    assert not Dependency.objects.exists()


def test_a_duplicate_dependency_is_refused(milestone, upstream, lead):
    add_dependency(downstream=milestone, upstream=upstream, user=lead)
    with pytest.raises(ValidationError, match="already waits on “Payments API”"):
        add_dependency(downstream=milestone, upstream=upstream, user=lead)
    assert Dependency.objects.count() == 1


def test_a_direct_cycle_is_refused(milestone, upstream, lead):
    add_dependency(downstream=milestone, upstream=upstream, user=lead)
    with pytest.raises(ValidationError, match="that is a cycle"):
        add_dependency(downstream=upstream, upstream=milestone, user=lead)
    assert Dependency.objects.count() == 1


def test_a_cycle_through_a_third_team_is_refused(milestone, upstream, quarter, lead):
    third = MilestoneFactory(quarter=quarter, title="Ledger export")
    add_dependency(downstream=milestone, upstream=upstream, user=lead)
    add_dependency(downstream=upstream, upstream=third, user=lead)
    with pytest.raises(ValidationError, match="that is a cycle"):
        add_dependency(downstream=third, upstream=milestone, user=lead)
    assert Dependency.objects.count() == 2


def test_a_milestone_may_wait_on_one_of_the_next_quarter_but_not_further(milestone, billing, lead):
    next_quarter = QuarterFactory(year=2027, number=1)
    later = QuarterFactory(year=2027, number=2)
    near = MilestoneFactory(team=billing, quarter=next_quarter)
    far = MilestoneFactory(team=billing, quarter=later, title="Far away")
    add_dependency(downstream=milestone, upstream=near, user=lead)
    with pytest.raises(ValidationError, match="“Far away” is in 2027 Q2"):
        add_dependency(downstream=milestone, upstream=far, user=lead)


def test_a_closed_quarters_milestone_takes_no_new_dependency(milestone, upstream, quarter, lead):
    quarter.closed_at = datetime.datetime(2027, 1, 10, tzinfo=datetime.UTC)
    quarter.save()
    milestone.quarter.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        add_dependency(downstream=milestone, upstream=upstream, user=lead)


def test_removing_a_dependency_keeps_its_history(milestone, upstream, lead):
    add_dependency(downstream=milestone, upstream=upstream, user=lead)
    assert remove_dependency(downstream=milestone, upstream_id=upstream.pk, user=lead)
    assert not Dependency.objects.exists()
    kinds = list(Dependency.history.order_by("history_id").values_list("history_type", flat=True))
    assert kinds == ["+", "-"]


def test_removing_a_dependency_that_is_not_there_says_so(milestone, upstream, lead):
    assert remove_dependency(downstream=milestone, upstream_id=upstream.pk, user=lead) is False


def test_dependency_lists_tell_what_a_milestone_waits_on_from_what_waits_on_it_in_one_query(
    milestone, upstream, billing, quarter, django_assert_num_queries
):
    waits_on_it = MilestoneFactory(team=billing, quarter=quarter, title="Invoices", position=1)
    add_dependency(downstream=milestone, upstream=upstream, user=None)
    add_dependency(downstream=waits_on_it, upstream=milestone, user=None)

    with django_assert_num_queries(1):
        lists = dependency_lists(milestone, datetime.date(2026, 11, 25))

    assert [row.milestone.pk for row in lists.upstream] == [upstream.pk]
    assert [row.milestone.pk for row in lists.downstream] == [waits_on_it.pk]
    assert lists.upstream[0].milestone.team.name == "Billing"
    assert lists.downstream[0].milestone.quarter == quarter
