"""The per-team table's rows as HTML, rendered once per report rather than once per request.

Why not a template partial: the table has a row per team, and rendering 1,000 rows through
the template engine (a partial per row, a `reverse()` per link) took seconds per request.
Each row is rendered here once, when the report is built (all text escaped), with links made
by string from the team's URL; the cached report keeps the rows' HTML, and sorting or
filtering the table only joins them in another order (`table.TeamTable.rows_html`). The
markup is the one `dashboard.html` had in its `team-row` partial, cell for cell.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from dashboard.table import DashboardRow
from dashboard.watch import WatchEntry
from milestones.days import short_day

NOT_A_TRIO = mark_safe('<span class="badge warn">not a trio</span>')
NOTHING_DUE = mark_safe('<span class="muted" title="Nothing due yet">—</span>')
NO_CALL_SCORED = mark_safe('<span class="muted" title="No review call can be scored yet">—</span>')
NO_REVIEW = mark_safe('<span class="muted">—</span>')
REVIEW_OVERDUE = mark_safe(' <span class="badge bad">review overdue</span>')


def _css(value: int, when_some: str) -> str:
    """The cell's class: `when_some` for a non-zero count, "zero" (greyed out) for none."""
    return f" {when_some}" if value else " zero"


def _zero(value: int) -> str:
    return "" if value else " zero"


def team_row_html(row: DashboardRow, quarter_slug: str) -> SafeString:
    """One `<tr>` of the per-team table. Text is escaped (`escape`); numbers are ints; the
    constant pieces above are markup of ours. Plain f-strings rather than `format_html` per
    cell: the latter was most of the cost of rendering 1,000 rows."""
    f, team = row.figures, row.team
    verdict = row.verdict
    title = f' title="{escape(verdict.title)}"' if verdict.title else ""
    excused = (
        f' <small class="muted" title="Dropped, excused by leadership">+{f.excused} excused</small>'
        if f.excused
        else ""
    )
    percent = f.on_time_percent
    share = f"{percent}%" if percent is not None else NOTHING_DUE
    c = row.calibration
    if c is not None and c.calls:
        flagged = f"; {c.seen} of {c.slipped} slips flagged" if c.slipped else ""
        calls = (
            f'<span title="{c.correct} of {c.calls} review calls right{flagged}">'
            f"{c.calls_right_label}</span>"
        )
    else:
        calls = NO_CALL_SCORED
    last = row.last_review
    return mark_safe(
        "<tr>"
        f'<th scope="row"><a href="{escape(team.url)}?quarter={escape(quarter_slug)}">'
        f"{escape(team.name)}</a></th>"
        f'<td><span class="{verdict.css}"{title}>{escape(verdict.label)}</span></td>'
        f"<td>{escape(team.squad.name)}</td>"
        f'<td class="wraps">{escape(team.tech_lead_name or "—")}</td>'
        f"<td>{'trio' if team.is_trio else NOT_A_TRIO}</td>"
        f'<td class="num">{f.done}/{f.total}</td>'
        f'<td class="num{_css(f.on_time, "good")}">{f.on_time}</td>'
        f'<td class="num{_css(f.late, "bad")}">{f.late}</td>'
        f'<td class="num{_css(f.overdue, "bad")}">{f.overdue}</td>'
        f'<td class="num{_css(f.dropped, "bad")}">{f.dropped}{excused}</td>'
        f'<td class="num">{share}</td>'
        f'<td class="num{_css(f.at_risk, "warn")}">{f.at_risk}</td>'
        f'<td class="num{_css(f.off_track, "bad")}">{f.off_track}</td>'
        f'<td class="num{_zero(f.slips)}">{f.slips}</td>'
        f'<td class="num{_zero(f.days_slipped)}">{f.days_slipped}</td>'
        f'<td class="num">{calls}</td>'
        f'<td class="wraps">{short_day(last) if last else NO_REVIEW}'
        f"{REVIEW_OVERDUE if row.review_overdue else ''}</td>"
        "</tr>\n"
    )


# The watch lists' rows: up to three lists of 15 a request, each row six lookups, a link and a
# date or two through the template engine, were half of rendering the dashboard after a change
# at 25 teams. The markup is the one `_content.html` had in its three loops, cell for cell.


def _link(entry: WatchEntry) -> str:
    milestone = entry.milestone
    return (
        f'<td><a href="{escape(milestone.url)}">{escape(milestone.title)}</a></td>'
        f"<td>{escape(entry.team.name)}</td>"
    )


def _rows(entries: list[WatchEntry], cells: Callable[[WatchEntry], str]) -> SafeString:
    """One `<tr>` an entry: the milestone's link and team, then its list's own cells."""
    return mark_safe("".join(f"<tr>{_link(e)}{cells(e)}</tr>\n" for e in entries))


def at_risk_rows_html(entries: list[WatchEntry]) -> SafeString:
    """The rows of the "At risk or off track" list."""
    return _rows(
        entries,
        lambda e: (
            f'<td><span class="status status-{escape(e.milestone.status)}">'
            f"{escape(e.milestone.get_status_display())}</span></td>"
            f"<td>{short_day(e.milestone.target_date)}</td>"
        ),
    )


def overdue_rows_html(entries: list[WatchEntry]) -> SafeString:
    """The rows of the "Overdue" list."""
    return _rows(
        entries,
        lambda e: (
            f"<td>{short_day(e.milestone.committed_date)}</td>"
            f'<td class="num bad">{e.days_overdue}</td>'
        ),
    )


def slipped_rows_html(entries: list[WatchEntry]) -> SafeString:
    """The rows of the "Biggest slips" list."""
    return _rows(
        entries,
        lambda e: (
            f"<td>{short_day(e.milestone.committed_date)} → {short_day(e.moved_to)}</td>"
            f'<td class="num">{e.days_slipped}</td><td class="num">{e.slips}</td>'
        ),
    )
