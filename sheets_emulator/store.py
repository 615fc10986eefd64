"""The store: ``Spreadsheet`` and ``Sheet``, the grid and its ranges, and the JSON file format
(that of ``tests/data/sheet.json``).

Loading keeps each cell's text and infers its type as if it had been typed; dumping writes the
shown text, plus each tab's ``sheetId``, ``rowCount`` and ``columnCount`` so that a saved file
loads back as it was.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from sheets import a1
from sheets_emulator.cells import FORMATTED_VALUE, Cell, cell_from_sheet_text
from sheets_emulator.errors import ApiError

DEFAULT_ROW_COUNT = 1000
DEFAULT_COLUMN_COUNT = 26

Grid = list[list[Cell | None]]


class Box(NamedTuple):
    """A bounded block of cells: zero-based, exclusive ends (``a1.format_range(title, *box)``)."""

    start_row: int
    start_column: int
    end_row: int
    end_column: int


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

    def copy(self) -> Sheet:
        return replace(
            self,
            rows=[list(row) for row in self.rows],
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
        for cells in self.rows[box.start_row : box.end_row]:
            for column in range(box.start_column, min(box.end_column, len(cells))):
                cells[column] = None

    def insert_rows(self, start: int, count: int) -> None:
        if start < len(self.rows):
            self.rows[start:start] = [[] for _ in range(count)]
        self.row_count += count

    def delete_rows(self, start: int, end: int) -> None:
        del self.rows[start:end]
        self.row_count -= end - start

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

    def grid_data(self, box: Box) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if box.start_row:
            data["startRow"] = box.start_row
        if box.start_column:
            data["startColumn"] = box.start_column
        block = self.block(box)
        if block:
            data["rowData"] = [
                {"values": [cell.grid_data() if cell else {} for cell in row]} if row else {}
                for row in block
            ]
        return data


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
                entry["data"] = [sheet.grid_data(box) for box in boxes]
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
        """Read the file format of ``tests/data/sheet.json``; ValueError says what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("A spreadsheet is a JSON object.")
        spreadsheet_id = data.get("spreadsheetId")
        if not isinstance(spreadsheet_id, str) or not re.fullmatch(r"[\w-]+", spreadsheet_id):
            raise ValueError(
                '"spreadsheetId" must be a key of letters, digits, "-" and "_"; '
                f"got {spreadsheet_id!r}."
            )
        entries = data.get("sheets")
        if not isinstance(entries, list) or not entries:
            raise ValueError(f'Spreadsheet {spreadsheet_id}: "sheets" must list at least one tab.')
        spreadsheet = cls(
            spreadsheet_id=spreadsheet_id,
            title=str(data.get("title") or spreadsheet_id),
            locale=str(data.get("locale") or "en_US"),
            time_zone=str(data.get("timeZone") or "Etc/GMT"),
        )
        for index, entry in enumerate(entries):
            spreadsheet.sheets.append(_sheet_from_json(entry, index=index, spreadsheet=spreadsheet))
        return spreadsheet

    def to_json(self) -> dict[str, Any]:
        sheets = []
        for sheet in self.sheets:
            entry: dict[str, Any] = {
                "title": sheet.title,
                "sheetId": sheet.sheet_id,
                "rowCount": sheet.row_count,
                "columnCount": sheet.column_count,
                "values": [
                    [cell.text if cell else "" for cell in row]
                    for row in sheet.block(sheet.whole())
                ],
            }
            if sheet.hidden:
                entry["hidden"] = True
            if sheet.note is not None:
                entry["note"] = sheet.note
            sheets.append(entry)
        return {
            "spreadsheetId": self.spreadsheet_id,
            "title": self.title,
            "locale": self.locale,
            "timeZone": self.time_zone,
            "valueRenderOption": FORMATTED_VALUE,
            "sheets": sheets,
        }


def _sheet_from_json(entry: Any, *, index: int, spreadsheet: Spreadsheet) -> Sheet:
    where = f"Spreadsheet {spreadsheet.spreadsheet_id}, sheets[{index}]"
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: a tab is a JSON object.")
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f'{where}: "title" must be a non-empty string.')
    if spreadsheet.find_sheet(title) is not None:
        raise ValueError(f"{where}: a second tab titled {title!r}.")
    values = entry.get("values", [])
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise ValueError(f'{where} ({title}): "values" must be a list of rows (lists).')
    try:
        rows = [[cell_from_sheet_text(value) for value in row] for row in values]
    except ApiError as exc:
        raise ValueError(f"{where} ({title}): {exc.message}") from None
    trimmed = trimmed_grid(rows)
    height = len(trimmed)
    width = max((len(row) for row in trimmed), default=0)

    sheet_id = entry.get("sheetId", index)
    if not is_count(sheet_id, minimum=0):
        raise ValueError(f'{where} ({title}): "sheetId" must be a whole number.')
    if any(sheet.sheet_id == sheet_id for sheet in spreadsheet.sheets):
        raise ValueError(f"{where} ({title}): a second tab with sheetId {sheet_id}.")
    row_count = entry.get("rowCount", max(DEFAULT_ROW_COUNT, height))
    column_count = entry.get("columnCount", max(DEFAULT_COLUMN_COUNT, width))
    if not is_count(row_count, minimum=max(height, 1)) or not is_count(
        column_count, minimum=max(width, 1)
    ):
        raise ValueError(f"{where} ({title}): the grid is smaller than its values.")
    note = entry.get("note")
    return Sheet(
        sheet_id=sheet_id,
        title=title,
        row_count=row_count,
        column_count=column_count,
        rows=rows,
        hidden=bool(entry.get("hidden", False)),
        note=None if note is None else str(note),
    )


def is_count(value: Any, *, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum
