"""The seam reviews plug into: each team's review status on the dashboard, never made up (the
rows that carry it are tested in test_table.py, the teams CSV in test_exports.py)."""

import datetime

from django.urls import reverse
from pytest_django.asserts import assertContains

from milestones.models import Quarter
from reviews.models import Review
from reviews.selectors import quarter_review_status
from tests.dashboard.conftest import TODAY

D = datetime.date


def test_the_page_shows_each_teams_last_review_and_flags_the_overdue(client, vp, org, frozen_today):
    atlas, beacon = org.teams["Atlas"], org.teams["Beacon"]
    Review.objects.create(team=atlas, quarter=org.quarter, held_on=D(2026, 11, 20))
    Review.objects.create(team=beacon, quarter=org.quarter, held_on=D(2026, 11, 2))
    client.force_login(vp)
    response = client.get(reverse("dashboard:index"), {"sort": "team"})
    rows = {row.team.name: row for row in response.context["report"].table.rows}
    assert (rows["Atlas"].last_review, rows["Atlas"].review_overdue) == (D(2026, 11, 20), False)
    assert (rows["Beacon"].last_review, rows["Beacon"].review_overdue) == (D(2026, 11, 2), True)
    assert (rows["Comet"].last_review, rows["Comet"].review_overdue) == (None, True)
    assertContains(response, "Nov 20")
    # Beacon (23 days) and the six teams that never held one; Atlas's is 5 days old.
    assertContains(response, "review overdue</span>", count=7)


def test_a_finished_quarter_shows_the_last_review_by_its_end_and_flags_nothing(
    client, vp, org, frozen_today
):
    atlas = org.teams["Atlas"]
    Review.objects.create(team=atlas, quarter=org.previous, held_on=D(2026, 8, 3))
    Review.objects.create(team=atlas, quarter=org.quarter, held_on=D(2026, 11, 20))
    client.force_login(vp)
    response = client.get(reverse("dashboard:index"), {"quarter": org.previous.slug})
    rows = {row.team.name: row for row in response.context["report"].table.rows}
    assert (rows["Atlas"].last_review, rows["Atlas"].review_overdue) == (D(2026, 8, 3), False)
    assert not any(row.review_overdue for row in rows.values())
    assert "review overdue</span>" not in response.content.decode()


def test_the_review_status_costs_one_query_whatever_the_number_of_teams(
    org, django_assert_num_queries
):
    teams = list(org.teams.values())
    with django_assert_num_queries(1):
        quarter_review_status(teams, org.quarter, TODAY)
    assert (
        quarter_review_status(teams, Quarter(start=D(2027, 1, 1), end=D(2027, 3, 31)), TODAY) == {}
    )
