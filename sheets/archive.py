"""The sheet at close (issue 15): a closed quarter's rows move from each team's tab to one
archive tab for that quarter, ``Archive 2026-Q3``, the way leadership archived by hand.

The run after a close (`run.sync_sheet`, every run checks) plans the move from what it read
(`plan_archive`) and makes it in one ``spreadsheets.batchUpdate`` sent after the run's other
writes (`archive_requests`, `send_archive`): one request more, whatever the number of teams
or rows, and only on a run that has rows to move. Google applies a batchUpdate whole or not
at all, so a row is never copied without leaving its tab, nor the other way round. In order:

1. ``addSheet`` of the archive tab, when it does not exist (with a frozen header row), else
   ``appendDimension`` when its grid is too small;
2. ``updateCells`` of the header cells the archive lacks (``Team``, ``ID``, ``Milestone``,
   ``Owner``, ``Target date``, ``Status``, ``Notes``, then each of the team tabs' own columns
   by its header: ``Jira``, ``Comments``), never one it has: a hand-made archive keeps its
   columns and order, and only gains the missing ones on its right;
3. per row moved, ``updateCells`` of its team's name in the Team column, and ``copyPaste``
   (``PASTE_NORMAL``) of its cells from the team tab, each to the archive column of the same
   field or header: values, number formats (a date stays a date, in any locale) and the
   cells' formats travel as they are, never retyped;
4. ``deleteDimension`` of the moved rows on each team tab, bottom-up (highest index first),
   so every index names the row read.

Google Sheets API v4 reference, ``CopyPasteRequest`` and ``DeleteDimensionRequest``:
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#copypasterequest
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#deletedimensionrequest

What never moves (`sheets.held`): a row with a formula in any cell (a copy would rewrite its
references, and a formula is never changed), a row that is part of merged cells, or a row in a
range the sync's account may not edit. It stays in its tab, and the run says why, per row:
move it by hand. Nothing else on a team tab changes: the rows of other quarters, the header,
the columns beside, and every other tab, save what Sheets does itself when rows are deleted
(a formula below moves up with its row; one naming a deleted cell reads ``#REF!``).

Idempotent: the archive is read with the rest of the sheet, and a row whose milestone is
already there (by its ID, or by team and title on a hand-made row without one) is not copied
again; it only leaves its team tab. A run that fails before the batchUpdate leaves everything
for the next run; one that fails after it finds the rows already moved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from milestones.models import Milestone, Quarter
from sheets import a1, client, parse, write
from sheets.match import archive_title, title_key
from sheets.read import TabData
from sheets.report import SyncMessage

TEAM = "Team"
# The archive's own columns, in the order a new archive lists them (as the hand-made one:
# the team first). A mapped-only field (the ticket link) travels as its tab's own column does,
# by its header ("Jira"): a new archive gains no column the team tabs did not ask for.
ARCHIVE_FIELDS = (parse.ID, *parse.NEW_TAB_FIELDS)


@dataclass(frozen=True)
class MovedRow:
    """A team tab's row of a closed quarter, and where it goes."""

    milestone: Milestone
    team_pk: int
    team_name: str
    tab: str
    sheet_id: int
    row_number: int  # 1-based, in the team tab as read
    # (first team column, last team column + 1, first archive column): one copyPaste each
    runs: tuple[tuple[int, int, int], ...] = ()
    archive_row: int | None = None  # 1-based; None: already in the archive, only removed


@dataclass(frozen=True)
class ArchiveTab:
    quarter: Quarter
    title: str
    sheet_id: int
    create: bool
    row_count: int
    column_count: int
    team_column: int
    header: Mapping[int, str] = field(default_factory=dict)  # header cells to write
    rows: tuple[MovedRow, ...] = ()


@dataclass(frozen=True)
class ArchivePlan:
    tabs: tuple[ArchiveTab, ...] = ()
    messages: tuple[SyncMessage, ...] = ()
    changes: tuple[str, ...] = ()
    moved: Mapping[int, int] = field(default_factory=dict)  # team pk -> rows moved

    def __bool__(self) -> bool:
        return any(tab.rows for tab in self.tabs)


