"""The dashboard's per-team table: its rows, columns, sort and filter, headers and squad groups.

Every figure comes from `milestones.ontime` (through `selectors.quarter_report`), a closed
quarter's from its record (`closing.recorded_team_figures`, read with the quarter); this
module only arranges them, without a query: the rows of the report's teams, how they sort,
filter and group, and the state the query string asks for (`TableState`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import urlencode

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from milestones import closing, ontime
from milestones.models import Quarter
from milestones.report_rows import ReportSquad, ReportTeam
from milestones.selectors import QuarterReport
from reviews.calibration import Calibration

# --- Rows of the per-team table ---------------------------------------------------------------


@dataclass(frozen=True)
class TeamVerdict:
    """A team's verdict as the table shows it: worst first by `rank` (None: nothing to judge)."""

    rank: int | None
    label: str
    css: str  # the classes of its badge
    title: str = ""


VERDICT_NO_MILESTONES = TeamVerdict(None, "no milestones", "muted")
VERDICT_NOT_ON_TIME = TeamVerdict(0, "not on time", "badge bad")
VERDICT_AT_RISK = TeamVerdict(
    1, "on time, at risk", "badge warn", "On time so far; an open milestone is at risk or off track"
)
VERDICT_ON_TIME = TeamVerdict(2, "on time", "badge ok")


class ReviewStatusLike(Protocol):
    """Where a team stands with its biweekly reviews; the rule (SPEC section 3) is not ours."""

    last_review_date: datetime.date | None
    overdue: bool


@dataclass(frozen=True)
class DashboardRow:
    team: ReportTeam
    figures: ontime.TeamQuarter
    # The team's review status (`reviews.selectors.quarter_review_status`); None when there is
    # none to show: no last review shown and nothing flagged, rather than made-up dates.
    review: ReviewStatusLike | None = None
    # How the team's review calls compare with what happened (`calibration.calibrate`).
    calibration: Calibration | None = None
    # The row's <tr>, rendered once when the report is built (`dashboard.row_html`).
    html: SafeString = field(default=SafeString(""), compare=False)

    @property
    def calls_right(self) -> float | None:
        return self.calibration.rate if self.calibration else None

    @property
    def last_review(self) -> datetime.date | None:
        return self.review.last_review_date if self.review else None

    @property
    def review_overdue(self) -> bool:
        return bool(self.review and self.review.overdue)

    @property
    def forecast_slipping(self) -> bool:
        """On time so far, but an open milestone is at risk or off track."""
        return self.figures.is_on_time and not self.figures.forecast_on_time

    @property
    def verdict(self) -> TeamVerdict:
        if not self.figures.has_milestones:
            return VERDICT_NO_MILESTONES
        if not self.figures.is_on_time:
            return VERDICT_NOT_ON_TIME
        return VERDICT_AT_RISK if self.forecast_slipping else VERDICT_ON_TIME


def dashboard_rows(
    report: QuarterReport,
    reviews: Mapping[int, ReviewStatusLike] | None = None,
    calibrations: Mapping[int, Calibration] | None = None,
    render: Callable[[DashboardRow], SafeString] | None = None,
) -> list[DashboardRow]:
    """One row per active team; `reviews` maps a team id to its review status, `calibrations`
    to its forecast calibration; `render` makes each row's HTML (`row_html.team_row_html`)."""
    reviews, calibrations = reviews or {}, calibrations or {}
    # A closed quarter's teams as recorded at its close, as the API's (`closing`).
    recorded = closing.recorded_team_figures(report)
    rows = [
        DashboardRow(
            row.team,
            recorded.get(row.team.pk, row.figures),
            reviews.get(row.team.pk),
            calibrations.get(row.team.pk),
        )
        for row in report.rows
    ]
    if render is None:
        return rows
    return [replace(row, html=render(row)) for row in rows]


def _text(value: str | None) -> str | None:
    return value.casefold() if value else None


@dataclass(frozen=True)
class Column:
    key: str  # its name in ?sort=
    label: str
    sort_value: Callable[[DashboardRow], Any]
    numeric: bool = True
    # Counts read best most-first; names, trio and verdict read best problems-first.
    descending_first: bool = True
    help: str = ""

    @property
    def label_html(self) -> SafeString:
        """The header's label: it wraps between words, never inside a hyphenated one (the
        header "On-time / share", not "On- / time / share")."""
        return mark_safe(
            " ".join(
                f'<span class="nowrap">{escape(word)}</span>' if "-" in word else escape(word)
                for word in self.label.split()
            )
        )


