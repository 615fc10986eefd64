"""The dashboard's two CSV exports: the per-team table as the page shows it, and every milestone
of the quarter's active teams (of one squad when filtered), as of a day when asked.

They reuse the page's building blocks: the teams CSV is the page's own cached parts
(`report.page_parts`), sorted and filtered as the page is; the milestones CSV reads the quarter
report those parts keep (a report of its own as of a day) and classifies each milestone as the
watch lists do (`watch.watch_entries`) as the rows stream, with what it waits on (the
quarter's links, read before the response streams). Cells are
ISO dates, yes/no and text a spreadsheet will not run.

Both are streamed (`CsvExport.chunks`): the rows are written a batch at a time as the
response is sent, so the CSV text of a 1,000-team organisation is never held in memory whole.
"""

from __future__ import annotations

import csv
import datetime
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

from dashboard.report import page_parts, report_links
from dashboard.table import DashboardRow, TableState, squads_of, team_table
from dashboard.watch import row_entries
from milestones import dependencies, ontime
from milestones.models import Dependency, Quarter
from milestones.quarters import pick_quarter
from milestones.report_rows import ReportMilestone, ReportSquad
from milestones.selectors import QuarterReport, TeamRow, quarter_report

# Rows written per chunk of a streamed export.
CHUNK_ROWS = 500


@dataclass(frozen=True)
class CsvExport:
    filename: str
    rows: Iterable[tuple[Any, ...]]  # the header first; read once, as the response streams
    # The rows' values are cells already (`csv_written`): no `csv_cell` for each.
    cells: bool = False

    def chunks(self) -> Iterator[bytes]:
        """The file as UTF-8 chunks, the byte-order mark first: it is what makes Excel read
        the file as UTF-8 (Sheets ignores it)."""
        yield "\ufeff".encode()
        write = csv_written if self.cells else csv_text
        batch: list[tuple[Any, ...]] = []
        for row in self.rows:
            batch.append(row)
            if len(batch) >= CHUNK_ROWS:
                yield write(batch).encode("utf-8")
                batch = []
        if batch:
            yield write(batch).encode("utf-8")

    @property
    def content(self) -> bytes:
        return b"".join(self.chunks())


def teams_export(
    quarter: Quarter,
    *,
    today: datetime.date,
    as_of: datetime.date | None,
    query: Mapping[str, str],
) -> CsvExport:
    """The per-team table as the page shows it: same quarter, day, squad filter and order."""
    _, quarters = pick_quarter(quarter.slug, today)
    parts = page_parts(quarter, quarters, today=today, as_of=as_of, whole_page=False)
    state = TableState.from_query(query, parts.quarter, parts.squads, as_of=parts.as_of)
    table = team_table(parts.rows, state, parts.squads)
    what = f"teams-as-of-{as_of.isoformat()}" if as_of else "teams"
    return CsvExport(csv_filename(quarter, what, state.squad), team_csv(table.rows))


def milestones_export(
    quarter: Quarter,
    *,
    today: datetime.date,
    as_of: datetime.date | None,
    query: Mapping[str, str],
    absolute_url: Callable[[str], str],
) -> CsvExport:
    """Every milestone of the quarter's active teams (of the squad the query asks for).

    Live, from the report the dashboard's cached parts keep (`page_parts`): no milestone is
    read again for an export asked for beside the page. As of a day, the report of that day.
    """
    report: QuarterReport | None = None
    if as_of is None:
        _, quarters = pick_quarter(quarter.slug, today)
        report = page_parts(quarter, quarters, today=today).report
    if report is None:
        report = quarter_report(quarter, today, as_of=as_of)
    squads = squads_of(report.rows)  # type: ignore[arg-type]  # rows with a team, as the table's
    squad = TableState.from_query(query, quarter, squads).squad
    # What each milestone waits on: today, or as the links and upstreams stood on the day.
    links = report_links(report)
    return CsvExport(
        csv_filename(quarter, _what("milestones", report), squad),
        milestone_csv(report, report.today, absolute_url, squad, links=links),
        cells=True,
    )


def _what(what: str, report: QuarterReport) -> str:
    return f"{what}-as-of-{report.as_of.isoformat()}" if report.as_of else what


# A cell starting with one of these is a formula to Excel and Google Sheets; an apostrophe in
# front makes it text again (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_FORMULA_FIRST = frozenset(_FORMULA_STARTS)  # each one character


def csv_cell(value: Any) -> str:
    """ISO dates, yes/no, numbers as they are, empty for nothing, text defused.

    The common kinds first, by exact type: a 1,000-team export has some 200,000 cells."""
    kind = type(value)
    if kind is str:
        return f"'{value}" if value[:1] in _FORMULA_FIRST else value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if kind is bool:
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
        writer.writerow(list(map(csv_cell, row)))
    return buffer.getvalue()