def plan_archive(plan, tabs: Mapping[str, TabData]) -> ArchivePlan:
    """The move of the closed quarters' rows that `plan` (a `plan.SyncPlan`, its milestones
    given IDs) links, from the sheet as read (`tabs`). Pure: reads nothing else."""
    by_quarter: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    quarters: dict[int, Quarter] = {}
    for tab in plan.tabs:
        if tab.skipped or tab.data is None:
            continue
        for link in tab.links:
            quarter = link.milestone.quarter
            # The run's own quarter keeps its rows, closed or not: the sync would add them back.
            if quarter.is_closed and quarter.pk != plan.quarter.pk:
                by_quarter[quarter.pk].append((tab, link))
                quarters[quarter.pk] = quarter
    if not by_quarter:
        return ArchivePlan()
    by_folded = {title.casefold(): data for title, data in tabs.items()}
    taken = {data.sheet_id for data in tabs.values() if data.sheet_id is not None}
    taken |= {tab.sheet_id for tab in plan.tabs if tab.sheet_id is not None}
    messages: list[SyncMessage] = []
    changes: list[str] = []
    moved: dict[int, int] = defaultdict(int)
    archive_tabs = []
    for pk in sorted(quarters, key=lambda pk: quarters[pk].start):
        quarter = quarters[pk]
        title = archive_title(quarter)
        data = by_folded.get(title.casefold())
        archive = _Archive(title, data)
        rows, moves = [], []
        for tab, link in by_quarter[pk]:
            team, number = tab.team, link.row.number
            where = {"team": team.name, "tab": tab.title, "row": number}
            why = row_held(tab.data, number)
            if why:
                messages.append(
                    SyncMessage(
                        "warning",
                        f"Row {number} ({link.milestone.title!r}, ID {link.milestone.pk}) is of "
                        f"{quarter}, closed, but {why}: it stays in the tab. Move it to "
                        f"{title!r} by hand.",
                        **where,
                    )
                )
                continue
            row = MovedRow(link.milestone, team.pk, team.name, tab.title, tab.sheet_id, number)
            found = archive.row_of(link.milestone, team.name)
            if found is not None:
                messages.append(
                    SyncMessage(
                        "info",
                        f"Row {number} ({link.milestone.title!r}) is already in {title!r} "
                        f"(row {found}): removed from the tab, not copied again.",
                        **where,
                    )
                )
            else:
                row = replace(
                    row, runs=archive.runs_of(tab, link.row.number), archive_row=archive.take()
                )
            rows.append(row)
            moves.append(
                f"{team.name} row {number}: {link.milestone.title!r} (ID {link.milestone.pk}) "
                f"moved to {title!r}"
            )
        if not rows:
            continue
        if archive.protected():
            messages.append(
                SyncMessage(
                    "error",
                    f"{title!r} has cells the sync's account may not edit where the rows of "
                    f"{quarter} would go: they stay in the team tabs. Unprotect the tab.",
                    tab=title,
                )
            )
            continue
        sheet_id = data.sheet_id if data is not None else _new_sheet_id(quarter, taken)
        archive_tabs.append(
            ArchiveTab(
                quarter=quarter,
                title=title,
                sheet_id=sheet_id,
                create=data is None,
                row_count=data.row_count if data is not None else 0,
                column_count=data.column_count if data is not None else 0,
                team_column=archive.team_column,
                header=archive.new_header,
                rows=tuple(rows),
            )
        )
        changes.extend(moves)
        for row in rows:
            moved[row.team_pk] += 1
        for team_name, count in _per_team(rows).items():
            messages.append(
                SyncMessage(
                    "info",
                    f"{count} row{'s' if count != 1 else ''} of {quarter} (closed) moved to "
                    f"{title!r}.",
                    team=team_name,
                    tab=title,
                )
            )
    return ArchivePlan(
        tuple(archive_tabs),
        tuple(messages),
        tuple(changes),
        dict(moved),
    )