TEAM_COLUMNS: tuple[Column, ...] = (
    Column("team", "Team", lambda r: _text(r.team.name), numeric=False, descending_first=False),
    Column(
        "verdict",
        "Verdict",
        lambda r: r.verdict.rank,  # worst first when ascending
        numeric=False,
        descending_first=False,
        help="On time when every milestone that is due was on time",
    ),
    Column(
        "squad", "Squad", lambda r: _text(r.team.squad.name), numeric=False, descending_first=False
    ),
    Column(
        "lead",
        "Tech lead",
        lambda r: _text(r.team.tech_lead_name),
        numeric=False,
        descending_first=False,
    ),
    Column(
        "trio",
        "Trio",
        lambda r: r.team.is_trio,
        numeric=False,
        descending_first=False,
        help="One tech lead and two engineers",
    ),
    Column("done", "Done", lambda r: (r.figures.done, r.figures.total), help="Done of all"),
    Column(
        "on_time",
        "On time",
        lambda r: r.figures.on_time,
        help="Delivered on or before the committed date plus grace",
    ),
    Column("late", "Late", lambda r: r.figures.late, help="Delivered after the grace"),
    Column("overdue", "Overdue", lambda r: r.figures.overdue, help="Still open after the grace"),
    Column(
        "dropped",
        "Dropped",
        lambda r: r.figures.dropped,
        help="Dropped and not excused: they count against the team",
    ),
    Column(
        "share",
        "On-time share",
        lambda r: r.figures.on_time_rate,
        help="Milestones on time of those due",
    ),
    Column("at_risk", "At risk", lambda r: r.figures.at_risk),
    Column("off_track", "Off track", lambda r: r.figures.off_track),
    Column(
        "slips", "Slips", lambda r: r.figures.slips, help="Moves of a target date to a later day"
    ),
    Column(
        "days_slipped",
        "Days slipped",
        lambda r: r.figures.days_slipped,
        help="Days past the committed dates, over the team's milestones",
    ),
    Column(
        "calls_right",
        "Calls right",
        lambda r: r.calls_right,
        help="Review calls (on track; at risk or off track) that matched what happened",
    ),
    Column("last_review", "Last review", lambda r: r.last_review, numeric=False),
)
TEAM_COLUMNS_BY_KEY = {column.key: column for column in TEAM_COLUMNS}


@dataclass(frozen=True)
class Sort:
    key: str = "team"
    descending: bool = False

    @classmethod
    def parse(cls, raw: str | None) -> Sort:
        """`slips` or `-slips`; anything else is the default order."""
        raw = (raw or "").strip()
        key = raw.removeprefix("-")
        if key not in TEAM_COLUMNS_BY_KEY:
            return cls()
        return cls(key, raw.startswith("-"))

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def toggled(self, key: str) -> Sort:
        """The order a click on column `key`'s header asks for."""
        if key == self.key:
            return Sort(key, not self.descending)
        return Sort(key, TEAM_COLUMNS_BY_KEY[key].descending_first)


def sort_rows(rows: Iterable[DashboardRow], sort: Sort) -> list[DashboardRow]:
    """Sorted by the column; rows without a value last either way, ties by team name."""
    value = TEAM_COLUMNS_BY_KEY[sort.key].sort_value
    by_name = sorted(rows, key=lambda r: r.team.name.casefold())
    known = [r for r in by_name if value(r) is not None]
    unknown = [r for r in by_name if value(r) is None]
    # Python's sort is stable in reverse too, so ties keep the name order.
    return sorted(known, key=value, reverse=sort.descending) + unknown


def squads_of(rows: Iterable[DashboardRow]) -> list[ReportSquad]:
    squads = {row.team.squad_id: row.team.squad for row in rows}
    return sorted(squads.values(), key=lambda s: s.name.casefold())


