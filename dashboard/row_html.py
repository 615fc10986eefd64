"""The per-team table's rows as HTML, rendered once per report rather than once per request.

Why not a template partial: the table has a row per team, and rendering 1,000 rows through
the template engine (a partial per row, a `reverse()` per link) took seconds per request.
Each row is rendered here once, when the report is built, with `format_html` (everything
interpolated is escaped) and links made by string from the team's URL; the cached report
keeps the rows' HTML, and sorting or filtering the table only joins them in another order
(`table.TeamTable.rows_html`). The markup is the one `dashboard.html` had in its
`team-row` partial, cell for cell.
"""

from __future__ import annotations

import datetime

from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dashboard.table import DashboardRow

NOT_A_TRIO = mark_safe('<span class="badge warn">not a trio</span>')
NOTHING_DUE = mark_safe('<span class="muted" title="Nothing due yet">—</span>')
NO_CALL_SCORED = mark_safe('<span class="muted" title="No review call can be scored yet">—</span>')
NO_REVIEW = mark_safe('<span class="muted">—</span>')
REVIEW_OVERDUE = mark_safe(' <span class="badge bad">review overdue</span>')

_ROW = (
    "<tr>"
    '<th scope="row"><a href="{}?quarter={}">{}</a></th>'
    "<td>{}</td>"  # verdict
    "<td>{}</td>"  # squad
    "<td>{}</td>"  # tech lead
    "<td>{}</td>"  # trio
    '<td class="num">{}/{}</td>'  # done of total
    '<td class="num{}">{}</td>'  # on time
    '<td class="num{}">{}</td>'  # late
    '<td class="num{}">{}</td>'  # overdue
    '<td class="num{}">{}{}</td>'  # dropped, excused
    '<td class="num">{}</td>'  # on-time share
    '<td class="num{}">{}</td>'  # at risk
    '<td class="num{}">{}</td>'  # off track
    '<td class="num{}">{}</td>'  # slips
    '<td class="num{}">{}</td>'  # days slipped
    '<td class="num">{}</td>'  # calls right
    "<td>{}{}</td>"  # last review, overdue
    "</tr>\n"
)


def _css(value: int, when_some: str) -> str:
    """The cell's class: `when_some` for a non-zero count, "zero" (greyed out) for none."""
    return f" {when_some}" if value else " zero"


def _zero(value: int) -> str:
    return "" if value else " zero"


def _day(day: datetime.date) -> str:
    return format_date(day, "M j")  # as the `date:"M j"` filter writes it


def team_row_html(row: DashboardRow, quarter_slug: str) -> SafeString:
    """One `<tr>` of the per-team table."""
    f = row.figures
    verdict = row.verdict
    badge = (
        format_html(
            '<span class="{}" title="{}">{}</span>', verdict.css, verdict.title, verdict.label
        )
        if verdict.title
        else format_html('<span class="{}">{}</span>', verdict.css, verdict.label)
    )
    excused = (
        format_html(
            ' <small class="muted" title="Dropped, excused by leadership">+{} excused</small>',
            f.excused,
        )
        if f.excused
        else ""
    )
    percent = f.on_time_percent
    share = format_html("{}%", percent) if percent is not None else NOTHING_DUE
    c = row.calibration
    if c is not None and c.calls:
        flagged = f"; {c.seen} of {c.slipped} slips flagged" if c.slipped else ""
        calls = format_html(
            '<span title="{} of {} review calls right{}">{}%</span>',
            c.correct,
            c.calls,
            flagged,
            c.share,
        )
    else:
        calls = NO_CALL_SCORED
    last = row.last_review
    return format_html(
        _ROW,
        row.team.url,
        quarter_slug,
        row.team.name,
        badge,
        row.team.squad.name,
        row.team.tech_lead_name or "—",
        "trio" if row.team.is_trio else NOT_A_TRIO,
        f.done,
        f.total,
        _css(f.on_time, "good"),
        f.on_time,
        _css(f.late, "bad"),
        f.late,
        _css(f.overdue, "bad"),
        f.overdue,
        _css(f.dropped, "bad"),
        f.dropped,
        excused,
        share,
        _css(f.at_risk, "warn"),
        f.at_risk,
        _css(f.off_track, "bad"),
        f.off_track,
        _zero(f.slips),
        f.slips,
        _zero(f.days_slipped),
        f.days_slipped,
        calls,
        _day(last) if last else NO_REVIEW,
        REVIEW_OVERDUE if row.review_overdue else "",
    )
