"""The sync's plan stage: from what was read to the `SyncPlan`, without writing anything.

`build_plan` reads what the app has (the quarter, the teams' members, milestones and open
conflicts) once for every tab, then for each team: parses its tab and checks the rows with the
milestone model's validation (`parse`), links rows to milestones (`match`), merges each link
three ways (`merge`), and turns the rest into new milestones (rows the app does not have) and
appended rows (milestones the tab lacks). The plan says what changes in the app, what is
written to the sheet, the conflicts to record and the run's messages and changes in words
(`report`); `commit` and `write` carry it out."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from milestones.models import Milestone, Quarter
from milestones.quarters import current_quarter
from sheets import a1, merge, parse
from sheets.app_side import AppSide, build_app_side, sync_members
from sheets.fields import app_values, to_json, values_from_json
from sheets.held import (
    already_open,
    describe_held,
    hold_link,
    report_closed_quarters,
    report_held_appends,
    rows_that_can_get_ids,
    why_held,
)
from sheets.journal import JournalConflict, Takeover
from sheets.mapping import overrides_for
from sheets.match import has_sync_state, match_rows, match_tabs, stored_links
from sheets.models import SyncConflict, SyncState
from sheets.read import TabData
from sheets.report import Progress, SyncMessage, describe_tab
from teams.models import Team


class SyncRefused(Exception):
    """The run cannot start for a reason of the app's (no quarter, an unknown team)."""


# --- The plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedRow:
    """A sheet row, the milestone it stands for, and their merge."""

    milestone: Milestone
    row: parse.SheetRow
    merge: merge.MilestoneMerge
    state: SyncState | None  # the last sync's, None when the milestone was never synced
    write_id: bool  # the row's ID cell is written (a row adopted by its title)


@dataclass(frozen=True)
class NewRow:
    """A sheet row without a milestone: it becomes one."""

    row: parse.SheetRow
    milestone: Milestone  # unsaved until the commit


@dataclass(frozen=True)
class AppendedRow:
    """A milestone of the app without a row in the tab: its row is added at the bottom."""

    milestone: Milestone
    restored: bool  # it had a row, deleted from the sheet since
    row_number: int


@dataclass(frozen=True)
class TabPlan:
    team: Team
    title: str
    data: TabData | None  # None: the tab is created
    layout: parse.Layout
    header: Mapping[int, str] = field(default_factory=dict)  # row-1 cells to write
    links: tuple[LinkedRow, ...] = ()
    new_rows: tuple[NewRow, ...] = ()
    appends: tuple[AppendedRow, ...] = ()
    next_row: int = 2  # the first row after the tab's table
    errors: int = 0
    skipped: bool = False  # a tab the app cannot read: nothing is written to it
    new_sheet_id: int | None = None  # the sheetId of a tab the plan creates

    @property
    def create(self) -> bool:
        return self.data is None

    @property
    def sheet_id(self) -> int | None:
        return self.data.sheet_id if self.data is not None else self.new_sheet_id


@dataclass(frozen=True)
class PlannedConflict:
    """A field both sides changed differently: the app's value stays, the sheet's is kept."""

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


@dataclass(frozen=True)
class SyncPlan:
    quarter: Quarter
    tabs: tuple[TabPlan, ...] = ()
    conflicts: tuple[PlannedConflict, ...] = ()
    superseded: tuple[SyncConflict, ...] = ()  # open conflicts a later edit answered
    tab_titles: Mapping[int, str] = field(default_factory=dict)  # team pk -> title to store
    # team pk -> sheetId to store (with the tab's title): tabs new or moved since the last run
    tab_links: Mapping[int, int] = field(default_factory=dict)
    messages: tuple[SyncMessage, ...] = ()
    changes: tuple[str, ...] = ()  # what the run does, for people
    consumed_journals: tuple[int, ...] = ()  # runs whose journals this plan finishes
    archived: Mapping[int, int] = field(default_factory=dict)  # team pk -> rows archived

    def touched(self) -> dict[int, int]:
        """Existing milestones the commit writes to or writes rows of: pk -> planned version."""
        versions = {}
        for tab in self.tabs:
            for link in tab.links:
                versions[link.milestone.pk] = link.milestone.version
            for append in tab.appends:
                versions[append.milestone.pk] = append.milestone.version
        return versions


