"""The two-way sync of the leadership sheet (SPEC section 4): read, merge, write, record.

A run, step by step:

1. Claim the lock (`sheets.lock`) and record the run.
2. Read the whole spreadsheet in two requests, whatever the number of teams: the client's
   metadata read, then one ``spreadsheets.get`` with grid data restricted by a field mask to
   each tab's properties and formatted values. One snapshot gives the tab list and every
   tab's cells together (no tab can appear between two reads), and its short URL has no
   limit on the number of tabs, where a ``values:batchGet`` naming 1,000 ranges would not.
3. Plan, without writing anything: match tabs to teams, parse the rows
   (`sheets.parse`), link each row to its milestone (by ID, else by title, else a
   new milestone), merge three ways (`sheets.merge`), and list the cells to write.
4. Commit: in ONE database transaction, apply the plan (milestones created and updated with
   history source "sync", states, conflicts, the run's outcome), then make the sheet's two
   writes (one ``spreadsheets.batchUpdate`` adding missing tabs and rows, when needed, and
   one ``values:batchUpdate`` with only the cells that change, USER_ENTERED), and only then
   COMMIT. A failed sheet write rolls the transaction back: the database is as it was, and
   the run is recorded as failed.

Crashes. The one window left is a process that dies after the sheet write succeeded and
before the COMMIT. Everything the write did then converges on the next run: pushed values
now equal on both sides (the merge sees both sides changed alike), pulled values are pulled
again, an ID written for a milestone that was rolled back names no milestone. Two things
would be lost, so the run writes a journal on its own row (committed before the sheet write)
naming them: the sheet's values of the conflicting cells the write overwrites, and the rows
it adopts. The next run finds the interrupted run (still "running" once the lock is free),
records those conflicts and adopts those rows again, giving them fresh IDs. A re-run after a
crash at any point thus converges with no duplicates and nothing lost
(tests/sync/test_crash_recovery.py).

Edits made in the app while a run plans are not overwritten: the commit re-reads the
versions of the milestones it touches under the transaction's lock and leaves any that moved
to the next run.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from milestones.changes import bump_every_quarter
from milestones.history import Source, history_source
from milestones.models import SANE_MARGIN, Milestone, Quarter
from milestones.quarters import current_quarter
from sheets import a1, merge, parse
from sheets.client import SheetUnavailable, open_spreadsheet
from sheets.lock import Lease, LockHeld, LockLost, claim
from sheets.models import SyncConflict, SyncRun, SyncState
from teams.models import Membership, Team, User

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


class SyncRefused(Exception):
    """The run cannot start for a reason of the app's (no quarter, an unknown team)."""


# One read of every tab: its properties and the text each cell shows.
GRID_FIELDS = (
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "data(rowData(values(formattedValue))))"
)
DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
# Seconds between two progress updates of a run's record while it merges.
PROGRESS_INTERVAL = 0.5


# --- Values as the merge sees them, and as JSON -------------------------------------------


def app_values(milestone: Milestone) -> dict[str, Any]:
    return {
        "title": _norm_text(milestone.title),
        "owner": milestone.owner_id,
        "target_date": milestone.target_date,
        "status": milestone.status,
        "notes": _norm_text(milestone.notes),
    }


def _norm_text(text: str) -> str:
    """App text compared as sheet text is read (`parse.parse_text`)."""
    return parse.parse_text(text or "")


def to_json(name: str, value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def from_json(name: str, value: Any) -> Any:
    if name == "target_date" and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def values_to_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: to_json(name, value) for name, value in values.items()}


def values_from_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: from_json(name, value) for name, value in values.items()}


# --- What a run reports -----------------------------------------------------------------------


@dataclass
class Message:
    level: str  # "info", "warning" or "error" (a cell or a tab the sync could not read)
    text: str
    team: str = ""
    tab: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    @property
    def where(self) -> str:
        place = self.tab
        if self.row is not None:
            place += f"!{self.column}{self.row}" if self.column else f" row {self.row}"
        return place


@dataclass
class TeamReport:
    team: str
    slug: str
    tab: str
    pulled: int = 0  # milestones created or changed in the app
    pushed: int = 0  # rows added or changed in the sheet
    conflicts: int = 0
    errors: int = 0


@dataclass
class Counts:
    created_in_app: int = 0
    updated_in_app: int = 0
    created_in_sheet: int = 0
    updated_in_sheet: int = 0
    restored: int = 0
    conflicts: int = 0
    errors: int = 0


@dataclass
class SyncResult:
    status: str  # a SyncRun.Status value
    dry_run: bool = False
    run: SyncRun | None = None
    counts: Counts = field(default_factory=Counts)
    teams: list[TeamReport] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what was (or would be) done, for people
    requests: int = 0
    error: str = ""

    @property
    def errors(self) -> list[Message]:
        return [m for m in self.messages if m.level == "error"]


# --- The plan ---------------------------------------------------------------------------------


@dataclass
class TabData:
    """A tab as read: its properties and the text of its cells, trailing blanks trimmed."""

    title: str
    sheet_id: int | None
    row_count: int
    column_count: int
    values: list[list[str]]


@dataclass
class Link:
    """A sheet row and the milestone it stands for."""

    milestone: Milestone
    row: parse.SheetRow
    merge: merge.MilestoneMerge
    state: SyncState | None
    write_id: bool


@dataclass
class NewRow:
    """A sheet row without a milestone: it becomes one."""

    row: parse.SheetRow
    milestone: Milestone  # unsaved until the commit


@dataclass
class Append:
    """A milestone of the app without a row in the tab: its row is added at the bottom."""

    milestone: Milestone
    restored: bool
    row_number: int = 0


