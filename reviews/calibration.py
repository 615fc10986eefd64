"""Forecast calibration (issue 10): were the calls made at the biweekly reviews right?

A plain function over review snapshots and milestones; nothing here touches the database (the
reads are `selectors_reviews.review_calls` and `selectors_reviews.quarter_calibration`).

The rules:

- A **call** is the status a review snapshot (a `ReviewItem`) gave an open milestone:
  `on_track` says "it will be on time", `at_risk` and `off_track` say "it will not".
  `planned` makes no call, and neither does a done or dropped snapshot (nothing is left to
  forecast). Every review makes its own call: a milestone said on track at three reviews is
  three calls.
- The **outcome** is the milestone's delivery class on `today`, by `ontime.delivery_class`
  with the quarter's rules: on time (`ON_TIME`), or not (`LATE`, `OVERDUE`). A milestone not
  due yet has no outcome: its calls are `pending`, not scored. A dropped milestone (excused or
  not), and one no longer in the quarter (deleted, moved), is not scored either.
- A call is **correct** when it matches the outcome. Wrong calls are either *optimistic* (on
  track, then it was late or overdue) or *pessimistic* (at risk or off track, then it was
  delivered on time). The share is `ontime.percent(correct, calls)`, and only from
  `MIN_CALLS_FOR_SHARE` calls on: "0%" of one call says nothing and looks alarming, so fewer
  calls are shown as a count ("1 of 2 calls right").
- For each milestone that ended late or overdue and that a review saw open (so that a review
  could have flagged it), **days ahead** is its committed date minus the date of the first
  review that called it at risk or off track: positive when the team saw the slip coming,
  negative when it said so only after the committed date. A milestone no review flagged is
  **not seen coming**. The median over the flagged ones sums it up.
- Only reviews held on or before `today` count, so that a view "as of" a past day judges the
  calls known that day against what had happened by then.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from milestones import ontime

ON_TRACK = "on_track"
MIN_CALLS_FOR_SHARE = 3
FLAGGED = frozenset({ontime.AT_RISK, ontime.OFF_TRACK})
OPEN = frozenset({"planned", ON_TRACK, ontime.AT_RISK, ontime.OFF_TRACK})
_NOT_ON_TIME = frozenset({ontime.Delivery.LATE, ontime.Delivery.OVERDUE})


class CallLike(Protocol):
    milestone_id: int
    status: str
    held_on: datetime.date


@dataclass(frozen=True, slots=True)
class Call:
    """What one review said of one milestone: its snapshot's status on the review's date."""

    milestone_id: int
    status: str
    held_on: datetime.date


def says_on_time(status: str) -> bool | None:
    """True for "will be on time", False for "will not", None for no call."""
    if status == ON_TRACK:
        return True
    if status in FLAGGED:
        return False
    return None


@dataclass
class Calibration:
    """How a team's review calls of one quarter compare with what happened."""

    calls: int = 0  # scored: the milestone has an outcome
    correct: int = 0
    optimistic: int = 0  # said on track; it was late or overdue
    pessimistic: int = 0  # said at risk or off track; it was delivered on time
    pending: int = 0  # calls on milestones not due yet
    slipped: int = 0  # milestones late or overdue that a review saw open
    days_ahead: list[int] = field(default_factory=list)  # one per slipped milestone flagged

    @property
    def wrong(self) -> int:
        return self.calls - self.correct

    @property
    def rate(self) -> float | None:
        """Correct calls over calls (what the dashboard sorts by; never shown as such)."""
        return self.correct / self.calls if self.calls else None

    @property
    def share(self) -> int | None:
        """The rate as a whole percentage; None under `MIN_CALLS_FOR_SHARE` calls."""
        if self.calls < MIN_CALLS_FOR_SHARE:
            return None
        return ontime.percent(self.correct, self.calls)

    @property
    def calls_right_label(self) -> str:
        """As the pages show it: "67%" from three calls on, the count under three ("1 of 2"),
        "—" with none."""
        if self.share is not None:
            return f"{self.share}%"
        return f"{self.correct} of {self.calls}" if self.calls else "—"

    @property
    def seen(self) -> int:
        """Slipped milestones some review flagged, before or after their committed date."""
        return len(self.days_ahead)

    @property
    def seen_ahead(self) -> int:
        """Slipped milestones flagged before their committed date."""
        return sum(days > 0 for days in self.days_ahead)

    @property
    def not_seen(self) -> int:
        return self.slipped - self.seen

    @property
    def median_days_ahead(self) -> float | None:
        return statistics.median(self.days_ahead) if self.days_ahead else None

    @property
    def is_empty(self) -> bool:
        """Nothing to say: no call scored or pending, no slip."""
        return not (self.calls or self.pending or self.slipped)


def calibrate(
    calls: Iterable[CallLike],
    milestones: Iterable[ontime.MilestoneLike],
    rules: ontime.Rules,
    today: datetime.date,
) -> Calibration:
    """Score one team's review calls of a quarter against its milestones on `today`.

    `calls` are what the team's reviews said (any order); `milestones` are the team's
    milestones of the quarter as they stand on `today` (live rows, or rebuilt by
    `milestones.asof`), matched to the calls by id.
    """
    outcome: dict[int, ontime.Delivery] = {}
    committed: dict[int, datetime.date] = {}
    for milestone in milestones:
        pk = _pk(milestone)
        outcome[pk] = ontime.delivery_class(milestone, rules, today)
        committed[pk] = milestone.committed_date
    result = Calibration()
    seen_open: set[int] = set()
    first_flag: dict[int, datetime.date] = {}
    for call in calls:
        if call.held_on > today or call.milestone_id not in outcome:
            continue
        klass = outcome[call.milestone_id]
        if call.status in OPEN:
            seen_open.add(call.milestone_id)
        if call.status in FLAGGED:
            known = first_flag.get(call.milestone_id)
            if known is None or call.held_on < known:
                first_flag[call.milestone_id] = call.held_on
        said = says_on_time(call.status)
        if said is None or klass in (ontime.Delivery.DROPPED, ontime.Delivery.EXCUSED):
            continue
        if klass is ontime.Delivery.NOT_DUE:
            result.pending += 1
            continue
        happened = klass is ontime.Delivery.ON_TIME
        result.calls += 1
        if said == happened:
            result.correct += 1
        elif said:
            result.optimistic += 1
        else:
            result.pessimistic += 1
    for pk in sorted(seen_open):
        if outcome[pk] not in _NOT_ON_TIME:
            continue
        result.slipped += 1
        if pk in first_flag:
            result.days_ahead.append((committed[pk] - first_flag[pk]).days)
    return result


def combine(calibrations: Sequence[Calibration]) -> Calibration:
    """Several teams' calibrations as one (the organisation's, a squad's)."""
    total = Calibration()
    for c in calibrations:
        total.calls += c.calls
        total.correct += c.correct
        total.optimistic += c.optimistic
        total.pessimistic += c.pessimistic
        total.pending += c.pending
        total.slipped += c.slipped
        total.days_ahead.extend(c.days_ahead)
    return total


def _pk(milestone: Any) -> int:
    return getattr(milestone, "pk", None) or milestone.id
