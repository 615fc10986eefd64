"""The emulator's file format, as ``--load``/``--save`` and tests use it
(``tests/data/sheet.json``).

A spreadsheet: ``spreadsheetId``, ``title``, ``locale``, ``timeZone``, ``sheets``. A tab:
``title``, optional ``sheetId``, ``rowCount``, ``columnCount``, ``hidden``, ``note``,
``values`` (rows of cells), optional ``merges`` (A1 ranges such as ``"D3:D5"``) and
``protected`` (``[{"range": "C:C", "editable": false}]``: cells the service account may not
edit). A cell is a string (text a person typed, typed in the spreadsheet's locale as
USER_ENTERED types it, its shown text kept) or an object ``{"formula": "=...", "value": V}`` /
``{"value": V}``, either with an optional ``"format": "PATTERN"`` (``cells.cell_from_sheet_text``).

Dumping writes each cell as the string or object that loads back as the same cell, plus each
tab's ``sheetId``, ``rowCount`` and ``columnCount``, so that a saved file loads back as it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sheets import a1
from sheets_emulator.cells import FORMATTED_VALUE, cell_from_sheet_text, cell_to_sheet_value
from sheets_emulator.errors import ApiError
from sheets_emulator.locales import locale_of
from sheets_emulator.store import (
    DEFAULT_COLUMN_COUNT,
    DEFAULT_ROW_COUNT,
    Box,
    Protection,
    Sheet,
    Spreadsheet,
    is_count,
    merge_cells,
    range_box,
    trimmed_grid,
)


def spreadsheet_from_json(cls: type[Spreadsheet], data: Any) -> Spreadsheet:
    """A spreadsheet of the file format; ValueError says what is wrong."""
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
    spreadsheet.recalculate()
    return spreadsheet


def spreadsheet_to_json(spreadsheet: Spreadsheet) -> dict[str, Any]:
    """The file format of a spreadsheet: it loads back as it is."""
    sheets = []
    locale = locale_of(spreadsheet.locale)
    for sheet in spreadsheet.sheets:
        entry: dict[str, Any] = {
            "title": sheet.title,
            "sheetId": sheet.sheet_id,
            "rowCount": sheet.row_count,
            "columnCount": sheet.column_count,
            "values": [
                [cell_to_sheet_value(cell, locale) if cell else "" for cell in row]
                for row in sheet.block(sheet.whole())
            ],
        }
        if sheet.merges:
            entry["merges"] = [_cells_of(sheet, box) for box in sheet.merges]
        if sheet.protections:
            entry["protected"] = [
                {"range": _cells_of(sheet, p.box), "editable": p.editable}
                for p in sheet.protections
            ]
        if sheet.hidden:
            entry["hidden"] = True
        if sheet.note is not None:
            entry["note"] = sheet.note
        sheets.append(entry)
    return {
        "spreadsheetId": spreadsheet.spreadsheet_id,
        "title": spreadsheet.title,
        "locale": spreadsheet.locale,
        "timeZone": spreadsheet.time_zone,
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
        locale = locale_of(spreadsheet.locale)
        rows = [[cell_from_sheet_text(value, locale) for value in row] for row in values]
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
    sheet = Sheet(
        sheet_id=sheet_id,
        title=title,
        row_count=row_count,
        column_count=column_count,
        rows=rows,
        hidden=bool(entry.get("hidden", False)),
        note=None if note is None else str(note),
    )
    merges = entry.get("merges", [])
    protected = entry.get("protected", [])
    if not isinstance(merges, list) or not all(isinstance(text, str) for text in merges):
        raise ValueError(f'{where} ({title}): "merges" must be a list of A1 ranges ("D3:D5").')
    if not isinstance(protected, list) or not all(
        isinstance(item, Mapping) and isinstance(item.get("range"), str) for item in protected
    ):
        raise ValueError(
            f'{where} ({title}): "protected" must be a list of {{"range": "C2:C9", '
            '"editable": false}.'
        )
    try:
        for text in merges:
            merge_cells(sheet, range_box(sheet, text))
        for number, item in enumerate(protected, start=1):
            box = range_box(sheet, item["range"])
            editable = bool(item.get("editable", False))
            sheet.protections.append(Protection(sheet_id * 1000 + number, box, editable))
    except ApiError as exc:
        raise ValueError(f"{where} ({title}): {exc.message}") from None
    return sheet


def _cells_of(sheet: Sheet, box: Box) -> str:
    """``D3:D5``: a range of the tab without the tab's name."""
    return a1.format_range(sheet.title, *box).rpartition("!")[2]