@dataclass(frozen=True)
class TableState:
    """What the query string asks of the table: ?quarter=2026-q4&sort=-slips&squad=3&group=squad

    `as_of` is the day of an as-of view (validated by the view, `asof.parse_as_of`), kept in
    every link of the table so that sorting and filtering stay on that day.
    """

    quarter: str = ""
    sort: Sort = field(default_factory=Sort)
    squad: ReportSquad | None = None
    grouped: bool = False
    as_of: datetime.date | None = None

    @classmethod
    def from_query(
        cls,
        query: Mapping[str, str],
        quarter: Quarter,
        squads: Sequence[ReportSquad],
        as_of: datetime.date | None = None,
    ) -> TableState:
        """Unknown sorts and squads fall back to the defaults rather than failing the page."""
        wanted = (query.get("squad") or "").strip()
        squad = next((s for s in squads if str(s.pk) == wanted), None)
        return cls(
            quarter=quarter.slug,
            sort=Sort.parse(query.get("sort")),
            squad=squad,
            grouped=query.get("group") == "squad",
            as_of=as_of,
        )

    def query(self, **changes: Any) -> str:
        """The query string of this state with `changes`, defaults left out."""
        state = replace(self, **changes)
        params: dict[str, Any] = {}
        if state.quarter:
            params["quarter"] = state.quarter
        if state.as_of is not None:
            params["as_of"] = state.as_of.isoformat()
        if state.squad is not None:
            params["squad"] = state.squad.pk
        if state.grouped:
            params["group"] = "squad"
        if state.sort != Sort():
            params["sort"] = state.sort.param
        return f"?{urlencode(params)}"


@dataclass(frozen=True)
class Header:
    column: Column
    href: str
    aria_sort: str  # "ascending", "descending", or "" when the table is not sorted by it


def headers(state: TableState) -> list[Header]:
    found = []
    for column in TEAM_COLUMNS:
        aria_sort = ""
        if column.key == state.sort.key:
            aria_sort = "descending" if state.sort.descending else "ascending"
        found.append(Header(column, state.query(sort=state.sort.toggled(column.key)), aria_sort))
    return found


def _html(rows: Iterable[DashboardRow]) -> SafeString:
    # Each row's HTML was escaped when it was rendered: joining them is all a request does.
    return mark_safe("".join(row.html for row in rows))


@dataclass(frozen=True)
class SquadGroup:
    squad: ReportSquad
    rows: list[DashboardRow]
    figure: ontime.OrgFigure  # squads have no goal of their own: its goal is 0

    @property
    def rows_html(self) -> SafeString:
        return _html(self.rows)


@dataclass(frozen=True)
class TeamTable:
    state: TableState
    headers: list[Header]
    rows: list[DashboardRow]  # filtered and sorted
    groups: list[SquadGroup]  # empty unless grouped by squad
    squads: list[ReportSquad]  # every squad with an active team, for the filter
    figure: ontime.OrgFigure  # of the rows shown, with no goal

    @property
    def rows_html(self) -> SafeString:
        return _html(self.rows)

    @property
    def squad_options_html(self) -> SafeString:
        """The squad filter's options, the filtered squad selected: written here rather than
        by a template loop, which cost more than the rest of the page at 200 squads."""
        chosen = self.state.squad.pk if self.state.squad is not None else None
        return mark_safe(
            "".join(
                f'<option value="{squad.pk}"{" selected" if squad.pk == chosen else ""}>'
                f"{escape(squad.name)}</option>"
                for squad in self.squads
            )
        )


def team_table(
    rows: Sequence[DashboardRow],
    state: TableState,
    squads: list[ReportSquad] | None = None,
) -> TeamTable:
    """The table as `state` asks; `squads` are the rows' squads when known (the cached
    report keeps them). Linear in the rows: this runs on every request."""
    squad = state.squad
    shown = list(rows) if squad is None else [r for r in rows if r.team.squad_id == squad.pk]
    shown = sort_rows(shown, state.sort)
    groups = []
    if state.grouped:
        by_squad: dict[int, list[DashboardRow]] = {}
        for row in shown:
            by_squad.setdefault(row.team.squad_id, []).append(row)
        for found in squads_of(shown):
            members = by_squad[found.pk]
            groups.append(
                SquadGroup(found, members, ontime.org_figure((r.figures for r in members), 0))
            )
    return TeamTable(
        state=state,
        headers=headers(state),
        rows=shown,
        groups=groups,
        squads=squads if squads is not None else squads_of(rows),
        figure=ontime.org_figure((r.figures for r in shown), 0),
    )
