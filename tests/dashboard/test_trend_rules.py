"""The rules the dashboard adds to milestones/ontime.py: percentages, days overdue, the trend."""

import datetime
from types import SimpleNamespace

import pytest

from milestones.ontime import (
    OrgFigure,
    Rules,
    TeamQuarter,
    days_overdue,
    org_figure,
    org_trend,
    percent,
    team_quarter,
)

D = datetime.date
RULES = Rules(grace_days=7)
TODAY = D(2026, 11, 25)


COMMITTED = D(2026, 11, 1)


def ms(status="on_track", committed=COMMITTED, delivered=None, team=1, quarter=1, **kw):
    return SimpleNamespace(
        status=status,
        committed_date=committed,
        target_date=kw.get("target", committed),
        delivered_date=delivered,
        excused=kw.get("excused", False),
        team_id=team,
        quarter_id=quarter,
    )


def quarter(pk, start, end, goal=0, grace_days=7, excuse_dropped=False):
    return SimpleNamespace(
        pk=pk, start=start, end=end, goal=goal, grace_days=grace_days, excuse_dropped=excuse_dropped
    )


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 4, 0), (1, 3, 33), (2, 3, 67), (1, 8, 13), (1, 2, 50), (4, 4, 100), (0, 0, None)],
)
def test_percent_rounds_half_up_and_is_none_of_nothing(part, whole, expected):
    assert percent(part, whole) == expected


def test_a_team_with_nothing_due_has_no_on_time_percent():
    assert TeamQuarter(total=2, not_due=2).on_time_percent is None


def test_milestone_percent_is_on_time_of_due():
    figure = OrgFigure(
        on_time=4, teams=7, goal=5, forecast=3, milestones_on_time=4, milestones_due=8
    )
    assert figure.milestone_percent == 50


def test_short_of_goal_counts_the_missing_teams_and_stops_at_zero():
    short = OrgFigure(
        on_time=4, teams=7, goal=5, forecast=3, milestones_on_time=0, milestones_due=0
    )
    over = OrgFigure(on_time=6, teams=7, goal=5, forecast=6, milestones_on_time=0, milestones_due=0)
    assert (short.short_of_goal, short.forecast_short_of_goal) == (1, 2)
    assert (over.short_of_goal, over.forecast_short_of_goal) == (0, 0)


def test_an_open_milestone_past_its_grace_is_overdue_by_the_days_since_the_last_grace_day():
    # Committed Nov 1, grace 7: Nov 8 is the last day on time, so Nov 25 is 17 days over.
    assert days_overdue(ms(), RULES, TODAY) == 17


def test_an_open_milestone_on_its_last_day_of_grace_is_not_overdue():
    assert days_overdue(ms(), RULES, D(2026, 11, 8)) == 0


def test_done_and_dropped_milestones_are_never_overdue():
    late = ms(status="done", delivered=D(2026, 11, 20))
    assert days_overdue(late, RULES, TODAY) == 0
    assert days_overdue(ms(status="dropped"), RULES, TODAY) == 0


def test_trend_has_a_point_per_started_quarter_with_milestones_oldest_first():
    q3 = quarter(3, D(2026, 7, 1), D(2026, 9, 30), goal=1)
    q4 = quarter(4, D(2026, 10, 1), D(2026, 12, 31), goal=2)
    q1 = quarter(5, D(2027, 1, 1), D(2027, 3, 31), goal=3)  # not started
    empty = quarter(2, D(2026, 4, 1), D(2026, 6, 30))  # started, but nobody planned anything
    milestones = [
        ms(quarter=3, team=1, status="done", committed=D(2026, 8, 1), delivered=D(2026, 8, 1)),
        ms(quarter=3, team=2, status="done", committed=D(2026, 8, 1), delivered=D(2026, 9, 1)),
        ms(quarter=4, team=1, committed=D(2026, 12, 1)),
        ms(quarter=5, team=1, committed=D(2027, 2, 1)),
    ]
    points = org_trend([q4, q1, empty, q3], milestones, TODAY)
    assert [p.quarter for p in points] == [q3, q4]
    assert [(p.figure.on_time, p.figure.teams, p.figure.goal) for p in points] == [
        (1, 2, 1),
        (1, 1, 2),
    ]
    assert [p.finished for p in points] == [True, False]


def test_each_quarter_of_the_trend_is_judged_by_its_own_rules():
    strict = quarter(1, D(2026, 7, 1), D(2026, 9, 30), grace_days=0)
    lenient = quarter(2, D(2026, 10, 1), D(2026, 12, 31), grace_days=14, excuse_dropped=True)
    milestones = [
        # Three days late in both quarters; a drop in the lenient one.
        ms(quarter=1, status="done", committed=D(2026, 8, 1), delivered=D(2026, 8, 4)),
        ms(quarter=2, status="done", committed=D(2026, 11, 1), delivered=D(2026, 11, 4)),
        ms(quarter=2, team=2, status="dropped"),
    ]
    strict_point, lenient_point = org_trend([strict, lenient], milestones, TODAY)
    assert (strict_point.figure.on_time, strict_point.figure.teams) == (0, 1)
    assert (lenient_point.figure.on_time, lenient_point.figure.teams) == (2, 2)


def test_the_trend_point_of_a_quarter_is_its_org_figure():
    q4 = quarter(4, D(2026, 10, 1), D(2026, 12, 31), goal=1)
    team_one = [ms(quarter=4, status="done", delivered=D(2026, 11, 2)), ms(quarter=4)]
    (point,) = org_trend([q4], team_one, TODAY)
    assert point.figure == org_figure([team_quarter(team_one, RULES, TODAY)], goal=1)