def with_archive(plan, archive: ArchivePlan):
    """`plan` with the archive's messages, changes and per-team counts (for the run's report)."""
    if not archive.messages and not archive.changes:
        return plan
    return replace(
        plan,
        messages=(*plan.messages, *archive.messages),
        changes=(*plan.changes, *archive.changes),
        archived=dict(archive.moved),
    )


def row_held(data: TabData, row_number: int) -> str | None:
    """Why the row (1-based) may not move, in words, or None: a formula in any of its cells,
    merged cells or a protected range across it (`TabData.why_read_only`)."""
    row = row_number - 1
    for (r, column), formula in sorted(data.formulas.items()):
        if r == row:
            return f"{a1.column_letters(column)}{row_number} holds a formula ({formula})"
    for block in data.read_only:
        if block.start_row <= row < block.end_row:
            if block.why == "merged":
                return f"it is part of the merged cells {block.cells(data.title)}"
            return "it is in a range the sync's account may not edit"
    return None


def _per_team(rows) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.team_name] += 1
    return counts


def _new_sheet_id(quarter: Quarter, taken: set[int]) -> int:
    """A sheetId for the archive tab the sync creates, not taken by another tab."""
    candidate = 2_000_000 + quarter.year * 10 + quarter.number
    while candidate in taken:
        candidate += 1_000_003
    taken.add(candidate)
    return candidate


class _Archive:
    """An archive tab's columns (found in its header, or added on its right) and rows."""

    def __init__(self, title: str, data: TabData | None):
        self.title = title
        self.values = data.values if data is not None else []
        self.data = data
        header = [str(text) for text in self.values[0]] if self.values else []
        keys = [parse.header_key(text) for text in header]
        self.width = len(header)
        self.new_header: dict[int, str] = {}
        self.team_column = keys.index("team") if "team" in keys else self._add(TEAM)
        layout = parse.find_layout(header)
        self.columns = {
            name: layout.columns[name] if name in layout.columns else self._add(parse.HEADERS[name])
            for name in ARCHIVE_FIELDS
        }
        mapped = {self.team_column, *self.columns.values()}
        self.extra = {key: index for index, key in enumerate(keys) if index not in mapped and key}
        self.next_row = max(len(self.values), 1)  # 0-based: the first row after the last
        self.first_new_row = self.next_row
        self.ids: dict[int, int] = {}
        self.titles: dict[tuple[str, str], int] = {}
        for number, row in enumerate(self.values[1:], start=2):
            text = parse.cell(row, self.columns[parse.ID])
            try:
                pk = parse.parse_id(text)
            except parse.CellError:
                pk = None
            if pk is not None:
                self.ids.setdefault(pk, number)
            else:
                team = title_key(parse.cell(row, self.team_column))
                self.titles.setdefault(
                    (team, title_key(parse.cell(row, self.columns["title"]))), number
                )

    def _add(self, text: str) -> int:
        index = self.width
        self.width += 1
        self.new_header[index] = text
        return index

    def row_of(self, milestone: Milestone, team_name: str) -> int | None:
        """The archive's row (1-based) of the milestone, if it is there already."""
        if milestone.pk in self.ids:
            return self.ids[milestone.pk]
        return self.titles.get((title_key(team_name), title_key(milestone.title)))

    def take(self) -> int:
        """The next free row (1-based), taken."""
        self.next_row += 1
        return self.next_row

    def runs_of(self, tab, row_number: int) -> tuple[tuple[int, int, int], ...]:
        """Where each of the team row's columns goes: runs of adjacent columns that stay
        adjacent in the archive, as (first, end, first archive column)."""
        layout = tab.layout
        fields_at = {index: name for name, index in layout.columns.items()}
        header = tab.data.values[0] if tab.data.values else []
        row = tab.data.values[row_number - 1] if row_number <= len(tab.data.values) else []
        width = max(layout.width, len(header), len(row), (layout.id_column or 0) + 1)
        pairs = []
        for column in range(width):
            if column in fields_at:
                pairs.append((column, self.columns[fields_at[column]]))
                continue
            key = parse.header_key(parse.cell(header, column))
            if not key:
                if not parse.cell(row, column):
                    continue
                key = f"{tab.title} {a1.column_letters(column)}".casefold()
                text = f"{tab.title} {a1.column_letters(column)}"
            else:
                text = parse.cell(header, column)
            if key not in self.extra:
                self.extra[key] = self._add(text)
            pairs.append((column, self.extra[key]))
        runs: list[list[int]] = []
        for column, target in pairs:
            if runs and column == runs[-1][1] and target == runs[-1][2] + (column - runs[-1][0]):
                runs[-1][1] = column + 1
            else:
                runs.append([column, column + 1, target])
        return tuple((first, end, target) for first, end, target in runs)

    def protected(self) -> bool:
        """Whether a cell the move writes is in a range the account may not edit."""
        if self.data is None:
            return False
        cells = [(0, column) for column in self.new_header]
        rows = range(self.first_new_row, self.next_row)
        for block in self.data.read_only:
            if block.why != "protected":
                continue
            if any(block.contains(r, c) for r, c in cells):
                return True
            if any(block.start_row <= r < block.end_row for r in rows):
                return True
        return False


