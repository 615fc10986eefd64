"""The two-way sync of the leadership sheet (SPEC section 4): `sync_sheet`, a chain of stages.

Each stage is a module of plain functions; what flows between them is plain data, so a value
can be followed from the read to the write:

1. lock (`lock.claim_lock`): one run at a time -> a `Lease`, renewed between the stages.
2. journal (`journal.take_over_interrupted`): runs that failed or died -> a `Takeover` (rows
   to adopt again, conflicts to record, journals to clear).
3. read (`client.open_spreadsheet`, `read.read_tabs`): the metadata read, then every tab in
   one request -> `TabData` by tab title.
4. plan (`plan.build_plan`), which for each team chains
   match (`match.match_tabs`): tabs -> teams, a `TabMatch`;
   parse (`parse.parse_tab`, `parse.check_row`): cells -> typed values the model accepts,
   a `ParsedTab` of `SheetRow`s;
   match (`match.match_rows`): rows -> milestones by ID, else by title, a `RowMatch`;
   merge (`merge.merge_milestone`): three ways per field, a `MilestoneMerge` per linked row;
   -> a `SyncPlan`: milestones to create and update, rows to write, conflicts, messages.
5. commit, before the write (`commit.leave_for_next_run`, `commit.give_new_ids`): milestones
   saved in the app meanwhile are left out; new milestones get their IDs -> the `SyncPlan`.
6. journal (`journal.journal_of`, `journal.save_journal`): what the write is about to lose,
   committed on the run's row.
7. write (`write.sheet_writes`, `write.send_writes`): the plan's cells -> `SheetWrites`, at
   most two requests, sent outside any transaction; then the closed quarters' rows move to
   their archive tabs (`archive.plan_archive`, planned with step 5; `archive.send_archive`):
   one request more, on a run that has rows to move.
8. commit (`commit.commit_plan`): the plan's database writes and the run's outcome, in one
   transaction -> the `SyncResult` (`report`).

The sheet is written before the database commits, not after: a write Google refuses then
changes nothing in the database, and a crash between the two is what the journal is for.
A dry run stops after step 4: no lock, no record, nothing written on either side.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from sheets.archive import plan_archive, send_archive, with_archive
from sheets.client import (
    OpenedSpreadsheet,
    RequestCount,
    SheetUnavailable,
    count_requests,
    open_spreadsheet,
)
from sheets.commit import commit_plan, give_new_ids, leave_for_next_run, moved_milestones
from sheets.journal import Takeover, journal_of, save_journal, take_over_interrupted
from sheets.lock import Lease, LockHeld, LockLost, claim_lock
from sheets.models import SyncRun
from sheets.plan import SyncRefused, build_plan
from sheets.read import read_tabs
from sheets.report import Progress, SyncResult, planned_counts, result_of
from sheets.write import send_writes, sheet_writes
from teams.models import Team

logger = logging.getLogger(__name__)

# Seconds between two progress updates of a run's record while it merges.
PROGRESS_INTERVAL = 0.5


def sync_sheet(
    *,
    trigger: str = SyncRun.Trigger.COMMAND,
    requested_by=None,
    team_slugs: Sequence[str] = (),
    dry_run: bool = False,
    today: datetime.date | None = None,
    progress: Progress | None = None,
    run: SyncRun | None = None,
) -> SyncResult:
    """Run the sync once and return what it did.

    Raises LockHeld when another run holds the lock (a `run` handed in is then recorded as
    failed). Any other reason not to finish (no credentials, the sheet not found, Google
    failing after the retries, no quarter) is a failed run, recorded and returned; a bug is
    recorded as a failed run and raised. A dry run reads the sheet and plans, then stops: no
    lock, no record, nothing written on either side.
    """
    today = today or timezone.localdate()
    team_slugs = list(team_slugs)
    if dry_run:
        return _dry_run(team_slugs, today, _reporter(progress, run_pk=None))
    try:
        lease = claim_lock()
    except LockHeld as exc:
        if run is not None:
            _finish_failed(run, str(exc))
        raise
    try:
        if run is None:
            run = SyncRun(trigger=trigger, requested_by=requested_by, team_slugs=team_slugs)
        run.status = SyncRun.Status.RUNNING
        run.started_at = timezone.now()
        run.save()
        return _run(run, lease, team_slugs, today, _reporter(progress, run_pk=run.pk))
    finally:
        lease.release()


def _dry_run(team_slugs: list[str], today: datetime.date, progress: Progress) -> SyncResult:
    requests = RequestCount()
    try:
        teams = _teams(team_slugs)
        spreadsheet = _open(requests, progress)
        progress("Reading the sheet", 0, 0)
        tabs = read_tabs(spreadsheet)
        plan = build_plan(
            teams=teams,
            tabs=tabs,
            today=today,
            takeover=Takeover(),
            all_teams=not team_slugs,
            progress=progress,
        )
        plan = with_archive(plan, plan_archive(plan, tabs))
    except (SheetUnavailable, SyncRefused) as exc:
        return SyncResult(
            status=SyncRun.Status.FAILED, dry_run=True, error=str(exc), requests=requests.total
        )
    return result_of(plan, planned_counts(plan), dry_run=True, requests=requests.total)


def _run(
    run: SyncRun, lease: Lease, team_slugs: list[str], today: datetime.date, progress: Progress
) -> SyncResult:
    requests = RequestCount()
    try:
        takeover = take_over_interrupted(run)
        teams = _teams(team_slugs)
        spreadsheet = _open(requests, progress)
        progress("Reading the sheet", 0, 0)
        tabs = read_tabs(spreadsheet)
        lease.renew()
        plan = build_plan(
            teams=teams,
            tabs=tabs,
            today=today,
            takeover=takeover,
            all_teams=not team_slugs,
            progress=progress,
        )
        lease.renew()
        plan = leave_for_next_run(plan, moved_milestones(plan))
        give_new_ids(plan)
        archive = plan_archive(plan, tabs)
        plan = with_archive(plan, archive)
        # Committed before the sheet write, which may overwrite what it names.
        save_journal(run, journal_of(plan))
        progress("Writing to the app and the sheet", 0, 0)
        # The sheet first, outside any transaction; the database only once the sheet took it,
        # so a write Google refuses leaves the database as it was. The closed quarters' rows
        # move last: the writes before name rows by the indexes read.
        send_writes(spreadsheet, sheet_writes(plan))
        send_archive(spreadsheet, archive)
        return commit_plan(plan, run=run, today=today, requests=requests.total)
    except (SheetUnavailable, SyncRefused, LockLost) as exc:
        logger.warning("Sheet sync run %s failed: %s", run.pk, exc)
        _finish_failed(run, str(exc), requests=requests.total)
        return SyncResult(
            status=SyncRun.Status.FAILED, run=run, error=str(exc), requests=requests.total
        )
    except Exception as exc:
        logger.exception("Sheet sync run %s failed", run.pk)
        _finish_failed(
            run, f"The sync stopped on an internal error: {exc!r}", requests=requests.total
        )
        raise


def _teams(team_slugs: Sequence[str]) -> list[Team]:
    teams = Team.objects.filter(active=True).order_by("name")
    if team_slugs:
        teams = teams.filter(slug__in=team_slugs)
        found = {team.slug for team in teams}
        unknown = [slug for slug in team_slugs if slug not in found]
        if unknown:
            raise SyncRefused(f"No active team has the slug {', '.join(unknown)}.")
    return list(teams)


def _open(requests: RequestCount, progress: Progress) -> OpenedSpreadsheet:
    progress("Opening the spreadsheet", 0, 0)
    spreadsheet = open_spreadsheet()
    count_requests(spreadsheet, requests)
    return spreadsheet


def _reporter(callback: Progress | None, *, run_pk: int | None) -> Progress:
    """progress(label, done, total): to `callback` (a terminal's), and onto the run's record
    for its page to poll, at most every PROGRESS_INTERVAL while a stage counts up."""
    last = 0.0

    def report(label: str, done: int, total: int) -> None:
        nonlocal last
        if callback:
            callback(label, done, total)
        if run_pk is None or transaction.get_connection().in_atomic_block:
            return  # inside a transaction nobody else would see it
        now = time.monotonic()
        if total and 0 < done < total and now - last < PROGRESS_INTERVAL:
            return
        last = now
        SyncRun.objects.filter(pk=run_pk).update(
            progress_label=label[:200], progress_done=done, progress_total=total
        )

    return report


def _finish_failed(run: SyncRun, error: str, *, requests: int = 0) -> None:
    """Record a failure with an UPDATE of these fields only: whatever the failed commit had
    put on the instance stays out, and the run's journal stays for the next run."""
    fields = {
        "status": SyncRun.Status.FAILED,
        "error": error,
        "finished_at": timezone.now(),
        "requests": requests,
        "progress_label": "Failed",
    }
    if run.pk is None:
        run.save()
    SyncRun.objects.filter(pk=run.pk).update(**fields)
    run.refresh_from_db()