# --- Building it --------------------------------------------------------------------------


@dataclass
class _Notes:
    """What the tabs' plans add to the whole plan, in the order they say it."""

    messages: list[SyncMessage] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    conflicts: list[PlannedConflict] = field(default_factory=list)
    superseded: list[SyncConflict] = field(default_factory=list)


def build_plan(
    *,
    teams: Sequence[Team],
    tabs: Mapping[str, TabData],
    today: datetime.date,
    takeover: Takeover,
    all_teams: bool,
    progress: Progress,
) -> SyncPlan:
    """The plan of a run over `teams` from the `tabs` read. `takeover`: what the runs that did
    not finish left to this one. Reads the database, writes nothing. Raises SyncRefused."""
    quarter = Quarter.objects.containing(today).first() or current_quarter(today)
    if quarter is None:
        raise SyncRefused(
            "There is no quarter to adopt rows into: add the current quarter in the admin."
        )
    stored = stored_links(teams)
    tab_match = match_tabs(teams, tabs, all_teams=all_teams, links=stored.sheet_ids)
    overrides = overrides_for(teams)
    members = sync_members(teams)
    parsed = {
        team.pk: parse.parse_tab(
            data.title,
            data.values,
            members=members[team.pk],
            team_name=team.name,
            quarter_start=quarter.start,
            quarter_end=quarter.end,
            locale=data.locale,
            numbers=data.numbers,
            overrides=overrides.get(team.pk),
            hyperlinks=data.hyperlinks,
        )
        for team in teams
        if (data := tab_match.tabs.get(team.pk)) is not None
    }
    taken = {data.sheet_id for data in tabs.values() if data.sheet_id is not None}
    ids = {row.id for tab in parsed.values() for row in tab.rows if row.id is not None}
    app = build_app_side(teams, quarter, ids, members)
    notes = _Notes(messages=list(tab_match.messages), changes=list(tab_match.changes))
    tab_plans = []
    for index, team in enumerate(teams):
        progress(f"Merging {team.name}", index, len(teams))
        tab_plans.append(
            _plan_tab(
                team,
                tab_match.tabs.get(team.pk),
                parsed.get(team.pk),
                app=app,
                orphans=takeover.orphans,
                today=today,
                notes=notes,
                new_sheet_id=None if team.pk in tab_match.tabs else new_sheet_id(team, taken),
            )
        )
    _recover_conflicts(takeover.conflicts, app=app, notes=notes)
    progress("Merged", len(teams), len(teams))
    return SyncPlan(
        quarter=quarter,
        tabs=tuple(tab_plans),
        conflicts=tuple(notes.conflicts),
        superseded=tuple(notes.superseded),
        tab_titles=tab_match.titles_to_store,
        tab_links={
            tab.team.pk: tab.sheet_id
            for tab in tab_plans
            if tab.sheet_id is not None and not tab.skipped and stored.moved(tab)
        },
        messages=tuple(notes.messages),
        changes=tuple(notes.changes),
        consumed_journals=takeover.runs,
    )


def new_sheet_id(team: Team, taken: set[int]) -> int:
    """A sheetId for a tab the sync creates: one of the team's own, not taken by another tab
    (`taken` grows by it), so the tab is followed from the request that creates it."""
    candidate = 1_000_000 + team.pk
    while candidate in taken:
        candidate += 1_000_003
    taken.add(candidate)
    return candidate


