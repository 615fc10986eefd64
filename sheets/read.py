"""The sync's read stage: every tab of the spreadsheet in one request, as tab data.

Opening the spreadsheet (`client.open_spreadsheet`) is the metadata read; this is the second
and last read of a run, whatever the number of teams: one ``spreadsheets.get`` with grid data,
restricted by a field mask to what the sync needs (Sheets API v4 reference, ``CellData``:
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/cells#celldata):

- the spreadsheet's ``locale`` and ``timeZone`` (text dates are read in its locale);
- each tab's ``sheetId`` (tabs are followed by it across renames), title and grid size, its
  ``merges`` and its ``protectedRanges`` with ``requestingUserCanEdit``;
- each cell's ``formattedValue`` (what people see), ``effectiveValue`` (a date is a serial
  number, whatever the locale or the cell's format), ``userEnteredValue`` (a formula's text),
  ``effectiveFormat.numberFormat`` (which numbers are dates, and the pattern a new date
  cell in the column gets) and ``hyperlink`` (the address a cell links to, which its text may
  only name: ``=HYPERLINK("https://jira.example.com/browse/PLAT-42","PLAT-42")``, or a key
  pasted as a link). The reference: "A hyperlink this cell points to, if any. If the cell
  contains multiple hyperlinks, this field will be empty. This field is read-only. To set it,
  use a =HYPERLINK formula in the userEnteredValue.formulaValue field" (``CellData``, page
  above; the same text as Google's API description publishes it:
  https://pub.dev/documentation/googleapis/latest/sheets_v4/CellData/hyperlink.html). A
  link in a text format run that spans the whole cell is one of the ways the reference gives
  to set it; ``textFormatRuns`` and ``chipRuns`` are not read, so a link Google does not
  answer as the cell's ``hyperlink`` (several links, a chip) leaves the cell read by its text.

One snapshot gives the tab list and every tab's cells together (no tab can appear between two
reads), and its short URL has no limit on the number of tabs, where a ``values:batchGet``
naming 1,000 ranges would not.

A merged range gives its value to every row it spans. Cells the sync must never write are
kept as `ReadOnly` ranges: a merged range, a protected range the account may not edit; and a
formula cell is read-only on its own (`TabData.formulas`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sheets import a1, client

GRID_FIELDS = (
    "properties(locale,timeZone),"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "merges,protectedRanges(range,requestingUserCanEdit),"
    "data(rowData(values(formattedValue,effectiveValue,userEnteredValue,"
    "effectiveFormat.numberFormat,hyperlink))))"
)
# The grid of a tab whose properties do not say (and of a tab the app creates).
DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
DEFAULT_LOCALE = "en_US"

Position = tuple[int, int]  # (row, column), zero-based


@dataclass(frozen=True)
class ReadOnly:
    """A block of cells the sync never writes: zero-based, exclusive ends."""

    start_row: int
    start_column: int
    end_row: int
    end_column: int
    why: str  # "merged" or "protected"

    def contains(self, row: int, column: int) -> bool:
        return (
            self.start_row <= row < self.end_row and self.start_column <= column < self.end_column
        )

    def cells(self, title: str) -> str:
        """``D3:D5``."""
        return a1.format_range(title, *self.bounds()).rpartition("!")[2]

    def bounds(self) -> tuple[int, int, int, int]:
        return (self.start_row, self.start_column, self.end_row, self.end_column)


@dataclass(frozen=True)
class TabData:
    """A tab as read: its properties and the text of its cells, trailing blanks trimmed (a
    merged range's text in each of its cells), and what the text alone does not say."""

    title: str
    sheet_id: int | None
    row_count: int
    column_count: int
    values: list[list[str]]
    locale: str = DEFAULT_LOCALE  # the spreadsheet's
    numbers: Mapping[Position, float] = field(default_factory=dict)  # numeric effective values
    date_formats: Mapping[Position, str] = field(default_factory=dict)  # date cells: pattern
    formulas: Mapping[Position, str] = field(default_factory=dict)
    hyperlinks: Mapping[Position, str] = field(default_factory=dict)  # what cells link to
    read_only: tuple[ReadOnly, ...] = ()

    def why_read_only(self, row: int, column: int) -> str | None:
        """Why the sync may not write the cell: "formula", "merged", "protected"; or None."""
        if (row, column) in self.formulas:
            return "formula"
        for block in self.read_only:
            if block.contains(row, column):
                return block.why
        return None


def read_tabs(spreadsheet: client.OpenedSpreadsheet) -> dict[str, TabData]:
    """Every tab of the spreadsheet, by title, in one request."""
    return tabs_from_grid(client.read_grid(spreadsheet, GRID_FIELDS))


def tabs_from_grid(spreadsheet: Mapping[str, Any]) -> dict[str, TabData]:
    """The tabs of a Spreadsheet resource read with `GRID_FIELDS`, by title."""
    locale = str((spreadsheet.get("properties") or {}).get("locale") or DEFAULT_LOCALE)
    tabs = {}
    for entry in spreadsheet.get("sheets") or []:
        properties = entry.get("properties") or {}
        grid = properties.get("gridProperties") or {}
        title = str(properties.get("title", ""))
        tabs[title] = _tab(entry, title, properties, grid, locale)
    return tabs


def _tab(entry: Mapping[str, Any], title: str, properties, grid, locale: str) -> TabData:
    rows: list[list[str]] = []
    numbers: dict[Position, float] = {}
    date_formats: dict[Position, str] = {}
    formulas: dict[Position, str] = {}
    hyperlinks: dict[Position, str] = {}
    for block in entry.get("data") or []:
        top, left = int(block.get("startRow", 0)), int(block.get("startColumn", 0))
        for row_offset, row in enumerate(block.get("rowData") or []):
            number = top + row_offset
            while len(rows) <= number:
                rows.append([])
            cells = rows[number]
            for column_offset, cell in enumerate(row.get("values") or []):
                column = left + column_offset
                while len(cells) <= column:
                    cells.append("")
                cells[column] = str(cell.get("formattedValue", ""))
                _typed(cell, (number, column), numbers, date_formats, formulas)
                if isinstance(link := cell.get("hyperlink"), str) and link.strip():
                    hyperlinks[(number, column)] = link
    read_only = []
    for merge in entry.get("merges") or []:
        bounds = _bounds(merge)
        read_only.append(ReadOnly(*bounds, why="merged"))
        _spread_merge(rows, (numbers, date_formats, hyperlinks), bounds)
    for protected in entry.get("protectedRanges") or []:
        if not protected.get("requestingUserCanEdit", False):
            read_only.append(ReadOnly(*_bounds(protected.get("range") or {}), why="protected"))
    for cells in rows:
        while cells and cells[-1] == "":
            cells.pop()
    while rows and not rows[-1]:
        rows.pop()
    return TabData(
        title=title,
        sheet_id=properties.get("sheetId"),
        row_count=int(grid.get("rowCount", DEFAULT_ROWS)),
        column_count=int(grid.get("columnCount", DEFAULT_COLUMNS)),
        values=rows,
        locale=locale,
        numbers=numbers,
        date_formats=date_formats,
        formulas=formulas,
        hyperlinks=hyperlinks,
        read_only=tuple(read_only),
    )


def _typed(cell, position, numbers, date_formats, formulas) -> None:
    effective = cell.get("effectiveValue") or {}
    if isinstance(effective.get("numberValue"), int | float):
        numbers[position] = float(effective["numberValue"])
        number_format = (cell.get("effectiveFormat") or {}).get("numberFormat") or {}
        if number_format.get("type") in ("DATE", "DATE_TIME"):
            date_formats[position] = str(number_format.get("pattern") or "")
    formula = (cell.get("userEnteredValue") or {}).get("formulaValue")
    if isinstance(formula, str):
        formulas[position] = formula


def _bounds(grid_range: Mapping[str, Any]) -> tuple[int, int, int, int]:
    """A GridRange's bounds; a missing end runs to the edge of any sheet."""
    return (
        int(grid_range.get("startRowIndex", 0)),
        int(grid_range.get("startColumnIndex", 0)),
        int(grid_range.get("endRowIndex", 10**7)),
        int(grid_range.get("endColumnIndex", 10**5)),
    )


def _spread_merge(rows, typed, bounds) -> None:
    """Give a merged range's value (its top-left cell's, and what `typed` maps say of it:
    its number, date format, link) to every cell it spans."""
    top, left, bottom, right = bounds
    anchor_row = rows[top] if top < len(rows) else []
    anchor = anchor_row[left] if left < len(anchor_row) else ""
    if not anchor:
        return
    for row in range(top, min(bottom, top + DEFAULT_ROWS * 10)):
        while len(rows) <= row:
            rows.append([])
        cells = rows[row]
        for column in range(left, right):
            if (row, column) == (top, left):
                continue
            while len(cells) <= column:
                cells.append("")
            cells[column] = anchor
            for known in typed:
                if (top, left) in known:
                    known[(row, column)] = known[(top, left)]