def csv_written(rows: Iterable[Sequence[Any]]) -> str:
    """Rows whose values are cells already, as `csv_text` writes them: text that `csv_text`
    would leave as it is (`defused`), ints, None and dates, which the csv module writes as
    `csv_cell` does (`str()`, empty, ISO), but never a bool or a float.

    Why: the milestones export at 1,000 teams is some 200,000 cells; one `writerows` over a
    chunk, without a Python call per cell, is a third of its cost less (issue 17)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def defused(text: str | None) -> str | None:
    """`csv_cell` of a text (None stays None, an empty cell)."""
    return f"'{text}" if text and text[0] in _FORMULA_FIRST else text


def csv_filename(quarter: Quarter, what: str, squad: ReportSquad | None = None) -> str:
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


def team_csv(rows: Iterable[DashboardRow]) -> Iterator[tuple[Any, ...]]:
    """The per-team table, header first, in the order and filter of the page."""
    yield TEAM_CSV_HEADER
    for row in rows:
        f = row.figures
        yield (
            row.team.name,
            row.team.squad.name,
            row.team.tech_lead_name,
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
    "Upstream IDs",
    "At risk from a dependency",
    "Dependency risk",
    "Ticket link",
)


def milestone_csv(
    report: QuarterReport,
    today: datetime.date,
    absolute_url: Callable[[str], str],
    squad: ReportSquad | None = None,
    *,
    links: Iterable[Dependency] = (),
) -> Iterator[tuple[Any, ...]]:
    """Every milestone of the quarter's active teams, team by team in table order, with the
    ids of what it waits on (`links`, `quarter_links`) and the risk they put on it."""
    yield MILESTONE_CSV_HEADER
    upstreams: dict[int, list[Dependency]] = {}
    for link in links:
        upstreams.setdefault(link.downstream_id, []).append(link)
    rules = ontime.Rules.for_quarter(report.quarter)
    keep = report.as_of is None  # a live report's rows outlive the request; an as-of one's not
    for row in report.rows:
        if squad is not None and row.team.squad_id != squad.pk:
            continue
        for m, cells in _row_cells(row, report, rules, today, keep):
            waits_on = upstreams.get(m.pk)
            ids, at_risk, reasons = "", "no", ""
            if waits_on:  # most milestones wait on nothing
                waits_on = sorted(waits_on, key=lambda link: link.upstream_id)
                risks = [
                    risk
                    for link in waits_on
                    if (
                        risk := dependencies.dependency_risk(
                            m,
                            link.upstream,
                            upstream_team=link.upstream.team.name,
                            upstream_rules=ontime.Rules.for_quarter(link.upstream.quarter),
                            today=today,
                        )
                    )
                ]
                ids = " ".join(str(link.upstream_id) for link in waits_on)
                if risks:
                    at_risk, reasons = "yes", defused(" ".join(risk.reason for risk in risks))
            yield (*cells, defused(absolute_url(m.url)), ids, at_risk, reasons, _link_cell(m))


def _link_cell(m: ReportMilestone) -> str | None:
    """The ticket link's cell."""
    return defused(m.link or None)


# Each live report row's cells up to "Days overdue", kept while the row is: the row of a team
# that has not changed since is the same object in the next report (`dashboard.incremental`),
# so an export after a lead's edit classifies and writes that team's milestones only, as the
# page renders only its row (issue 17). Keyed by the row's identity, holding the row itself so
# the identity cannot be reused; the day is checked, since days overdue count from it.
_ROW_CELLS: OrderedDict[int, tuple[TeamRow, datetime.date, list]] = OrderedDict()
_ROW_CELLS_KEPT = 4096  # rows: four reports of 1,000 teams
_row_cells_lock = threading.Lock()


def _row_cells(
    row: TeamRow, report: QuarterReport, rules: ontime.Rules, today: datetime.date, keep: bool
) -> list[tuple[ReportMilestone, tuple[Any, ...]]]:
    if keep:
        with _row_cells_lock:
            known = _ROW_CELLS.get(id(row))
        if known is not None and known[0] is row and known[1] == today:
            return known[2]
    team = row.team
    # Cells for `csv_written`: text defused, bools as yes/no; ints, None and dates as they are.
    team_cells = (defused(team.name), defused(team.squad.name))
    found = []
    for number, entry in enumerate(row_entries(row, report, rules, today), start=1):
        m = entry.milestone
        found.append(
            (
                m,
                (
                    m.pk,
                    *team_cells,
                    number,
                    defused(m.title),
                    defused(m.owner_name),
                    defused(m.get_status_display()),
                    m.committed_date,
                    m.target_date,
                    m.delivered_date,
                    defused(entry.delivery.label),
                    "yes" if m.excused else "no",
                    entry.days_slipped,
                    entry.slips,
                    entry.days_overdue,
                ),
            )
        )
    if keep:
        with _row_cells_lock:
            _ROW_CELLS[id(row)] = (row, today, found)
            _ROW_CELLS.move_to_end(id(row))
            while len(_ROW_CELLS) > _ROW_CELLS_KEPT:
                _ROW_CELLS.popitem(last=False)
    return found
