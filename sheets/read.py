"""The sync's read stage: every tab of the spreadsheet in one request, as raw tab data.

Opening the spreadsheet (`client.open_spreadsheet`) is the metadata read; this is the second
and last read of a run, whatever the number of teams: one ``spreadsheets.get`` with grid data,
restricted by a field mask to each tab's properties and the text each cell shows. One snapshot
gives the tab list and every tab's cells together (no tab can appear between two reads), and
its short URL has no limit on the number of tabs, where a ``values:batchGet`` naming 1,000
ranges would not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sheets import client

# One read of every tab: its properties and the text each cell shows.
GRID_FIELDS = (
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "data(rowData(values(formattedValue))))"
)
# The grid of a tab whose properties do not say (and of a tab the app creates).
DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26


@dataclass(frozen=True)
class TabData:
    """A tab as read: its properties and the text of its cells, trailing blanks trimmed."""

    title: str
    sheet_id: int | None
    row_count: int
    column_count: int
    values: list[list[str]]


def read_tabs(spreadsheet: client.OpenedSpreadsheet) -> dict[str, TabData]:
    """Every tab of the spreadsheet, by title, in one request."""
    return tabs_from_grid(client.read_grid(spreadsheet, GRID_FIELDS))


def tabs_from_grid(spreadsheet: Mapping[str, Any]) -> dict[str, TabData]:
    """The tabs of a Spreadsheet resource read with `GRID_FIELDS`, by title."""
    tabs = {}
    for entry in spreadsheet.get("sheets") or []:
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