# --- The write -------------------------------------------------------------------------------


def archive_requests(archive: ArchivePlan) -> list[dict[str, Any]]:
    """The requests of the one batchUpdate that moves the rows (see the module's docstring)."""
    requests: list[dict[str, Any]] = []
    deletes: dict[int, set[int]] = defaultdict(set)
    for tab in archive.tabs:
        rows_needed = max([row.archive_row or 0 for row in tab.rows] + [1])
        columns_needed = max(
            [tab.team_column + 1, *(c + 1 for c in tab.header)]
            + [target + end - first for row in tab.rows for first, end, target in row.runs]
        )
        requests += write.grid_requests(
            sheet_id=tab.sheet_id,
            title=tab.title,
            needed=(rows_needed, columns_needed),
            have=None if tab.create else (tab.row_count, tab.column_count),
        )
        for column, text in sorted(tab.header.items()):
            requests.append(_text_cell(tab.sheet_id, 0, column, text))
        for row in tab.rows:
            deletes[row.sheet_id].add(row.row_number - 1)
            if row.archive_row is None:
                continue
            target_row = row.archive_row - 1
            requests.append(_text_cell(tab.sheet_id, target_row, tab.team_column, row.team_name))
            for first, end, target in row.runs:
                requests.append(
                    {
                        "copyPaste": {
                            "source": _grid_range(row.sheet_id, row.row_number - 1, first, end),
                            "destination": _grid_range(
                                tab.sheet_id, target_row, target, target + end - first
                            ),
                            "pasteType": "PASTE_NORMAL",
                            "pasteOrientation": "NORMAL",
                        }
                    }
                )
    for sheet_id in sorted(deletes):
        for start, end in reversed(_runs(sorted(deletes[sheet_id]))):
            requests.append(
                {
                    "deleteDimension": {
                        "range": {
                            "sheetId": sheet_id,
                            "dimension": "ROWS",
                            "startIndex": start,
                            "endIndex": end,
                        }
                    }
                }
            )
    return requests


def send_archive(spreadsheet: client.OpenedSpreadsheet, archive: ArchivePlan) -> None:
    """The move, in one request; none when nothing moves."""
    if archive:
        client.update_structure(spreadsheet, archive_requests(archive))


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Sorted indexes as (start, end) runs of adjacent ones."""
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][1]:
            runs[-1][1] = index + 1
        else:
            runs.append([index, index + 1])
    return [(start, end) for start, end in runs]


def _grid_range(sheet_id: int, row: int, first: int, end: int) -> dict[str, int]:
    return {
        "sheetId": sheet_id,
        "startRowIndex": row,
        "endRowIndex": row + 1,
        "startColumnIndex": first,
        "endColumnIndex": end,
    }


def _text_cell(sheet_id: int, row: int, column: int, text: str) -> dict[str, Any]:
    """An UpdateCellsRequest writing text as text (never read as a date or number), its
    format left as it is."""
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": column},
            "rows": [{"values": [{"userEnteredValue": {"stringValue": text}}]}],
            "fields": "userEnteredValue",
        }
    }
