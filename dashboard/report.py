"""Everything the dashboard page shows for one quarter on one day: `build_dashboard`, the one
function the dashboard view calls.

Each part is computed once per request and handed down as small frozen dataclasses that the
template only reads: the quarter report (`milestones.selectors.quarter_report`, the on-time
rules), the teams' review status and forecast calibration (`reviews.selectors`), the team
table (`dashboard.table`), the watch lists (`dashboard.watch`), the trend
(`dashboard.trend`, laid out by `dashboard.charts`) and the days slipped by reason
(`milestones.ledger`).

The live page is built in two steps. `dashboard_parts` computes everything that does not
depend on the query string (the rows, with their HTML, the figures, a closed quarter's
recorded and restated figures, the planned commitments of a quarter not started, the watch
lists' candidates, the cross-team dependencies (`dashboard.waiting`), the trend's points, the
slip reasons, the review days) and is cached by the quarters' change counters
(`dashboard.cache`, `milestones.changes`; adding or removing a dependency bumps both its
milestones' quarters, and every quarter's counter is in the key, so an upstream's change in
another quarter is seen too); `build_dashboard` then sorts, filters and groups those parts as
the query string asks, on every request. An as-of view is built the same way, uncached: it is
asked for rarely, and each day is its own.

Queries, whatever the number of teams: the change counters, then nothing more when the parts
are cached; to build them, the quarter report's four, the review status, the calibration,
the quarter's dependencies, the reasons given for slips, the review days, a closed quarter's
record (unless read with the quarter, `with_record()`) and (unless cached, `dashboard.cache`)
the trend of the other quarters. As of a day: the quarter report's four, the review status,
the calibration, the review days and the dependencies of that day (the links' history and,
when there were links, their upstreams' history).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.utils.safestring import SafeString

from dashboard import cache, charts, incremental
from dashboard.parts import DashboardParts, Headline, PlannedTeam, Planning, SlipReasons
from dashboard.row_html import team_row_html
from dashboard.table import (
    DashboardRow,
    TableState,
    TeamTable,
    dashboard_rows,
    squads_of,
    team_table,
)
from dashboard.trend import on_time_trend
from dashboard.waiting import DependencyReport, dependency_report, squad_dependencies
from dashboard.watch import WatchCandidates, WatchLists, watch_candidates, watch_lists
from milestones import asof, closing, ledger, lifecycle, ontime
from milestones.changes import Counters, read_counters
from milestones.dependency_reads import quarter_links
from milestones.models import Quarter
from milestones.selectors import QuarterReport, quarter_report, slip_explanations
from reviews import calibration
from reviews.selectors import quarter_calibration, quarter_review_status, review_dates

# How many of the latest review days the as-of picker offers as quick links: teams review on
# many different days, and the date input reaches the rest.
REVIEW_LINKS = 8


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
    # Cross-team dependencies (issue 16), live or as they stood on the as-of day.
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
    parts: DashboardParts | None = None,
) -> DashboardReport:
    """The dashboard of `quarter` (one of `quarters`, the switcher's), live or as of a valid
    day (`asof.parse_as_of`), its table as the query string asks (`TableState`).

    `body_only` is for the htmx swap of the table and lists: it leaves out the parts the
    swapped part does not show (the trend, slip reasons and review days). `parts` are the
    page's parts when the caller has read them already (`page_parts`).
    """
    if parts is None:
        parts = page_parts(quarter, quarters, today=today, as_of=as_of, whole_page=not body_only)
    state = TableState.from_query(query, parts.quarter, parts.squads, as_of=parts.as_of)
    table = team_table(parts.rows, state, parts.squads)
    dashboard = DashboardReport(
        quarter=parts.quarter,
        as_of=parts.as_of,
        headline=parts.headline,
        calls=parts.calls,
        table=table,
        lists=watch_lists(parts.watch, parts.today, state.squad),
        planning=parts.planning,
        dependencies=(
            squad_dependencies(parts.dependencies, state.squad) if parts.dependencies else None
        ),
    )
    if body_only:
        return dashboard

    def link(q: Quarter) -> str:
        return state.query(quarter=q.slug, as_of=None)

    chart = None  # none on an as-of view: the trend is live
    if parts.as_of is None:
        chart = charts.trend_chart(parts.trend, selected=parts.quarter, link=link)
    return replace(
        dashboard,
        quarter_links=[
            QuarterLink(tab.quarter, link(tab.quarter), tab.quarter == parts.quarter, tab.note)
            for tab in lifecycle.switcher(quarters, today, shown=parts.quarter)
        ],
        chart=chart,
        slip_reasons=parts.slip_reasons,
        live_href=state.query(as_of=None),
        as_of_max=min(parts.quarter.end, today),
        review_links=[(day, state.query(as_of=day)) for day in parts.review_days[-REVIEW_LINKS:]],
    )


def page_parts(
    quarter: Quarter,
    quarters: Sequence[Quarter],
    *,
    today: datetime.date,
    as_of: datetime.date | None = None,
    whole_page: bool = True,
) -> DashboardParts:
    """The parts of the page: live, from the cache (one query, the change counters) or built
    whole and cached; as of a day, built (`whole_page=False` leaves out what only the whole
    page shows)."""
    if as_of is not None:
        return dashboard_parts(quarter, quarters, today=today, as_of=as_of, whole_page=whole_page)
    counters = read_counters()
    # Every quarter's counter: the trend shows each quarter's figure.
    ids = [quarter.pk, *(q.pk for q in quarters)]
    key = cache.key("dashboard", today, counters, ids) + f":{quarter.pk}"
    parts = cache.peek(key)
    if parts is None:
        # After one team's change, the report before it with that team read again; else
        # whole.
        built = incremental.updated_parts(
            quarter, quarters, today=today, counters=counters, assemble=parts_of
        )
        if built is None:
            built = dashboard_parts(quarter, quarters, today=today, counters=counters)
        parts = replace(built, key=key)
        cache.keep(key, parts)
    # What the next change starts from, however these parts came (built, or from the cache
    # another worker filled).
    incremental.remember(quarter.pk, today, counters, parts)
    return parts


def dashboard_parts(
    quarter: Quarter,
    quarters: Sequence[Quarter],
    *,
    today: datetime.date,
    as_of: datetime.date | None = None,
    whole_page: bool = True,
    counters: Counters | None = None,
) -> DashboardParts:
    """Everything the page shows that the query string does not change, in one pass over the
    quarter report: the rows (with their HTML, `row_html`), the figures (a closed quarter's
    recorded one beside its restated one, `_headline`), the watch lists' candidates, the
    planned commitments of a quarter not started, and for the whole live page the trend, the
    slip reasons and the review days."""
    report = quarter_report(quarter, today, as_of=as_of)
    calibrations = quarter_calibration(report)
    reviews = quarter_review_status([row.team for row in report.rows], report.quarter, report.today)
    slug = report.quarter.slug

    def render(row: DashboardRow) -> SafeString:
        return team_row_html(row, slug)

    rows = dashboard_rows(report, reviews, calibrations, render)
    return parts_of(report, rows, quarters, today=today, whole_page=whole_page, counters=counters)


def parts_of(
    report: QuarterReport,
    rows: list[DashboardRow],
    quarters: Sequence[Quarter],
    *,
    today: datetime.date,
    whole_page: bool = True,
    counters: Counters | None = None,
    watch: WatchCandidates | None = None,
) -> DashboardParts:
    """The parts of a report whose table rows (`rows`, with their review status, calibration
    and HTML) are made: every other figure, in one pass over the report. `watch`: the watch
    lists' candidates when already known (`dashboard.incremental`)."""
    parts = DashboardParts(
        quarter=report.quarter,
        today=report.today,
        as_of=report.as_of,
        headline=_headline(report),
        calls=calibration.combine([row.calibration for row in rows if row.calibration]),
        rows=rows,
        squads=squads_of(rows),
        watch=watch if watch is not None else watch_candidates(report, report.today),
        planning=_planning(report),
        dependencies=_dependencies(report),
        report=report,
    )
    if not whole_page:
        return parts
    return replace(
        parts,
        trend=[] if report.as_of else _trend(quarters, report, today, counters),
        slip_reasons=_slip_reasons(report),
        review_days=review_dates(report.quarter, today),
    )


def _dependencies(report: QuarterReport) -> DependencyReport | None:
    """Waiting on another team, and the teams at risk through dependencies, the whole
    organisation's: one query (the quarter's links); as of a day, the links and upstreams as
    they stood then (`report_links`)."""
    return dependency_report(report, report_links(report), report.today)


def report_links(report: QuarterReport) -> list:
    """The links of the report's milestones: today's (one query), or on an as-of report those
    of that day with their upstreams as they stood then (`asof.links_as_of`, two queries, one
    when there were none)."""
    if report.as_of is None:
        return quarter_links(report.quarter)
    milestones = [m for row in report.rows for m in row.milestones]
    return asof.links_as_of(milestones, report.as_of) if milestones else []


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


def _trend(
    quarters: Sequence[Quarter],
    report: QuarterReport,
    today: datetime.date,
    counters: Counters | None,
) -> list[ontime.TrendPoint]:
    """Every quarter's point of the trend (`trend.on_time_trend`, whose rules these are).

    The other quarters' points are cached by their own counters: after a change of the
    quarter shown, only its point is new, and it comes from the report at hand without a
    query. Without them, the whole trend is computed once and theirs are kept.
    """
    others = [q for q in quarters if q != report.quarter]
    if counters is None or not others:
        return on_time_trend(quarters, report.today, report)
    others_key = cache.key("trend", today, counters, [q.pk for q in others])
    known = cache.peek(others_key)
    if known is None:
        points = on_time_trend(quarters, report.today, report)
        cache.keep(others_key, [p for p in points if p.quarter != report.quarter])
        return points
    points = [*known, *on_time_trend([report.quarter], report.today, report)]
    return sorted(points, key=lambda point: point.quarter.start)


def _slip_reasons(report: QuarterReport) -> SlipReasons | None:
    """Days slipped by reason over the report's milestones: the slips come with the report,
    the reasons given cost one query. None on an as-of view, whose report has no slips."""
    if report.as_of:
        return None
    slips = [slip for found in report.slip_moves.values() for slip in found]
    totals = ledger.days_by_reason(slips, slip_explanations(report.quarter))
    return SlipReasons(totals, charts.pareto_chart(totals))
