"""The dashboard after some teams' changes: the report before them, with those teams re-read.

Why: a lead's edit is the usual change, and rebuilding a 1,000-team report for it (every
milestone and history row read and judged again, every row's HTML rendered again) cost most
of a second of CPU, on each worker that then served the dashboard. A change of one team's
milestones of one quarter says so in its change counter (`milestones.changes.bump(team_id=)`),
whose trail names the teams of its last changes (`changed_teams`). When the counters now
differ from those of a report this process built only by such changes of this quarter, the
changed teams' milestones and slips are read again (two queries, of those teams' rows,
whatever their number), their rows are judged and rendered again as the whole build makes
them (`table.dashboard_rows`: a closed quarter's keep the verdicts recorded at its close, a
restatement moving only the restated figure), the other rows (and their HTML) are kept, and
every figure of the organisation (the headline, the watch lists, the dependencies, the
trend's point, the slips by reason) is computed again from the updated report, as
`dashboard_parts` does. Under load that is the common case: each of several
workers sees the dashboard every few seconds while leads save several edits a second, so it
is some changes behind, not one. Anything else (a change of another kind since, a change of
another quarter, more changes than the trail keeps, a team not in the report, or so many
teams that reading them all is as dear as the whole) builds the report whole.

Each process remembers the latest live parts of each quarter and day (`remember`), beside
the cache of `dashboard.cache`: those are what an update starts from.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from django.db import connection

from dashboard.parts import DashboardParts
from dashboard.row_html import team_row_html
from dashboard.table import DashboardRow, dashboard_rows
from dashboard.watch import WatchCandidates, merged_candidates
from milestones import ontime, report_rows
from milestones.changes import Counters, changed_teams, read_trail
from milestones.models import Milestone, Quarter
from milestones.selectors import QuarterReport, TeamRow, quarter_slip_moves
from reviews import calibration
from reviews.selectors import quarter_review_status, review_calls


class Assemble(Protocol):
    """`dashboard.report.parts_of`: the page's parts from a report and its table rows."""

    def __call__(
        self,
        report: QuarterReport,
        rows: list[DashboardRow],
        quarters: Sequence[Quarter],
        *,
        today: datetime.date,
        counters: Counters | None,
        watch: WatchCandidates | None,
    ) -> DashboardParts: ...


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


# Past this many changed teams (or a quarter of the report's, when that is more than four),
# re-reading them costs about what building the report whole does: build it whole.
MOST_TEAMS = 40


def updated_parts(
    quarter: Quarter,
    quarters: Sequence[Quarter],
    *,
    today: datetime.date,
    counters: Counters,
    assemble: Assemble,
) -> DashboardParts | None:
    """The live parts of `quarter` at `counters`, from the latest this process built when
    changes of some teams' milestones of this quarter are all that differs; None when the
    report must be built whole. `assemble` computes the page's other parts from the updated
    report and rows (`dashboard.report.parts_of`, handed down by its caller)."""
    with _lock:
        known = _latest.get(_where(quarter.pk, today))
    if known is None:
        return None
    before, parts = known
    report = parts.report
    if (
        report is None
        or report.as_of is not None
        or not _only_this_quarter(before, counters, quarter.pk)
    ):
        return None
    team_ids = changed_teams(before[quarter.pk], counters[quarter.pk], read_trail(quarter.pk))
    if team_ids is None or len(team_ids) > min(MOST_TEAMS, max(4, len(report.rows) // 4)):
        return None
    indexes = [i for i, row in enumerate(report.rows) if row.team.pk in team_ids]
    if len(indexes) != len(team_ids) or any(
        parts.rows[i].team.pk != report.rows[i].team.pk for i in indexes
    ):  # a team not in the report, or the table not in the report's order: whole
        return None
    updated, table, watch = _with_teams_reread(parts, report, indexes, today)
    return assemble(updated, table, quarters, today=today, counters=counters, watch=watch)


def _only_this_quarter(before: Counters, now: Counters, quarter_id: int) -> bool:
    """Whether `quarter_id` is the only quarter whose counter moved from `before` to `now`."""
    if before.keys() != now.keys() or quarter_id not in now:
        return False
    return all(now[pk] == before[pk] for pk in now if pk != quarter_id)


def _with_teams_reread(
    parts: DashboardParts, report: QuarterReport, indexes: list[int], today: datetime.date
) -> tuple[QuarterReport, list[DashboardRow], WatchCandidates]:
    """The report, the table's rows and the watch lists' candidates of `parts` with the teams
    of `report.rows[i]` for each of `indexes` read again: their milestones and slips (two
    queries), their review status and calls (two more), their rows and HTML."""
    teams = [report.rows[i].team for i in indexes]
    team_ids = {team.pk for team in teams}
    milestones = report_rows.quarter_milestones(
        report.quarter.pk, teams, report_rows.UrlMaker(), only_these=True
    )
    moves = {}
    if milestones:
        moves = quarter_slip_moves(
            Milestone.objects.filter(quarter_id=report.quarter.pk, team_id__in=team_ids)
        )
    gone = {m.pk for i in indexes for m in report.rows[i].milestones}
    slips = {pk: n for pk, n in report.slips.items() if pk not in gone}
    slips.update((pk, len(found)) for pk, found in moves.items())
    slip_moves = {pk: found for pk, found in report.slip_moves.items() if pk not in gone}
    slip_moves.update(moves)
    rules = ontime.Rules.for_quarter(report.quarter)
    day = report.today or today
    by_team: dict[int, list] = {pk: [] for pk in team_ids}
    for milestone in milestones:
        by_team[milestone.team_id].append(milestone)
    calls = review_calls(report.quarter, day, teams=team_ids)
    statuses = quarter_review_status(list(team_ids), report.quarter, day)
    rows = list(report.rows)
    fresh = []
    for i, team in zip(indexes, teams, strict=True):
        mine = by_team[team.pk]
        rows[i] = TeamRow(team, mine, ontime.team_quarter(mine, rules, day, slip_counts=slips))
        fresh.append(rows[i])
    updated = replace(
        report,
        rows=rows,
        figure=ontime.org_figure((r.figures for r in rows), report.quarter.goal),
        slips=slips,
        slip_moves=slip_moves,
    )
    # Their table rows as the whole build makes them (`table.dashboard_rows`): a closed
    # quarter's teams keep the verdicts recorded at its close, whatever a restatement changed.
    calibrations = {
        row.team.pk: calibration.calibrate(calls.get(row.team.pk, ()), row.milestones, rules, day)
        for row in fresh
    }
    slug = report.quarter.slug
    table = list(parts.rows)
    shown = dashboard_rows(
        replace(updated, rows=fresh),
        statuses,
        calibrations,
        lambda row: team_row_html(row, slug),
    )
    for i, row in zip(indexes, shown, strict=True):
        table[i] = row
    watch = merged_candidates(parts.watch, replace(updated, rows=fresh), team_ids, day)
    return updated, table, watch