@dataclass
class TabPlan:
    team: Team
    title: str
    data: TabData | None  # None: the tab is created
    layout: parse.Layout
    header: dict[int, str] = field(default_factory=dict)  # row-1 cells to write
    links: list[Link] = field(default_factory=list)
    new_rows: list[NewRow] = field(default_factory=list)
    appends: list[Append] = field(default_factory=list)
    next_row: int = 2
    errors: int = 0
    skipped: bool = False  # a tab the app cannot read: nothing is written to it

    @property
    def create(self) -> bool:
        return self.data is None

    def report(self, conflicts: int) -> TeamReport:
        return TeamReport(
            team=self.team.name,
            slug=self.team.slug,
            tab=self.title,
            pulled=len(self.new_rows) + sum(1 for link in self.links if link.merge.pull),
            pushed=len(self.appends) + sum(1 for link in self.links if link.merge.push),
            conflicts=conflicts,
            errors=self.errors,
        )


@dataclass
class PlannedConflict:
    milestone: Milestone
    field: str
    sheet_value: Any
    sheet_text: str
    app_value: Any
    base_value: Any
    has_base: bool
    tab: str
    row: int
    column: str

    def journal(self) -> dict[str, Any]:
        return {
            "milestone": self.milestone.pk,
            "field": self.field,
            "sheet_value": to_json(self.field, self.sheet_value),
            "sheet_text": self.sheet_text,
            "app_value": to_json(self.field, self.app_value),
            "base_value": to_json(self.field, self.base_value) if self.has_base else None,
            "has_base": self.has_base,
            "tab": self.tab,
            "row": self.row,
            "column": self.column,
        }


@dataclass
class Plan:
    quarter: Quarter
    tabs: list[TabPlan] = field(default_factory=list)
    conflicts: list[PlannedConflict] = field(default_factory=list)
    superseded: list[SyncConflict] = field(default_factory=list)
    tab_titles: dict[int, str] = field(default_factory=dict)  # team pk -> title to store
    messages: list[Message] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    consumed_journals: list[int] = field(default_factory=list)

    def touched(self) -> dict[int, int]:
        """Existing milestones the commit writes to or writes rows of: pk -> planned version."""
        versions = {}
        for tab in self.tabs:
            for link in tab.links:
                versions[link.milestone.pk] = link.milestone.version
            for append in tab.appends:
                versions[append.milestone.pk] = append.milestone.version
        return versions


# --- Running ----------------------------------------------------------------------------------


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
    sync = Sync(team_slugs=team_slugs, today=today or timezone.localdate(), progress=progress)
    if dry_run:
        return sync.dry_run()
    try:
        lease = claim()
    except LockHeld as exc:
        if run is not None:
            _finish_failed(run, str(exc))
        raise
    try:
        if run is None:
            run = SyncRun(trigger=trigger, requested_by=requested_by, team_slugs=list(team_slugs))
        run.status = SyncRun.Status.RUNNING
        run.started_at = timezone.now()
        run.save()
        return sync.run(run, lease)
    finally:
        lease.release()


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


