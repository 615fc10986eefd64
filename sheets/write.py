"""The sync's write stage: the Sheets requests that carry out a plan on the sheet.

At most two requests, whatever the number of teams: one ``spreadsheets.batchUpdate`` adding the
tabs the plan creates and growing grids too small for the rows it adds, and one
``values:batchUpdate`` with only the cells that change. Only mapped cells are ever written: a
range covers a run of adjacent written cells in a row, never a cell between two of them (a
"Jira" column, comments), so the sheet's own columns are never cleared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sheets import a1, client, parse
from sheets.fields import cell_value
from sheets.plan import SyncPlan, TabPlan
from sheets.read import DEFAULT_COLUMNS, DEFAULT_ROWS


@dataclass(frozen=True)
class SheetWrites:
    structure: tuple[dict[str, Any], ...] = ()  # requests of one spreadsheets.batchUpdate
    ranges: tuple[dict[str, Any], ...] = ()  # ValueRanges of one values:batchUpdate


def sheet_writes(plan: SyncPlan) -> SheetWrites:
    """The structural requests (new tabs, more rows or columns) and the cells to write. The
    milestones the plan creates must have their IDs (`commit.give_new_ids`)."""
    structure: list[dict[str, Any]] = []
    cells: dict[str, dict[tuple[int, int], Any]] = {}
    for tab in plan.tabs:
        if tab.skipped:
            continue
        writes = tab_cells(tab)
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
    return SheetWrites(tuple(structure), tuple(value_ranges(cells)))


def tab_cells(tab: TabPlan) -> dict[tuple[int, int], Any]:
    """A tab's cells to write, (row, column) zero-based -> value; only mapped cells."""
    columns = tab.layout.columns
    writes: dict[tuple[int, int], Any] = {(0, column): text for column, text in tab.header.items()}
    for link in tab.links:
        for name in link.merge.push:
            writes[(link.row.number - 1, columns[name])] = cell_value(name, link.milestone)
        if link.write_id:
            writes[(link.row.number - 1, columns[parse.ID])] = link.milestone.pk
    for new in tab.new_rows:
        writes[(new.row.number - 1, columns[parse.ID])] = new.milestone.pk
    for append in tab.appends:
        writes[(append.row_number - 1, columns[parse.ID])] = append.milestone.pk
        for name in tab.layout.fields:
            value = cell_value(name, append.milestone)
            if value != "":
                writes[(append.row_number - 1, columns[name])] = value
    return writes


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
