"""The on-time rules of SPEC section 2, on their edges."""

import datetime
from types import SimpleNamespace

import pytest

from milestones.ontime import (
    Delivery,
    Rules,
    TargetPoint,
    days_slipped,
    deadline,
    delivery_class,
    find_slips,
    org_figure,
    team_quarter,
)

D = datetime.date
RULES = Rules(grace_days=7)
COMMITTED = D(2026, 11, 1)
TODAY = D(2026, 11, 25)


def ms(status="on_track", committed=COMMITTED, target=None, delivered=None, excused=False, pk=None):
    return SimpleNamespace(
        pk=pk,
        status=status,
        committed_date=committed,
        target_date=target or committed,
        delivered_date=delivered,
        excused=excused,
    )


def done(delivered, **kwargs):
    return ms(status="done", delivered=delivered, **kwargs)


def test_deadline_is_committed_date_plus_grace():
    assert deadline(COMMITTED, RULES) == D(2026, 11, 8)


def test_delivered_on_the_last_day_of_grace_is_on_time():
    assert delivery_class(done(D(2026, 11, 8)), RULES, TODAY) == Delivery.ON_TIME


def test_delivered_the_day_after_grace_is_late():
    assert delivery_class(done(D(2026, 11, 9)), RULES, TODAY) == Delivery.LATE


def test_delivered_early_is_on_time():
    assert delivery_class(done(D(2026, 10, 2)), RULES, TODAY) == Delivery.ON_TIME


def test_zero_grace_means_the_committed_date_itself():
    rules = Rules(grace_days=0)
    assert delivery_class(done(COMMITTED), rules, TODAY) == Delivery.ON_TIME
    assert delivery_class(done(D(2026, 11, 2)), rules, TODAY) == Delivery.LATE


def test_open_milestone_is_not_due_until_grace_has_passed():
    assert delivery_class(ms(), RULES, today=D(2026, 11, 8)) == Delivery.NOT_DUE


def test_open_milestone_is_overdue_the_day_after_grace():
    assert delivery_class(ms(), RULES, today=D(2026, 11, 9)) == Delivery.OVERDUE


def test_dropped_counts_against_the_team():
    assert delivery_class(ms(status="dropped"), RULES, TODAY) == Delivery.DROPPED
    assert Delivery.DROPPED.is_due


def test_dropped_and_excused_counts_for_nothing():
    assert delivery_class(ms(status="dropped", excused=True), RULES, TODAY) == Delivery.EXCUSED
    assert not Delivery.EXCUSED.is_due


def test_quarter_can_excuse_every_drop():
    rules = Rules(grace_days=7, excuse_dropped=True)
    assert delivery_class(ms(status="dropped"), rules, TODAY) == Delivery.EXCUSED


def test_team_with_every_due_milestone_on_time_is_on_time():
    figures = team_quarter([done(D(2026, 11, 3)), ms(committed=D(2026, 12, 10))], RULES, TODAY)
    assert figures.is_on_time
    assert (figures.total, figures.done, figures.on_time, figures.not_due) == (2, 1, 1, 1)


def test_one_late_milestone_makes_the_team_not_on_time():
    figures = team_quarter([done(D(2026, 11, 3)), done(D(2026, 11, 20))], RULES, TODAY)
    assert not figures.is_on_time
    assert figures.late == 1


def test_an_overdue_open_milestone_makes_the_team_not_on_time():
    figures = team_quarter([ms(status="at_risk")], RULES, TODAY)
    assert figures.overdue == 1
    assert not figures.is_on_time


def test_team_with_nothing_due_yet_is_on_time():
    figures = team_quarter([ms(committed=D(2026, 12, 20))], RULES, TODAY)
    assert figures.due == 0
    assert figures.is_on_time


def test_team_with_only_dropped_milestones_is_not_on_time():
    figures = team_quarter([ms(status="dropped"), ms(status="dropped")], RULES, TODAY)
    assert figures.dropped == 2
    assert not figures.is_on_time


