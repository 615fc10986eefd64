"""As-of views (issue 10): the dashboard and the team page as they stood on a past day.

"As of June 3" means at the end of that day in the organisation's time zone (`TIME_ZONE`).
Everything the on-time rules read is rebuilt from simple-history, and then the same functions
of `milestones.ontime` run with `today` set to that day, so the figures are the ones the live
page showed that evening:

- the quarter's milestones: for each milestone, its latest historical record dated up to that
  moment. A milestone created later is absent; one deleted later is present, as it was; one
  whose latest record then is a deletion, or puts it in another quarter, is absent.
- the quarter's rules and goal (grace, excused drops, goal, lock): its latest historical
  record by then, or the quarter as it is when its history does not reach back that far.
- slip counts: the later moves of the target dates recorded up to that moment.

What the history does not keep is today's: which teams are active, who is on them and their
roles, squads, people's names. Reviews count when held on or before the day.

- dependencies (issue 16): the links recorded by then and not yet removed, and the risk
  their upstreams, as they stood then, put on the milestones that day
  (`links_as_of`, `upstream_risks_as_of`); the upstream's quarter's rules are today's. The
  team page, the dashboard (its "Waiting on another team", the teams at risk through
  dependencies, the squads' teams by teams) and the milestones CSV read them so.

Costs: `quarter_as_of` one query, `milestones_as_of` one query (the records with their
owners), whatever the number of teams, milestones and changes. simple-history's own
`Milestone.history.as_of()` is not used: its instances read the excluded `updated_at` back
from the live row, one query per milestone.
"""

from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from milestones import dependencies, ontime
from milestones.models import Dependency, Milestone, Quarter

# With the close: an as-of day is a day of the quarter, always before it was closed.
RULE_FIELDS = ("start", "end", "goal", "grace_days", "locked", "excuse_dropped", "closed_at")
_DELETED = "-"


