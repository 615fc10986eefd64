"""The on-time rules of SPEC section 2, as plain functions.

Everything the dashboard, the team page, the CSV export and the seed say about "on time" comes
from here, never from a template. The functions take anything shaped like a milestone (a model
instance, a historical record, a review snapshot): they read `status`, `committed_date`,
`target_date`, `delivered_date` and, when present, `excused`.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

DONE = "done"
DROPPED = "dropped"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"


class MilestoneLike(Protocol):
    status: str
    committed_date: datetime.date
    target_date: datetime.date
    delivered_date: datetime.date | None


@dataclass(frozen=True)
class Rules:
    """The per-quarter knobs of the rules."""

    grace_days: int = 7
    excuse_dropped: bool = False
    # The quarter is closed (on record): a milestone still open was not delivered in it,
    # whatever its dates (a carried-over original counts as not delivered).
    closed: bool = False

    @classmethod
    def for_quarter(cls, quarter: Any) -> Rules:
        return cls(
            grace_days=quarter.grace_days,
            excuse_dropped=quarter.excuse_dropped,
            closed=getattr(quarter, "closed_at", None) is not None,
        )


class Delivery(StrEnum):
    ON_TIME = "on_time"  # done on or before committed date + grace
    LATE = "late"  # done after committed date + grace
    OVERDUE = "overdue"  # still open after committed date + grace
    DROPPED = "dropped"  # dropped, and it counts against the team
    EXCUSED = "excused"  # dropped, excused by leadership: counts for nothing
    NOT_DUE = "not_due"  # open, and its committed date + grace has not passed yet

    @property
    def is_due(self) -> bool:
        """Due milestones are the ones a team is judged on."""
        return self in _DUE

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


_DUE = frozenset({Delivery.ON_TIME, Delivery.LATE, Delivery.OVERDUE, Delivery.DROPPED})


def percent(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole percentage, rounded half up (None when `whole` is 0)."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


def deadline(committed_date: datetime.date, rules: Rules) -> datetime.date:
    """The last day that still counts as on time (the grace is inclusive)."""
    return committed_date + datetime.timedelta(days=rules.grace_days)


def delivery_class(milestone: MilestoneLike, rules: Rules, today: datetime.date) -> Delivery:
    if milestone.status == DROPPED:
        excused = rules.excuse_dropped or bool(getattr(milestone, "excused", False))
        return Delivery.EXCUSED if excused else Delivery.DROPPED
    last_day = deadline(milestone.committed_date, rules)
    if milestone.status == DONE:
        delivered = milestone.delivered_date or milestone.target_date
        return Delivery.ON_TIME if delivered <= last_day else Delivery.LATE
    if rules.closed or today > last_day:
        return Delivery.OVERDUE
    return Delivery.NOT_DUE


def days_slipped(milestone: MilestoneLike) -> int:
    """How far the forecast (or the delivery) has moved past the committed date, in days."""
    end = milestone.delivered_date if milestone.status == DONE else milestone.target_date
    if end is None:
        return 0
    return max(0, (end - milestone.committed_date).days)


@dataclass(frozen=True)
class Slip:
    """One move of the target date later than it was."""

    from_date: datetime.date
    to_date: datetime.date
    at: datetime.datetime | None = None
    by: Any = None
    # The historical record that made the move (its `history_id`) and where it came from
    # (`milestones.history.Source`): what a slip's reason is attached to (`milestones.ledger`).
    record_id: int | None = None
    source: str = ""

    @property
    def days(self) -> int:
        return (self.to_date - self.from_date).days


@dataclass(frozen=True)
class TargetPoint:
    """A target date as it stood after one change, oldest first."""

    target_date: datetime.date
    at: datetime.datetime | None = None
    by: Any = None
    record_id: int | None = None
    source: str = ""


def find_slips(points: Sequence[TargetPoint]) -> list[Slip]:
    """Each later move of the target date; moves earlier and unchanged dates are not slips."""
    found: list[Slip] = []
    for before, after in itertools.pairwise(points):
        if after.target_date > before.target_date:
            found.append(
                Slip(
                    before.target_date,
                    after.target_date,
                    after.at,
                    after.by,
                    after.record_id,
                    after.source,
                )
            )
    return found


@dataclass
class TeamQuarter:
    """Everything the rules say about one team in one quarter."""

    total: int = 0
    done: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    dropped: int = 0
    excused: int = 0
    not_due: int = 0
    at_risk: int = 0
    off_track: int = 0
    slips: int = 0
    days_slipped: int = 0
    classes: dict[int, Delivery] = field(default_factory=dict)

    @property
    def has_milestones(self) -> bool:
        return self.total > 0

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.overdue + self.dropped

    @property
    def is_on_time(self) -> bool:
        """Every due milestone is on time (a team with nothing due yet is on time)."""
        return self.has_milestones and self.due == self.on_time

    @property
    def forecast_on_time(self) -> bool:
        """On time so far, and no open milestone is at risk or off track."""
        return self.is_on_time and self.at_risk == 0 and self.off_track == 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def on_time_percent(self) -> int | None:
        return percent(self.on_time, self.due)

    @property
    def verdict(self) -> str:
        if not self.has_milestones:
            return "no milestones"
        return "on time" if self.is_on_time else "not on time"


def team_quarter(
    milestones: Iterable[MilestoneLike],
    rules: Rules,
    today: datetime.date,
    *,
    slip_counts: dict[int, int] | None = None,
) -> TeamQuarter:
    """Classify a team's milestones of one quarter and add them up.

    `slip_counts` maps a milestone id to its number of slips (from its history); milestones
    missing from it count none.
    """
    # Counted in locals, not `setattr` on the result per milestone: this runs over every
    # milestone of the organisation each time a report is built.
    counts = dict.fromkeys(Delivery, 0)
    classes: dict[int, Delivery] = {}
    total = done = at_risk = off_track = slips = slipped_days = 0
    for milestone in milestones:
        total += 1
        klass = delivery_class(milestone, rules, today)
        counts[klass] += 1
        pk = getattr(milestone, "pk", None) or getattr(milestone, "id", None)
        if pk is not None:
            classes[pk] = klass
        status = milestone.status
        if status == DONE:
            done += 1
        elif status == AT_RISK:
            at_risk += 1
        elif status == OFF_TRACK:
            off_track += 1
        if status != DROPPED:
            slipped_days += days_slipped(milestone)
        if slip_counts and pk is not None:
            slips += slip_counts.get(pk, 0)
    return TeamQuarter(
        total=total,
        done=done,
        on_time=counts[Delivery.ON_TIME],
        late=counts[Delivery.LATE],
        overdue=counts[Delivery.OVERDUE],
        dropped=counts[Delivery.DROPPED],
        excused=counts[Delivery.EXCUSED],
        not_due=counts[Delivery.NOT_DUE],
        at_risk=at_risk,
        off_track=off_track,
        slips=slips,
        days_slipped=slipped_days,
        classes=classes,
    )


@dataclass(frozen=True)
class OrgFigure:
    """ "X of Y teams on time" against the goal, and the milestone-level rate beside it."""

    on_time: int
    teams: int
    goal: int
    forecast: int
    milestones_on_time: int
    milestones_due: int

    @property
    def goal_met(self) -> bool:
        return self.on_time >= self.goal

    @property
    def forecast_goal_met(self) -> bool:
        return self.forecast >= self.goal

    @property
    def milestone_rate(self) -> float | None:
        return self.milestones_on_time / self.milestones_due if self.milestones_due else None

    @property
    def milestone_percent(self) -> int | None:
        return percent(self.milestones_on_time, self.milestones_due)

    @property
    def headline(self) -> str:
        return f"{self.on_time} of {self.teams} teams on time"

    @property
    def short_of_goal(self) -> int:
        """How many more teams on time would meet the goal (0 once it is met)."""
        return max(0, self.goal - self.on_time)

    @property
    def forecast_short_of_goal(self) -> int:
        return max(0, self.goal - self.forecast)


def org_figure(teams: Iterable[TeamQuarter], goal: int) -> OrgFigure:
    """Y counts only teams with at least one milestone in the quarter."""
    counted = [t for t in teams if t.has_milestones]
    return OrgFigure(
        on_time=sum(t.is_on_time for t in counted),
        teams=len(counted),
        goal=goal,
        forecast=sum(t.forecast_on_time for t in counted),
        milestones_on_time=sum(t.on_time for t in counted),
        milestones_due=sum(t.due for t in counted),
    )


def days_overdue(milestone: MilestoneLike, rules: Rules, today: datetime.date) -> int:
    """Days an open milestone is past its committed date + grace (0 unless it is overdue)."""
    if delivery_class(milestone, rules, today) is not Delivery.OVERDUE:
        return 0
    return max(0, (today - deadline(milestone.committed_date, rules)).days)


class QuarterLike(Protocol):
    pk: Any
    start: datetime.date
    end: datetime.date
    goal: int
    grace_days: int
    excuse_dropped: bool


@dataclass(frozen=True)
class TrendPoint:
    """The org figure of one quarter, as it stands on `today`."""

    quarter: Any
    figure: OrgFigure
    finished: bool
    recorded: bool = False  # the figure recorded when the quarter was closed


def org_trend(
    quarters: Iterable[QuarterLike], milestones: Iterable[Any], today: datetime.date
) -> list[TrendPoint]:
    """The org figure of every quarter that has started by `today`, oldest first.

    `milestones` are milestone-like rows that also carry `quarter_id` and `team_id`: the
    milestones of active teams, as for the dashboard. A quarter in which no team has a
    milestone has no figure and is left out; each quarter is judged by its own rules.
    """
    by_quarter: dict[Any, dict[Any, list[Any]]] = {}
    for milestone in milestones:
        teams = by_quarter.setdefault(milestone.quarter_id, {})
        teams.setdefault(milestone.team_id, []).append(milestone)
    points = []
    for quarter in sorted(quarters, key=lambda q: q.start):
        if quarter.start > today or quarter.pk not in by_quarter:
            continue
        rules = Rules.for_quarter(quarter)
        figures = (team_quarter(ms, rules, today) for ms in by_quarter[quarter.pk].values())
        points.append(TrendPoint(quarter, org_figure(figures, quarter.goal), quarter.end < today))
    return points
