"""A local emulator of the Google Sheets API v4 subset that gspread, and so the sync, uses.

It keeps spreadsheets in memory, answers on loopback with the bodies and errors Google
answers, and lets tests inject faults, set a per-minute quota and count requests. Run it with
``python manage.py sheets_emulator``; tests start it in a thread (``SheetsEmulator().start()``).

Sections, top to bottom:

1. Cells: a cell keeps the text the sheet shows (FORMATTED_VALUE) and a typed value
   (UNFORMATTED_VALUE). Typing follows USER_ENTERED for the en_US locale: ``2026-12-01`` or
   ``12/1/2026`` becomes a date shown as ``12/1/2026`` whose unformatted value is the serial
   number 46357; ``5`` becomes the number 5; ``TRUE`` a boolean; ``=...`` a formula, kept as
   entered and never evaluated (every render option returns its text).
2. The store: ``Spreadsheet`` and ``Sheet`` and the JSON file format (that of
   ``tests/data/sheet.json``). Loading keeps each cell's text and infers its type as if it
   had been typed; dumping writes the shown text, plus each tab's ``sheetId``, ``rowCount``
   and ``columnCount`` so that a saved file loads back as it was.
3. ``SheetsApi``: the REST routes and their operations, HTTP-free.
4. Faults, quota and the request log.
5. ``SheetsEmulator``: the HTTP server, its ``/_emulator/`` control routes and the same
   controls as Python methods for in-process tests.

Simplifications, each a deliberate "as far as the sync needs": one locale (en_US) for typing
and showing dates; no cell formats, notes, named ranges or formula evaluation; a
``spreadsheets.batchUpdate`` request kind not listed in ``SheetsApi`` is answered 400.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import math
import os
import random
import re
import socketserver
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from sheets import a1

logger = logging.getLogger(__name__)

DEFAULT_ROW_COUNT = 1000
DEFAULT_COLUMN_COUNT = 26
# Day 0 of the serial numbers Google Sheets (and Lotus 1-2-3) use for dates.
SERIAL_EPOCH = dt.date(1899, 12, 30)

FORMATTED_VALUE = "FORMATTED_VALUE"
UNFORMATTED_VALUE = "UNFORMATTED_VALUE"
FORMULA = "FORMULA"
VALUE_RENDER_OPTIONS = (FORMATTED_VALUE, UNFORMATTED_VALUE, FORMULA)
DATE_TIME_RENDER_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
VALUE_INPUT_OPTIONS = ("RAW", "USER_ENTERED")
DIMENSIONS = ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED")

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
_DEFAULT_MESSAGES = {
    429: (
        "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user' "
        "of service 'sheets.googleapis.com' for consumer 'project_number:0'."
    ),
    500: "Internal error encountered.",
    502: "Bad gateway.",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}


class ApiError(Exception):
    """An error answered as Google answers it: ``{"error": {"code", "message", "status"}}``."""

    def __init__(self, code: int, message: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    @property
    def status(self) -> str:
        return _STATUS_NAMES.get(self.code, "UNKNOWN")

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


def _not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.")


# --- 1. Cells ---------------------------------------------------------------------------------


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    FORMULA = "formula"


@dataclass(frozen=True, slots=True)
class Cell:
    """What one cell holds: the text the sheet shows and its typed value (the text itself for
    text and formulas, a number, the date's serial number, a bool)."""

    text: str
    value: str | int | float | bool
    kind: Kind = Kind.TEXT

    @classmethod
    def of_text(cls, text: str) -> Cell:
        return cls(text, text, Kind.TEXT)

    def render(self, value_option: str, date_time_option: str = "SERIAL_NUMBER") -> Any:
        if value_option == FORMATTED_VALUE or self.kind in (Kind.TEXT, Kind.FORMULA):
            return self.text
        if self.kind is Kind.DATE and date_time_option == "FORMATTED_STRING":
            return self.text
        return self.value

    def grid_data(self) -> dict[str, Any]:
        """The CellData of ``spreadsheets.get`` with ``includeGridData``."""
        if self.kind is Kind.FORMULA:
            return {"userEnteredValue": {"formulaValue": self.text}, "formattedValue": self.text}
        value_key = {
            Kind.TEXT: "stringValue",
            Kind.NUMBER: "numberValue",
            Kind.DATE: "numberValue",
            Kind.BOOLEAN: "boolValue",
        }[self.kind]
        data: dict[str, Any] = {
            "userEnteredValue": {value_key: self.value},
            "effectiveValue": {value_key: self.value},
            "formattedValue": self.text,
        }
        if self.kind is Kind.DATE:
            data["userEnteredFormat"] = {"numberFormat": {"type": "DATE"}}
        return data


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_MONTH_DAY_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NAMED_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def serial_number(date: dt.date) -> int:
    """The Sheets serial number of a date: 2026-12-01 -> 46357."""
    return (date - SERIAL_EPOCH).days


def _parse_date(text: str) -> dt.date | None:
    if match := _YEAR_MONTH_DAY.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = (int(part) for part in match.groups())
    elif match := _NAMED_MONTH_DAY_YEAR.fullmatch(text):
        month = _MONTHS.get(match[1].lower(), 0)
        day, year = int(match[2]), int(match[3])
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _tidy_number(number: float) -> int | float:
    # Google answers whole numbers without a fraction (5, not 5.0).
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _parse_number(text: str) -> int | float | None:
    if _NUMBER.fullmatch(text):
        number = float(text)
    elif _GROUPED_NUMBER.fullmatch(text):
        number = float(text.replace(",", ""))
    else:
        return None
    return _tidy_number(number) if math.isfinite(number) else None


def _number_text(number: int | float) -> str:
    """The number as Sheets' automatic format shows it (at most 10 significant digits)."""
    if isinstance(number, int):
        return str(number)
    return format(number, ".10g").upper()


def _typed(text: str) -> Cell | None:
    """The typed cell USER_ENTERED makes of ``text``, or None when it stays text."""
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell(stripped.upper(), stripped.upper() == "TRUE", Kind.BOOLEAN)
    number = _parse_number(stripped)
    if number is not None:
        return Cell(_number_text(number), number, Kind.NUMBER)
    date = _parse_date(stripped)
    if date is not None:
        return Cell(f"{date.month}/{date.day}/{date.year}", serial_number(date), Kind.DATE)
    return None


def cell_from_input(value: Any, *, user_entered: bool) -> Cell | None:
    """The cell a value written through the API makes (None: the cell is cleared).

    Raises ApiError for a value that is not a JSON scalar."""
    if isinstance(value, bool):
        return Cell("TRUE" if value else "FALSE", value, Kind.BOOLEAN)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ApiError(400, f"Invalid value: {value!r} is not a finite number.")
        number = _tidy_number(float(value)) if isinstance(value, float) else value
        return Cell(_number_text(number), number, Kind.NUMBER)
    if not isinstance(value, str):
        raise ApiError(400, f"Invalid value: {json.dumps(value)} is not a cell value.")
    if value == "":
        return None
    if not user_entered:
        return Cell.of_text(value)
    if value.startswith("'"):
        # A leading apostrophe keeps what follows as text, as in the Sheets UI.
        return Cell.of_text(value[1:]) if len(value) > 1 else None
    if value.startswith("=") and len(value) > 1:
        return Cell(value, value, Kind.FORMULA)
    return _typed(value) or Cell.of_text(value)


def cell_from_sheet_text(value: Any) -> Cell | None:
    """The cell a value of a JSON file makes: the shown text is kept as it is, its type is
    inferred as if it had been typed (a dumped ``Nov 3, 2026`` is still a date)."""
    if not isinstance(value, str):
        return cell_from_input(value, user_entered=False)
    if value == "":
        return None
    if value.startswith("=") and len(value) > 1:
        return Cell(value, value, Kind.FORMULA)
    typed = _typed(value)
    return replace(typed, text=value) if typed else Cell.of_text(value)


# --- 2. The store -----------------------------------------------------------------------------

Grid = list[list[Cell | None]]


class Box(NamedTuple):
    """A bounded block of cells: zero-based, exclusive ends (``a1.format_range(title, *box)``)."""

    start_row: int
    start_column: int
    end_row: int
    end_column: int


def _trimmed(rows: Iterable[list[Cell | None]]) -> Grid:
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


def _transposed(rows: Grid) -> Grid:
    width = max((len(row) for row in rows), default=0)
    return [[row[column] if column < len(row) else None for row in rows] for column in range(width)]


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
        return _trimmed(
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
    trimmed = _trimmed(rows)
    height = len(trimmed)
    width = max((len(row) for row in trimmed), default=0)

    sheet_id = entry.get("sheetId", index)
    if not _is_count(sheet_id, minimum=0):
        raise ValueError(f'{where} ({title}): "sheetId" must be a whole number.')
    if any(sheet.sheet_id == sheet_id for sheet in spreadsheet.sheets):
        raise ValueError(f"{where} ({title}): a second tab with sheetId {sheet_id}.")
    row_count = entry.get("rowCount", max(DEFAULT_ROW_COUNT, height))
    column_count = entry.get("columnCount", max(DEFAULT_COLUMN_COUNT, width))
    if not _is_count(row_count, minimum=max(height, 1)) or not _is_count(
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


def _is_count(value: Any, *, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


# --- Field masks (``fields=sheets(properties(title,sheetId))``) --------------------------------

FieldMask = dict[str, Any]  # name -> sub-mask, or None for the whole value
_MASK_PATH = re.compile(r"[\w*]+(?:[./][\w*]+)*")


def parse_field_mask(text: str) -> FieldMask:
    """Google's field-mask syntax: paths joined by ``.`` or ``/``, separated by commas, with
    ``name(sub,fields)`` for a selection inside a field."""
    compact = re.sub(r"\s+", "", text)
    mask, position = _parse_mask_list(compact, 0)
    if position != len(compact):
        raise ApiError(400, f"Invalid field selection: {text}")
    return mask


def _parse_mask_list(text: str, position: int) -> tuple[FieldMask, int]:
    mask: FieldMask = {}
    while True:
        match = _MASK_PATH.match(text, position)
        if not match:
            raise ApiError(400, f"Invalid field selection: {text}")
        path = re.split(r"[./]", match[0])
        position = match.end()
        sub = None
        if text[position : position + 1] == "(":
            sub, position = _parse_mask_list(text, position + 1)
            if text[position : position + 1] != ")":
                raise ApiError(400, f"Invalid field selection: {text}")
            position += 1
        _merge_mask(mask, path, sub)
        if text[position : position + 1] != ",":
            return mask, position
        position += 1


def _merge_mask(mask: FieldMask, path: list[str], sub: FieldMask | None) -> None:
    node = mask
    for name in path[:-1]:
        if name in node and node[name] is None:
            return  # the whole field is already selected
        node = node.setdefault(name, {})
    leaf = path[-1]
    if leaf not in node:
        node[leaf] = sub
    elif node[leaf] is None or sub is None:
        node[leaf] = None
    else:
        for name, child in sub.items():
            _merge_mask(node[leaf], [name], child)


def apply_field_mask(value: Any, mask: FieldMask | None) -> Any:
    if mask is None or "*" in mask:
        return value
    if isinstance(value, list):
        return [apply_field_mask(item, mask) for item in value]
    if not isinstance(value, dict):
        return value
    return {name: apply_field_mask(value[name], sub) for name, sub in mask.items() if name in value}


def _mask_paths(mask: FieldMask, prefix: tuple[str, ...] = ()) -> Iterable[tuple[str, ...]]:
    for name, sub in mask.items():
        if sub is None:
            yield (*prefix, name)
        else:
            yield from _mask_paths(sub, (*prefix, name))


# --- 3. The REST API --------------------------------------------------------------------------


class _Params:
    """Query parameters, read as Google reads them."""

    def __init__(self, raw: Mapping[str, list[str]]):
        self._raw = raw

    def get(self, name: str) -> str | None:
        values = self._raw.get(name)
        return values[-1] if values else None

    def all(self, name: str) -> list[str]:
        return list(self._raw.get(name, []))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _choice(value: Any, allowed: tuple[str, ...], *, name: str, default: str | None) -> str:
    """An enum option; ``default=None`` makes it required."""
    if value is None or value == "":
        if default is None:
            raise ApiError(400, f"'{name}' is required but not specified")
        return default
    if value not in allowed:
        raise ApiError(400, f"Invalid value at '{_snake(name)}', \"{value}\"")
    return value


def _flag(value: Any, *, name: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise ApiError(400, f"Invalid value at '{_snake(name)}' (TYPE_BOOL), \"{value}\"")


def _major_dimension(value: Any) -> str:
    dimension = _choice(value, DIMENSIONS, name="majorDimension", default="ROWS")
    return "ROWS" if dimension == "DIMENSION_UNSPECIFIED" else dimension


@dataclass
class _Write:
    """Values ready to be written: checked first, so a batch writes all or nothing."""

    sheet: Sheet
    start_row: int
    start_column: int
    height: int
    width: int
    cells: list[tuple[int, int, Cell | None]]

    def apply(self) -> None:
        for row, column, cell in self.cells:
            self.sheet.put(row, column, cell)

    @property
    def box(self) -> Box:
        """The block the values cover (their start cell when there are none)."""
        return Box(
            self.start_row,
            self.start_column,
            self.start_row + max(self.height, 1),
            self.start_column + max(self.width, 1),
        )

    def response(self, spreadsheet_id: str, render: _Render | None) -> dict[str, Any]:
        """An UpdateValuesResponse; Google leaves out the counts that are zero."""
        payload: dict[str, Any] = {
            "spreadsheetId": spreadsheet_id,
            "updatedRange": a1.format_range(self.sheet.title, *self.box),
        }
        if self.cells:
            payload["updatedRows"] = len({row for row, _, _ in self.cells})
            payload["updatedColumns"] = len({column for _, column, _ in self.cells})
            payload["updatedCells"] = len(self.cells)
        if render is not None:
            payload["updatedData"] = _value_range(self.sheet, self.box, render)
        return payload


@dataclass(frozen=True)
class _Render:
    major_dimension: str = "ROWS"
    value_option: str = FORMATTED_VALUE
    date_time_option: str = "SERIAL_NUMBER"

    @classmethod
    def read(cls, major: Any, value_option: Any, date_time_option: Any) -> _Render:
        return cls(
            major_dimension=_major_dimension(major),
            value_option=_choice(
                value_option,
                VALUE_RENDER_OPTIONS,
                name="valueRenderOption",
                default=FORMATTED_VALUE,
            ),
            date_time_option=_choice(
                date_time_option,
                DATE_TIME_RENDER_OPTIONS,
                name="dateTimeRenderOption",
                default="SERIAL_NUMBER",
            ),
        )

    @classmethod
    def from_params(cls, params: _Params) -> _Render:
        return cls.read(
            params.get("majorDimension"),
            params.get("valueRenderOption"),
            params.get("dateTimeRenderOption"),
        )


def _value_range(sheet: Sheet, box: Box, render: _Render) -> dict[str, Any]:
    """A ValueRange: the range held to the grid, the values trimmed as Google trims them."""
    block = sheet.block(box)
    if render.major_dimension == "COLUMNS":
        block = _trimmed(_transposed(block))
    payload: dict[str, Any] = {
        "range": a1.format_range(sheet.title, *box),
        "majorDimension": render.major_dimension,
    }
    if block:
        payload["values"] = [
            [
                "" if cell is None else cell.render(render.value_option, render.date_time_option)
                for cell in row
            ]
            for row in block
        ]
    return payload


def _plan_write(
    sheet: Sheet,
    target: a1.A1Range,
    values: Any,
    *,
    range_text: str,
    major_dimension: str,
    user_entered: bool,
    bounded: bool = True,
) -> _Write:
    if values is None:
        values = []
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise ApiError(400, "Invalid values: expected a list of lists of cell values.")
    grid = _transposed(values) if major_dimension == "COLUMNS" else values
    if (target.end_row, target.end_column) == (target.start_row + 1, target.start_column + 1):
        bounded = False  # one cell is where the values start, as at Google: "A2" takes a table
    cells = []
    for row_offset, row_values in enumerate(grid):
        for column_offset, value in enumerate(row_values):
            if value is None:
                continue  # null leaves the cell as it is; "" clears it
            row = target.start_row + row_offset
            column = target.start_column + column_offset
            if bounded and target.end_row is not None and row >= target.end_row:
                raise ApiError(
                    400,
                    f"Requested writing within range [{range_text}], but tried writing to "
                    f"row [{row + 1}]",
                )
            if bounded and target.end_column is not None and column >= target.end_column:
                raise ApiError(
                    400,
                    f"Requested writing within range [{range_text}], but tried writing to "
                    f"column [{a1.column_letters(column)}]",
                )
            cells.append((row, column, cell_from_input(value, user_entered=user_entered)))
    return _Write(
        sheet=sheet,
        start_row=target.start_row,
        start_column=target.start_column,
        height=len(grid),
        width=max((len(row) for row in grid), default=0),
        cells=cells,
    )


def _find_table(sheet: Sheet, box: Box) -> Box | None:
    """The "table" ``values.append`` appends to: the first row with data in ``box`` and the
    rows that follow it without a gap (so an empty row ends the table, as in Sheets)."""

    def has_data(row: int) -> bool:
        cells = sheet.rows[row][box.start_column : box.end_column]
        return any(cell is not None for cell in cells)

    stored = min(box.end_row, len(sheet.rows))
    first = next((row for row in range(box.start_row, stored) if has_data(row)), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(sheet.rows) and has_data(last + 1):
        last += 1
    columns = [
        column
        for row in range(first, last + 1)
        for column in range(box.start_column, min(box.end_column, len(sheet.rows[row])))
        if sheet.rows[row][column] is not None
    ]
    return Box(first, min(columns), last + 1, max(columns) + 1)


_SPREADSHEET = r"/v4/spreadsheets/(?P<spreadsheet_id>[^/:]+)"
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(_SPREADSHEET), "spreadsheets.get"),
    ("POST", re.compile(_SPREADSHEET + r":batchUpdate"), "spreadsheets.batchUpdate"),
    ("GET", re.compile(_SPREADSHEET + r"/values:batchGet"), "values.batchGet"),
    ("POST", re.compile(_SPREADSHEET + r"/values:batchUpdate"), "values.batchUpdate"),
    ("POST", re.compile(_SPREADSHEET + r"/values:batchClear"), "values.batchClear"),
    ("POST", re.compile(_SPREADSHEET + r"/values/(?P<range>[^/]+?):append"), "values.append"),
    ("POST", re.compile(_SPREADSHEET + r"/values/(?P<range>[^/]+?):clear"), "values.clear"),
    ("GET", re.compile(_SPREADSHEET + r"/values/(?P<range>[^/]+)"), "values.get"),
    ("PUT", re.compile(_SPREADSHEET + r"/values/(?P<range>[^/]+)"), "values.update"),
]


def request_kind(method: str, path: str) -> tuple[str, dict[str, str]]:
    """The API method a request calls (``values.batchGet`` ...) and its path parameters,
    percent-decoded; ``("unknown", {})`` for anything else."""
    for route_method, pattern, kind in _ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method.upper():
            return kind, {name: unquote(value) for name, value in match.groupdict().items()}
    return "unknown", {}


class SheetsApi:
    """The spreadsheets and the operations of the REST API on them, without HTTP."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.spreadsheets: dict[str, Spreadsheet] = {}

    def put(self, spreadsheet: Spreadsheet) -> None:
        with self._lock:
            self.spreadsheets[spreadsheet.spreadsheet_id] = spreadsheet

    def replace_all(self, spreadsheets: Iterable[Spreadsheet]) -> None:
        with self._lock:
            self.spreadsheets = {sheet.spreadsheet_id: sheet for sheet in spreadsheets}

    def dump(self, spreadsheet_id: str) -> dict[str, Any]:
        with self._lock:
            return self.spreadsheets[spreadsheet_id].to_json()

    def ids(self) -> list[str]:
        with self._lock:
            return list(self.spreadsheets)

    def call(
        self, method: str, path: str, query: Mapping[str, list[str]], body: bytes
    ) -> dict[str, Any]:
        """Answer one request with its response body; raises ApiError for an error answer."""
        kind, arguments = request_kind(method, path)
        if kind == "unknown":
            raise ApiError(404, f"Method not found: {method} {unquote(path)}")
        params = _Params(query)
        payload = _json_body(body) if method.upper() in ("POST", "PUT") else {}
        with self._lock:
            spreadsheet = self.spreadsheets.get(arguments["spreadsheet_id"])
            if spreadsheet is None:
                raise _not_found()
            # "values.batchGet" is answered by _values_batchGet, and so on.
            operation = getattr(self, "_" + kind.replace(".", "_"))
            if "range" in arguments:
                answer = operation(spreadsheet, params, payload, arguments["range"])
            else:
                answer = operation(spreadsheet, params, payload)
        fields = params.get("fields")
        return apply_field_mask(answer, parse_field_mask(fields)) if fields else answer

    # -- spreadsheets

    def _spreadsheets_get(self, spreadsheet: Spreadsheet, params: _Params, _body: dict) -> dict:
        return spreadsheet.metadata(
            include_grid_data=_flag(params.get("includeGridData"), name="includeGridData"),
            ranges=params.all("ranges"),
        )

    def _spreadsheets_batchUpdate(
        self, spreadsheet: Spreadsheet, _params: _Params, body: dict
    ) -> dict:
        requests = body.get("requests") or []
        if not isinstance(requests, list):
            raise ApiError(400, "Invalid requests: expected a list.")
        # Google applies all the requests or none: work on a copy, keep it only on success.
        work = spreadsheet.copy()
        replies = []
        for position, request in enumerate(requests):
            if not isinstance(request, dict) or len(request) != 1:
                raise ApiError(400, f"Invalid requests[{position}]: one kind of request expected.")
            [(kind, spec)] = request.items()
            handler = _SHEET_REQUESTS.get(kind)
            if handler is None:
                raise ApiError(
                    400, f"Invalid requests[{position}]: the emulator does not implement {kind}."
                )
            if not isinstance(spec, dict):
                raise ApiError(400, f"Invalid requests[{position}].{kind}: expected an object.")
            try:
                replies.append(handler(work, spec))
            except ApiError as exc:
                raise ApiError(400, f"Invalid requests[{position}].{kind}: {exc.message}") from None
        self.spreadsheets[spreadsheet.spreadsheet_id] = work
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id, "replies": replies}
        if _flag(body.get("includeSpreadsheetInResponse"), name="includeSpreadsheetInResponse"):
            answer["updatedSpreadsheet"] = work.metadata(
                include_grid_data=_flag(
                    body.get("responseIncludeGridData"), name="responseIncludeGridData"
                ),
                ranges=body.get("responseRanges") or [],
            )
        return answer

    # -- values

    def _values_get(
        self, spreadsheet: Spreadsheet, params: _Params, _body: dict, range_text: str
    ) -> dict:
        render = _Render.from_params(params)
        sheet, box = spreadsheet.read_box(range_text)
        return _value_range(sheet, box, render)

    def _values_batchGet(self, spreadsheet: Spreadsheet, params: _Params, _body: dict) -> dict:
        render = _Render.from_params(params)
        boxes = [spreadsheet.read_box(range_text) for range_text in params.all("ranges")]
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
        if boxes:
            answer["valueRanges"] = [_value_range(sheet, box, render) for sheet, box in boxes]
        return answer

    def _values_update(
        self, spreadsheet: Spreadsheet, params: _Params, body: dict, range_text: str
    ) -> dict:
        user_entered = _input_option(params.get("valueInputOption"))
        render = _response_render(
            params.get("includeValuesInResponse"),
            params.get("responseValueRenderOption"),
            params.get("responseDateTimeRenderOption"),
        )
        sheet, target = spreadsheet.locate(range_text)
        write = _plan_write(
            sheet,
            target,
            body.get("values"),
            range_text=range_text,
            major_dimension=_major_dimension(body.get("majorDimension")),
            user_entered=user_entered,
        )
        write.apply()
        return write.response(spreadsheet.spreadsheet_id, render)

    def _values_batchUpdate(self, spreadsheet: Spreadsheet, _params: _Params, body: dict) -> dict:
        user_entered = _input_option(body.get("valueInputOption"))
        render = _response_render(
            body.get("includeValuesInResponse"),
            body.get("responseValueRenderOption"),
            body.get("responseDateTimeRenderOption"),
        )
        data = body.get("data") or []
        if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
            raise ApiError(400, "Invalid data: expected a list of value ranges.")
        writes = []
        for position, entry in enumerate(data):
            range_text = entry.get("range")
            if not isinstance(range_text, str):
                raise ApiError(400, f"Invalid data[{position}]: a value range needs a range.")
            sheet, target = spreadsheet.locate(range_text)
            try:
                write = _plan_write(
                    sheet,
                    target,
                    entry.get("values"),
                    range_text=range_text,
                    major_dimension=_major_dimension(entry.get("majorDimension")),
                    user_entered=user_entered,
                )
            except ApiError as exc:
                raise ApiError(400, f"Invalid data[{position}]: {exc.message}") from None
            writes.append(write)
        for write in writes:
            write.apply()
        responses = [write.response(spreadsheet.spreadsheet_id, render) for write in writes]
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
        totals = {
            "totalUpdatedRows": sum(response.get("updatedRows", 0) for response in responses),
            "totalUpdatedColumns": sum(response.get("updatedColumns", 0) for response in responses),
            "totalUpdatedCells": sum(response.get("updatedCells", 0) for response in responses),
            "totalUpdatedSheets": len({id(write.sheet) for write in writes if write.cells}),
        }
        answer.update({name: total for name, total in totals.items() if total})
        if responses:
            answer["responses"] = responses
        return answer

    def _values_append(
        self, spreadsheet: Spreadsheet, params: _Params, body: dict, range_text: str
    ) -> dict:
        user_entered = _input_option(params.get("valueInputOption"))
        insert_rows = (
            _choice(
                params.get("insertDataOption"),
                ("OVERWRITE", "INSERT_ROWS"),
                name="insertDataOption",
                default="OVERWRITE",
            )
            == "INSERT_ROWS"
        )
        render = _response_render(
            params.get("includeValuesInResponse"),
            params.get("responseValueRenderOption"),
            params.get("responseDateTimeRenderOption"),
        )
        sheet, search = spreadsheet.read_box(range_text)
        table = _find_table(sheet, search)
        if table is None:
            start_row, start_column = search.start_row, search.start_column
        else:
            start_row, start_column = table.end_row, table.start_column
        write = _plan_write(
            sheet,
            a1.A1Range(sheet.title, start_row, start_column),
            body.get("values"),
            range_text=range_text,
            major_dimension=_major_dimension(body.get("majorDimension")),
            user_entered=user_entered,
            bounded=False,
        )
        if insert_rows and write.height:
            sheet.insert_rows(start_row, write.height)
        write.apply()
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
        if table is not None:
            answer["tableRange"] = a1.format_range(sheet.title, *table)
        answer["updates"] = write.response(spreadsheet.spreadsheet_id, render)
        return answer

    def _values_clear(
        self, spreadsheet: Spreadsheet, _params: _Params, _body: dict, range_text: str
    ) -> dict:
        sheet, box = spreadsheet.read_box(range_text)
        sheet.clear(box)
        return {
            "spreadsheetId": spreadsheet.spreadsheet_id,
            "clearedRange": a1.format_range(sheet.title, *box),
        }

    def _values_batchClear(self, spreadsheet: Spreadsheet, _params: _Params, body: dict) -> dict:
        ranges = body.get("ranges") or []
        if not isinstance(ranges, list) or not all(isinstance(text, str) for text in ranges):
            raise ApiError(400, "Invalid ranges: expected a list of ranges.")
        boxes = [spreadsheet.read_box(range_text) for range_text in ranges]
        for sheet, box in boxes:
            sheet.clear(box)
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
        if boxes:
            answer["clearedRanges"] = [a1.format_range(sheet.title, *box) for sheet, box in boxes]
        return answer


def _json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise ApiError(400, f"Invalid JSON payload received. {exc}") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "Invalid JSON payload received. Expected an object.")
    return payload


def _input_option(value: Any) -> bool:
    """True for USER_ENTERED, False for RAW; the option is required, as at Google."""
    return (
        _choice(value, VALUE_INPUT_OPTIONS, name="valueInputOption", default=None) == "USER_ENTERED"
    )


def _response_render(include: Any, value_option: Any, date_time_option: Any) -> _Render | None:
    if not _flag(include, name="includeValuesInResponse"):
        return None
    return _Render.read("ROWS", value_option, date_time_option)


# -- spreadsheets.batchUpdate requests: each changes ``spreadsheet`` and returns its reply


def _add_sheet(spreadsheet: Spreadsheet, spec: dict) -> dict:
    properties = dict(spec.get("properties") or {})
    taken = {sheet.title.casefold() for sheet in spreadsheet.sheets}
    default_title = next(
        f"Sheet{number}" for number in range(1, 10_000) if f"sheet{number}" not in taken
    )
    title = spreadsheet.check_title(properties.pop("title", default_title))
    sheet_id = properties.pop("sheetId", None)
    if sheet_id is None:
        sheet_id = spreadsheet.new_sheet_id()
    elif not _is_count(sheet_id, minimum=0):
        raise ApiError(400, f"Invalid sheetId: {sheet_id}")
    elif any(sheet.sheet_id == sheet_id for sheet in spreadsheet.sheets):
        raise ApiError(400, f"A sheet with id {sheet_id} already exists.")
    grid = dict(properties.pop("gridProperties", None) or {})
    row_count = grid.pop("rowCount", DEFAULT_ROW_COUNT)
    column_count = grid.pop("columnCount", DEFAULT_COLUMN_COUNT)
    if not _is_count(row_count, minimum=1) or not _is_count(column_count, minimum=1):
        raise ApiError(400, "A sheet needs at least one row and one column.")
    index = properties.pop("index", len(spreadsheet.sheets))
    if not _is_count(index, minimum=0):
        raise ApiError(400, f"Invalid index: {index}")
    hidden = bool(properties.pop("hidden", False))
    properties.pop("sheetType", None)
    sheet = Sheet(
        sheet_id=sheet_id,
        title=title,
        row_count=row_count,
        column_count=column_count,
        hidden=hidden,
        grid_extra=grid,
        extra=properties,
    )
    spreadsheet.sheets.insert(max(0, min(index, len(spreadsheet.sheets))), sheet)
    return {"addSheet": {"properties": sheet.properties(spreadsheet.sheets.index(sheet))}}


def _delete_sheet(spreadsheet: Spreadsheet, spec: dict) -> dict:
    sheet = spreadsheet.sheet_with_id(spec.get("sheetId"))
    if len(spreadsheet.sheets) == 1:
        raise ApiError(400, "You can't remove all the sheets in a document.")
    spreadsheet.sheets.remove(sheet)
    return {}


def _update_sheet_properties(spreadsheet: Spreadsheet, spec: dict) -> dict:
    properties = spec.get("properties") or {}
    if not spec.get("fields"):
        raise ApiError(400, "At least one field must be updated; 'fields' is empty.")
    sheet = spreadsheet.sheet_with_id(properties.get("sheetId", 0))
    paths = list(_mask_paths(parse_field_mask(spec["fields"])))
    if ("*",) in paths:
        paths = [(name,) for name in properties]
    for path in paths:
        name = path[0]
        if name in ("sheetId", "sheetType"):
            continue
        if name == "title":
            sheet.title = spreadsheet.check_title(properties.get("title"), renaming=sheet)
        elif name == "index":
            index = properties.get("index", 0)
            if not _is_count(index, minimum=0):
                raise ApiError(400, f"Invalid index: {index}")
            spreadsheet.move(sheet, index)
        elif name == "hidden":
            sheet.hidden = bool(properties.get("hidden", False))
        elif name == "gridProperties":
            grid = properties.get("gridProperties") or {}
            names = list(grid) if len(path) == 1 or path[1] == "*" else [path[1]]
            for grid_name in names:
                _set_grid_property(sheet, grid_name, grid.get(grid_name))
        elif name in properties:
            sheet.extra[name] = properties[name]
        else:
            sheet.extra.pop(name, None)
    return {}


def _set_grid_property(sheet: Sheet, name: str, value: Any) -> None:
    if name in ("rowCount", "columnCount"):
        if not _is_count(value, minimum=1):
            raise ApiError(400, f"gridProperties.{name} must be at least 1.")
        if name == "rowCount":
            sheet.resize(rows=value)
        else:
            sheet.resize(columns=value)
    elif value in (None, 0, False):
        sheet.grid_extra.pop(name, None)
    else:
        sheet.grid_extra[name] = value


def _update_spreadsheet_properties(spreadsheet: Spreadsheet, spec: dict) -> dict:
    properties = spec.get("properties") or {}
    if not spec.get("fields"):
        raise ApiError(400, "At least one field must be updated; 'fields' is empty.")
    paths = list(_mask_paths(parse_field_mask(spec["fields"])))
    if ("*",) in paths:
        paths = [(name,) for name in properties]
    for name, *_rest in paths:
        if name == "title":
            spreadsheet.title = str(properties.get("title") or "")
        elif name == "locale":
            spreadsheet.locale = str(properties.get("locale") or "en_US")
        elif name == "timeZone":
            spreadsheet.time_zone = str(properties.get("timeZone") or "Etc/GMT")
    return {}


def _dimension_range(
    spreadsheet: Spreadsheet, spec: Any, *, end_required: bool
) -> tuple[Sheet, bool, int, int | None]:
    """(sheet, is_rows, start, end) of a DimensionRange."""
    if not isinstance(spec, dict):
        raise ApiError(400, "range is required.")
    sheet = spreadsheet.sheet_with_id(spec.get("sheetId", 0))
    dimension = spec.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise ApiError(400, f"range.dimension must be ROWS or COLUMNS, not {dimension!r}.")
    start = spec.get("startIndex", 0)
    end = spec.get("endIndex")
    if not _is_count(start, minimum=0) or (end is not None and not _is_count(end, minimum=0)):
        raise ApiError(400, "range.startIndex and range.endIndex must be whole numbers.")
    if end is None and end_required:
        raise ApiError(400, "range.endIndex is required.")
    if end is not None and end <= start:
        raise ApiError(400, "range.endIndex must be greater than range.startIndex.")
    return sheet, dimension == "ROWS", start, end


def _insert_dimension(spreadsheet: Spreadsheet, spec: dict) -> dict:
    sheet, rows, start, end = _dimension_range(spreadsheet, spec.get("range"), end_required=True)
    assert end is not None
    count = sheet.row_count if rows else sheet.column_count
    if start > count:
        raise ApiError(400, f"range.startIndex ({start}) is beyond the grid ({count}).")
    if spec.get("inheritFromBefore") and start == 0:
        raise ApiError(400, "Cannot inherit from before when inserting at the start of the grid.")
    if rows:
        sheet.insert_rows(start, end - start)
    else:
        sheet.insert_columns(start, end - start)
    return {}


def _delete_dimension(spreadsheet: Spreadsheet, spec: dict) -> dict:
    sheet, rows, start, end = _dimension_range(spreadsheet, spec.get("range"), end_required=False)
    count = sheet.row_count if rows else sheet.column_count
    word = "rows" if rows else "columns"
    end = count if end is None else end
    if end > count:
        raise ApiError(400, f"Cannot delete {word} beyond the grid: the sheet has {count} {word}.")
    if start == 0 and end == count:
        raise ApiError(400, f"You can't delete all the {word} on the sheet.")
    if rows:
        sheet.delete_rows(start, end)
    else:
        sheet.delete_columns(start, end)
    return {}


def _append_dimension(spreadsheet: Spreadsheet, spec: dict) -> dict:
    sheet = spreadsheet.sheet_with_id(spec.get("sheetId", 0))
    length = spec.get("length")
    if not _is_count(length, minimum=1):
        raise ApiError(400, "length must be at least 1.")
    if spec.get("dimension") == "ROWS":
        sheet.row_count += length
    elif spec.get("dimension") == "COLUMNS":
        sheet.column_count += length
    else:
        raise ApiError(400, "dimension must be ROWS or COLUMNS.")
    return {}


_SHEET_REQUESTS: dict[str, Callable[[Spreadsheet, dict], dict]] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "appendDimension": _append_dimension,
}


# --- 4. Faults, quota and the request log -----------------------------------------------------


@dataclass
class Fault:
    """The next ``remaining`` API requests wait ``delay`` seconds, then answer ``status`` (or,
    with no status, go on to be answered normally: a slow server)."""

    status: int | None
    remaining: int
    retry_after: int | None = None
    delay: float = 0.0
    message: str | None = None

    def error(self) -> ApiError:
        assert self.status is not None
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        message = self.message or _DEFAULT_MESSAGES.get(self.status, "Injected fault.")
        return ApiError(self.status, message, headers=headers)


class MinuteQuota:
    """At most ``limit`` API requests in any 60 seconds; None: no limit."""

    WINDOW = 60.0

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self.limit: int | None = None
        self._admitted: deque[float] = deque()

    def set(self, limit: int | None) -> None:
        self.limit = limit
        self._admitted.clear()

    def admit(self) -> bool:
        if self.limit is None:
            return True
        now = self._clock()
        while self._admitted and now - self._admitted[0] >= self.WINDOW:
            self._admitted.popleft()
        if len(self._admitted) >= self.limit:
            return False
        self._admitted.append(now)
        return True


class RequestLog:
    """Every API request answered (control routes aside), for tests and benchmarks."""

    def __init__(self, keep: int = 10_000):
        self._entries: deque[dict[str, Any]] = deque(maxlen=keep)
        self._by_kind: Counter[str] = Counter()
        self._by_status: Counter[int] = Counter()
        self._total = 0

    def reset(self) -> None:
        self._entries.clear()
        self._by_kind.clear()
        self._by_status.clear()
        self._total = 0

    def record(self, *, kind: str, method: str, path: str, status: int) -> None:
        self._total += 1
        self._by_kind[kind] += 1
        self._by_status[status] += 1
        self._entries.append(
            {"kind": kind, "method": method, "path": path, "status": status, "at": time.time()}
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "total": self._total,
            "by_kind": dict(self._by_kind),
            "by_status": {str(status): count for status, count in sorted(self._by_status.items())},
            "requests": list(self._entries),
        }


# --- 5. The server ----------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, error: ApiError) -> Reply:
        return cls(error.code, error.body(), error.headers)


def _as_list(data: Any) -> list[Any]:
    return data if isinstance(data, list) else [data]


class SheetsEmulator(ThreadingHTTPServer):
    """The emulator: an HTTP server on loopback plus the Python controls tests use.

    ``SheetsEmulator(port=0)`` binds a free port; ``start()`` serves from a thread (or use it
    as a context manager); ``url`` is what ``MILEPOST_SHEETS_API_URL`` should be."""

    daemon_threads = True

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        save_path: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__((host, port), _RequestHandler)
        self.api = SheetsApi()
        self.save_path = Path(save_path) if save_path else None
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._quota = MinuteQuota(clock)
        self._log = RequestLog()
        self._loaded: dict[str, dict[str, Any]] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (socket.getfqdn), a DNS query this
        # loopback-only server has no use for.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    # -- running

    def start(self) -> SheetsEmulator:
        self._thread = threading.Thread(
            target=self.serve_forever,
            # How often the loop looks for stop(): short, so a test's teardown is quick.
            kwargs={"poll_interval": 0.01},
            name=f"sheets-emulator-{self.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests held by an injected delay are let go."""
        self._stopping.set()
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self) -> SheetsEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- spreadsheets

    def load(self, data: Mapping[str, Any]) -> str:
        """Load (or replace) a spreadsheet from its JSON form; returns its id."""
        spreadsheet = Spreadsheet.from_json(data)
        self.api.put(spreadsheet)
        with self._lock:
            self._loaded[spreadsheet.spreadsheet_id] = spreadsheet.to_json()
        return spreadsheet.spreadsheet_id

    def load_file(self, path: str | os.PathLike[str]) -> list[str]:
        """Load the spreadsheets of a file written by ``save`` (one object, or a list of them).

        Raises OSError when the file cannot be read, ValueError when it holds no spreadsheet."""
        text = Path(path).read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{path} is not JSON: {exc}") from None
        spreadsheets = [Spreadsheet.from_json(entry) for entry in _as_list(data)]
        return [self.load(spreadsheet.to_json()) for spreadsheet in spreadsheets]

    def dump(self, spreadsheet_id: str) -> dict[str, Any]:
        """The spreadsheet in its JSON form; KeyError when there is none of that id."""
        return self.api.dump(spreadsheet_id)

    def spreadsheet_ids(self) -> list[str]:
        return self.api.ids()

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the spreadsheets to ``path`` (default: the ``save_path`` given at start), as
        one object when there is one spreadsheet, a list otherwise. Atomic: a reader never
        sees half a file."""
        target = Path(path) if path else self.save_path
        if target is None:
            raise ValueError("No file to save to: the emulator was started without --save.")
        dumps = [self.dump(spreadsheet_id) for spreadsheet_id in self.spreadsheet_ids()]
        data = dumps[0] if len(dumps) == 1 else dumps
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False, indent=1)
            file.write("\n")
        os.replace(temporary, target)
        return target

    # -- faults, quota, statistics

    def inject_faults(
        self,
        status: int | None = 500,
        *,
        count: int = 1,
        retry_after: int | None = None,
        delay: float = 0.0,
        message: str | None = None,
    ) -> None:
        """Make the next ``count`` API requests wait ``delay`` seconds and then answer
        ``status`` (429, 500, 503 ...) with Google's error body, and a ``Retry-After`` header
        when given. ``status=None`` with a delay makes a slow (or, past the client's timeout,
        hanging) server. Faults queue up behind each other."""
        if status is not None and not (_is_count(status, minimum=400) and status <= 599):
            raise ValueError(f"status must be an HTTP error status (400-599), not {status!r}.")
        if not _is_count(count, minimum=1):
            raise ValueError(f"count must be at least 1, not {count!r}.")
        if retry_after is not None and not _is_count(retry_after, minimum=0):
            raise ValueError(f"retry_after must be whole seconds, not {retry_after!r}.")
        if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
            raise ValueError(f"delay must be a number of seconds, not {delay!r}.")
        if status is None and not delay:
            raise ValueError("A fault needs a status, a delay, or both.")
        with self._lock:
            self._faults.append(Fault(status, count, retry_after, float(delay), message))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_quota(self, per_minute: int | None) -> None:
        """Answer 429 RESOURCE_EXHAUSTED past ``per_minute`` API requests in any minute."""
        if per_minute is not None and not _is_count(per_minute, minimum=0):
            raise ValueError(f"per_minute must be a whole number, not {per_minute!r}.")
        with self._lock:
            self._quota.set(per_minute)

    def stats(self) -> dict[str, Any]:
        """``{"total", "by_kind": {"values.batchGet": 1, ...}, "by_status", "requests"}``."""
        with self._lock:
            return self._log.snapshot()

    def reset_stats(self) -> None:
        with self._lock:
            self._log.reset()

    def reset(self) -> None:
        """Back to the state after loading: spreadsheets as loaded, no faults, no quota, no
        statistics."""
        with self._lock:
            loaded = list(self._loaded.values())
            self._faults.clear()
            self._quota.set(None)
            self._log.reset()
        self.api.replace_all(Spreadsheet.from_json(data) for data in loaded)

    # -- answering

    def process(self, method: str, target: str, body: bytes = b"") -> Reply:
        """Answer one HTTP request (``target`` is the path with its query string)."""
        parts = urlsplit(target)
        if parts.path == "/_emulator" or parts.path.startswith("/_emulator/"):
            return self._control(method.upper(), parts.path, body)

        kind, _ = request_kind(method, parts.path)
        fault = self._take_fault()
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        if fault is not None and fault.status is not None:
            reply = Reply.error(fault.error())
        elif not self._admit():
            reply = Reply.error(ApiError(429, _DEFAULT_MESSAGES[429]))
        else:
            try:
                payload = self.api.call(
                    method, parts.path, parse_qs(parts.query, keep_blank_values=True), body
                )
                reply = Reply(200, payload)
            except ApiError as exc:
                reply = Reply.error(exc)
        with self._lock:
            self._log.record(
                kind=kind, method=method.upper(), path=unquote(parts.path), status=reply.status
            )
        return reply

    def _take_fault(self) -> Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.popleft()
            return fault

    def _admit(self) -> bool:
        with self._lock:
            return self._quota.admit()

    def _control(self, method: str, path: str, body: bytes) -> Reply:
        try:
            return Reply(200, self._control_answer(method, path, _json_body(body)))
        except ApiError as exc:
            return Reply.error(exc)
        except ValueError as exc:
            return Reply.error(ApiError(400, str(exc)))

    def _control_answer(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        route = (method, path.removeprefix("/_emulator").rstrip("/"))
        if route == ("GET", "/stats"):
            return self.stats()
        if route == ("POST", "/stats/reset"):
            self.reset_stats()
            return {}
        if route == ("POST", "/faults"):
            self.inject_faults(
                body.get("status"),
                count=body.get("count", 1),
                retry_after=body.get("retry_after"),
                delay=body.get("delay", 0.0),
                message=body.get("message"),
            )
            return {"pending": self._pending_faults()}
        if route == ("DELETE", "/faults"):
            self.clear_faults()
            return {"pending": 0}
        if route == ("POST", "/quota"):
            self.set_quota(body.get("per_minute"))
            return {"per_minute": body.get("per_minute")}
        if route == ("POST", "/reset"):
            self.reset()
            return {}
        if route == ("POST", "/save"):
            if self.save_path is None:
                raise ApiError(409, "No file to save to: the emulator was started without --save.")
            return {"saved": str(self.save())}
        if route == ("GET", "/spreadsheets"):
            return {"spreadsheets": self.spreadsheet_ids()}
        spreadsheet_id = route[1].removeprefix("/spreadsheets/")
        if route[1].startswith("/spreadsheets/") and "/" not in spreadsheet_id:
            spreadsheet_id = unquote(spreadsheet_id)
            if method == "GET":
                try:
                    return self.dump(spreadsheet_id)
                except KeyError:
                    raise _not_found() from None
            if method == "PUT":
                if body.get("spreadsheetId", spreadsheet_id) != spreadsheet_id:
                    raise ApiError(400, "The spreadsheetId in the body is not the one in the URL.")
                self.load({**body, "spreadsheetId": spreadsheet_id})
                return {"spreadsheetId": spreadsheet_id}
        raise ApiError(404, f"No emulator control at {method} {path}")

    def _pending_faults(self) -> int:
        with self._lock:
            return sum(fault.remaining for fault in self._faults)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Google's front end allows
    # Headers and body leave in two writes; without TCP_NODELAY each answer waits ~40 ms for
    # the client's delayed ACK.
    disable_nagle_algorithm = True
    server_version = "MilepostSheetsEmulator/1"
    server: SheetsEmulator

    def do_GET(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Bad Content-Length")
            return
        body = self.rfile.read(length) if length > 0 else b""
        try:
            reply = self.server.process(self.command, self.path, body)
        except Exception:  # an emulator bug: answer as Google's 500, keep serving
            logger.exception("The Sheets emulator failed on %s %s", self.command, self.path)
            reply = Reply.error(ApiError(500, _DEFAULT_MESSAGES[500]))
        data = json.dumps(reply.payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a timeout during an injected delay).
            self.close_connection = True

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)