def end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the current time zone: history before it counts."""
    after = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(after)


@dataclass(frozen=True)
class AsOf:
    """What `?as_of=` asked for: a valid day, or a message saying why the live page shows."""

    day: datetime.date | None = None
    error: str = ""


def parse_as_of(raw: str | None, quarter: Quarter | None, today: datetime.date) -> AsOf:
    """`?as_of=YYYY-MM-DD`: a day of the quarter, and not after today.

    Nothing asked is the live page, without a message; anything else that is not such a day
    is the live page with a message saying why.
    """
    raw = (raw or "").strip()
    if not raw:
        return AsOf()
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return AsOf(error=f"“{raw[:40]}” is not a date (YYYY-MM-DD): showing the live figures.")
    if quarter is None:
        return AsOf(error="There is no quarter to look back on.")
    if day > today:
        return AsOf(error=f"{day:%-d %b %Y} is in the future: showing the live figures.")
    if not quarter.start <= day <= quarter.end:
        return AsOf(
            error=f"{day:%-d %b %Y} is not in {quarter} ({quarter.start:%-d %b} – "
            f"{quarter.end:%-d %b %Y}): showing the live figures."
        )
    return AsOf(day)


def quarter_as_of(quarter: Quarter, day: datetime.date) -> Quarter:
    """A copy of `quarter` carrying its rules and goal as they stood at the end of `day`.

    One query. The quarter as it is when its history starts later (or not at all).
    """
    record = (
        quarter.history.filter(history_date__lt=end_of(day))
        .order_by("-history_date", "-history_id")
        .values(*RULE_FIELDS)
        .first()
    )
    then = copy.copy(quarter)
    for name, value in (record or {}).items():
        setattr(then, name, value)
    return then


def milestones_as_of(
    quarter: Quarter,
    day: datetime.date,
    *,
    team_ids: Collection[int] | None = None,
) -> tuple[list[Milestone], dict[int, int]]:
    """The quarter's milestones (of `team_ids`) as they stood at the end of `day`, in table
    order, and each one's number of slips by then. One query.

    The milestones are unsaved-looking `Milestone` instances built from the records (with
    their owner): pages read them, nothing saves them. The day they stand for is the caller's
    (`QuarterReport.as_of`, `MilestoneTable.as_of`), not written on them.
    """
    moment = end_of(day)
    ever_here = Milestone.history.filter(quarter_id=quarter.pk, history_date__lt=moment)
    if team_ids is not None:
        ever_here = ever_here.filter(team_id__in=list(team_ids))
    records = (
        Milestone.history.filter(history_date__lt=moment, id__in=ever_here.values("id"))
        .select_related("owner")
        .order_by("id", "history_date", "history_id")
    )
    by_id: dict[int, list] = defaultdict(list)
    for record in records:
        by_id[record.id].append(record)
    fields = [f.attname for f in Milestone.history.model.tracked_fields]
    found: list[Milestone] = []
    slips: dict[int, int] = {}
    for pk, history in by_id.items():
        last = history[-1]
        if last.history_type == _DELETED or last.quarter_id != quarter.pk:
            continue
        if team_ids is not None and last.team_id not in team_ids:
            continue
        milestone = Milestone(**{name: getattr(last, name) for name in fields})
        milestone.owner = last.owner if last.owner_id else None
        milestone.updated_at = last.history_date
        found.append(milestone)
        points = [ontime.TargetPoint(r.target_date, r.history_date) for r in history]
        slips[pk] = len(ontime.find_slips(points))
    found.sort(key=lambda m: (m.position, m.pk))
    return found, slips


def rebuild_milestone(record: Any) -> Milestone:
    """An unsaved-looking `Milestone` as a historical record of it stood, with the record's
    team and quarter (read with `select_related("team", "quarter")`: today's rows)."""
    fields = [f.attname for f in Milestone.history.model.tracked_fields]
    milestone = Milestone(**{name: getattr(record, name) for name in fields})
    milestone.team, milestone.quarter = record.team, record.quarter
    return milestone


@dataclass(frozen=True)
class LinkAsOf:
    """A dependency as it stood at the end of a day: shaped like a `Dependency` read with its
    ends (`dependency_reads.quarter_links`), for the same functions to read."""

    pk: int
    downstream: Any  # the downstream as the caller rebuilt it for that day (a `team_id`)
    upstream: Milestone  # rebuilt from its history, with its (today's) team and quarter

    @property
    def downstream_id(self) -> int:
        return self.downstream.pk

    @property
    def upstream_id(self) -> int:
        return self.upstream.pk


def links_as_of(downstreams: Collection[Any], day: datetime.date) -> list[LinkAsOf]:
    """The links of `downstreams` (milestone-like rows as they stood at the end of `day`)
    recorded by then and not yet removed, each upstream as it stood then, by link id. Two
    queries whatever the number of links (the links' history; the upstreams' history with
    their teams and quarters), one when there were none."""
    moment = end_of(day)
    by_pk = {m.pk: m for m in downstreams}
    latest: dict[int, tuple[int, int, str]] = {}
    for pk, down, up, kind in (
        Dependency.history.filter(downstream_id__in=list(by_pk), history_date__lt=moment)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "downstream_id", "upstream_id", "history_type")
    ):
        latest[pk] = (down, up, kind)
    alive = {pk: (down, up) for pk, (down, up, kind) in latest.items() if kind != _DELETED}
    if not alive:
        return []
    records: dict[int, Any] = {}
    for record in (
        Milestone.history.filter(id__in={up for _, up in alive.values()}, history_date__lt=moment)
        .select_related("team", "quarter")
        .order_by("id", "history_date", "history_id")
    ):
        records[record.id] = record
    upstreams = {
        pk: rebuild_milestone(record)
        for pk, record in records.items()
        if record.history_type != _DELETED
    }
    return [
        LinkAsOf(pk, by_pk[down], upstreams[up])
        for pk, (down, up) in sorted(alive.items())
        if up in upstreams
    ]


def upstream_risks_as_of(
    milestones: list[Milestone], day: datetime.date
) -> dict[int, list[dependencies.DependencyRisk]]:
    """Why each of `milestones` (as they stood at the end of `day`) was at risk from what it
    waited on then, by milestone id (`links_as_of`: two queries whatever the number of
    links)."""
    found: dict[int, list[dependencies.DependencyRisk]] = defaultdict(list)
    for link in sorted(
        links_as_of(milestones, day), key=lambda k: (k.downstream_id, k.upstream_id)
    ):
        up = link.upstream
        risk = dependencies.dependency_risk(
            link.downstream,
            up,
            upstream_team=up.team.name,
            upstream_rules=ontime.Rules.for_quarter(up.quarter),
            today=day,
        )
        if risk is not None:
            found[link.downstream_id].append(risk)
    return found
