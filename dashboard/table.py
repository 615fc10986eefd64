"""What the dashboard shows, as plain functions over the quarter report.

Every figure comes from `milestones.ontime` (through `selectors.quarter_report`); this module
only arranges them: the per-team rows and how they sort, filter and group, the watch lists,
the trend across quarters, the history of a quarter's settings and the CSV exports. Nothing
here queries per team: the few selectors below each cost one query whatever the size.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import urlencode

from django.utils.text import slugify

from milestones import ontime
from milestones.models import Milestone, Quarter
from milestones.selectors import QuarterReport, TeamRow
from reviews.calibration import Calibration
from teams.models import Squad, Team

# --- Rows of the per-team table ---------------------------------------------------------------


class ReviewStatusLike(Protocol):
    """Where a team stands with its biweekly reviews; the rule (SPEC section 3) is not ours."""

    last_review_date: datetime.date | None
    overdue: bool


@dataclass(frozen=True)
class DashboardRow:
    team: Team
    figures: ontime.TeamQuarter
    # The team's review status (`selectors_reviews.quarter_review_status`); None when there is
    # none to show: no last review shown and nothing flagged, rather than made-up dates.
    review: ReviewStatusLike | None = None
    # How the team's review calls compare with what happened (`calibration.calibrate`).
    calibration: Calibration | None = None

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


def dashboard_rows(
    report: QuarterReport,
    reviews: Mapping[int, ReviewStatusLike] | None = None,
    calibrations: Mapping[int, Calibration] | None = None,
) -> list[DashboardRow]:
    """One row per active team; `reviews` maps a team id to its review status, `calibrations`
    to its forecast calibration."""
    reviews, calibrations = reviews or {}, calibrations or {}
    return [
        DashboardRow(row.team, row.figures, reviews.get(row.team.pk), calibrations.get(row.team.pk))
        for row in report.rows
    ]


def _verdict_rank(row: DashboardRow) -> int | None:
    """Worst first when ascending: not on time, on time but slipping, on time."""
    if not row.figures.has_milestones:
        return None
    if not row.figures.is_on_time:
        return 0
    return 1 if row.forecast_slipping else 2


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


COLUMNS: tuple[Column, ...] = (
    Column("team", "Team", lambda r: _text(r.team.name), numeric=False, descending_first=False),
    Column(
        "verdict",
        "Verdict",
        _verdict_rank,
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
        lambda r: _text(r.team.tech_lead.name if r.team.tech_lead else None),
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
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}


@dataclass(frozen=True)
class Sort:
    key: str = "team"
    descending: bool = False

    @classmethod
    def parse(cls, raw: str | None) -> Sort:
        """`slips` or `-slips`; anything else is the default order."""
        raw = (raw or "").strip()
        key = raw.removeprefix("-")
        if key not in COLUMNS_BY_KEY:
            return cls()
        return cls(key, raw.startswith("-"))

    @property
    def param(self) -> str:
        return f"-{self.key}" if self.descending else self.key

    def toggled(self, key: str) -> Sort:
        """The order a click on column `key`'s header asks for."""
        if key == self.key:
            return Sort(key, not self.descending)
        return Sort(key, COLUMNS_BY_KEY[key].descending_first)


def sort_rows(rows: Iterable[DashboardRow], sort: Sort) -> list[DashboardRow]:
    """Sorted by the column; rows without a value last either way, ties by team name."""
    value = COLUMNS_BY_KEY[sort.key].sort_value
    by_name = sorted(rows, key=lambda r: r.team.name.casefold())
    known = [r for r in by_name if value(r) is not None]
    unknown = [r for r in by_name if value(r) is None]
    # Python's sort is stable in reverse too, so ties keep the name order.
    return sorted(known, key=value, reverse=sort.descending) + unknown


