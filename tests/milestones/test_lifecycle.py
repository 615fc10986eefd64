"""The quarter's states (issue 15), from the dates and the two recorded acts, lock and close."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from milestones.lifecycle import (
    QuarterState,
    last_day_of_grace,
    may_close,
    needs_planning_reminder,
    next_quarter_key,
    planning_opens_on,
    quarter_state,
    quarters_to_close,
    switcher,
)

D = datetime.date
Q1_START, Q1_END = D(2027, 1, 1), D(2027, 3, 31)


@dataclass
class Q:
    start: datetime.date = Q1_START
    end: datetime.date = Q1_END
    grace_days: int = 7
    locked: bool = False
    planning_opens: datetime.date | None = None
    closed_at: datetime.datetime | None = None


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2026, 12, 17), QuarterState.UPCOMING),  # the day before planning opens
        (D(2026, 12, 18), QuarterState.PLANNING),  # two weeks before the start
        (D(2026, 12, 31), QuarterState.PLANNING),
        (D(2027, 1, 1), QuarterState.IN_PROGRESS),  # the first day
        (D(2027, 3, 31), QuarterState.IN_PROGRESS),  # the last day
        (D(2027, 4, 7), QuarterState.IN_PROGRESS),  # the last day of grace
        (D(2027, 4, 8), QuarterState.ENDED),  # grace passed, not closed
        (D(2028, 1, 1), QuarterState.ENDED),
    ],
)
def test_a_quarters_state_follows_its_dates(today, state):
    assert quarter_state(Q(), today) is state


def test_planning_opens_two_weeks_before_the_start_unless_leadership_sets_the_day():
    assert planning_opens_on(Q()) == D(2026, 12, 18)
    early = Q(planning_opens=D(2026, 11, 20))
    assert planning_opens_on(early) == D(2026, 11, 20)
    assert quarter_state(early, D(2026, 11, 20)) is QuarterState.PLANNING
    assert quarter_state(early, D(2026, 11, 19)) is QuarterState.UPCOMING


def test_locking_planning_before_the_start_makes_it_locked_then_in_progress():
    locked = Q(locked=True)
    assert quarter_state(locked, D(2026, 12, 20)) is QuarterState.LOCKED
    assert quarter_state(locked, D(2027, 1, 1)) is QuarterState.IN_PROGRESS


def test_a_closed_quarter_is_closed_whatever_the_day():
    closed = Q(closed_at=timezone.now())
    for day in (D(2026, 12, 1), D(2027, 2, 1), D(2027, 5, 1)):
        assert quarter_state(closed, day) is QuarterState.CLOSED


def test_a_quarter_may_be_closed_once_ended_and_only_once():
    assert last_day_of_grace(Q()) == D(2027, 4, 7)
    assert not may_close(Q(), D(2027, 4, 7))
    assert may_close(Q(), D(2027, 4, 8))
    assert not may_close(Q(closed_at=timezone.now()), D(2027, 4, 8))


def test_the_quarter_after_q4_is_q1_of_the_next_year():
    assert next_quarter_key(2026, 3) == (2026, 4)
    assert next_quarter_key(2026, 4) == (2027, 1)


def test_the_switcher_leaves_out_quarters_whose_planning_has_not_opened():
    q3 = Q(start=D(2026, 7, 1), end=D(2026, 9, 30), closed_at=timezone.now())
    q4 = Q(start=D(2026, 10, 1), end=D(2026, 12, 31))
    q1 = Q()
    tabs = switcher([q1, q4, q3], D(2026, 11, 25))
    assert [(tab.quarter, tab.state) for tab in tabs] == [
        (q3, QuarterState.CLOSED),
        (q4, QuarterState.IN_PROGRESS),
    ]
    assert [tab.note for tab in switcher([q1, q4], D(2026, 12, 20))] == ["", "planning"]
    # The quarter on the page is listed whatever its state.
    assert len(switcher([q1], D(2026, 11, 25), shown=q1)) == 1


def test_quarters_ended_but_not_closed_are_to_close():
    q2 = Q(start=D(2026, 4, 1), end=D(2026, 6, 30))
    q3 = Q(start=D(2026, 7, 1), end=D(2026, 9, 30), closed_at=timezone.now())
    q4 = Q(start=D(2026, 10, 1), end=D(2026, 12, 31))
    assert quarters_to_close([q4, q3, q2], D(2026, 11, 25)) == [q2]


def test_the_planning_reminder_is_due_on_any_day_of_the_week_before_the_start():
    assert needs_planning_reminder(Q(), D(2026, 12, 25))
    assert needs_planning_reminder(Q(), D(2026, 12, 28))  # a missed run: still due
    assert needs_planning_reminder(Q(), D(2026, 12, 31))
    assert not needs_planning_reminder(Q(), D(2026, 12, 24))
    assert not needs_planning_reminder(Q(), D(2027, 1, 1))  # started
    assert not needs_planning_reminder(Q(closed_at=timezone.now()), D(2026, 12, 28))
