"""The adoption preview (issue 14 item 6): what the next sync would do to each tab, unwritten.

Before a sync first writes to a tab (an ID column, IDs, rows), leadership sees per tab the
rows that will be adopted as new milestones, the rows matched to existing milestones by their
title, and the rows refused with the reason. It is the sync's own read, match and plan stages
(`read.read_tabs`, `plan.build_plan`, which is pure): nothing is locked, recorded or written on
either side, so what the page shows is what a run would do if nobody edits in between.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sheets import a1, parse
from sheets.archive import ArchivePlan, plan_archive
from sheets.client import open_spreadsheet
from sheets.fields import describe_value
from sheets.journal import Takeover
from sheets.models import SyncState, TabLink
from sheets.plan import SyncPlan, TabPlan, build_plan
from sheets.read import read_tabs
from sheets.report import SyncMessage
from teams.models import Team


@dataclass(frozen=True)
class PreviewRow:
    number: int  # the sheet's row number
    title: str
    detail: str


@dataclass(frozen=True)
class TabPreview:
    team: str
    slug: str
    tab: str
    first_sync: bool  # the sync never wrote to this team's tab
    create: bool  # the tab is missing: the sync creates it with the team's rows
    skipped: str  # why the sync cannot read the tab ("" when it can)
    id_column: str  # the column an ID column is added in ("" when the tab has one)
    adopted: tuple[PreviewRow, ...]
    matched: tuple[PreviewRow, ...]
    refused: tuple[PreviewRow, ...]
    appended: tuple[PreviewRow, ...]  # the team's milestones the tab lacks: added as rows
    linked: int  # rows already carrying their milestone's ID
    # Rows of a closed quarter: moved to its archive tab, or staying, with why (`archive`).
    archived: tuple[PreviewRow, ...] = ()

    @property
    def quiet(self) -> bool:
        return not (self.adopted or self.matched or self.refused or self.appended or self.archived)


def preview_sync(*, today: datetime.date) -> list[TabPreview]:
    """Each active team's tab as the next full sync would treat it, its closed quarters' rows
    moved to their archive tabs included. Two Sheets requests, no write anywhere. Raises
    `client.SheetUnavailable`, `plan.SyncRefused`."""
    teams = list(Team.objects.filter(active=True).order_by("name"))
    tabs = read_tabs(open_spreadsheet())
    plan = build_plan(
        teams=teams,
        tabs=tabs,
        today=today,
        takeover=Takeover(),
        all_teams=True,
        progress=lambda *_: None,
    )
    # Synced before: linked to its tab, or (synced before tabs were linked) with synced rows.
    linked = set(TabLink.objects.filter(team__in=teams).values_list("team", flat=True))
    linked |= set(
        SyncState.objects.filter(milestone__team__in=teams)
        .values_list("milestone__team", flat=True)
        .distinct()
    )
    archive = plan_archive(plan, tabs)
    return [
        _tab_preview(tab, plan, archive, first_sync=tab.team.pk not in linked) for tab in plan.tabs
    ]


def _tab_preview(
    tab: TabPlan, plan: SyncPlan, archive: ArchivePlan, *, first_sync: bool
) -> TabPreview:
    team = tab.team
    said = [m for m in plan.messages if m.team == team.name]
    skipped = next((m.text for m in said if m.level == "error" and m.row == 1), "")
    id_column = ""
    if tab.data is not None and tab.layout.id_column in tab.header:
        id_column = a1.column_letters(tab.layout.id_column)
    return TabPreview(
        team=team.name,
        slug=team.slug,
        tab=tab.title,
        first_sync=first_sync,
        create=tab.create,
        skipped=skipped if tab.skipped else "",
        id_column=id_column,
        adopted=tuple(
            PreviewRow(new.row.number, new.milestone.title, _described(new.milestone))
            for new in tab.new_rows
        ),
        matched=tuple(
            PreviewRow(
                link.row.number,
                link.row.values.get("title", ""),
                _matched(link.milestone, [c.field for c in link.merge.conflicts]),
            )
            for link in tab.links
            if link.write_id
        ),
        refused=_refused(tab, said),
        appended=tuple(
            PreviewRow(append.row_number, append.milestone.title, f"ID {append.milestone.pk}")
            for append in tab.appends
        ),
        linked=sum(1 for link in tab.links if not link.write_id),
        archived=_archived(team, archive),
    )


def _archived(team: Team, archive: ArchivePlan) -> tuple[PreviewRow, ...]:
    """The team's rows of closed quarters: where each goes, or why it stays (the move's own
    warning), by row."""
    found = [
        PreviewRow(
            row.row_number,
            row.milestone.title,
            f"to {archive_tab.title}"
            if row.archive_row is not None
            else f"already in {archive_tab.title}: removed from the tab",
        )
        for archive_tab in archive.tabs
        for row in archive_tab.rows
        if row.team_pk == team.pk
    ]
    found.extend(
        PreviewRow(message.row, "", f"stays: {message.text}")
        for message in archive.messages
        if message.level == "warning" and message.team == team.name and message.row
    )
    return tuple(sorted(found, key=lambda row: row.number))


def _described(milestone) -> str:
    target = describe_value("target_date", milestone.target_date, {})
    return f"target {target}, {milestone.get_status_display()}"


def _matched(milestone, conflicts: Sequence[str]) -> str:
    text = f"milestone {milestone.title!r} (ID {milestone.pk}): its ID is written into the row"
    if conflicts:
        fields = ", ".join(parse.HEADERS[name] for name in conflicts)
        text += f"; {fields} differ, kept as conflicts (the app's value stays)"
    return text


def _refused(tab: TabPlan, said: Sequence[SyncMessage]) -> tuple[PreviewRow, ...]:
    """Rows with an error or a warning, one entry per row, its reasons joined."""
    reasons: dict[int, list[str]] = defaultdict(list)
    # A restored row's message names where its deleted row was: not a row refused.
    restored = {a.milestone.sync_state.row for a in tab.appends if a.restored}
    for message in said:
        if message.row in restored:
            continue
        if message.level in ("error", "warning") and message.row and message.row > 1:
            where = f"{message.column}{message.row}: " if message.column else ""
            reasons[message.row].append(where + message.text)
    title_column = tab.layout.columns.get("title")
    values = tab.data.values if tab.data is not None else []
    rows = []
    for number, texts in sorted(reasons.items()):
        cells = values[number - 1] if number - 1 < len(values) else []
        rows.append(PreviewRow(number, parse.cell(cells, title_column), " ".join(texts)))
    return tuple(rows)
