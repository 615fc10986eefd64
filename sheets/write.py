"""The sync's write stage: the Sheets requests that carry out a plan on the sheet.

At most two requests, whatever the number of teams: one ``spreadsheets.batchUpdate`` adding the
tabs the plan creates, growing grids too small for the rows it adds and writing the dates that
change, and one ``values:batchUpdate`` with the other cells that change. Only mapped cells are
ever written: a range covers a run of adjacent written cells in a row, never a cell between two
of them (a "Jira" column, comments), so the sheet's own columns are never cleared; and never a
cell the sync must not write (a formula, a merged range, a protected range: `sheets.held`).

Dates are written as serial numbers with ``updateCells`` and ``fields: "userEnteredValue"``
(Sheets API v4 reference, ``UpdateCellsRequest``:
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#updatecellsrequest).
A serial number is the same day in every locale, where text typed as USER_ENTERED is read in
the spreadsheet's locale (``3/4/2026`` is 3 April in en_GB) and even ISO text leaves the cell
with whatever format Google infers from it; and the field mask names the value alone, so the
cell keeps the number format people gave it (``d mmm yyyy`` stays). Only a cell without a date
format gets one: the pattern of the date above it in the column, else the locale's own
(``{"type": "DATE"}``). Text keeps going through ``values:batchUpdate`` with USER_ENTERED and a
leading apostrophe (`parse.format_text`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sheets import a1, client, parse
from sheets.dates import serial_of
from sheets.fields import cell_value
from sheets.held import why_held
from sheets.plan import SyncPlan, TabPlan
from sheets.read import DEFAULT_COLUMNS, DEFAULT_ROWS, TabData


@dataclass(frozen=True)
class DateCell:
    """A date to write: its serial number, and the format a cell without one gets."""

    serial: int
    number_format: Mapping[str, str] | None  # None: the cell has a date format, kept


@dataclass(frozen=True)
class SheetWrites:
    structure: tuple[dict[str, Any], ...] = ()  # requests of one spreadsheets.batchUpdate
    ranges: tuple[dict[str, Any], ...] = ()  # ValueRanges of one values:batchUpdate


def sheet_writes(plan: SyncPlan) -> SheetWrites:
    """The structural requests (new tabs, more rows or columns) and the cells to write. The
    milestones the plan creates must have their IDs (`commit.give_new_ids`)."""
    structure: list[dict[str, Any]] = []
    dates: list[dict[str, Any]] = []
    cells: dict[str, dict[tuple[int, int], Any]] = {}
    for tab in plan.tabs:
        if tab.skipped:
            continue
        writes = tab_cells(tab)
        if not writes and not tab.create:
            continue
        rows_needed = max(row for row, _ in writes) + 1
        columns_needed = max(column for _, column in writes) + 1
        structure += grid_requests(
            sheet_id=tab.sheet_id if tab.create else tab.data.sheet_id,
            title=tab.title,
            needed=(rows_needed, columns_needed),
            have=None if tab.create else (tab.data.row_count, tab.data.column_count),
        )
        for (row, column), value in sorted(writes.items()):
            if isinstance(value, DateCell):
                dates.append(update_date(tab.sheet_id, row, column, value))
        cells[tab.title] = {
            place: value for place, value in writes.items() if not isinstance(value, DateCell)
        }
    return SheetWrites(tuple(structure + dates), tuple(value_ranges(cells)))


def grid_requests(
    *,
    sheet_id: int | None,
    title: str,
    needed: tuple[int, int],
    have: tuple[int, int] | None,
) -> list[dict[str, Any]]:
    """The requests that give a tab the rows and columns `needed`: an addSheet of a new tab
    (`have` None: a frozen header row, at least the default grid), else an appendDimension for
    each of the rows and columns it lacks of the `have` it has (Google refuses values beyond
    the grid: grow it first, in the same request)."""
    rows_needed, columns_needed = needed
    if have is None:
        return [
            {
                "addSheet": {
                    "properties": {
                        "sheetId": sheet_id,
                        "title": title,
                        "gridProperties": {
                            "rowCount": max(DEFAULT_ROWS, rows_needed),
                            "columnCount": max(DEFAULT_COLUMNS, columns_needed),
                            "frozenRowCount": 1,
                        },
                    }
                }
            }
        ]
    return [
        {"appendDimension": {"sheetId": sheet_id, "dimension": dimension, "length": more - has}}
        for dimension, more, has in zip(("ROWS", "COLUMNS"), needed, have, strict=True)
        if more > has
    ]


def update_date(sheet_id: int | None, row: int, column: int, date: DateCell) -> dict[str, Any]:
    """The UpdateCellsRequest of one date cell."""
    cell: dict[str, Any] = {"userEnteredValue": {"numberValue": date.serial}}
    fields = "userEnteredValue"
    if date.number_format is not None:
        cell["userEnteredFormat"] = {"numberFormat": dict(date.number_format)}
        fields += ",userEnteredFormat.numberFormat"
    return {
        "updateCells": {
            "start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": column},
            "rows": [{"values": [cell]}],
            "fields": fields,
        }
    }


def date_cell(data: TabData | None, row: int, column: int, value: datetime.date) -> DateCell:
    """`value` for the cell at (row, column), zero-based, of the tab as read."""
    formats = data.date_formats if data is not None else {}
    if (row, column) in formats:
        return DateCell(serial_of(value), None)
    above = [(r, pattern) for (r, c), pattern in formats.items() if c == column and r < row]
    pattern = max(above)[1] if above else ""
    number_format = {"type": "DATE", "pattern": pattern} if pattern else {"type": "DATE"}
    return DateCell(serial_of(value), number_format)


def tab_cells(tab: TabPlan) -> dict[tuple[int, int], Any]:
    """A tab's cells to write, (row, column) zero-based -> value (a `DateCell` for a date);
    only mapped cells, never one the sync must not write (the plan reported those)."""
    columns = tab.layout.columns
    writes: dict[tuple[int, int], Any] = {(0, column): text for column, text in tab.header.items()}

    def value_of(name: str, milestone, row: int) -> Any:
        if name == "target_date" and milestone.target_date is not None:
            return date_cell(tab.data, row, columns[name], milestone.target_date)
        return cell_value(name, milestone)

    for link in tab.links:
        row = link.row.number - 1
        for name in link.merge.push:
            writes[(row, columns[name])] = value_of(name, link.milestone, row)
        if link.write_id:
            writes[(row, columns[parse.ID])] = link.milestone.pk
    for new in tab.new_rows:
        writes[(new.row.number - 1, columns[parse.ID])] = new.milestone.pk
    for append in tab.appends:
        row = append.row_number - 1
        writes[(row, columns[parse.ID])] = append.milestone.pk
        for name in tab.layout.fields:
            value = value_of(name, append.milestone, row)
            if value != "":
                writes[(row, columns[name])] = value
    return {
        (row, column): value
        for (row, column), value in writes.items()
        if why_held(tab.data, row + 1, column) is None
    }


def value_ranges(cells: Mapping[str, Mapping[tuple[int, int], Any]]) -> list[dict[str, Any]]:
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


def send_writes(spreadsheet: client.OpenedSpreadsheet, writes: SheetWrites) -> None:
    """The structure first: the values may go to a tab it adds or to rows it grows."""
    if writes.structure:
        client.update_structure(spreadsheet, writes.structure)
    if writes.ranges:
        client.update_values(spreadsheet, writes.ranges)
