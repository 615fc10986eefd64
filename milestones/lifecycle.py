"""The quarter's life (SPEC section 2, issue 15): which state a quarter is in on a day.

A quarter is *upcoming* until planning opens (leadership's `planning_opens`, by default two
weeks before it starts), then *planning* (teams draft milestones, committed dates editable),
*locked* once leadership locks planning, *in progress* from its first day, *ended* once its
last day and grace have passed (never "final": it is not closed yet) and *closed* once
leadership closes it. The state is derived from the dates and the two recorded acts, the lock
(`Quarter.locked`) and the close (`Quarter.closed_at`), by `quarter_state` alone: permissions,
the dashboard's labels, the quarter switchers and the nudges all ask it.

Plain functions over anything shaped like a quarter: nothing here touches the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

# Planning opens this long before a quarter starts unless leadership sets the day.
PLANNING_LEAD = datetime.timedelta(days=14)
# Leads whose team has nothing planned hear about it from this long before the quarter starts.
PLANNING_REMINDER = datetime.timedelta(days=7)


class QuarterFacts(Protocol):
    start: datetime.date
    end: datetime.date
    grace_days: int
    locked: bool
    planning_opens: datetime.date | None
    closed_at: datetime.datetime | None


class QuarterState(StrEnum):
    UPCOMING = "upcoming"  # planning has not opened: not in the switchers
    PLANNING = "planning"  # teams draft milestones; committed dates editable
    LOCKED = "locked"  # planning locked: committed dates frozen, not started yet
    IN_PROGRESS = "in_progress"
    ENDED = "ended"  # last day and grace passed, not closed yet
    CLOSED = "closed"  # on record

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_open_for_planning(self) -> bool:
        """Teams may add milestones for it (leadership may at any time before close)."""
        return self not in (QuarterState.UPCOMING, QuarterState.CLOSED)

    @property
    def is_before_start(self) -> bool:
        return self in (QuarterState.UPCOMING, QuarterState.PLANNING, QuarterState.LOCKED)


_LABELS = {
    QuarterState.UPCOMING: "not open yet",
    QuarterState.PLANNING: "planning",
    QuarterState.LOCKED: "planning locked",
    QuarterState.IN_PROGRESS: "in progress",
    QuarterState.ENDED: "ended, not closed yet",
    QuarterState.CLOSED: "closed",
}


def planning_opens_on(quarter: QuarterFacts) -> datetime.date:
    """The day teams start planning the quarter: leadership's day, else two weeks before it."""
    return quarter.planning_opens or quarter.start - PLANNING_LEAD


def last_day_of_grace(quarter: QuarterFacts) -> datetime.date:
    """The last day a milestone committed on the quarter's last day is still on time."""
    return quarter.end + datetime.timedelta(days=quarter.grace_days)


def quarter_state(quarter: QuarterFacts, today: datetime.date) -> QuarterState:
    """The state of `quarter` on `today`: closed once closed; else by the dates (ended after
    the last day and grace, in progress from the first day); before it starts, locked once
    planning is locked, planning once planning has opened, upcoming before that."""
    if quarter.closed_at is not None:
        return QuarterState.CLOSED
    if today > last_day_of_grace(quarter):
        return QuarterState.ENDED
    if today >= quarter.start:
        return QuarterState.IN_PROGRESS
    if quarter.locked:
        return QuarterState.LOCKED
    if today >= planning_opens_on(quarter):
        return QuarterState.PLANNING
    return QuarterState.UPCOMING


def may_close(quarter: QuarterFacts, today: datetime.date) -> bool:
    """Leadership closes a quarter once it has ended (its grace is part of it), and once."""
    return quarter_state(quarter, today) is QuarterState.ENDED


def next_quarter_key(year: int, number: int) -> tuple[int, int]:
    """The (fiscal year, number) of the quarter after `year` Q`number`."""
    return (year, number + 1) if number < 4 else (year + 1, 1)


@dataclass(frozen=True)
class QuarterTab:
    """A quarter of a switcher, with its state on the day."""

    quarter: Any
    state: QuarterState

    @property
    def note(self) -> str:
        """What the switcher says beside the quarter's name: only the states worth a word."""
        if self.state in (QuarterState.PLANNING, QuarterState.LOCKED, QuarterState.ENDED):
            return self.state.label
        return ""


def switcher(
    quarters: Iterable[Any], today: datetime.date, *, shown: Any = None
) -> list[QuarterTab]:
    """The quarters a switcher offers, oldest first, with their states: every quarter whose
    planning has opened (and `shown`, the quarter on the page, whatever its state)."""
    tabs = []
    for quarter in sorted(quarters, key=lambda q: q.start):
        state = quarter_state(quarter, today)
        if state is not QuarterState.UPCOMING or quarter == shown:
            tabs.append(QuarterTab(quarter, state))
    return tabs


def quarters_to_close(quarters: Iterable[Any], today: datetime.date) -> list[Any]:
    """The quarters that have ended but are not closed, oldest first (the digest lists them)."""
    return [
        q
        for q in sorted(quarters, key=lambda q: q.start)
        if quarter_state(q, today) is QuarterState.ENDED
    ]


def planning_reminder_days(quarter: QuarterFacts) -> tuple[datetime.date, datetime.date]:
    """The days, first and last (inclusive), on which a run may send the quarter's planning
    reminder: the week before it starts."""
    return quarter.start - PLANNING_REMINDER, quarter.start - datetime.timedelta(days=1)


def needs_planning_reminder(quarter: QuarterFacts, today: datetime.date) -> bool:
    """Within the week before the quarter starts, teams with nothing planned hear of it: on
    any day of that week, so a day the nudges did not run loses nothing (the nudges send it
    once per lead per quarter, `nudges.rules`); never once it has started or closed."""
    first, last = planning_reminder_days(quarter)
    return quarter.closed_at is None and first <= today <= last
