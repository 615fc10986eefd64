"""The dashboard's two CSV exports: the per-team table as the page shows it, and every milestone
of the quarter's active teams (of one squad when filtered), as of a day when asked.

They reuse the page's building blocks (`report.dashboard_table`, `watch.watch_entries`) over a
quarter report of their own; cells are ISO dates, yes/no and text a spreadsheet will not run.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

from dashboard.report import dashboard_table
from dashboard.table import DashboardRow, TableState, dashboard_rows, squads_of
from dashboard.watch import watch_entries
from milestones.models import Quarter
from milestones.selectors import QuarterReport, quarter_report
from teams.models import Squad


@dataclass(frozen=True)
class CsvExport:
    filename: str
    rows: list[tuple[Any, ...]]  # the header first

    @property
    def content(self) -> bytes:
        # The byte-order mark is what makes Excel read the file as UTF-8 (Sheets ignores it).
        return ("\ufeff" + csv_text(self.rows)).encode("utf-8")


def teams_export(
    quarter: Quarter,
    *,
    today: datetime.date,
    as_of: datetime.date | None,
    query: Mapping[str, str],
) -> CsvExport:
    """The per-team table as the page shows it: same quarter, day, squad filter and order."""
    report = quarter_report(quarter, today, as_of=as_of)
    table = dashboard_table(report, query)
    return CsvExport(
        csv_filename(quarter, _what("teams", report), table.state.squad), team_csv(table.rows)
    )


def milestones_export(
    quarter: Quarter,
    *,
    today: datetime.date,
    as_of: datetime.date | None,
    query: Mapping[str, str],
    absolute_url: Callable[[str], str],
) -> CsvExport:
    """Every milestone of the quarter's active teams (of the squad the query asks for)."""
    report = quarter_report(quarter, today, as_of=as_of)
    squads = squads_of(dashboard_rows(report))
    squad = TableState.from_query(query, quarter, squads).squad
    return CsvExport(
        csv_filename(quarter, _what("milestones", report), squad),
        milestone_csv(report, report.today, absolute_url, squad),
    )


def _what(what: str, report: QuarterReport) -> str:
    return f"{what}-as-of-{report.as_of.isoformat()}" if report.as_of else what


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
    "Ticket link",
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
    for entry in watch_entries(report, today, squad):
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
                m.link or None,
            )
        )
    return found
