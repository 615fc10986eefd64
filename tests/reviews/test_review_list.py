"""A team's reviews, newest first, with the cadence and the start form."""

import datetime

import pytest
from django.urls import reverse

from milestones.models import Milestone
from reviews.services import close_review
from tests.factories import QuarterFactory
from tests.reviews.helpers import PREVIOUS, TODAY, D, edit, hold, milestone


def reviews_page(client, team):
    return client.get(reverse("reviews:list", args=[team.slug]))


def test_reviews_are_listed_newest_first_under_their_quarter(client, team, quarter, engineer):
    QuarterFactory(year=2026, number=3)
    search = milestone(team, quarter, title="Search", target_date=D(2026, 12, 1))
    september = hold(team, D(2026, 9, 24))
    first = hold(team, D(2026, 10, 28))
    previous = hold(team, PREVIOUS)
    edit(search, target_date=D(2026, 12, 10), status=Milestone.Status.AT_RISK)
    latest = hold(team, TODAY)
    close_review(review=first, user=None)
    client.force_login(engineer)

    response = reviews_page(client, team)

    assert response.status_code == 200
    assert [row.review for row in response.context["rows"]] == [latest, previous, first, september]
    text = response.text
    assert text.index("2026 Q4") < text.index("2026 Q3")
    assert "1 slipped (+9d)" in text
    assert "first of the quarter" in text


def test_the_list_shows_the_last_and_next_review_dates(client, team, quarter, engineer):
    hold(team, PREVIOUS)
    client.force_login(engineer)

    response = reviews_page(client, team)

    assert "Last review Nov 11, 2026 · next by Nov 25, 2026" in response.text
    assert "review overdue" not in response.text


def test_a_team_whose_last_review_is_more_than_14_days_old_is_flagged(
    client, team, quarter, engineer
):
    hold(team, D(2026, 11, 10))
    client.force_login(engineer)

    assert "review overdue" in reviews_page(client, team).text


def test_only_the_lead_and_leadership_get_the_start_form(client, team, quarter, lead, vp, engineer):
    for user, shown in [(lead, True), (vp, True), (engineer, False)]:
        client.force_login(user)
        assert ("Start review" in reviews_page(client, team).text) is shown


def test_the_start_form_proposes_today(client, team, quarter, lead):
    client.force_login(lead)

    assert 'value="2026-11-25"' in reviews_page(client, team).text


def test_an_unknown_team_is_not_found(client, lead):
    client.force_login(lead)

    assert client.get(reverse("reviews:list", args=["nope"])).status_code == 404


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_costs_the_same_queries_whatever_the_number_of_reviews(
    client, team, quarter, lead, django_assert_num_queries, count
):
    milestones = [milestone(team, quarter, title=f"M{n}") for n in range(4)]
    for n in range(count):
        edit(milestones[n % 4], target_date=D(2026, 12, 1 + n))
        hold(team, D(2026, 10, 2) + datetime.timedelta(days=4 * n))
    client.force_login(lead)

    # Session, user, the team, the reviews, the items of all of them, the user's membership.
    with django_assert_num_queries(6):
        response = reviews_page(client, team)

    assert len(response.context["rows"]) == count
