"""The dashboard after one team's change: the report before it, with that team's row re-read.

Why: a lead's edit is the usual change, and rebuilding a 1,000-team report for it (every
milestone and history row read and judged again, every row's HTML rendered again) cost most
of a second of CPU, on each worker that then served the dashboard. A change of one team's
milestones of one quarter says so in its change counter (`milestones.changes.bump(team_id=)`);
when the counters now differ from those of a report this process built only by that one
change, the team's milestones and slips are read again (two queries, of that team's rows),
its row is judged and rendered again, the other rows (and their HTML) are kept, and every
figure of the organisation (the headline, the watch lists, the dependencies, the trend's
point, the slips by reason) is computed again from the updated report, as `dashboard_parts`
does. Anything else (several changes since, another kind of change, a change of another
quarter, a team not in the report) builds the report whole.

Each process remembers the latest live parts of each quarter and day (`remember`), beside
the cache of `dashboard.cache`: those are what an update starts from.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Sequence
from dataclasses import replace

from django.db import connection

from dashboard.report import DashboardParts, parts_of
from dashboard.row_html import team_row_html
from dashboard.table import DashboardRow
from dashboard.watch import merged_candidates
from milestones import ontime, report_rows
from milestones.changes import Counters, changed_team
from milestones.models import Milestone, Quarter
from milestones.selectors import QuarterReport, TeamRow, quarter_slip_moves
from reviews import calibration
from reviews.selectors import quarter_review_status, review_calls

_latest: dict[tuple[str, int, datetime.date], tuple[Counters, DashboardParts]] = {}
_lock = threading.Lock()


def _where(quarter_id: int, today: datetime.date) -> tuple[str, int, datetime.date]:
    return (connection.settings_dict.get("NAME", ""), quarter_id, today)


def remember(quarter_id: int, today: datetime.date, counters: Counters, parts: DashboardParts):
    """Keep `parts`, built at `counters`, as the latest of their quarter and day."""
    with _lock:
        _latest[_where(quarter_id, today)] = (counters, parts)


def forget_all() -> None:
    """Forget every remembered report (the tests, between databases)."""
    with _lock:
        _latest.clear()


def updated_parts(
    quarter: Quarter,
    quarters: Sequence[Quarter],
    *,
    today: datetime.date,
    counters: Counters,
) -> DashboardParts | None:
    """The live parts of `quarter` at `counters`, from the latest this process built when one
    team's change is all that differs; None when the report must be built whole."""
    with _lock:
        known = _latest.get(_where(quarter.pk, today))
    if known is None:
        return None
    before, parts = known
    team_id = _the_one_change(before, counters, quarter.pk)
    report = parts.report
    if team_id is None or report is None or report.as_of is not None:
        return None
    index = next((i for i, row in enumerate(report.rows) if row.team.pk == team_id), None)
    if index is None or parts.rows[index].team.pk != team_id:  # not in the report: whole
        return None
    return _with_team_reread(parts, report, index, quarters, today, counters)


def _the_one_change(before: Counters, now: Counters, quarter_id: int) -> int | None:
    """The team of the one change of `quarter_id` between the counters `before` and `now`,
    if that is all that changed."""
    if before.keys() != now.keys():
        return None
    for pk, (value, token) in now.items():
        if pk == quarter_id:
            if value != before[pk][0] + 1:
                return None
        elif (value, token) != before[pk]:
            return None
    return changed_team(before[quarter_id][1], now[quarter_id][1])


def _with_team_reread(
    parts: DashboardParts,
    report: QuarterReport,
    index: int,
    quarters: Sequence[Quarter],
    today: datetime.date,
    counters: Counters,
) -> DashboardParts:
    """`parts` with the team of `report.rows[index]` read again: its milestones and slips (two
    queries), its review status and calibration (two more), its row and HTML; the rest of
    the page computed again from the report (`parts_of`)."""
    old = report.rows[index]
    team = old.team
    milestones = report_rows.quarter_milestones(
        report.quarter.pk, [team], report_rows.UrlMaker(), only_these=True
    )
    moves = {}
    if milestones:
        moves = quarter_slip_moves(
            Milestone.objects.filter(quarter_id=report.quarter.pk, team_id=team.pk)
        )
    gone = {m.pk for m in old.milestones}
    slips = {pk: n for pk, n in report.slips.items() if pk not in gone}
    slips.update((pk, len(found)) for pk, found in moves.items())
    slip_moves = {pk: found for pk, found in report.slip_moves.items() if pk not in gone}
    slip_moves.update(moves)
    rules = ontime.Rules.for_quarter(report.quarter)
    day = report.today or today
    row = TeamRow(team, milestones, ontime.team_quarter(milestones, rules, day, slip_counts=slips))
    rows = [*report.rows[:index], row, *report.rows[index + 1 :]]
    updated = replace(
        report,
        rows=rows,
        figure=ontime.org_figure((r.figures for r in rows), report.quarter.goal),
        slips=slips,
        slip_moves=slip_moves,
    )
    calls = review_calls(report.quarter, day, team=team.pk).get(team.pk, ())  # type: ignore[arg-type]
    shown = DashboardRow(
        team,
        row.figures,
        quarter_review_status([team.pk], report.quarter, day).get(team.pk),
        calibration.calibrate(calls, milestones, rules, day),
    )
    shown = replace(shown, html=team_row_html(shown, report.quarter.slug))
    table = [*parts.rows[:index], shown, *parts.rows[index + 1 :]]
    watch = merged_candidates(parts.watch, replace(updated, rows=[row]), team.pk, day)
    return parts_of(updated, table, quarters, today=today, counters=counters, watch=watch)
