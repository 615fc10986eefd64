"""Value ranges: a block of a tab answered as a ValueRange, values planned and written into a
tab, and the "table" ``values.append`` appends to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sheets import a1
from sheets_emulator.cells import FORMATTED_VALUE, Cell, cell_from_input
from sheets_emulator.errors import ApiError
from sheets_emulator.locales import locale_of
from sheets_emulator.store import Box, Grid, Sheet, trimmed_grid


@dataclass(frozen=True)
class ValueRender:
    """How a ValueRange shows its values (the API reads these options from the request)."""

    major_dimension: str = "ROWS"
    value_option: str = FORMATTED_VALUE
    date_time_option: str = "SERIAL_NUMBER"


def _transposed(rows: Grid) -> Grid:
    width = max((len(row) for row in rows), default=0)
    return [[row[column] if column < len(row) else None for row in rows] for column in range(width)]


@dataclass
class ValueWrite:
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

    def response(self, spreadsheet_id: str, render: ValueRender | None) -> dict[str, Any]:
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
            payload["updatedData"] = value_range(self.sheet, self.box, render)
        return payload


def value_range(sheet: Sheet, box: Box, render: ValueRender) -> dict[str, Any]:
    """A ValueRange: the range held to the grid, the values trimmed as Google trims them."""
    block = sheet.block(box)
    if render.major_dimension == "COLUMNS":
        block = trimmed_grid(_transposed(block))
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


def plan_write(
    sheet: Sheet,
    target: a1.A1Range,
    values: Any,
    *,
    range_text: str,
    major_dimension: str,
    user_entered: bool,
    bounded: bool = True,
    locale: str | None = None,
) -> ValueWrite:
    """Values to write from `target` on, typed in the spreadsheet's `locale`. Raises ApiError:
    400 for values outside a bounded range, 403 for a cell in a protected range the account
    may not edit (Google refuses the whole request)."""
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
            sheet.check_editable(row, column)
            cell = cell_from_input(
                value,
                user_entered=user_entered,
                locale=locale_of(locale),
                previous=sheet.cell(row, column),
            )
            cells.append((row, column, cell))
    return ValueWrite(
        sheet=sheet,
        start_row=target.start_row,
        start_column=target.start_column,
        height=len(grid),
        width=max((len(row) for row in grid), default=0),
        cells=cells,
    )


def find_table(sheet: Sheet, box: Box) -> Box | None:
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
