"""Forecast calibration on the dashboard (a sortable "Calls right" column, the teams CSV) and on
the team page, read from the review snapshots in a constant number of queries."""

import csv
import io

import pytest
from django.urls import reverse

from milestones.models import Milestone
from milestones.selectors import quarter_report
from reviews.models import Review
from reviews.selectors import quarter_calibration
from tests.dashboard.conftest import TODAY, grow_org, text
from tests.dashboard.history import D, at
from tests.factories import QuarterFactory, ReviewFactory, ReviewItemFactory

URL = reverse("dashboard:index")


def said(milestone: Milestone, day, status: str) -> None:
    """The team's review of `day` (made once) called `milestone` `status`."""
    review = Review.objects.filter(team=milestone.team, held_on=day).first()
    if review is None:
        review = ReviewFactory(team=milestone.team, quarter=milestone.quarter, held_on=day)
    ReviewItemFactory(review=review, milestone=milestone, status=status)


@pytest.fixture
def calls(org):
    """Atlas 1 of 2 right (at risk, then on time), Beacon 1 of 1 (flagged 3 days ahead), Flint 1
    of 2 (on track, then off track 4 days ahead of Nov 1), Dune's call pending (not due)."""
    m = org.milestones
    said(m["Atlas search"], D(2026, 10, 7), "on_track")
    said(m["Atlas search"], D(2026, 10, 14), "at_risk")
    said(m["Beacon billing"], D(2026, 10, 7), "at_risk")
    said(m["Flint ledger"], D(2026, 10, 14), "on_track")
    said(m["Flint ledger"], D(2026, 10, 28), "off_track")
    said(m["Dune maps"], D(2026, 11, 11), "on_track")
    said(m["Grove rollout"], D(2026, 11, 30), "at_risk")  # after today: does not count
    return org


def test_the_quarter_calibration_scores_each_teams_calls(calls):
    found = quarter_calibration(quarter_report(calls.quarter, TODAY))
    by_name = {team.name: found[team.pk] for team in calls.teams.values() if team.pk in found}
    assert (by_name["Atlas"].correct, by_name["Atlas"].calls, by_name["Atlas"].pessimistic) == (
        1,
        2,
        1,
    )
    assert (by_name["Beacon"].rate, by_name["Beacon"].days_ahead) == (1.0, [3])
    assert (by_name["Flint"].rate, by_name["Flint"].days_ahead) == (0.5, [4])
    # Fewer than three calls: no percentage.
    assert by_name["Beacon"].share is by_name["Flint"].share is None
    assert (by_name["Dune"].calls, by_name["Dune"].pending) == (0, 1)
    assert by_name["Grove"].is_empty
    assert "Ghost" not in by_name  # inactive


def test_the_dashboard_shows_calls_right_per_team_and_sorts_by_it(client, vp, calls, frozen_today):
    client.force_login(vp)
    response = client.get(URL, {"sort": "-calls_right"})
    rows = response.context["report"].table.rows
    assert [r.team.name for r in rows][:3] == ["Beacon", "Atlas", "Flint"]  # ties by name
    assert rows[0].calibration.rate == 1.0
    # Two calls: the count, not "50%".
    assert '<span title="1 of 2 review calls right; 1 of 1 slips flagged">1 of 2</span>' in (
        response.content.decode()
    )
    assert "Calls right" in text(response)


def test_the_teams_csv_carries_the_calls(client, vp, calls, frozen_today):
    client.force_login(vp)
    response = client.get(reverse("dashboard:teams_csv"))
    found = {
        r["Team"]: r
        for r in csv.DictReader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))
        )
    }
    # Two calls are too few for a percentage.
    assert (found["Flint"]["Calls scored"], found["Flint"]["Calls right (%)"]) == ("2", "")
    assert (found["Dune"]["Calls scored"], found["Dune"]["Calls right (%)"]) == ("0", "")


def test_the_team_page_has_a_forecast_calibration_section(client, calls, frozen_today):
    client.force_login(calls.engineer)
    words = text(client.get("/teams/flint/"))
    assert (
        "Forecast calibration Calls right 1 of 2 (too few calls for a percentage) "
        "On track, then slipped 1" in words
    )
    assert "Slips seen coming 1 of 1 Flagged, median 4 days before the committed date" in words


def test_a_team_without_reviews_says_there_is_nothing_to_score(client, calls, frozen_today):
    client.force_login(calls.engineer)
    assert "No review call to score yet" in text(client.get("/teams/grove/"))


def test_as_of_a_day_only_the_reviews_held_by_then_count(client, vp, calls, frozen_today):
    client.force_login(vp)
    # The org fixture's history is dated now: date it back to the start of the quarter.
    Milestone.history.update(history_date=at(D(2026, 10, 1)))
    calls.quarter.history.update(history_date=at(D(2026, 10, 1)))
    response = client.get("/teams/flint/", {"as_of": "2026-10-20"})
    c = response.context["calibration"]
    # On Oct 20 Flint's ledger (committed Nov 1) was not due: the Oct 14 call is pending.
    assert (c.calls, c.pending, c.slipped) == (0, 1, 0)


@pytest.mark.parametrize("teams", [4, 80])
def test_the_calibration_costs_one_query_whatever_the_size(
    db, teams, frozen_today, django_assert_num_queries
):
    quarter = QuarterFactory(year=2026, number=4)
    grow_org(quarter, teams)
    for milestone in Milestone.objects.filter(quarter=quarter):
        said(milestone, D(2026, 11, 4), "on_track")
    report = quarter_report(quarter, TODAY)
    with django_assert_num_queries(1):
        found = quarter_calibration(report)
    assert len(found) == teams


def test_the_headline_sums_the_calls_of_every_team(client, vp, calls, frozen_today):
    client.force_login(vp)
    response = client.get(URL, {"squad": calls.growth.pk})  # the filter leaves the headline be
    calls_right = response.context["report"].calls
    # Atlas 1 of 2, Beacon 1 of 1, Flint 1 of 2; slips: Beacon's and Flint's, both flagged ahead.
    assert (calls_right.correct, calls_right.calls, calls_right.share) == (3, 5, 60)
    assert (
        "60% of review calls right (3 of 5; 2 of 2 slips flagged before the committed date)"
        in text(response)
    )
