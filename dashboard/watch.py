"""The dashboard's watch lists: the milestones at risk or off track, overdue, and the biggest
slips, of the whole quarter or of one squad.

Each milestone is classified once (`watch_entries`, which the milestones CSV reuses) from the
quarter report: the rules are `milestones.ontime`'s, and nothing here queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from milestones import ontime
from milestones.models import Milestone
from milestones.selectors import QuarterReport
from teams.models import Squad, Team

LIST_LIMIT = 15


@dataclass(frozen=True)
class WatchEntry:
    milestone: Milestone
    team: Team
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


def watch_entries(
    report: QuarterReport, today: datetime.date, squad: Squad | None = None
) -> list[WatchEntry]:
    """Every milestone of the report (of one squad), classified, team by team in table order;
    no query."""
    rules = ontime.Rules.for_quarter(report.quarter)
    found = []
    for row in report.rows:
        if squad is not None and row.team.squad_id != squad.pk:
            continue
        for milestone in row.milestones:
            # Fills Django's cache of the relation with the team the report already holds, so
            # that `get_absolute_url` (the team's slug) costs no query per milestone.
            milestone.team = row.team
            dropped = milestone.status == Milestone.Status.DROPPED
            found.append(
                WatchEntry(
                    milestone=milestone,
                    team=row.team,
                    delivery=row.figures.classes[milestone.pk],
                    days_slipped=0 if dropped else ontime.days_slipped(milestone),
                    slips=report.slips.get(milestone.pk, 0),
                    days_overdue=ontime.days_overdue(milestone, rules, today),
                )
            )
    return found


def _capped(found: list[WatchEntry], limit: int) -> WatchList:
    return WatchList(found[:limit], len(found))


def watch_lists(
    report: QuarterReport,
    today: datetime.date,
    squad: Squad | None = None,
    limit: int = LIST_LIMIT,
) -> WatchLists:
    every = watch_entries(report, today, squad)

    def name(entry: WatchEntry) -> str:
        return entry.team.name.casefold()

    troubled = [e for e in every if e.milestone.status in (ontime.OFF_TRACK, ontime.AT_RISK)]
    troubled.sort(
        key=lambda e: (e.milestone.status != ontime.OFF_TRACK, e.milestone.target_date, name(e))
    )
    overdue = [e for e in every if e.delivery is ontime.Delivery.OVERDUE]
    overdue.sort(key=lambda e: (-e.days_overdue, name(e)))
    slipped = [e for e in every if e.days_slipped > 0]
    slipped.sort(key=lambda e: (-e.days_slipped, -e.slips, name(e)))
    return WatchLists(_capped(troubled, limit), _capped(overdue, limit), _capped(slipped, limit))
