"""The store: ``Spreadsheet`` and ``Sheet``, the grid and its ranges, merges and protected
ranges, and formulas calculated after every change (the file format is ``files``).

Google Sheets API v4 reference: ``Sheet.merges`` and ``MergeCellsRequest``
(https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#sheet,
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#mergecellsrequest),
``ProtectedRange`` with ``requestingUserCanEdit``
(https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#protectedrange).

Length: the grid, its tabs and the structural changes that move ranges and formulas with the
rows are one model of a spreadsheet; split, each half would reach into the other's state.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from sheets import a1
from sheets_emulator.cells import (
    Cell,
    Kind,
)
from sheets_emulator.errors import ApiError
from sheets_emulator.formulas import (
    DateSerial,
    Hyperlink,
    Unsupported,
    evaluate,
    rows_deleted,
)
from sheets_emulator.locales import locale_of

# What Google answers a write into a protected range the account may not edit.
PROTECTED_MESSAGE = (
    "You are trying to edit a protected cell or object. Please contact the spreadsheet owner "
    "to remove protection if you need to edit."
)

DEFAULT_ROW_COUNT = 1000
DEFAULT_COLUMN_COUNT = 26

Grid = list[list[Cell | None]]


class Box(NamedTuple):
    """A bounded block of cells: zero-based, exclusive ends (``a1.format_range(title, *box)``)."""

    start_row: int
    start_column: int
    end_row: int
    end_column: int

    def contains(self, row: int, column: int) -> bool:
        return (
            self.start_row <= row < self.end_row and self.start_column <= column < self.end_column
        )

    def overlaps(self, other: Box) -> bool:
        return (
            self.start_row < other.end_row
            and other.start_row < self.end_row
            and self.start_column < other.end_column
            and other.start_column < self.end_column
        )

    def grid_range(self, sheet_id: int) -> dict[str, int]:
        """The GridRange of the API."""
        return {
            "sheetId": sheet_id,
            "startRowIndex": self.start_row,
            "endRowIndex": self.end_row,
            "startColumnIndex": self.start_column,
            "endColumnIndex": self.end_column,
        }


@dataclass(frozen=True)
class Protection:
    """A protected range; ``editable`` is ``requestingUserCanEdit`` for the service account."""

    protected_range_id: int
    box: Box
    editable: bool = False

    def resource(self, sheet_id: int) -> dict[str, Any]:
        return {
            "protectedRangeId": self.protected_range_id,
            "range": self.box.grid_range(sheet_id),
            "warningOnly": False,
            "requestingUserCanEdit": self.editable,
        }


def trimmed_grid(rows: Iterable[list[Cell | None]]) -> Grid:
    """Rows without their trailing empty cells, and without trailing empty rows, as Google
    answers them; an empty row in the middle stays, as ``[]``."""
    result: Grid = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        result.append(list(row[:end]))
    while result and not result[-1]:
        result.pop()
    return result


@dataclass
class Sheet:
    """One tab. ``rows`` holds only the cells written so far; the grid's size is separate."""

    sheet_id: int
    title: str
    row_count: int = DEFAULT_ROW_COUNT
    column_count: int = DEFAULT_COLUMN_COUNT
    rows: Grid = field(default_factory=list)
    hidden: bool = False
    note: str | None = None
    # gridProperties beyond the size (frozenRowCount ...), and other properties (tabColor ...):
    # kept and given back as set, never interpreted.
    grid_extra: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    merges: list[Box] = field(default_factory=list)
    protections: list[Protection] = field(default_factory=list)

    def copy(self) -> Sheet:
        return replace(
            self,
            rows=[list(row) for row in self.rows],
            merges=list(self.merges),
            protections=list(self.protections),
            grid_extra=copy.deepcopy(self.grid_extra),
            extra=copy.deepcopy(self.extra),
        )

    def properties(self, index: int) -> dict[str, Any]:
        properties: dict[str, Any] = {
            **self.extra,
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {
                "rowCount": self.row_count,
                "columnCount": self.column_count,
                **self.grid_extra,
            },
        }
        if self.hidden:
            properties["hidden"] = True
        return properties

    def whole(self) -> Box:
        return Box(0, 0, self.row_count, self.column_count)

    def block(self, box: Box) -> Grid:
        """The cells of ``box``, trimmed as Google trims a value response."""
        return trimmed_grid(
            row[box.start_column : box.end_column]
            for row in self.rows[box.start_row : min(box.end_row, len(self.rows))]
        )

    def cell(self, row: int, column: int) -> Cell | None:
        if row < len(self.rows) and column < len(self.rows[row]):
            return self.rows[row][column]
        return None

    def check_editable(self, row: int, column: int) -> None:
        """403, as Google answers a write into a range the account may not edit."""
        for protection in self.protections:
            if not protection.editable and protection.box.contains(row, column):
                raise ApiError(403, PROTECTED_MESSAGE)

    def put(self, row: int, column: int, cell: Cell | None) -> None:
        """Write one cell (None clears it), growing the grid when it lies beyond it."""
        self.row_count = max(self.row_count, row + 1)
        self.column_count = max(self.column_count, column + 1)
        if cell is None and (row >= len(self.rows) or column >= len(self.rows[row])):
            return
        while len(self.rows) <= row:
            self.rows.append([])
        cells = self.rows[row]
        if len(cells) <= column:
            cells.extend([None] * (column + 1 - len(cells)))
        cells[column] = cell

    def clear(self, box: Box) -> None:
        for protection in self.protections:
            if not protection.editable and protection.box.overlaps(box):
                raise ApiError(403, PROTECTED_MESSAGE)
        for cells in self.rows[box.start_row : box.end_row]:
            for column in range(box.start_column, min(box.end_column, len(cells))):
                cells[column] = None

    def insert_rows(self, start: int, count: int) -> None:
        if start < len(self.rows):
            self.rows[start:start] = [[] for _ in range(count)]
        self.row_count += count

    def delete_rows(self, start: int, end: int) -> None:
        """Delete rows `start`..`end` (exclusive), as Sheets does: 403 when a range the account
        may not edit spans one of them; merges and protected ranges below move up, one
        across them shrinks, one within them goes. (Formulas: `Spreadsheet.rows_deleted`.)"""
        deleted = Box(start, 0, end, 10**9)
        for protection in self.protections:
            if not protection.editable and protection.box.overlaps(deleted):
                raise ApiError(403, PROTECTED_MESSAGE)
        del self.rows[start:end]
        self.row_count -= end - start
        self.merges = [box for merge in self.merges if (box := _rows_shrunk(merge, start, end))]
        self.protections = [
            replace(protection, box=box)
            for protection in self.protections
            if (box := _rows_shrunk(protection.box, start, end))
        ]

    def insert_columns(self, start: int, count: int) -> None:
        for cells in self.rows:
            if start < len(cells):
                cells[start:start] = [None] * count
        self.column_count += count

    def delete_columns(self, start: int, end: int) -> None:
        for cells in self.rows:
            del cells[start:end]
        self.column_count -= end - start

    def resize(self, *, rows: int | None = None, columns: int | None = None) -> None:
        """Set the grid's size; cells outside the new size are lost, as in Sheets."""
        if rows is not None:
            del self.rows[rows:]
            self.row_count = rows
        if columns is not None:
            for cells in self.rows:
                del cells[columns:]
            self.column_count = columns

    def grid_data(self, box: Box, locale_code: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if box.start_row:
            data["startRow"] = box.start_row
        if box.start_column:
            data["startColumn"] = box.start_column
        block = self.block(box)
        locale = locale_of(locale_code)
        if block:
            data["rowData"] = [
                {"values": [cell.grid_data(locale) if cell else {} for cell in row]} if row else {}
                for row in block
            ]
        return data


def _rows_shrunk(box: Box, start: int, end: int) -> Box | None:
    """`box` once rows `start`..`end` are deleted; None when nothing of it is left."""

    def moved(row: int) -> int:
        return row if row <= start else start if row < end else row - (end - start)

    top, bottom = moved(box.start_row), moved(box.end_row)
    if bottom <= top:
        return None
    return Box(top, box.start_column, bottom, box.end_column)


def _unknown_range(range_text: str) -> ApiError:
    return ApiError(400, f"Unable to parse range: {range_text}")


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    sheets: list[Sheet] = field(default_factory=list)

    def copy(self) -> Spreadsheet:
        return replace(self, sheets=[sheet.copy() for sheet in self.sheets])

    # -- finding tabs and ranges

    def find_sheet(self, title: str) -> Sheet | None:
        """The tab of that title; like Sheets, titles match regardless of case."""
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        folded = title.casefold()
        return next((sheet for sheet in self.sheets if sheet.title.casefold() == folded), None)

    def sheet_with_id(self, sheet_id: Any) -> Sheet:
        for sheet in self.sheets:
            if sheet.sheet_id == sheet_id:
                return sheet
        raise ApiError(400, f"No grid with id: {sheet_id}")

    def locate(self, range_text: str) -> tuple[Sheet, a1.A1Range]:
        """The tab and the parsed range of ``range_text``; 400 as Google for either unknown."""
        try:
            parsed = a1.parse_range(range_text)
        except a1.A1Error:
            raise _unknown_range(range_text) from None
        sheet = self.sheets[0] if parsed.sheet is None else self.find_sheet(parsed.sheet)
        if sheet is None:
            raise _unknown_range(range_text)
        return sheet, parsed

    def read_box(self, range_text: str) -> tuple[Sheet, Box]:
        """A range to read or clear, its open ends run to the edge of the grid and its far
        corner held to the grid, as Google answers ``A2:F`` with ``A2:F1000``."""
        sheet, parsed = self.locate(range_text)
        if parsed.start_row >= sheet.row_count or parsed.start_column >= sheet.column_count:
            raise ApiError(
                400,
                f"Range ({range_text}) exceeds grid limits. Max rows: {sheet.row_count}, "
                f"max columns: {sheet.column_count}",
            )
        end_row = min(sheet.row_count, parsed.end_row or sheet.row_count)
        end_column = min(sheet.column_count, parsed.end_column or sheet.column_count)
        return sheet, Box(parsed.start_row, parsed.start_column, end_row, end_column)

    # -- changing tabs

    def check_title(self, title: Any, *, renaming: Sheet | None = None) -> str:
        if not isinstance(title, str) or not title.strip():
            raise ApiError(400, "A sheet's title must not be empty.")
        other = self.find_sheet(title)
        if other is not None and other is not renaming:
            raise ApiError(
                400, f'A sheet with the name "{title}" already exists. Please enter another name.'
            )
        return title

    def new_sheet_id(self) -> int:
        taken = {sheet.sheet_id for sheet in self.sheets}
        while True:
            candidate = random.randrange(1, 2**31 - 1)
            if candidate not in taken:
                return candidate

    def move(self, sheet: Sheet, index: int) -> None:
        """Move ``sheet`` to ``index`` counted before the move, as Sheets counts it: with
        tabs S1, S2, S3, index 2 puts S1 between S2 and S3."""
        current = self.sheets.index(sheet)
        index = max(0, min(index, len(self.sheets)))
        self.sheets.pop(current)
        if index > current:
            index -= 1
        self.sheets.insert(index, sheet)

    # -- formulas

    def today(self) -> dt.date:
        try:
            return dt.datetime.now(zoneinfo.ZoneInfo(self.time_zone)).date()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return dt.date.today()

    def recalculate(self) -> None:
        """Calculate every formula the emulator can evaluate, as Sheets does after each change
        (``autoRecalc: ON_CHANGE``); one it cannot keeps the value it has."""
        today = self.today()
        locale = locale_of(self.locale)
        done: dict[tuple[int, int, int], Any] = {}
        busy: set[tuple[int, int, int]] = set()

        def value_at(sheet: Sheet, row: int, column: int) -> Any:
            cell = sheet.cell(row, column)
            if cell is None:
                return None
            if cell.formula is None:
                return DateSerial(cell.value) if cell.kind is Kind.DATE else cell.value
            key = (sheet.sheet_id, row, column)
            if key in done:
                return done[key]
            if key in busy:
                raise Unsupported("circular dependency")
            busy.add(key)
            try:
                result = evaluate(
                    cell.formula,
                    lookup=lambda title, r, c: value_at(tab(title, sheet), r, c),
                    extent=lambda title: extent(tab(title, sheet)),
                    today=today,
                )
            except Unsupported:
                result = DateSerial(cell.value) if cell.kind is Kind.DATE else cell.value
                done[key] = result
                return result
            finally:
                busy.discard(key)
            # A HYPERLINK's address is its cell's link; what reads the cell reads its text.
            link = result.url if isinstance(result, Hyperlink) else None
            done[key] = result = str(result) if isinstance(result, Hyperlink) else result
            sheet.rows[row][column] = replace(
                cell.with_value(result, locale), computed=True, link=link
            )
            return result

        def tab(title: str | None, current: Sheet) -> Sheet:
            found = current if title is None else self.find_sheet(title)
            if found is None:
                raise Unsupported(f"no tab {title}")
            return found

        def extent(sheet: Sheet) -> tuple[int, int]:
            return len(sheet.rows), max((len(row) for row in sheet.rows), default=0)

        for sheet in self.sheets:
            for row, cells in enumerate(sheet.rows):
                for column, cell in enumerate(cells):
                    if cell is not None and cell.formula is not None:
                        value_at(sheet, row, column)

    def delete_rows(self, sheet: Sheet, start: int, end: int) -> None:
        """Delete rows of `sheet` and rewrite every formula that refers to its rows, in any
        tab, as Sheets does (`formulas.rows_deleted`)."""
        sheet.delete_rows(start, end)
        for other in self.sheets:

            def refers_to_them(title: str | None, other: Sheet = other) -> bool:
                if title is None:
                    return other is sheet
                return title.casefold() == sheet.title.casefold()

            for cells in other.rows:
                for column, cell in enumerate(cells):
                    if cell is None or cell.formula is None:
                        continue
                    formula = rows_deleted(
                        cell.formula, refers_to_them=refers_to_them, start=start, end=end
                    )
                    if formula != cell.formula:
                        cells[column] = replace(cell, formula=formula)

    # -- JSON

    def metadata(self, *, include_grid_data: bool = False, ranges: Iterable[str] = ()) -> dict:
        """The Spreadsheet resource of ``spreadsheets.get``."""
        wanted: dict[int, list[Box]] = {}
        for range_text in ranges:
            sheet, box = self.read_box(range_text)
            wanted.setdefault(sheet.sheet_id, []).append(box)
        sheets = []
        for index, sheet in enumerate(self.sheets):
            if wanted and sheet.sheet_id not in wanted:
                continue
            entry: dict[str, Any] = {"properties": sheet.properties(index)}
            if include_grid_data:
                boxes = wanted.get(sheet.sheet_id) or [sheet.whole()]
                entry["data"] = [sheet.grid_data(box, self.locale) for box in boxes]
            if sheet.merges:
                entry["merges"] = [box.grid_range(sheet.sheet_id) for box in sheet.merges]
            if sheet.protections:
                entry["protectedRanges"] = [p.resource(sheet.sheet_id) for p in sheet.protections]
            sheets.append(entry)
        return {
            "spreadsheetId": self.spreadsheet_id,
            "properties": {
                "title": self.title,
                "locale": self.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
            },
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit",
        }

    @classmethod
    def from_json(cls, data: Any) -> Spreadsheet:
        """Read the file format (see ``files``); ValueError says what is wrong."""
        from sheets_emulator.files import spreadsheet_from_json

        return spreadsheet_from_json(cls, data)

    def to_json(self) -> dict[str, Any]:
        from sheets_emulator.files import spreadsheet_to_json

        return spreadsheet_to_json(self)


def range_box(sheet: Sheet, range_text: str) -> Box:
    """A range of `sheet` (its tab name, if any, ignored) as a Box held to the grid."""
    try:
        parsed = a1.parse_range(range_text)
    except a1.A1Error:
        raise _unknown_range(range_text) from None
    return Box(
        parsed.start_row,
        parsed.start_column,
        min(sheet.row_count, parsed.end_row or sheet.row_count),
        min(sheet.column_count, parsed.end_column or sheet.column_count),
    )


def box_of_grid_range(sheet: Sheet, grid_range: Any) -> Box:
    """The Box of a GridRange (its missing bounds run to the edge of the grid)."""
    if not isinstance(grid_range, Mapping):
        raise ApiError(400, "range is required.")
    box = Box(
        grid_range.get("startRowIndex", 0),
        grid_range.get("startColumnIndex", 0),
        grid_range.get("endRowIndex", sheet.row_count),
        grid_range.get("endColumnIndex", sheet.column_count),
    )
    if not all(is_count(bound, minimum=0) for bound in box) or (
        box.end_row <= box.start_row or box.end_column <= box.start_column
    ):
        raise ApiError(400, f"Invalid range: {dict(grid_range)}")
    return box


def merge_cells(sheet: Sheet, box: Box) -> None:
    """MERGE_ALL: one cell over `box`, holding the value of its top-left cell (Google clears
    the others, as the Sheets UI warns)."""
    if (box.end_row - box.start_row) * (box.end_column - box.start_column) < 2:
        raise ApiError(400, "Must merge at least two cells.")
    if any(box.overlaps(other) for other in sheet.merges):
        raise ApiError(400, "You can't merge cells that are already merged or overlap a merge.")
    for row in range(box.start_row, min(box.end_row, len(sheet.rows))):
        for column in range(box.start_column, box.end_column):
            if (row, column) != (box.start_row, box.start_column) and column < len(sheet.rows[row]):
                sheet.rows[row][column] = None
    sheet.merges.append(box)


def is_count(value: Any, *, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum
