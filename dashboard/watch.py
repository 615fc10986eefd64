"""The dashboard's watch lists: the milestones at risk or off track, overdue, and the biggest
slips, of the whole quarter or of one squad.

Each milestone is classified once (`watch_entries`, which the milestones CSV reuses) from the
quarter report: the rules are `milestones.ontime`'s, and nothing here queries.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass

from milestones import ontime
from milestones.report_rows import ReportMilestone, ReportSquad, ReportTeam
from milestones.selectors import QuarterReport, TeamRow

LIST_LIMIT = 15


@dataclass(frozen=True, slots=True)
class WatchEntry:
    milestone: ReportMilestone
    team: ReportTeam
    delivery: ontime.Delivery
    days_slipped: int
    slips: int
    days_overdue: int

    @property
    def moved_to(self) -> datetime.date:
        """Where the slip ended: the delivery of a done milestone, else its target."""
        return self.milestone.delivered_date or self.milestone.target_date


@dataclass(frozen=True)
class WatchList:
    entries: list[WatchEntry]  # the first `LIST_LIMIT`
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


@dataclass(frozen=True)
class WatchLists:
    at_risk: WatchList  # at risk or off track
    overdue: WatchList
    slipped: WatchList  # the biggest slips against the committed date


def _entry(
    row, milestone: ReportMilestone, report: QuarterReport, rules: ontime.Rules, today
) -> WatchEntry:
    dropped = milestone.status == ontime.DROPPED
    return WatchEntry(
        milestone=milestone,
        team=row.team,
        delivery=row.figures.classes[milestone.pk],
        days_slipped=0 if dropped else ontime.days_slipped(milestone),
        slips=report.slips.get(milestone.pk, 0),
        days_overdue=ontime.days_overdue(milestone, rules, today),
    )


def watch_entries(
    report: QuarterReport, today: datetime.date, squad: ReportSquad | None = None
) -> list[WatchEntry]:
    """Every milestone of the report (of one squad), classified, team by team in table order;
    no query."""
    rules = ontime.Rules.for_quarter(report.quarter)
    return [
        entry
        for row in report.rows
        if squad is None or row.team.squad_id == squad.pk
        for entry in row_entries(row, report, rules, today)
    ]


def row_entries(
    row: TeamRow, report: QuarterReport, rules: ontime.Rules, today: datetime.date
) -> list[WatchEntry]:
    """The milestones of one row of `report`, classified, in table order; no query."""
    return [_entry(row, milestone, report, rules, today) for milestone in row.milestones]


@dataclass(frozen=True)
class WatchCandidates:
    """Every milestone that belongs on a watch list, of the whole organisation, each list in
    its order: what the cached report keeps, so that a squad's lists are a filter away."""

    troubled: list[WatchEntry]  # at risk or off track: off track first, by target date
    overdue: list[WatchEntry]  # most days over first
    slipped: list[WatchEntry]  # most days slipped first


def watch_candidates(report: QuarterReport, today: datetime.date) -> WatchCandidates:
    """The report's milestones on any watch list, sorted; only those become entries."""
    rules = ontime.Rules.for_quarter(report.quarter)
    troubled, overdue, slipped = [], [], []
    for row in report.rows:
        classes = row.figures.classes
        for milestone in row.milestones:
            status = milestone.status
            is_troubled = status in (ontime.OFF_TRACK, ontime.AT_RISK)
            is_overdue = classes[milestone.pk] is ontime.Delivery.OVERDUE
            has_slipped = status != ontime.DROPPED and ontime.days_slipped(milestone) > 0
            if not (is_troubled or is_overdue or has_slipped):
                continue
            entry = _entry(row, milestone, report, rules, today)
            if is_troubled:
                troubled.append(entry)
            if is_overdue:
                overdue.append(entry)
            if has_slipped:
                slipped.append(entry)

    troubled.sort(key=_troubled_order)
    overdue.sort(key=_overdue_order)
    slipped.sort(key=_slipped_order)
    return WatchCandidates(troubled, overdue, slipped)


def _name(entry: WatchEntry) -> str:
    return entry.team.name.casefold()


def _troubled_order(e: WatchEntry):
    return (e.milestone.status != ontime.OFF_TRACK, e.milestone.target_date, _name(e))


def _overdue_order(e: WatchEntry):
    return (-e.days_overdue, _name(e))


def _slipped_order(e: WatchEntry):
    return (-e.days_slipped, -e.slips, _name(e))


def merged_candidates(
    known: WatchCandidates, report: QuarterReport, team_ids: set[int], today: datetime.date
) -> WatchCandidates:
    """`known` with the entries of the teams `team_ids` replaced by those of `report` (those
    teams' rows, read again): each list in the order `watch_candidates` gives it, without
    judging the other teams' milestones again (`dashboard.incremental`)."""
    fresh = watch_candidates(report, today)

    def merged(old: list[WatchEntry], new: list[WatchEntry], order) -> list[WatchEntry]:
        kept = [entry for entry in old if entry.team.pk not in team_ids]
        for entry in new:  # after its equals, as a stable sort of kept + new would put it
            bisect.insort_right(kept, entry, key=order)
        return kept

    return WatchCandidates(
        merged(known.troubled, fresh.troubled, _troubled_order),
        merged(known.overdue, fresh.overdue, _overdue_order),
        merged(known.slipped, fresh.slipped, _slipped_order),
    )


def _capped(found: list[WatchEntry], limit: int, squad: ReportSquad | None) -> WatchList:
    if squad is not None:
        found = [entry for entry in found if entry.team.squad_id == squad.pk]
    return WatchList(found[:limit], len(found))


def watch_lists(
    source: QuarterReport | WatchCandidates,
    today: datetime.date,
    squad: ReportSquad | None = None,
    limit: int = LIST_LIMIT,
) -> WatchLists:
    """The three lists of the whole organisation or of one squad, from a report or from its
    candidates (`watch_candidates`, kept by the cached report)."""
    found = source if isinstance(source, WatchCandidates) else watch_candidates(source, today)
    return WatchLists(
        _capped(found.troubled, limit, squad),
        _capped(found.overdue, limit, squad),
        _capped(found.slipped, limit, squad),
    )