def squads_of(rows: Iterable[DashboardRow]) -> list[Squad]:
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
    squad: Squad | None = None
    grouped: bool = False
    as_of: datetime.date | None = None

    @classmethod
    def from_query(
        cls,
        query: Mapping[str, str],
        quarter: Quarter,
        squads: Sequence[Squad],
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
    for column in COLUMNS:
        aria_sort = ""
        if column.key == state.sort.key:
            aria_sort = "descending" if state.sort.descending else "ascending"
        found.append(Header(column, state.query(sort=state.sort.toggled(column.key)), aria_sort))
    return found


@dataclass(frozen=True)
class SquadGroup:
    squad: Squad
    rows: list[DashboardRow]
    figure: ontime.OrgFigure  # squads have no goal of their own: its goal is 0


@dataclass(frozen=True)
class TeamTable:
    state: TableState
    headers: list[Header]
    rows: list[DashboardRow]  # filtered and sorted
    groups: list[SquadGroup]  # empty unless grouped by squad
    squads: list[Squad]  # every squad with an active team, for the filter
    figure: ontime.OrgFigure  # of the rows shown, with no goal


def team_table(rows: Sequence[DashboardRow], state: TableState) -> TeamTable:
    shown = [r for r in rows if state.squad is None or r.team.squad_id == state.squad.pk]
    shown = sort_rows(shown, state.sort)
    groups = []
    if state.grouped:
        for squad in squads_of(shown):
            members = [r for r in shown if r.team.squad_id == squad.pk]
            groups.append(
                SquadGroup(squad, members, ontime.org_figure((r.figures for r in members), 0))
            )
    return TeamTable(
        state=state,
        headers=headers(state),
        rows=shown,
        groups=groups,
        squads=squads_of(rows),
        figure=ontime.org_figure((r.figures for r in shown), 0),
    )


# --- The headline -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    figure: ontime.OrgFigure
    quarter: Quarter
    today: datetime.date

    @property
    def started(self) -> bool:
        return self.quarter.start <= self.today

    @property
    def finished(self) -> bool:
        """Once the quarter is over the forecast has nothing left to say."""
        return self.quarter.is_finished(self.today)


# --- Watch lists ------------------------------------------------------------------------------

LIST_LIMIT = 15


@dataclass(frozen=True)
class Entry:
    milestone: Milestone
    delivery: ontime.Delivery
    days_slipped: int
    slips: int
    days_overdue: int

    @property
    def team(self) -> Team:
        return self.milestone.team

    @property
    def moved_to(self) -> datetime.date:
        """Where the slip ended: the delivery of a done milestone, else its target."""
        return self.milestone.delivered_date or self.milestone.target_date


@dataclass(frozen=True)
class WatchList:
    entries: list[Entry]  # the first `LIST_LIMIT`
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


@dataclass(frozen=True)
class WatchLists:
    at_risk: WatchList  # at risk or off track
    overdue: WatchList
    slipped: WatchList  # the biggest slips against the committed date


def entries(report: QuarterReport, today: datetime.date, squad: Squad | None = None) -> list[Entry]:
    """Every milestone of the report (of one squad), classified; no query."""
    rules = ontime.Rules.for_quarter(report.quarter)
    found = []
    for row in _rows_of(report, squad):
        for milestone in row.milestones:
            milestone.team = row.team  # links need the team's slug: no query per milestone
            dropped = milestone.status == Milestone.Status.DROPPED
            found.append(
                Entry(
                    milestone=milestone,
                    delivery=row.figures.classes[milestone.pk],
                    days_slipped=0 if dropped else ontime.days_slipped(milestone),
                    slips=report.slips.get(milestone.pk, 0),
                    days_overdue=ontime.days_overdue(milestone, rules, today),
                )
            )
    return found


def _rows_of(report: QuarterReport, squad: Squad | None) -> list[TeamRow]:
    return [r for r in report.rows if squad is None or r.team.squad_id == squad.pk]


def _capped(found: list[Entry], limit: int) -> WatchList:
    return WatchList(found[:limit], len(found))


def watch_lists(
    report: QuarterReport,
    today: datetime.date,
    squad: Squad | None = None,
    limit: int = LIST_LIMIT,
) -> WatchLists:
    every = entries(report, today, squad)

    def name(entry: Entry) -> str:
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


# --- The trend across quarters ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _MilestoneFacts:
    """The fields the rules read, without building model instances for every quarter."""

    quarter_id: int
    team_id: int
    status: str
    committed_date: datetime.date
    target_date: datetime.date
    delivered_date: datetime.date | None
    excused: bool


def trend(
    quarters: Sequence[Quarter], today: datetime.date, report: QuarterReport | None = None
) -> list[ontime.TrendPoint]:
    """The org figure of every quarter so far, oldest first (one query).

    The quarter of `report`, when given, takes its figure from it rather than from the
    database a second time: the same rules over the same milestones give the same figure.
    """
    started = [q for q in quarters if q.start <= today]
    known = report if report is not None and report.quarter in started else None
    others = [q for q in started if known is None or q != known.quarter]
    points = []
    if others:
        facts = Milestone.objects.filter(quarter__in=others, team__active=True).values_list(
            "quarter_id",
            "team_id",
            "status",
            "committed_date",
            "target_date",
            "delivered_date",
            "excused",
        )
        points = ontime.org_trend(others, (_MilestoneFacts(*row) for row in facts), today)
    if known is not None and known.figure.teams:
        quarter = known.quarter
        points.append(ontime.TrendPoint(quarter, known.figure, quarter.is_finished(today)))
    return sorted(points, key=lambda point: point.quarter.start)


# --- The history of a quarter's settings ------------------------------------------------------

SETTINGS_FIELDS = ("goal", "grace_days", "locked", "excuse_dropped")
_HISTORY_FIELDS = ("start", "end", *SETTINGS_FIELDS)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class QuarterChange:
    at: datetime.datetime
    by: Any  # the user, or None for a command
    source: str
    created: bool
    changes: list[FieldChange]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def quarter_changes(quarter: Quarter, limit: int = 20) -> list[QuarterChange]:
    """The latest changes to a quarter's dates and rules, newest first (one query)."""
    records = list(
        quarter.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    found = []
    for index, record in enumerate(records[:limit]):
        before = records[index + 1] if index + 1 < len(records) else None
        changes = [
            FieldChange(
                str(Quarter._meta.get_field(name).verbose_name),
                _shown(getattr(before, name)) if before else "",
                _shown(getattr(record, name)),
            )
            for name in _HISTORY_FIELDS
            if before is None or getattr(before, name) != getattr(record, name)
        ]
        if before is not None and not changes:
            continue  # saved without a change
        found.append(
            QuarterChange(
                at=record.history_date,
                by=record.history_user,
                source=record.get_source_display(),
                created=before is None,
                changes=changes,
            )
        )
    return found


# --- CSV exports ------------------------------------------------------------------------------

# A cell starting with one of these is a formula to Excel and Google Sheets; an apostrophe in
# front makes it text again (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """ISO dates, yes/no, numbers as they are, empty for nothing, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV with CRLF line ends (RFC 4180); the caller adds the byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def csv_filename(quarter: Quarter, what: str, squad: Squad | None = None) -> str:
    parts = ["milepost", quarter.slug]
    if squad is not None:
        parts.append(slugify(squad.name) or f"squad-{squad.pk}")
    return "-".join([*parts, what]) + ".csv"


TEAM_CSV_HEADER = (
    "Team",
    "Squad",
    "Tech lead",
    "Trio",
    "Done",
    "Total",
    "On time",
    "Late",
    "Overdue",
    "Dropped",
    "Excused",
    "Not due yet",
    "On-time share (%)",
    "At risk",
    "Off track",
    "Slips",
    "Days slipped",
    "Last review",
    "Review overdue",
    "Team on time",
    "Forecast on time",
    "Calls scored",
    "Calls right (%)",
)


def team_csv(rows: Iterable[DashboardRow]) -> list[tuple[Any, ...]]:
    """The per-team table, header first, in the order and filter of the page."""
    found: list[tuple[Any, ...]] = [TEAM_CSV_HEADER]
    for row in rows:
        f = row.figures
        lead = row.team.tech_lead
        found.append(
            (
                row.team.name,
                row.team.squad.name,
                lead.name if lead else None,
                row.team.is_trio,
                f.done,
                f.total,
                f.on_time,
                f.late,
                f.overdue,
                f.dropped,
                f.excused,
                f.not_due,
                f.on_time_percent,
                f.at_risk,
                f.off_track,
                f.slips,
                f.days_slipped,
                row.last_review,
                row.review.overdue if row.review else None,
                f.is_on_time if f.has_milestones else None,
                f.forecast_on_time if f.has_milestones else None,
                row.calibration.calls if row.calibration else None,
                row.calibration.share if row.calibration else None,
            )
        )
    return found


MILESTONE_CSV_HEADER = (
    "ID",
    "Team",
    "Squad",
    "Row",
    "Title",
    "Owner",
    "Status",
    "Committed date",
    "Target date",
    "Delivered date",
    "On time",
    "Excused",
    "Days slipped",
    "Slips",
    "Days overdue",
    "Link",
)


def milestone_csv(
    report: QuarterReport,
    today: datetime.date,
    absolute_url: Callable[[str], str],
    squad: Squad | None = None,
) -> list[tuple[Any, ...]]:
    """Every milestone of the quarter's active teams, team by team in table order."""
    found: list[tuple[Any, ...]] = [MILESTONE_CSV_HEADER]
    row_numbers: dict[int, int] = {}
    for entry in entries(report, today, squad):
        m = entry.milestone
        row_numbers[m.team_id] = row_numbers.get(m.team_id, 0) + 1
        found.append(
            (
                m.pk,
                entry.team.name,
                entry.team.squad.name,
                row_numbers[m.team_id],
                m.title,
                m.owner.name if m.owner else None,
                m.get_status_display(),
                m.committed_date,
                m.target_date,
                m.delivered_date,
                entry.delivery.label,
                m.excused,
                entry.days_slipped,
                entry.slips,
                entry.days_overdue,
                absolute_url(m.get_absolute_url()),
            )
        )
    return found
