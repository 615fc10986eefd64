"""The parts of the dashboard of a quarter on a day, whatever the query string asks: what the
cache keeps (`dashboard.report.dashboard_parts` builds them, `dashboard.incremental` updates
them after teams' changes, `dashboard.report.build_dashboard` lays them out). Data only: both
modules read it, and neither needs the other for it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from dashboard import charts
from dashboard.table import DashboardRow
from dashboard.waiting import DependencyReport
from dashboard.watch import WatchCandidates
from milestones import ledger, lifecycle, ontime
from milestones.models import Quarter
from milestones.report_rows import ReportSquad
from milestones.selectors import QuarterReport
from reviews import calibration


@dataclass(frozen=True)
class Headline:
    # The figure the headline shows: for a closed quarter the one recorded at close.
    figure: ontime.OrgFigure
    quarter: Quarter
    today: datetime.date
    state: lifecycle.QuarterState = lifecycle.QuarterState.IN_PROGRESS
    # A closed quarter's figure as later changes (restatements) make it, when it differs.
    restated: ontime.OrgFigure | None = None

    @property
    def started(self) -> bool:
        return self.quarter.start <= self.today

    @property
    def finished(self) -> bool:
        """Once the quarter is over the forecast has nothing left to say."""
        return self.quarter.is_finished(self.today)

    @property
    def label(self) -> str:
        """What the figure is: recorded only once closed, never "final" before."""
        if self.state is lifecycle.QuarterState.CLOSED:
            return "Recorded at close"
        if self.state is lifecycle.QuarterState.ENDED:
            return "Ended, not closed yet"
        if self.finished:
            return "Actual, in the grace days"
        return "Actual, so far"


@dataclass(frozen=True)
class PlannedTeam:
    """One team's planned commitments for a quarter that has not started."""

    team: Any
    milestones: list  # the team's milestones, in its table's order


@dataclass(frozen=True)
class Planning:
    """A quarter before it starts: each team's planned commitments, and the goal."""

    state: lifecycle.QuarterState
    opens: datetime.date  # the day planning opened (or opens)
    teams: list[PlannedTeam]

    @property
    def planned(self) -> list[PlannedTeam]:
        return [t for t in self.teams if t.milestones]

    @property
    def unplanned(self) -> list[PlannedTeam]:
        return [t for t in self.teams if not t.milestones]

    @property
    def milestones(self) -> int:
        return sum(len(t.milestones) for t in self.teams)


@dataclass(frozen=True)
class SlipReasons:
    """The quarter's days slipped by reason (the commitment ledger), as a chart and a table."""

    totals: list[ledger.ReasonTotal]
    chart: charts.ParetoChart

    @property
    def days(self) -> int:
        return sum(total.days for total in self.totals)

    @property
    def slips(self) -> int:
        return sum(total.slips for total in self.totals)


@dataclass(frozen=True)
class DashboardParts:
    """What the dashboard shows of a quarter on a day, whatever the query string asks: what
    the cache keeps (`dashboard_parts`)."""

    quarter: Quarter  # on an as-of view, carrying the rules of that day
    today: datetime.date  # the day judged on: today, or the as-of day
    as_of: datetime.date | None
    # The figure shown: a closed quarter's as recorded at close, with the restated one.
    headline: Headline
    calls: calibration.Calibration  # every team's review calls, together
    rows: list[DashboardRow]  # in the report's order, each with its HTML
    squads: list[ReportSquad]
    watch: WatchCandidates
    planning: Planning | None  # a quarter that has not started: its planned commitments
    # Cross-team dependencies, the whole organisation's (issue 16), live or as of the day.
    dependencies: DependencyReport | None
    # The whole page's: empty, or None, on an as-of view and for `whole_page=False`.
    trend: list[ontime.TrendPoint] = field(default_factory=list)
    slip_reasons: SlipReasons | None = None
    review_days: list[datetime.date] = field(default_factory=list)
    # The live parts' cache key (`page_parts`): what the page's cached HTML is keyed by too.
    # Empty on an as-of view, which is not cached.
    key: str = ""
    # The report they were built from: what a change of one team's milestones updates
    # (`dashboard.incremental`) and the milestones CSV reads.
    report: QuarterReport | None = field(default=None, compare=False, repr=False)