class Sync:
    """One run: `run()` commits, `dry_run()` stops once the plan is made."""

    def __init__(
        self,
        *,
        team_slugs: Sequence[str],
        today: datetime.date,
        progress: Progress | None = None,
    ):
        self.team_slugs = list(team_slugs)
        self.today = today
        self.progress_callback = progress
        self.requests = 0
        self.run_pk: int | None = None
        self._last_progress = 0.0

    # -- entry points

    def dry_run(self) -> SyncResult:
        try:
            teams = self._teams()
            spreadsheet = self._open()
            tabs = self._read(spreadsheet)
            plan = self._plan(teams, tabs, orphans=set(), recovered=[])
        except (SheetUnavailable, SyncRefused) as exc:
            return SyncResult(
                status=SyncRun.Status.FAILED, dry_run=True, error=str(exc), requests=self.requests
            )
        return self._result(plan, dry_run=True, counts=self._planned_counts(plan))

    def run(self, run: SyncRun, lease: Lease) -> SyncResult:
        self.run_pk = run.pk
        try:
            orphans, recovered, journals = self._take_over_interrupted(run)
            teams = self._teams()
            spreadsheet = self._open()
            tabs = self._read(spreadsheet)
            lease.renew()
            plan = self._plan(teams, tabs, orphans=orphans, recovered=recovered)
            plan.consumed_journals = journals
            lease.renew()
            return self._commit(plan, spreadsheet, run)
        except (SheetUnavailable, SyncRefused, LockLost) as exc:
            logger.warning("Sheet sync run %s failed: %s", run.pk, exc)
            _finish_failed(run, str(exc), requests=self.requests)
            return SyncResult(
                status=SyncRun.Status.FAILED, run=run, error=str(exc), requests=self.requests
            )
        except Exception as exc:
            logger.exception("Sheet sync run %s failed", run.pk)
            _finish_failed(
                run, f"The sync stopped on an internal error: {exc!r}", requests=self.requests
            )
            raise

    # -- progress

    def _progress(self, label: str, done: int = 0, total: int = 0) -> None:
        if self.progress_callback:
            self.progress_callback(label, done, total)
        if self.run_pk is None or transaction.get_connection().in_atomic_block:
            return  # inside a transaction nobody else would see it
        now = time.monotonic()
        if total and 0 < done < total and now - self._last_progress < PROGRESS_INTERVAL:
            return
        self._last_progress = now
        SyncRun.objects.filter(pk=self.run_pk).update(
            progress_label=label[:200], progress_done=done, progress_total=total
        )

    # -- reading

    def _teams(self) -> list[Team]:
        teams = Team.objects.filter(active=True).order_by("name")
        if self.team_slugs:
            teams = teams.filter(slug__in=self.team_slugs)
            found = {team.slug for team in teams}
            unknown = [slug for slug in self.team_slugs if slug not in found]
            if unknown:
                raise SyncRefused(f"No active team has the slug {', '.join(unknown)}.")
        return list(teams)

    def _open(self):
        self._progress("Opening the spreadsheet")
        spreadsheet = open_spreadsheet()
        # Count the requests that follow (retries included); opening made one.
        self.requests += 1
        spreadsheet.client.session.hooks["response"].append(self._count_request)
        return spreadsheet

    def _count_request(self, response, *args, **kwargs) -> None:
        self.requests += 1

    def _read(self, spreadsheet) -> dict[str, TabData]:
        self._progress("Reading the sheet")
        metadata = spreadsheet.fetch_sheet_metadata(
            params={"includeGridData": "true", "fields": GRID_FIELDS}
        )
        tabs = {}
        for entry in metadata.get("sheets") or []:
            properties = entry.get("properties") or {}
            grid = properties.get("gridProperties") or {}
            rows = []
            for block in entry.get("data") or []:
                for row in block.get("rowData") or []:
                    cells = [str(c.get("formattedValue", "")) for c in row.get("values") or []]
                    while cells and cells[-1] == "":
                        cells.pop()
                    rows.append(cells)
            while rows and not rows[-1]:
                rows.pop()
            title = str(properties.get("title", ""))
            tabs[title] = TabData(
                title=title,
                sheet_id=properties.get("sheetId"),
                row_count=int(grid.get("rowCount", DEFAULT_ROWS)),
                column_count=int(grid.get("columnCount", DEFAULT_COLUMNS)),
                values=rows,
            )
        return tabs

    def _take_over_interrupted(self, run: SyncRun):
        """A run left "running" while we hold the lock died: mark it failed. The journals of
        runs that failed or died are taken over: their adopted rows and overwritten conflicts
        are finished by this run (and the journals cleared when it commits)."""
        SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exclude(pk=run.pk).update(
            status=SyncRun.Status.FAILED,
            finished_at=timezone.now(),
            progress_label="Interrupted",
            error="The run was interrupted before it finished (its process stopped); the next "
            "run took over what it had started.",
        )
        orphans: set[tuple[str, str]] = set()
        recovered: list[dict[str, Any]] = []
        journals = []
        pending = SyncRun.objects.filter(status=SyncRun.Status.FAILED).exclude(journal={})
        for pk, journal in pending.values_list("pk", "journal"):
            journals.append(pk)
            orphans.update((tab, title) for tab, title in journal.get("adopted", []))
            recovered.extend(journal.get("conflicts", []))
        return orphans, recovered, journals

    # -- planning

    def _plan(
        self,
        teams: list[Team],
        tabs: dict[str, TabData],
        *,
        orphans: set[tuple[str, str]],
        recovered: list[dict[str, Any]],
    ) -> Plan:
        quarter = Quarter.objects.containing(self.today).first() or current_quarter(self.today)
        if quarter is None:
            raise SyncRefused(
                "There is no quarter to adopt rows into: add the current quarter in the admin."
            )
        plan = Plan(quarter=quarter)
        matched = self._match_tabs(teams, tabs, plan)
        members = self._members(teams)
        parsed = {
            team.pk: parse.parse_tab(
                matched[team.pk].title,
                matched[team.pk].values,
                members=members[team.pk],
                team_name=team.name,
                quarter_start=quarter.start,
                quarter_end=quarter.end,
            )
            for team in teams
            if team.pk in matched
        }
        ids = {row.id for tab in parsed.values() for row in tab.rows if row.id is not None}
        milestones = {
            m.pk: m
            for m in Milestone.objects.filter(
                Q(pk__in=ids) | Q(team__in=teams, quarter=quarter)
            ).select_related("sync_state", "owner", "quarter", "team")
        }
        open_conflicts = {
            (c.milestone_id, c.field): c
            for c in SyncConflict.objects.filter(
                status=SyncConflict.Status.OPEN, milestone__team__in=teams
            )
        }
        names = {m.id: m.name for team_members in members.values() for m in team_members}
        context = _Context(
            quarter=quarter,
            milestones=milestones,
            orphans=orphans,
            open_conflicts=open_conflicts,
            names=names,
        )
        for index, team in enumerate(teams):
            self._progress(f"Merging {team.name}", index, len(teams))
            data = matched.get(team.pk)
            plan.tabs.append(self._plan_tab(team, data, parsed.get(team.pk), plan, context))
        self._recover_conflicts(plan, recovered, context)
        self._progress("Merged", len(teams), len(teams))
        return plan

    def _match_tabs(
        self, teams: list[Team], tabs: dict[str, TabData], plan: Plan
    ) -> dict[int, TabData]:
        """Each team's tab: the tab titled as the team's stored tab title (ignoring case, as
        Sheets does), else the one tab whose title is the team's name give or take case,
        spaces and a trailing "team" ("Meetings team" for Meetings); that title is then
        stored on the team, so the match is made once and is visible in the admin."""
        by_folded = {title.casefold(): data for title, data in tabs.items()}
        matched: dict[int, TabData] = {}
        claimed: set[str] = set()
        for team in teams:
            data = by_folded.get(team.tab_title.casefold())
            if data is not None and data.title not in claimed:
                matched[team.pk] = data
                claimed.add(data.title)
        for team in teams:
            if team.pk in matched:
                continue
            keys = {_tab_key(team.tab_title), _tab_key(team.name)}
            candidates = [
                data
                for title, data in tabs.items()
                if title not in claimed and _tab_key(title) in keys
            ]
            if len(candidates) != 1:
                continue
            data = candidates[0]
            matched[team.pk] = data
            claimed.add(data.title)
            plan.tab_titles[team.pk] = data.title
            plan.messages.append(
                Message(
                    "info",
                    f"Tab {data.title!r} is the tab of {team.name}: its title is stored as the "
                    "team's Sheet tab title (in the admin).",
                    team=team.name,
                    tab=data.title,
                )
            )
            plan.changes.append(f"{team.name}: use tab {data.title!r}")
        if self.team_slugs:
            return matched
        for title, data in tabs.items():
            if title in claimed:
                continue
            header = data.values[0] if data.values else []
            if "title" in parse.find_layout(header).columns:
                plan.messages.append(
                    Message(
                        "warning",
                        f"Tab {title!r} matches no team, so it was left untouched. If it is a "
                        "team's tab, set that team's Sheet tab title to it.",
                        tab=title,
                    )
                )
            else:
                plan.messages.append(
                    Message(
                        "info", f"Tab {title!r} is not a team's tab: left untouched.", tab=title
                    )
                )
        return matched

    def _members(self, teams: list[Team]) -> dict[int, list[parse.Member]]:
        """Each team's active members, plus the owners of its milestones who have left it, so
        that a name the app wrote into the sheet always reads back."""
        members: dict[int, list[parse.Member]] = defaultdict(list)
        seen: set[tuple[int, int]] = set()
        memberships = Membership.objects.filter(team__in=teams, active=True).select_related("user")
        for membership in memberships.order_by("pk"):
            user = membership.user
            members[membership.team_id].append(
                parse.Member(user.pk, user.name, user.email, user.username)
            )
            seen.add((membership.team_id, user.pk))
        owners = set(
            Milestone.objects.filter(team__in=teams, owner__isnull=False)
            .order_by()
            .values_list("team_id", "owner_id")
            .distinct()
        )
        former = owners - seen
        users = User.objects.in_bulk({owner for _, owner in former})
        for team_id, owner_id in sorted(former):
            user = users[owner_id]
            members[team_id].append(parse.Member(user.pk, user.name, user.email, user.username))
        return members

    def _plan_tab(
        self,
        team: Team,
        data: TabData | None,
        parsed: parse.ParsedTab | None,
        plan: Plan,
        context: _Context,
    ) -> TabPlan:
        title = data.title if data else team.tab_title
        tab_plan = TabPlan(team=team, title=title, data=data, layout=parse.new_tab_layout())

        def say(level: str, text: str, **where: Any) -> None:
            plan.messages.append(Message(level, text, team=team.name, tab=title, **where))
            if level == "error":
                tab_plan.errors += 1

        rows: list[parse.SheetRow] = []
        if data is None or parsed is None or not data.values:
            # No tab, or an empty one: the app writes the header and every row.
            if data is None:
                say("warning", f"{team.name} had no tab in the sheet: tab {title!r} is created.")
                plan.changes.append(f"{team.name}: create tab {title!r}")
            layout = tab_plan.layout
            tab_plan.header = {index: parse.HEADERS[name] for name, index in layout.columns.items()}
        else:
            layout = parsed.layout
            for index, text, why in layout.ignored:
                say(
                    "warning",
                    f"Column {a1.column_letters(index)} ({text!r}) is ignored: {why}.",
                    row=1,
                    column=a1.column_letters(index),
                )
            if "title" not in layout.columns:
                say("error", "The tab has no Milestone (or Title) column in row 1: skipped.", row=1)
                tab_plan.layout = layout
                tab_plan.skipped = True
                return tab_plan
            if layout.id_column is None:
                layout = layout.with_id_column()
                tab_plan.header[layout.id_column] = parse.HEADERS[parse.ID]
                plan.changes.append(
                    f"{team.name}: add an ID column in {a1.column_letters(layout.id_column)}"
                )
            tab_plan.layout = layout
            tab_plan.next_row = parsed.height + 1
            rows = parsed.rows

        milestones = context.milestones
        claimed: set[int] = set()
        without_id: list[parse.SheetRow] = []
        seen_ids: dict[int, int] = {}
        id_column = a1.column_letters(layout.id_column)
        for row in rows:
            self._check_row(row, layout, context)
            for error in row.errors:
                say(
                    "error",
                    error.reason,
                    row=row.number,
                    column=a1.column_letters(error.column),
                    value=error.value,
                )
            if row.id_error is not None:
                continue
            if row.id is None:
                without_id.append(row)
                continue
            if row.id in seen_ids:
                say(
                    "error",
                    f"ID {row.id} is also on row {seen_ids[row.id]}: the first row wins, this "
                    "row is left as it is.",
                    row=row.number,
                    column=id_column,
                    value=str(row.id),
                )
                continue
            seen_ids[row.id] = row.number
            milestone = milestones.get(row.id)
            orphan = (title.casefold(), _title_key(row.values.get("title", ""))) in context.orphans
            if orphan and (milestone is None or not _has_state(milestone)):
                say(
                    "info",
                    f"Row {row.number} has ID {row.id} from a run that did not finish: it is "
                    "adopted again.",
                    row=row.number,
                )
                row.id = None
                without_id.append(row)
                continue
            if milestone is None:
                say(
                    "error",
                    f"ID {row.id} is no milestone of the app (deleted?): the row is left as it "
                    "is. Clear its ID to add it again.",
                    row=row.number,
                    column=id_column,
                    value=str(row.id),
                )
                continue
            if milestone.team_id != team.pk:
                say(
                    "error",
                    f"ID {row.id} is a milestone of {milestone.team.name}, not of {team.name}: "
                    "the row is left as it is.",
                    row=row.number,
                    column=id_column,
                    value=str(row.id),
                )
                continue
            claimed.add(milestone.pk)
            tab_plan.links.append(self._link(milestone, row, layout, write_id=False))

        # Rows without an ID: the quarter's milestone of that title not on another row, else
        # a new milestone. Matching by title first means a row retyped or pasted without its
        # ID finds its milestone instead of making a second one.
        in_quarter = context.in_quarter.get(team.pk, [])
        by_title: dict[str, list[Milestone]] = defaultdict(list)
        for milestone in in_quarter:
            by_title[_title_key(milestone.title)].append(milestone)
        for row in without_id:
            row_title = row.values.get("title", "")
            candidates = [m for m in by_title.get(_title_key(row_title), []) if m.pk not in claimed]
            if row_title and candidates:
                claimed.add(candidates[0].pk)
                tab_plan.links.append(self._link(candidates[0], row, layout, write_id=True))
                continue
            new = self._new_milestone(team, context.quarter, row)
            if new is None:
                say(
                    "warning",
                    f"Row {row.number} is not in the app yet: a new milestone needs a title "
                    "and a target date the app can read.",
                    row=row.number,
                )
                continue
            tab_plan.new_rows.append(NewRow(row=row, milestone=new))

        # Milestones of the quarter without a row: added at the bottom, restored when they
        # had one (rows are never deleted by the sheet: SPEC section 4).
        for milestone in in_quarter:
            if milestone.pk in claimed:
                continue
            restored = _has_state(milestone)
            tab_plan.appends.append(Append(milestone=milestone, restored=restored))
            if restored:
                say(
                    "warning",
                    f"The row of {milestone.title!r} (ID {milestone.pk}) was deleted from the "
                    "sheet: it is written back. Drop the milestone in the app to retire it.",
                    row=milestone.sync_state.row,
                )
        _number_appends(tab_plan)
        self._describe(tab_plan, plan, context)
        return tab_plan

    def _check_row(self, row: parse.SheetRow, layout: parse.Layout, context: _Context) -> None:
        """Rules of Milestone.clean that a readable cell can still break, checked here so that
        the cell is reported and the rest of the row syncs."""
        milestone = context.milestones.get(row.id) if row.id else None
        quarter = milestone.quarter if milestone else context.quarter

        def bad(name: str, reason: str) -> None:
            row.values.pop(name, None)
            row.errors.append(
                parse.BadCell(layout.columns[name], name, row.texts.get(name, ""), reason)
            )

        if "title" in row.values:
            title = row.values["title"]
            max_length = Milestone._meta.get_field("title").max_length
            if not title:
                bad("title", "The title is empty: a milestone needs one.")
            elif len(title) > max_length:
                bad("title", f"The title is longer than {max_length} characters.")
        if "target_date" in row.values:
            target = row.values["target_date"]
            low, high = quarter.start - SANE_MARGIN, quarter.end + SANE_MARGIN
            if target is None:
                bad("target_date", "The target date is empty: a milestone needs one.")
            elif not low <= target <= high:
                bad("target_date", f"{target:%b %-d, %Y} is too far from {quarter}.")

    def _link(
        self, milestone: Milestone, row: parse.SheetRow, layout: parse.Layout, *, write_id: bool
    ) -> Link:
        state = milestone.sync_state if _has_state(milestone) else None
        base = values_from_json(state.values) if state else {}
        sheet = {name: row.values[name] for name in layout.fields if name in row.values}
        return Link(
            milestone=milestone,
            row=row,
            merge=merge.merge_milestone(base=base, app=app_values(milestone), sheet=sheet),
            state=state,
            write_id=write_id or row.id != milestone.pk,
        )

    def _new_milestone(self, team: Team, quarter: Quarter, row: parse.SheetRow) -> Milestone | None:
        title, target = row.values.get("title"), row.values.get("target_date")
        if not title or target is None:
            return None
        milestone = Milestone(
            team=team,
            quarter=quarter,
            title=title,
            owner_id=row.values.get("owner"),
            # Adopting a row, its date is the promise as well as the forecast.
            committed_date=target,
            target_date=target,
            status=row.values.get("status", Milestone.Status.PLANNED),
            notes=row.values.get("notes", ""),
        )
        milestone.follow_status(delivered_on=min(target, self.today))
        return milestone

    def _describe(self, tab_plan: TabPlan, plan: Plan, context: _Context) -> None:
        """The tab's conflicts, superseded conflicts and its changes in words."""
        team, layout, names = tab_plan.team, tab_plan.layout, context.names
        for link in tab_plan.links:
            m, result, where = link.milestone, link.merge, f"{team.name} row {link.row.number}"
            conflicting = {c.field for c in result.conflicts}
            for name, value in result.pull.items():
                plan.changes.append(
                    f"{where}: {m.title!r} {parse.HEADERS[name]} from the sheet: "
                    f"{_show(name, value, names)}"
                )
                # A later edit in the sheet answers the question the conflict asked.
                if (m.pk, name) in context.open_conflicts:
                    plan.superseded.append(context.open_conflicts[(m.pk, name)])
            for name, value in result.push.items():
                if name not in conflicting:
                    plan.changes.append(
                        f"{where}: {m.title!r} {parse.HEADERS[name]} to the sheet: "
                        f"{_show(name, value, names)}"
                    )
            for conflict in result.conflicts:
                plan.conflicts.append(
                    PlannedConflict(
                        milestone=m,
                        field=conflict.field,
                        sheet_value=conflict.sheet,
                        sheet_text=link.row.texts.get(conflict.field, ""),
                        app_value=conflict.app,
                        base_value=None if conflict.base is merge.MISSING else conflict.base,
                        has_base=conflict.base is not merge.MISSING,
                        tab=tab_plan.title,
                        row=link.row.number,
                        column=a1.column_letters(layout.columns[conflict.field]),
                    )
                )
                plan.changes.append(
                    f"{where}: {m.title!r} {parse.HEADERS[conflict.field]} conflict: the sheet "
                    f"says {_show(conflict.field, conflict.sheet, names)}, the app "
                    f"{_show(conflict.field, conflict.app, names)}; the app's value stays"
                )
                if (m.pk, conflict.field) in context.open_conflicts:
                    plan.superseded.append(context.open_conflicts[(m.pk, conflict.field)])
            if link.write_id and not result.pull and not result.push:
                plan.changes.append(f"{where}: {m.title!r} linked to ID {m.pk}")
        for new in tab_plan.new_rows:
            plan.changes.append(
                f"{team.name} row {new.row.number}: new milestone {new.milestone.title!r}"
            )
        for append in tab_plan.appends:
            verb = "restored" if append.restored else "added"
            plan.changes.append(
                f"{team.name} row {append.row_number}: {append.milestone.title!r} "
                f"(ID {append.milestone.pk}) {verb} to the sheet"
            )

    def _recover_conflicts(
        self, plan: Plan, recovered: list[dict[str, Any]], context: _Context
    ) -> None:
        """The conflicts of interrupted runs: their sheet values were overwritten, and the
        records never committed. Recorded unless this run met the same conflict itself, the
        app already has the sheet's value, or an open record already keeps it."""
        planned = {(c.milestone.pk, c.field) for c in plan.conflicts}
        milestones = context.milestones
        missing = {entry["milestone"] for entry in recovered} - set(milestones)
        if missing:
            milestones.update(Milestone.objects.select_related("team").in_bulk(missing))
        for entry in recovered:
            key = (entry["milestone"], entry["field"])
            milestone = milestones.get(entry["milestone"])
            if milestone is None or key in planned:
                continue
            sheet_value = from_json(entry["field"], entry["sheet_value"])
            if app_values(milestone)[entry["field"]] == sheet_value:
                continue
            existing = context.open_conflicts.get(key)
            if existing is not None and existing.sheet_value == entry["sheet_value"]:
                continue
            if existing is not None:
                plan.superseded.append(existing)
            planned.add(key)
            plan.conflicts.append(
                PlannedConflict(
                    milestone=milestone,
                    field=entry["field"],
                    sheet_value=sheet_value,
                    sheet_text=entry["sheet_text"],
                    app_value=from_json(entry["field"], entry["app_value"]),
                    base_value=from_json(entry["field"], entry["base_value"]),
                    has_base=entry["has_base"],
                    tab=entry["tab"],
                    row=entry["row"],
                    column=entry["column"],
                )
            )
            plan.messages.append(
                Message(
                    "warning",
                    f"The conflict on {parse.HEADERS[entry['field']]} of {milestone.title!r} "
                    "met by an interrupted run is recorded.",
                    team=milestone.team.name,
                    tab=entry["tab"],
                    row=entry["row"],
                    column=entry["column"],
                )
            )

    # -- committing

    def _commit(self, plan: Plan, spreadsheet, run: SyncRun) -> SyncResult:
        journal = _journal(plan)
        if journal:
            # Committed before the sheet write, which may overwrite these sheet values.
            SyncRun.objects.filter(pk=run.pk).update(journal=journal)
        self._progress("Writing to the app and the sheet")
        with transaction.atomic():
            self._drop_stale(plan)
            now = timezone.now()
            counts = Counts()
            with history_source(Source.SYNC):
                self._save_tab_titles(plan)
                self._create_milestones(plan, counts)
                self._update_milestones(plan, counts)
                self._save_states(plan, now)
                self._save_conflicts(plan, run, now)
            if counts.created_in_app or counts.updated_in_app or counts.restored:
                bump_every_quarter()  # milestones.changes: the dashboard's cache key (issue 17)
            structure, cells = self._sheet_writes(plan, counts)
            result = self._result(plan, dry_run=False, counts=counts)
            if plan.consumed_journals:
                SyncRun.objects.filter(pk__in=plan.consumed_journals).update(journal={})
            # The sheet last: when Google fails, everything above rolls back.
            if structure:
                spreadsheet.batch_update({"requests": structure})
            if cells:
                spreadsheet.values_batch_update({"valueInputOption": "USER_ENTERED", "data": cells})
            result.requests = self.requests
            outcome = {
                **asdict(counts),
                "status": result.status,
                "finished_at": timezone.now(),
                "progress_label": "Finished",
                "progress_done": len(plan.tabs),
                "progress_total": len(plan.tabs),
                "teams": [asdict(report) for report in result.teams],
                "messages": [asdict(message) for message in result.messages],
                "journal": {},
                "requests": self.requests,
            }
            SyncRun.objects.filter(pk=run.pk).update(**outcome)
        for name, value in outcome.items():
            setattr(run, name, value)
        result.run = run
        return result

    def _drop_stale(self, plan: Plan) -> None:
        """Leave to the next run every milestone saved in the app since it was planned: its
        row is neither written nor merged, so the edit is never overwritten."""
        planned = plan.touched()
        if not planned:
            return
        current = dict(
            Milestone.objects.select_for_update()
            .filter(pk__in=list(planned))
            .values_list("pk", "version")
        )
        stale = {pk for pk, version in planned.items() if current.get(pk) != version}
        if not stale:
            return
        for tab in plan.tabs:
            for link in [link for link in tab.links if link.milestone.pk in stale]:
                tab.links.remove(link)
                plan.messages.append(
                    Message(
                        "info",
                        f"{link.milestone.title!r} was saved in the app during the sync: it is "
                        "left for the next run.",
                        team=tab.team.name,
                        tab=tab.title,
                        row=link.row.number,
                    )
                )
            tab.appends = [a for a in tab.appends if a.milestone.pk not in stale]
            _number_appends(tab)
        plan.conflicts = [c for c in plan.conflicts if c.milestone.pk not in stale]
        plan.superseded = [c for c in plan.superseded if c.milestone_id not in stale]

    def _save_tab_titles(self, plan: Plan) -> None:
        for team_pk, title in plan.tab_titles.items():
            Team.objects.filter(pk=team_pk).update(sheet_tab_title=title)

    def _create_milestones(self, plan: Plan, counts: Counts) -> None:
        new = [(tab, row) for tab in plan.tabs for row in tab.new_rows]
        if not new:
            return
        last = dict(
            Milestone.objects.filter(team__in={tab.team.pk for tab, _ in new}, quarter=plan.quarter)
            .order_by()
            .values_list("team")
            .annotate(last=Max("position"))
        )
        objects = []
        for tab, row in new:
            last[tab.team.pk] = last.get(tab.team.pk, -1) + 1
            row.milestone.position = last[tab.team.pk]
            objects.append(row.milestone)
        created = bulk_create_with_history(
            objects, Milestone, custom_historical_attrs={"source": Source.SYNC}
        )
        for (_, row), milestone in zip(new, created, strict=True):
            row.milestone = milestone
        counts.created_in_app = len(created)

    def _update_milestones(self, plan: Plan, counts: Counts) -> None:
        changed: list[Milestone] = []
        fields: set[str] = {"version", "updated_at"}
        now = timezone.now()
        for tab in plan.tabs:
            for link in tab.links:
                if not link.merge.pull:
                    continue
                milestone = link.milestone
                for name, value in link.merge.pull.items():
                    setattr(milestone, "owner_id" if name == "owner" else name, value)
                    fields.add(name)
                if "status" in link.merge.pull:
                    had_base = link.state is not None and "status" in link.state.values
                    self._status_follow_ups(milestone, had_base=had_base)
                    fields.update({"delivered_date", "excused"})
                milestone.version += 1
                milestone.updated_at = now
                changed.append(milestone)
        if changed:
            _update_rows(Milestone, changed, sorted(fields))
            Milestone.history.bulk_history_create(
                changed, update=True, custom_historical_attrs={"source": Source.SYNC}
            )
        counts.updated_in_app = len(changed)

    def _status_follow_ups(self, milestone: Milestone, *, had_base: bool) -> None:
        """A milestone the sheet marks done was delivered since the last sync, so today; a row
        new to the sync, on its target date if that has passed."""
        milestone.follow_status(
            delivered_on=self.today if had_base else min(milestone.target_date, self.today)
        )

    def _save_states(self, plan: Plan, now: datetime.datetime) -> None:
        """The next run's base: only the states that change are written."""
        create: list[SyncState] = []
        update: list[SyncState] = []

        def stage(milestone, state, tab, row, values) -> None:
            if state is None:
                create.append(
                    SyncState(milestone=milestone, tab=tab, row=row, values=values, synced_at=now)
                )
            elif (state.tab, state.row, state.values) != (tab, row, values):
                state.tab, state.row, state.values, state.synced_at = tab, row, values, now
                update.append(state)

        for tab in plan.tabs:
            fields = tab.layout.fields
            for link in tab.links:
                base = {
                    **(link.state.values if link.state else {}),
                    **values_to_json(link.merge.base),
                }
                stage(link.milestone, link.state, tab.title, link.row.number, base)
            for new in tab.new_rows:
                values = app_values(new.milestone)
                base = values_to_json({n: values[n] for n in fields if n in new.row.values})
                stage(new.milestone, None, tab.title, new.row.number, base)
            for append in tab.appends:
                values = app_values(append.milestone)
                state = append.milestone.sync_state if append.restored else None
                base = {
                    **(state.values if state else {}),
                    **values_to_json({n: values[n] for n in fields}),
                }
                stage(append.milestone, state, tab.title, append.row_number, base)
        if create:
            SyncState.objects.bulk_create(create)
        if update:
            _update_rows(SyncState, update, ["tab", "row", "values", "synced_at"])

    def _save_conflicts(self, plan: Plan, run: SyncRun, now: datetime.datetime) -> None:
        if plan.superseded:
            SyncConflict.objects.filter(
                pk__in=[c.pk for c in plan.superseded], status=SyncConflict.Status.OPEN
            ).update(status=SyncConflict.Status.SUPERSEDED, resolved_at=now)
        if plan.conflicts:
            SyncConflict.objects.bulk_create(
                SyncConflict(
                    milestone=c.milestone,
                    field=c.field,
                    sheet_value=to_json(c.field, c.sheet_value),
                    sheet_text=c.sheet_text,
                    app_value=to_json(c.field, c.app_value),
                    base_value=to_json(c.field, c.base_value) if c.has_base else None,
                    has_base=c.has_base,
                    tab=c.tab,
                    row=c.row,
                    column=c.column,
                    run=run,
                    detected_at=now,
                )
                for c in plan.conflicts
            )

    def _sheet_writes(self, plan: Plan, counts: Counts) -> tuple[list[dict], list[dict]]:
        """The structural requests (new tabs, more rows or columns) and the cells to write."""
        structure: list[dict] = []
        cells: dict[str, dict[tuple[int, int], Any]] = {}
        for tab in plan.tabs:
            if tab.skipped:
                continue
            writes = _tab_writes(tab, counts)
            if not writes and not tab.create:
                continue
            rows_needed = max(row for row, _ in writes) + 1
            columns_needed = max(column for _, column in writes) + 1
            if tab.create:
                structure.append(
                    {
                        "addSheet": {
                            "properties": {
                                "title": tab.title,
                                "gridProperties": {
                                    "rowCount": max(DEFAULT_ROWS, rows_needed),
                                    "columnCount": max(DEFAULT_COLUMNS, columns_needed),
                                    "frozenRowCount": 1,
                                },
                            }
                        }
                    }
                )
            else:
                # Google refuses values beyond the grid: grow it first, in the same request.
                for dimension, needed, have in (
                    ("ROWS", rows_needed, tab.data.row_count),
                    ("COLUMNS", columns_needed, tab.data.column_count),
                ):
                    if needed > have:
                        structure.append(
                            {
                                "appendDimension": {
                                    "sheetId": tab.data.sheet_id,
                                    "dimension": dimension,
                                    "length": needed - have,
                                }
                            }
                        )
            cells[tab.title] = writes
        counts.conflicts = len(plan.conflicts)
        return structure, _value_ranges(cells)

    # -- results

    def _planned_counts(self, plan: Plan) -> Counts:
        return Counts(
            created_in_app=sum(len(t.new_rows) for t in plan.tabs),
            updated_in_app=sum(1 for t in plan.tabs for link in t.links if link.merge.pull),
            created_in_sheet=sum(len(t.appends) for t in plan.tabs),
            updated_in_sheet=sum(1 for t in plan.tabs for link in t.links if link.merge.push),
            restored=sum(1 for t in plan.tabs for a in t.appends if a.restored),
            conflicts=len(plan.conflicts),
        )

    def _result(self, plan: Plan, *, dry_run: bool, counts: Counts) -> SyncResult:
        counts.errors = sum(1 for m in plan.messages if m.level == "error")
        conflicts_by_team: dict[int, int] = defaultdict(int)
        for conflict in plan.conflicts:
            conflicts_by_team[conflict.milestone.team_id] += 1
        status = SyncRun.Status.PARTIAL if counts.errors or counts.conflicts else SyncRun.Status.OK
        return SyncResult(
            status=status,
            dry_run=dry_run,
            counts=counts,
            teams=[tab.report(conflicts_by_team[tab.team.pk]) for tab in plan.tabs],
            messages=plan.messages,
            changes=plan.changes,
            requests=self.requests,
        )


