"""The cadence selectors the team page and the dashboard read (review_status, review_days)."""

import pytest

from reviews.selectors import review_days, review_status
from teams.models import Team
from tests.factories import QuarterFactory, TeamFactory
from tests.reviews.helpers import PREVIOUS, TODAY, D, hold


def test_each_team_gets_its_last_and_next_review_and_whether_it_is_overdue(team, quarter):
    late, never = TeamFactory(name="Late"), TeamFactory(name="Never")
    hold(team, D(2026, 10, 28))
    hold(team, PREVIOUS)
    hold(late, D(2026, 11, 2))

    status = review_status([team, late, never], TODAY)

    assert status[team.pk].last_review_date == PREVIOUS
    assert status[team.pk].next_review_date == TODAY
    assert not status[team.pk].overdue
    assert (status[late.pk].last_review_date, status[late.pk].overdue) == (D(2026, 11, 2), True)
    assert status[never.pk].never_reviewed
    assert status[never.pk].overdue


def test_the_cadence_comes_from_the_setting(settings, team, quarter):
    settings.MILEPOST_REVIEW_CADENCE_DAYS = 7
    hold(team, D(2026, 11, 17))

    status = review_status([team], TODAY)[team.pk]

    assert status.next_review_date == D(2026, 11, 24)
    assert status.overdue


def test_teams_can_be_given_as_ids_or_a_queryset(team, quarter):
    hold(team, PREVIOUS)

    by_id = review_status([team.pk], TODAY)
    by_queryset = review_status(Team.objects.filter(slug="platform"), TODAY)

    assert by_id == by_queryset
    assert by_id[team.pk].last_review_date == PREVIOUS


def test_a_review_dated_after_the_day_asked_about_does_not_count(team, quarter):
    hold(team, PREVIOUS)

    assert review_status([team], D(2026, 11, 5))[team.pk].never_reviewed


def test_no_teams_cost_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert review_status([], TODAY) == {}


@pytest.mark.parametrize("teams", [1, 25])
def test_any_number_of_teams_costs_one_query(quarter, django_assert_num_queries, teams):
    many = [TeamFactory(name=f"Team {n}") for n in range(teams)]
    for n, team in enumerate(many):
        hold(team, D(2026, 10, 1 + n))

    with django_assert_num_queries(1):
        status = review_status(many, TODAY)

    assert len(status) == teams


def test_one_teams_review_days_give_its_status_and_its_days_in_the_quarter_in_one_query(
    team, quarter, django_assert_num_queries
):
    QuarterFactory(year=2026, number=3)
    hold(team, D(2026, 9, 23))  # the quarter before: counts for the status, not as a link
    hold(team, D(2026, 10, 28))
    hold(team, PREVIOUS)
    hold(TeamFactory(name="Other"), D(2026, 11, 18))

    with django_assert_num_queries(1):
        found = review_days(team, quarter, TODAY)

    assert found.days == [D(2026, 10, 28), PREVIOUS]
    assert found.status == review_status([team], TODAY)[team.pk]


def test_review_days_judge_the_status_on_an_earlier_day_but_link_every_day_up_to_today(
    team, quarter
):
    hold(team, D(2026, 10, 28))
    hold(team, PREVIOUS)

    found = review_days(team, quarter, TODAY, status_on=D(2026, 11, 5))

    assert found.status == review_status([team], D(2026, 11, 5))[team.pk]
    assert found.status.last_review_date == D(2026, 10, 28)
    assert found.days == [D(2026, 10, 28), PREVIOUS]


def test_review_days_of_a_team_that_never_held_one_are_none_and_it_is_overdue(team, quarter):
    found = review_days(team, quarter, TODAY)
    assert found.days == []
    assert found.status.never_reviewed
    assert found.status.overdue


def test_review_days_without_a_quarter_give_the_status_only(team, quarter):
    hold(team, PREVIOUS)
    found = review_days(team, None, TODAY)
    assert found.days == []
    assert found.status.last_review_date == PREVIOUS
