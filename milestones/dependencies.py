"""Cross-team dependencies (issue 16): when a milestone is at risk from what it waits on.

A downstream milestone is *at risk from a dependency* when it is still open and an upstream
it waits on is

- open with a target date later than the downstream's target date (equal dates are fine),
- off track,
- overdue (open past its committed date plus its own quarter's grace, `ontime.delivery_class`),
- or dropped (excused or not: it will not be delivered).

An upstream that is done, even late, is delivered: it puts nothing at risk any more. The risk
is computed here and nowhere else, and never stored as the downstream's status, which stays
the team's call.

Plain functions over milestone-like rows (a model instance, a historical record): nothing
here touches the database. The reads live in `milestones.dependency_reads`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from milestones import ontime

OPEN_STATUSES = frozenset({"planned", "on_track", "at_risk", "off_track"})


class DependencyEnd(Protocol):
    pk: Any
    title: str
    status: str
    committed_date: datetime.date
    target_date: datetime.date
    delivered_date: datetime.date | None


def show_day(day: datetime.date, today: datetime.date) -> str:
    """Jan 12, with the year when it is not this year's."""
    text = f"{day:%b} {day.day}"
    return text if day.year == today.year else f"{text}, {day.year}"


@dataclass(frozen=True)
class DependencyRisk:
    """Why one downstream milestone is at risk from one upstream milestone."""

    downstream_id: int
    upstream_id: int
    upstream_title: str
    upstream_team: str
    reason: str


def dependency_risk(
    downstream: DependencyEnd,
    upstream: DependencyEnd,
    *,
    upstream_team: str,
    upstream_rules: ontime.Rules,
    today: datetime.date,
) -> DependencyRisk | None:
    """The risk `upstream` puts on `downstream` on `today` (None: none).

    `upstream_rules` are the rules of the upstream's own quarter (its grace decides when it
    is overdue), which may not be the downstream's: a dependency may cross quarters.
    """
    if downstream.status not in OPEN_STATUSES:
        return None
    day = show_day
    parts: list[str] = []
    if upstream.status == ontime.DROPPED:
        parts.append(f"it was dropped (it had a target of {day(upstream.target_date, today)})")
    elif upstream.status in OPEN_STATUSES:
        klass = ontime.delivery_class(upstream, upstream_rules, today)
        if klass is ontime.Delivery.OVERDUE:
            last = ontime.deadline(upstream.committed_date, upstream_rules)
            parts.append(
                f"it is overdue (committed {day(upstream.committed_date, today)}, "
                f"on time until {day(last, today)})"
            )
        if upstream.status == ontime.OFF_TRACK:
            parts.append("it is off track")
        if upstream.target_date > downstream.target_date:
            late = (upstream.target_date - downstream.target_date).days
            days = f"{late} day{'s' if late != 1 else ''}"
            parts.append(
                f"it is due {day(upstream.target_date, today)}, {days} after this milestone's "
                f"target of {day(downstream.target_date, today)}"
            )
    if not parts:
        return None
    reason = f"Waits on “{upstream.title}” ({upstream_team}): " + "; ".join(parts) + "."
    return DependencyRisk(downstream.pk, upstream.pk, upstream.title, upstream_team, reason)


def put_at_risk_by_slip(
    from_date: datetime.date, to_date: datetime.date, downstreams: Iterable[DependencyEnd]
) -> list[DependencyEnd]:
    """The open downstream milestones a move of their upstream's target date from
    `from_date` to `to_date` (later) puts at risk: those whose target it moved past
    (it was due on or before their target, it is due after it now)."""
    return [
        d for d in downstreams if d.status in OPEN_STATUSES and from_date <= d.target_date < to_date
    ]


def reaches(edges: Iterable[tuple[int, int]], start: int, goal: int) -> bool:
    """Does following (downstream, upstream) links upstream from `start` reach `goal`?

    Adding "A waits on B" closes a cycle exactly when B already (transitively) waits on A.
    """
    upstreams: dict[int, list[int]] = {}
    for down, up in edges:
        upstreams.setdefault(down, []).append(up)
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for nxt in upstreams.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def quarter_distance(a: Any, b: Any) -> int:
    """How many quarters apart two quarters are (by year and number)."""
    return abs((a.year * 4 + a.number) - (b.year * 4 + b.number))


# --- What a slip costs the organisation -------------------------------------------------------


@dataclass(frozen=True)
class SlipCost:
    """If each endangered downstream milestone slips past its committed date plus grace."""

    endangered_teams: list[str]  # teams on time now that would not be
    forecast_before: ontime.OrgFigure
    forecast_after: ontime.OrgFigure

    @property
    def summary(self) -> str:
        after, before = self.forecast_after, self.forecast_before
        if not self.endangered_teams:
            return "No team's on-time verdict depends on it."
        teams = ", ".join(self.endangered_teams)
        what = "what waits on it slips" if len(self.endangered_teams) == 1 else "each slips"
        return (
            f"Endangers the on-time verdict of {teams}: if {what} past committed + grace, "
            f"the forecast is {after.forecast} of {after.teams} teams on time "
            f"(now {before.forecast} of {before.teams})."
        )


@dataclass(frozen=True)
class _Late:
    """A milestone delivered the day after its last on-time day: the worst case."""

    pk: int
    status: str
    committed_date: datetime.date
    target_date: datetime.date
    delivered_date: datetime.date
    excused: bool = False


def slip_cost(
    teams: dict[str, list[Any]],
    endangered_ids: set[int],
    rules: ontime.Rules,
    goal: int,
    today: datetime.date,
    figures: dict[str, ontime.TeamQuarter] | None = None,
) -> SlipCost:
    """Which teams' on-time verdicts (`ontime.team_quarter`) the endangered downstream
    milestones put at risk, and the org figure (`ontime.org_figure`) if each is delivered
    past its committed date plus grace. `teams`: team name -> its milestones of the quarter;
    `figures`: team name -> their figures now, when the caller has them (a report's rows)."""
    before, after, endangered = [], [], []
    for name, milestones in teams.items():
        known = figures.get(name) if figures is not None else None
        now = known if known is not None else ontime.team_quarter(milestones, rules, today)
        if not any(m.pk in endangered_ids for m in milestones):
            # Nothing of this team's waits at risk: its worst case is what it is now.
            before.append(now)
            after.append(now)
            continue
        worst = [
            _Late(
                m.pk,
                ontime.DONE,
                m.committed_date,
                m.target_date,
                ontime.deadline(m.committed_date, rules) + datetime.timedelta(days=1),
            )
            if m.pk in endangered_ids and m.status in OPEN_STATUSES
            else m
            for m in milestones
        ]
        then = ontime.team_quarter(worst, rules, today)
        before.append(now)
        after.append(then)
        if now.is_on_time and not then.is_on_time:
            endangered.append(name)
    return SlipCost(
        sorted(endangered), ontime.org_figure(before, goal), ontime.org_figure(after, goal)
    )