def _plan_tab(
    team: Team,
    data: TabData | None,
    parsed: parse.ParsedTab | None,
    *,
    app: AppSide,
    orphans: frozenset[tuple[str, str]],
    today: datetime.date,
    notes: _Notes,
    new_sheet_id: int | None = None,
) -> TabPlan:
    title = data.title if data else team.tab_title
    errors = 0

    def say(level: str, text: str, **where: Any) -> None:
        note(SyncMessage(level, text, team=team.name, tab=title, **where))

    def note(message: SyncMessage) -> None:
        nonlocal errors
        notes.messages.append(message)
        errors += message.level == "error"

    layout = parse.new_tab_layout()
    header: dict[int, str] = {}
    rows: list[parse.SheetRow] = []
    refused: set[str] = set()
    next_row = 2
    if data is None or parsed is None or not data.values:
        # No tab, or an empty one: the app writes the header and every row.
        if data is None:
            say("warning", f"{team.name} had no tab in the sheet: tab {title!r} is created.")
            notes.changes.append(f"{team.name}: create tab {title!r}")
        header = {index: parse.HEADERS[name] for name, index in layout.columns.items()}
    else:
        layout = parsed.layout
        for index, text, why in layout.ignored:
            column = a1.column_letters(index)
            say("warning", f"Column {column} ({text!r}) is ignored: {why}.", row=1, column=column)
        if "title" not in layout.columns:
            say(
                "error",
                "The tab has no Milestone (or Title) column in row 1: skipped. Map its "
                "columns on the Sync page (Map columns), or rename the header.",
                row=1,
            )
            return TabPlan(team, title, data, layout, errors=errors, skipped=True)
        if layout.id_column is None:
            layout = layout.with_id_column()
            if why := why_held(data, 1, layout.id_column):
                cell = describe_held(data, 1, layout.id_column, why)
                say(
                    "error",
                    f"The tab needs an ID column, but {cell}: skipped. Add an ID "
                    "column header the sync may write, or unprotect the cell.",
                    row=1,
                )
                return TabPlan(team, title, data, layout, errors=errors, skipped=True)
            header[layout.id_column] = parse.HEADERS[parse.ID]
            notes.changes.append(
                f"{team.name}: add an ID column in {a1.column_letters(layout.id_column)}"
            )
        next_row = parsed.height + 1
        rows = [
            parse.check_row(row, layout, milestone=app.milestones.get(row.id), quarter=app.quarter)
            for row in parsed.rows
        ]
        rows, refused = rows_that_can_get_ids(rows, data, layout, say)

    in_quarter = app.in_quarter.get(team.pk, [])
    matched = match_rows(
        rows,
        team=team,
        tab_title=title,
        id_column=a1.column_letters(layout.id_column),
        milestones=app.milestones,
        in_quarter=in_quarter,
        orphans=orphans,
    )
    for row in rows:
        for error in row.errors:
            column = a1.column_letters(error.column)
            say("error", error.reason, row=row.number, column=column, value=error.value)
        if row.number in matched.problems:
            note(matched.problems[row.number])

    links = tuple(
        hold_link(
            _link(link.milestone, link.row, layout, link.write_id),
            data,
            layout,
            open_conflicts=app.open_conflicts,
            names=app.names,
            say=say,
        )
        for link in matched.links
    )
    report_closed_quarters(links, layout, say)
    new_rows = []
    for row in matched.unlinked:
        new = _new_milestone(team, app.quarter, row, today)
        if new is None:
            say(
                "warning",
                f"Row {row.number} is not in the app yet: a new milestone needs a title "
                "and a target date the app can read.",
                row=row.number,
            )
            continue
        new_rows.append(NewRow(row=row, milestone=new))

    # Milestones of the quarter without a row: added at the bottom, restored when they had
    # one (rows are never deleted by the sheet: SPEC section 4).
    appends = []
    for milestone in matched.rowless:
        if parse.parse_text(milestone.title).casefold() in refused:
            continue  # its row is there, refused above: not added again
        restored = has_sync_state(milestone)
        appends.append(AppendedRow(milestone, restored, row_number=next_row + len(appends)))
        if restored:
            say(
                "warning",
                f"The row of {milestone.title!r} (ID {milestone.pk}) was deleted from the "
                "sheet: it is written back. Drop the milestone in the app to retire it.",
                row=milestone.sync_state.row,
            )
    tab_plan = TabPlan(
        team=team,
        title=title,
        data=data,
        layout=layout,
        header=header,
        links=links,
        new_rows=tuple(new_rows),
        appends=tuple(appends),
        next_row=next_row,
        errors=errors,
        new_sheet_id=new_sheet_id,
    )
    report_held_appends(tab_plan, say)
    _conflicts(tab_plan, app, notes)
    notes.changes.extend(describe_tab(tab_plan, app.names))
    return tab_plan


