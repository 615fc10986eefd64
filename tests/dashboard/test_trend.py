"""The on-time trend across quarters (dashboard/trend.py): every quarter so far, in one query."""

import pytest

from dashboard.trend import on_time_trend
from milestones.models import Quarter
from milestones.selectors import quarter_report
from teams.models import Team
from tests.dashboard.conftest import TODAY, grow_org
from tests.factories import MilestoneFactory, QuarterFactory


def test_the_trend_takes_the_shown_quarter_from_its_report_and_agrees_with_the_database(org):
    quarters = list(Quarter.objects.order_by("start"))
    report = quarter_report(org.quarter, TODAY)
    from_report = on_time_trend(quarters, TODAY, report)
    assert from_report == on_time_trend(quarters, TODAY)
    assert from_report[-1].figure is report.figure


def test_the_trend_leaves_out_quarters_not_started_and_quarters_nobody_planned(org):
    QuarterFactory(year=2026, number=2)  # started, without milestones
    quarters = list(Quarter.objects.order_by("start"))
    points = on_time_trend(quarters, TODAY)
    assert [(p.quarter, p.figure.headline) for p in points] == [
        (org.previous, "2 of 3 teams on time"),
        (org.quarter, "4 of 7 teams on time"),
    ]
    assert [p.finished for p in points] == [True, False]


@pytest.mark.parametrize(("quarters", "teams"), [(2, 3), (6, 30)])
def test_the_trend_costs_one_query_whatever_the_size(
    db, quarters, teams, django_assert_num_queries
):
    found = [QuarterFactory(year=2026 - n // 4, number=4 - n % 4) for n in range(quarters)]
    grow_org(found[0], teams)
    for quarter in found[1:]:
        for team in Team.objects.all():
            MilestoneFactory(team=team, quarter=quarter, done=True)
    with django_assert_num_queries(1):
        points = on_time_trend(found, TODAY)
    assert len(points) == quarters
    assert {p.figure.teams for p in points} == {teams}