# --- Helpers ----------------------------------------------------------------------------------


@dataclass
class _Context:
    """What every tab's plan reads."""

    quarter: Quarter
    milestones: dict[int, Milestone]
    orphans: set[tuple[str, str]]
    open_conflicts: dict[tuple[int, str], SyncConflict]
    names: dict[int, str]
    # Each team's milestones of the quarter, in table order.
    in_quarter: dict[int, list[Milestone]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for milestone in sorted(self.milestones.values(), key=lambda m: (m.position, m.pk)):
            if milestone.quarter_id == self.quarter.pk:
                self.in_quarter.setdefault(milestone.team_id, []).append(milestone)


def _journal(plan: Plan) -> dict[str, Any]:
    adopted = [
        [tab.title.casefold(), _title_key(new.milestone.title)]
        for tab in plan.tabs
        for new in tab.new_rows
    ]
    conflicts = [conflict.journal() for conflict in plan.conflicts]
    if not adopted and not conflicts:
        return {}
    return {"adopted": adopted, "conflicts": conflicts}


def _update_rows(model, objects: Sequence[Any], fields: Sequence[str]) -> None:
    """UPDATE each object's `fields`, in one executemany.

    What `QuerySet.bulk_update` does, without the CASE expression per row and field that
    makes it cost a second per thousand rows; values are prepared by the fields themselves,
    so it holds on SQLite and PostgreSQL alike."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _number_appends(tab: TabPlan) -> None:
    for offset, append in enumerate(tab.appends):
        append.row_number = tab.next_row + offset


def _tab_writes(tab: TabPlan, counts: Counts) -> dict[tuple[int, int], Any]:
    """A tab's cells to write, (row, column) zero-based -> value; only mapped cells."""
    columns = tab.layout.columns
    writes: dict[tuple[int, int], Any] = {(0, column): text for column, text in tab.header.items()}
    for link in tab.links:
        if link.merge.push:
            counts.updated_in_sheet += 1
        for name in link.merge.push:
            writes[(link.row.number - 1, columns[name])] = _cell(name, link.milestone)
        if link.write_id:
            writes[(link.row.number - 1, columns[parse.ID])] = link.milestone.pk
    for new in tab.new_rows:
        writes[(new.row.number - 1, columns[parse.ID])] = new.milestone.pk
    for append in tab.appends:
        writes[(append.row_number - 1, columns[parse.ID])] = append.milestone.pk
        for name in tab.layout.fields:
            value = _cell(name, append.milestone)
            if value != "":
                writes[(append.row_number - 1, columns[name])] = value
        counts.created_in_sheet += 1
        counts.restored += append.restored
    return writes


def _tab_key(title: str) -> str:
    key = " ".join(title.split()).casefold()
    return key.removesuffix(" team").strip()


def _title_key(title: str) -> str:
    return " ".join(str(title).split()).casefold()


def _has_state(milestone: Milestone) -> bool:
    try:
        return milestone.sync_state is not None
    except SyncState.DoesNotExist:
        return False


def _cell(name: str, milestone: Milestone) -> Any:
    """The value the app writes for a field (USER_ENTERED: dates stay dates)."""
    if name == "title":
        return parse.format_text(_norm_text(milestone.title))
    if name == "owner":
        return parse.format_text(milestone.owner.name) if milestone.owner_id else ""
    if name == "target_date":
        return parse.format_date(milestone.target_date)
    if name == "status":
        return parse.format_status(milestone.status)
    if name == "notes":
        return parse.format_text(_norm_text(milestone.notes))
    raise ValueError(f"Not a field of the sheet: {name}")


def _show(name: str, value: Any, names: Mapping[int, str]) -> str:
    if value is None or value == "":
        return "(empty)"
    if name == "owner":
        return names.get(value, f"user {value}")
    if name == "target_date":
        return f"{value:%b %-d, %Y}"
    if name == "status":
        return Milestone.Status(value).label
    return repr(value)


def _value_ranges(cells: Mapping[str, Mapping[tuple[int, int], Any]]) -> list[dict[str, Any]]:
    """The cells as ValueRanges: one per run of adjacent cells in a row, so no cell between
    two written cells (an unmapped column) is ever part of a range."""
    ranges = []
    for title, writes in cells.items():
        by_row: dict[int, list[int]] = defaultdict(list)
        for row, column in writes:
            by_row[row].append(column)
        for row in sorted(by_row):
            runs: list[list[int]] = []
            for column in sorted(by_row[row]):
                if runs and column == runs[-1][-1] + 1:
                    runs[-1].append(column)
                else:
                    runs.append([column])
            for run in runs:
                ranges.append(
                    {
                        "range": a1.format_range(title, row, run[0], row + 1, run[-1] + 1),
                        "values": [[writes[(row, column)] for column in run]],
                    }
                )
    return ranges


def display_value(name: str, value: Any, users: Mapping[int, Any] | None = None) -> str:
    """A field's JSON value for people (the conflicts page)."""
    value = from_json(name, value)
    if name == "owner" and value is not None:
        user = (users or {}).get(value)
        return user.name if user else f"user {value}"
    return _show(name, value, {})