def test_team_with_only_an_excused_drop_is_on_time():
    figures = team_quarter([ms(status="dropped", excused=True)], RULES, TODAY)
    assert figures.is_on_time


def test_team_with_no_milestones_has_no_verdict():
    figures = team_quarter([], RULES, TODAY)
    assert not figures.has_milestones
    assert not figures.is_on_time
    assert figures.verdict == "no milestones"


def test_forecast_counts_at_risk_and_off_track_teams_as_not_on_time():
    calm = team_quarter([ms(committed=D(2026, 12, 20))], RULES, TODAY)
    worried = team_quarter([ms(status="at_risk", committed=D(2026, 12, 20))], RULES, TODAY)
    assert calm.forecast_on_time
    assert worried.is_on_time
    assert not worried.forecast_on_time


def test_org_figure_counts_only_teams_with_milestones():
    on_time = team_quarter([done(D(2026, 11, 1))], RULES, TODAY)
    late = team_quarter([done(D(2026, 11, 30))], RULES, TODAY)
    empty = team_quarter([], RULES, TODAY)
    figure = org_figure([on_time, late, empty], goal=2)
    assert (figure.on_time, figure.teams) == (1, 2)
    assert figure.headline == "1 of 2 teams on time"
    assert not figure.goal_met


def test_org_figure_meets_the_goal_at_exactly_the_goal():
    teams = [team_quarter([done(D(2026, 11, 1))], RULES, TODAY) for _ in range(13)]
    assert org_figure(teams, goal=13).goal_met


def test_quarter_with_no_teams_is_zero_of_zero_with_no_rate():
    figure = org_figure([], goal=13)
    assert (figure.on_time, figure.teams, figure.forecast) == (0, 0, 0)
    assert figure.milestone_rate is None


def test_milestone_rate_is_on_time_over_due_milestones():
    a = team_quarter([done(D(2026, 11, 1)), done(D(2026, 11, 30))], RULES, TODAY)
    b = team_quarter(
        [done(D(2026, 11, 2)), ms(status="dropped"), ms(committed=D(2026, 12, 20))], RULES, TODAY
    )
    figure = org_figure([a, b], goal=1)
    assert (figure.milestones_on_time, figure.milestones_due) == (2, 4)
    assert figure.milestone_rate == pytest.approx(0.5)


def test_a_slip_is_each_later_move_of_the_target_date():
    points = [
        TargetPoint(D(2026, 11, 1)),
        TargetPoint(D(2026, 11, 10)),
        TargetPoint(D(2026, 11, 5)),
        TargetPoint(D(2026, 11, 5)),
        TargetPoint(D(2026, 11, 12)),
    ]
    slips = find_slips(points)
    assert [(s.from_date, s.to_date, s.days) for s in slips] == [
        (D(2026, 11, 1), D(2026, 11, 10), 9),
        (D(2026, 11, 5), D(2026, 11, 12), 7),
    ]


def test_no_history_means_no_slips():
    assert find_slips([]) == []
    assert find_slips([TargetPoint(COMMITTED)]) == []


def test_days_slipped_is_against_the_committed_date_and_never_negative():
    assert days_slipped(ms(target=D(2026, 11, 11))) == 10
    assert days_slipped(ms(target=D(2026, 10, 20))) == 0
    assert days_slipped(done(D(2026, 11, 4), target=D(2026, 11, 20))) == 3


def test_team_quarter_adds_up_slips_and_days_slipped():
    milestones = [
        ms(pk=1, target=D(2026, 11, 6), committed=D(2026, 12, 1)),
        ms(pk=2, committed=D(2026, 12, 1), target=D(2026, 12, 5)),
    ]
    figures = team_quarter(milestones, RULES, TODAY, slip_counts={2: 2})
    assert figures.slips == 2
    assert figures.days_slipped == 4
