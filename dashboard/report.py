"""Everything the dashboard page shows for one quarter on one day: `build_dashboard`, the one
function the dashboard view calls.

Each part is computed once per request and handed down as small frozen dataclasses that the
template only reads: the quarter report (`milestones.selectors.quarter_report`, the on-time
rules), the teams' review status and forecast calibration (`reviews.selectors`), the team
table (`dashboard.table`), the watch lists (`dashboard.watch`), the trend
(`dashboard.trend`, laid out by `dashboard.charts`) and the days slipped by reason
(`milestones.ledger`).

Queries, whatever the number of teams: the quarter report's four, the review status, the
calibration and, live, the quarter's dependencies (`dashboard.waiting`); the whole page adds
the trend and the reasons given for slips (neither on an as-of view) and the days reviews
were held.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dashboard import charts
from dashboard.table import TableState, TeamTable, dashboard_rows, squads_of, team_table
from dashboard.trend import on_time_trend
from dashboard.waiting import DependencyReport, dependency_report
from dashboard.watch import WatchLists, watch_lists
from milestones import closing, ledger, lifecycle, ontime
from milestones.models import Quarter
from milestones.selectors import QuarterReport, quarter_links, quarter_report, slip_explanations
from reviews import calibration
from reviews.selectors import quarter_calibration, quarter_review_status, review_dates

# How many of the latest review days the as-of picker offers as quick links: teams review on
# many different days, and the date input reaches the rest.
REVIEW_LINKS = 8


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
class QuarterLink:
    """A quarter of the switcher: the same table state, live, in that quarter."""

    quarter: Quarter
    href: str
    current: bool
    note: str = ""  # the quarter's state, when worth a word ("planning", "ended, not closed yet")


@dataclass(frozen=True)
class DashboardReport:
    # The quarter shown; on an as-of view it carries the rules of that day.
    quarter: Quarter
    as_of: datetime.date | None
    headline: Headline
    calls: calibration.Calibration  # every team's review calls, together
    table: TeamTable
    lists: WatchLists
    planning: Planning | None = None  # a quarter that has not started: its planned commitments
    # Cross-team dependencies (issue 16): live only, the history of links is not read here.
    dependencies: DependencyReport | None = None
    # The rest is the whole page's: `build_dashboard(..., body_only=True)` leaves it empty.
    quarter_links: list[QuarterLink] = field(default_factory=list)
    chart: charts.TrendChart | None = None  # none on an as-of view: the trend is live
    slip_reasons: SlipReasons | None = None  # none on an as-of view, whose report has no slips
    live_href: str = ""  # this table state, live
    as_of_max: datetime.date | None = None  # the last day the as-of picker offers
    review_links: list[tuple[datetime.date, str]] = field(default_factory=list)

    @property
    def state(self) -> TableState:
        return self.table.state


def build_dashboard(
    quarter: Quarter,
    quarters: Sequence[Quarter],
    *,
    today: datetime.date,
    as_of: datetime.date | None = None,
    query: Mapping[str, str],
    body_only: bool = False,
) -> DashboardReport:
    """The dashboard of `quarter` (one of `quarters`, the switcher's), live or as of a valid
    day (`asof.parse_as_of`), its table as the query string asks (`TableState`).

    `body_only` is for the htmx swap of the table and lists: it leaves out the parts that cost
    queries the swapped part does not show (the trend, slip reasons and review days).
    """
    report = quarter_report(quarter, today, as_of=as_of)
    calibrations = quarter_calibration(report)
    table = dashboard_table(report, query, calibrations)
    dashboard = DashboardReport(
        quarter=report.quarter,
        as_of=report.as_of,
        headline=_headline(report),
        calls=calibration.combine(list(calibrations.values())),
        table=table,
        lists=watch_lists(report, report.today, table.state.squad),
        planning=_planning(report),
        dependencies=_dependencies(report, table.state),
    )
    if body_only:
        return dashboard
    state = table.state

    def link(q: Quarter) -> str:
        return state.query(quarter=q.slug, as_of=None)

    return replace(
        dashboard,
        quarter_links=[
            QuarterLink(tab.quarter, link(tab.quarter), tab.quarter == report.quarter, tab.note)
            for tab in lifecycle.switcher(quarters, today, shown=report.quarter)
        ],
        chart=_trend_chart(quarters, report, link),
        slip_reasons=_slip_reasons(report),
        live_href=state.query(as_of=None),
        as_of_max=min(report.quarter.end, today),
        review_links=[
            (day, state.query(as_of=day)) for day in review_dates(quarter, today)[-REVIEW_LINKS:]
        ],
    )


def _dependencies(report: QuarterReport, state: TableState) -> DependencyReport | None:
    """Waiting on another team, and the teams at risk through dependencies: one query (the
    quarter's links). Not on an as-of view."""
    if report.as_of is not None:
        return None
    return dependency_report(report, quarter_links(report.quarter), report.today, state.squad)


def _headline(report: QuarterReport) -> Headline:
    """The quarter's figure on the report's day: a closed quarter's is the one recorded at
    close (read with the quarter, `Quarter.objects.with_record()`), with the figure later
    changes make beside it when they differ."""
    quarter = report.quarter
    state = lifecycle.quarter_state(quarter, report.today)
    record = closing.records_for([quarter]).get(quarter.pk) if report.as_of is None else None
    if record is None:
        return Headline(report.figure, quarter, report.today, state)
    recorded = closing.recorded_figure(record)
    return Headline(
        recorded, quarter, report.today, state, closing.restated(recorded, report.figure)
    )


def _planning(report: QuarterReport) -> Planning | None:
    """Each team's planned commitments, for a quarter that has not started (from the report's
    rows: no query)."""
    state = lifecycle.quarter_state(report.quarter, report.today)
    if report.as_of is not None or not state.is_before_start:
        return None
    teams = [PlannedTeam(row.team, row.milestones) for row in report.rows]
    return Planning(state, lifecycle.planning_opens_on(report.quarter), teams)


def dashboard_table(
    report: QuarterReport,
    query: Mapping[str, str],
    calibrations: Mapping[int, calibration.Calibration] | None = None,
) -> TeamTable:
    """The per-team table of the report, judged on its day (today, or the day of an as-of view),
    filtered and sorted as the query string asks. The teams' review status costs one query,
    their calibration another unless given."""
    teams = [row.team for row in report.rows]
    reviews = quarter_review_status(teams, report.quarter, report.today)
    if calibrations is None:
        calibrations = quarter_calibration(report)
    rows = dashboard_rows(report, reviews, calibrations)
    state = TableState.from_query(query, report.quarter, squads_of(rows), as_of=report.as_of)
    return team_table(rows, state)


def _trend_chart(
    quarters: Sequence[Quarter], report: QuarterReport, link: Callable[[Quarter], str]
) -> charts.TrendChart | None:
    """The trend is of every quarter as it is: an as-of view leaves it to the live page."""
    if report.as_of:
        return None
    points = on_time_trend(quarters, report.today, report)
    return charts.trend_chart(points, selected=report.quarter, link=link)


def _slip_reasons(report: QuarterReport) -> SlipReasons | None:
    """Days slipped by reason over the report's milestones: the slips come with the report,
    the reasons given cost one query. None on an as-of view, whose report has no slips."""
    if report.as_of:
        return None
    slips = [slip for found in report.slip_moves.values() for slip in found]
    totals = ledger.days_by_reason(slips, slip_explanations(report.quarter))
    return SlipReasons(totals, charts.pareto_chart(totals))