def _link(
    milestone: Milestone, row: parse.SheetRow, layout: parse.Layout, write_id: bool
) -> LinkedRow:
    state = milestone.sync_state if has_sync_state(milestone) else None
    base = values_from_json(state.values) if state else {}
    sheet = {name: row.values[name] for name in layout.fields if name in row.values}
    merger = merge.merge_closed if milestone.quarter.is_closed else merge.merge_milestone
    return LinkedRow(
        milestone=milestone,
        row=row,
        merge=merger(base=base, app=app_values(milestone), sheet=sheet),
        state=state,
        write_id=write_id,
    )


def _new_milestone(
    team: Team, quarter: Quarter, row: parse.SheetRow, today: datetime.date
) -> Milestone | None:
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
        link=row.values.get("link", ""),
    )
    milestone.follow_status(delivered_on=min(target, today))
    return milestone


def _conflicts(tab: TabPlan, app: AppSide, notes: _Notes) -> None:
    """The tab's conflicts, and the open conflicts it answers: a later edit in the sheet (a
    pull) or a new conflict on the same field supersedes the open one."""
    for link in tab.links:
        m, result = link.milestone, link.merge
        for name in result.pull:
            if (m.pk, name) in app.open_conflicts:
                notes.superseded.append(app.open_conflicts[(m.pk, name)])
        for conflict in result.conflicts:
            notes.conflicts.append(
                PlannedConflict(
                    milestone=m,
                    field=conflict.field,
                    sheet_value=conflict.sheet,
                    sheet_text=link.row.texts.get(conflict.field, ""),
                    app_value=conflict.app,
                    base_value=None if conflict.base is merge.MISSING else conflict.base,
                    has_base=conflict.base is not merge.MISSING,
                    tab=tab.title,
                    row=link.row.number,
                    column=a1.column_letters(tab.layout.columns[conflict.field]),
                )
            )
            if already_open(app.open_conflicts, m, conflict.field, conflict.sheet):
                # A cell the sync may not write keeps meeting the same conflict: the open
                # record already keeps the sheet's value.
                notes.conflicts.pop()
                continue
            if (m.pk, conflict.field) in app.open_conflicts:
                notes.superseded.append(app.open_conflicts[(m.pk, conflict.field)])


def _recover_conflicts(
    recovered: Sequence[JournalConflict], *, app: AppSide, notes: _Notes
) -> None:
    """The conflicts of interrupted runs: their sheet values were overwritten, and the
    records never committed. Recorded unless this run met the same conflict itself, the app
    already has the sheet's value, or an open record already keeps it."""
    planned = {(c.milestone.pk, c.field) for c in notes.conflicts}
    milestones = dict(app.milestones)
    missing = {entry.milestone for entry in recovered} - set(milestones)
    if missing:
        milestones.update(Milestone.objects.select_related("team").in_bulk(missing))
    for entry in recovered:
        key = (entry.milestone, entry.field)
        milestone = milestones.get(entry.milestone)
        if milestone is None or key in planned:
            continue
        if app_values(milestone)[entry.field] == entry.sheet_value:
            continue
        existing = app.open_conflicts.get(key)
        if existing is not None and existing.sheet_value == to_json(entry.field, entry.sheet_value):
            continue
        if existing is not None:
            notes.superseded.append(existing)
        planned.add(key)
        notes.conflicts.append(
            PlannedConflict(
                milestone=milestone,
                field=entry.field,
                sheet_value=entry.sheet_value,
                sheet_text=entry.sheet_text,
                app_value=entry.app_value,
                base_value=entry.base_value,
                has_base=entry.has_base,
                tab=entry.tab,
                row=entry.row,
                column=entry.column,
            )
        )
        notes.messages.append(
            SyncMessage(
                "warning",
                f"The conflict on {parse.HEADERS[entry.field]} of {milestone.title!r} "
                "met by an interrupted run is recorded.",
                team=milestone.team.name,
                tab=entry.tab,
                row=entry.row,
                column=entry.column,
            )
        )
