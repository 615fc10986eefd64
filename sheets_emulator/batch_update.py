"""``spreadsheets.batchUpdate``: the requests that change a spreadsheet's tabs, properties and
cells (addSheet, deleteSheet, updateSheetProperties, updateSpreadsheetProperties,
insertDimension, deleteDimension, appendDimension, updateCells, mergeCells, unmergeCells,
copyPaste). A request kind not listed in ``_REQUESTS`` is answered 400. Formulas are
calculated again once the requests are applied; deleted rows rewrite the formulas that refer
to them (`store.Spreadsheet.delete_rows`).

Google Sheets API v4 reference, ``Request``:
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sheets_emulator.cells import Cell, Kind, formula_cell, typed_cell
from sheets_emulator.errors import ApiError
from sheets_emulator.field_masks import mask_paths, parse_field_mask
from sheets_emulator.formulas import DateSerial
from sheets_emulator.locales import Locale, locale_of
from sheets_emulator.store import (
    DEFAULT_COLUMN_COUNT,
    DEFAULT_ROW_COUNT,
    Box,
    Sheet,
    Spreadsheet,
    box_of_grid_range,
    is_count,
    merge_cells,
)


def apply_batch_requests(spreadsheet: Spreadsheet, requests: Any) -> tuple[Spreadsheet, list]:
    """The spreadsheet the ``requests`` make of ``spreadsheet`` (a changed copy), and their
    replies; ``spreadsheet`` itself is left as it is."""
    if not isinstance(requests, list):
        raise ApiError(400, "Invalid requests: expected a list.")
    # Google applies all the requests or none: work on a copy, keep it only on success.
    work = spreadsheet.copy()
    replies = []
    for position, request in enumerate(requests):
        if not isinstance(request, dict) or len(request) != 1:
            raise ApiError(400, f"Invalid requests[{position}]: one kind of request expected.")
        [(kind, spec)] = request.items()
        handler = _REQUESTS.get(kind)
        if handler is None:
            raise ApiError(
                400, f"Invalid requests[{position}]: the emulator does not implement {kind}."
            )
        if not isinstance(spec, dict):
            raise ApiError(400, f"Invalid requests[{position}].{kind}: expected an object.")
        try:
            replies.append(handler(work, spec))
        except ApiError as exc:
            if exc.code != 400:
                raise
            raise ApiError(400, f"Invalid requests[{position}].{kind}: {exc.message}") from None
    work.recalculate()
    return work, replies


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
    elif not is_count(sheet_id, minimum=0):
        raise ApiError(400, f"Invalid sheetId: {sheet_id}")
    elif any(sheet.sheet_id == sheet_id for sheet in spreadsheet.sheets):
        raise ApiError(400, f"A sheet with id {sheet_id} already exists.")
    grid = dict(properties.pop("gridProperties", None) or {})
    row_count = grid.pop("rowCount", DEFAULT_ROW_COUNT)
    column_count = grid.pop("columnCount", DEFAULT_COLUMN_COUNT)
    if not is_count(row_count, minimum=1) or not is_count(column_count, minimum=1):
        raise ApiError(400, "A sheet needs at least one row and one column.")
    index = properties.pop("index", len(spreadsheet.sheets))
    if not is_count(index, minimum=0):
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
    paths = list(mask_paths(parse_field_mask(spec["fields"])))
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
            if not is_count(index, minimum=0):
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
        if not is_count(value, minimum=1):
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
    paths = list(mask_paths(parse_field_mask(spec["fields"])))
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
    if not is_count(start, minimum=0) or (end is not None and not is_count(end, minimum=0)):
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
        spreadsheet.delete_rows(sheet, start, end)
    else:
        sheet.delete_columns(start, end)
    return {}


def _append_dimension(spreadsheet: Spreadsheet, spec: dict) -> dict:
    sheet = spreadsheet.sheet_with_id(spec.get("sheetId", 0))
    length = spec.get("length")
    if not is_count(length, minimum=1):
        raise ApiError(400, "length must be at least 1.")
    if spec.get("dimension") == "ROWS":
        sheet.row_count += length
    elif spec.get("dimension") == "COLUMNS":
        sheet.column_count += length
    else:
        raise ApiError(400, "dimension must be ROWS or COLUMNS.")
    return {}


def _update_cells(spreadsheet: Spreadsheet, spec: dict) -> dict:
    """UpdateCellsRequest: ``rows`` of CellData from ``start`` (or over ``range``); only the
    CellData ``fields`` named change, so ``fields: "userEnteredValue"`` keeps every cell's
    format. A cell the account may not edit makes the whole request a 403."""
    if not spec.get("fields"):
        raise ApiError(400, "At least one field must be updated; 'fields' is empty.")
    paths = {".".join(path) for path in mask_paths(parse_field_mask(spec["fields"]))}
    if "*" in paths:
        paths = {"userEnteredValue", "userEnteredFormat"}
    known = {"userEnteredValue", "userEnteredFormat", "userEnteredFormat.numberFormat"}
    if not paths <= known:
        raise ApiError(400, f"The emulator updates only {sorted(known)}, not {sorted(paths)}.")
    rows = spec.get("rows") or []
    if "start" in spec:
        start = spec["start"] or {}
        sheet = spreadsheet.sheet_with_id(start.get("sheetId", 0))
        origin = (start.get("rowIndex", 0), start.get("columnIndex", 0))
        box = None
    else:
        sheet = spreadsheet.sheet_with_id((spec.get("range") or {}).get("sheetId", 0))
        box = box_of_grid_range(sheet, spec.get("range"))
        origin = (box.start_row, box.start_column)
    locale = locale_of(spreadsheet.locale)
    changes = []
    for row_offset, row_data in enumerate(rows):
        for column_offset, cell_data in enumerate((row_data or {}).get("values") or []):
            row, column = origin[0] + row_offset, origin[1] + column_offset
            if box is not None and not box.contains(row, column):
                raise ApiError(400, f"Cell ({row}, {column}) is outside the request's range.")
            sheet.check_editable(row, column)
            previous = sheet.cell(row, column)
            changes.append((row, column, _updated_cell(previous, cell_data, paths, locale)))
    for row, column, cell in changes:
        sheet.put(row, column, cell)
    return {}


def _updated_cell(
    previous: Cell | None, cell_data: dict, paths: set[str], locale: Locale
) -> Cell | None:
    cell = _updated_value(previous, cell_data, paths, locale)
    if cell is not None and previous is not None and "userEnteredValue" not in paths:
        # Only a new value erases a person's link (``CellData.textFormatRuns``); a formula's
        # comes back with its calculation.
        return replace(cell, link=previous.link if previous.formula is None else None)
    return cell


def _updated_value(
    previous: Cell | None, cell_data: dict, paths: set[str], locale: Locale
) -> Cell | None:
    pattern = previous.pattern if previous else None
    # A date typed by a person has the automatic DATE format: a number written there is a date.
    date_format = previous is not None and previous.kind is Kind.DATE and pattern is None
    if paths & {"userEnteredFormat", "userEnteredFormat.numberFormat"}:
        number_format = (cell_data.get("userEnteredFormat") or {}).get("numberFormat") or {}
        pattern = number_format.get("pattern") or None
        is_date = number_format.get("type") in ("DATE", "DATE_TIME")
        if is_date and pattern == locale.date_pattern:
            pattern = None  # the locale's own date format: the automatic one
        date_format = is_date and pattern is None
    if "userEnteredValue" in paths:
        entered = cell_data.get("userEnteredValue") or {}
    elif previous is None:
        return None
    elif previous.formula is not None:
        entered = {"formulaValue": previous.formula}
    else:
        entered = {"value": previous.value}
    if not entered:
        return None
    if "formulaValue" in entered:
        return formula_cell(str(entered["formulaValue"]), pattern=pattern)
    if "stringValue" in entered:
        return typed_cell(str(entered["stringValue"]), locale=locale, pattern=pattern)
    value = entered.get("numberValue", entered.get("boolValue", entered.get("value")))
    if isinstance(value, int | float) and not isinstance(value, bool) and date_format:
        value = DateSerial(value)
    if not isinstance(value, str | int | float | bool):
        raise ApiError(400, f"Invalid userEnteredValue: {entered}")
    return typed_cell(value, locale=locale, pattern=pattern)


_PASTE_TYPES = ("PASTE_NORMAL", "PASTE_VALUES", "PASTE_FORMAT")


def _copy_paste(spreadsheet: Spreadsheet, spec: dict) -> dict:
    """CopyPasteRequest: the ``source`` block pasted at the top-left of ``destination``, whole
    even when the destination is smaller (Sheets API v4 reference, ``CopyPasteRequest``:
    https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#copypasterequest).
    PASTE_NORMAL copies what each cell holds, its value and number format; PASTE_VALUES the
    values alone (a formula's result); PASTE_FORMAT the number formats alone. Not emulated,
    answered 400: other paste types, TRANSPOSE, a destination repeating the source, and a
    formula pasted elsewhere with PASTE_NORMAL (Sheets would move its relative references)."""
    source_range, destination_range = spec.get("source"), spec.get("destination")
    if not isinstance(source_range, dict) or not isinstance(destination_range, dict):
        raise ApiError(400, "source and destination are required.")
    source_sheet = spreadsheet.sheet_with_id(source_range.get("sheetId", 0))
    target_sheet = spreadsheet.sheet_with_id(destination_range.get("sheetId", 0))
    source = box_of_grid_range(source_sheet, source_range)
    target = box_of_grid_range(target_sheet, destination_range)
    paste_type = spec.get("pasteType", "PASTE_NORMAL")
    if paste_type not in _PASTE_TYPES:
        raise ApiError(400, f"The emulator pastes only {', '.join(_PASTE_TYPES)}.")
    if spec.get("pasteOrientation", "NORMAL") != "NORMAL":
        raise ApiError(400, "The emulator pastes only in the NORMAL orientation.")
    height = source.end_row - source.start_row
    width = source.end_column - source.start_column
    if (target.end_row - target.start_row > height) or (
        target.end_column - target.start_column > width
    ):
        raise ApiError(400, "The emulator does not repeat a source to fill a larger destination.")
    if any(source.overlaps(merge) for merge in source_sheet.merges):
        raise ApiError(400, "The emulator does not copy merged cells.")
    changes = []
    for row_offset in range(height):
        for column_offset in range(width):
            row, column = target.start_row + row_offset, target.start_column + column_offset
            origin = (source.start_row + row_offset, source.start_column + column_offset)
            target_sheet.check_editable(row, column)
            moved = source_sheet is not target_sheet or (row, column) != origin
            cell = _pasted(source_sheet.cell(*origin), target_sheet.cell(row, column), paste_type)
            if cell is not None and cell.formula is not None and moved:
                raise ApiError(
                    400, "The emulator does not paste a formula elsewhere (its references move)."
                )
            changes.append((row, column, cell))
    for row, column, cell in changes:
        target_sheet.put(row, column, cell)
    return {}


def _pasted(cell: Cell | None, previous: Cell | None, paste_type: str) -> Cell | None:
    """What a cell becomes when `cell` is pasted over `previous`."""
    if paste_type == "PASTE_FORMAT":
        if previous is None or cell is None:
            return previous
        return replace(previous, pattern=cell.pattern)
    if cell is not None and cell.formula is not None and paste_type == "PASTE_VALUES":
        return replace(cell, formula=None, computed=False)
    return cell


def _merge_cells(spreadsheet: Spreadsheet, spec: dict) -> dict:
    """MergeCellsRequest: MERGE_ALL one cell; MERGE_COLUMNS one per column (a vertical
    merge); MERGE_ROWS one per row."""
    sheet = spreadsheet.sheet_with_id((spec.get("range") or {}).get("sheetId", 0))
    box = box_of_grid_range(sheet, spec.get("range"))
    merge_type = spec.get("mergeType", "MERGE_ALL")
    if merge_type == "MERGE_ALL":
        merge_cells(sheet, box)
    elif merge_type == "MERGE_COLUMNS":
        for column in range(box.start_column, box.end_column):
            merge_cells(sheet, Box(box.start_row, column, box.end_row, column + 1))
    elif merge_type == "MERGE_ROWS":
        for row in range(box.start_row, box.end_row):
            merge_cells(sheet, Box(row, box.start_column, row + 1, box.end_column))
    else:
        raise ApiError(400, f"Invalid mergeType: {merge_type}")
    return {}


def _unmerge_cells(spreadsheet: Spreadsheet, spec: dict) -> dict:
    sheet = spreadsheet.sheet_with_id((spec.get("range") or {}).get("sheetId", 0))
    box = box_of_grid_range(sheet, spec.get("range"))
    sheet.merges = [merge for merge in sheet.merges if not merge.overlaps(box)]
    return {}


_REQUESTS: dict[str, Callable[[Spreadsheet, dict], dict]] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "appendDimension": _append_dimension,
    "updateCells": _update_cells,
    "mergeCells": _merge_cells,
    "unmergeCells": _unmerge_cells,
    "copyPaste": _copy_paste,
}
