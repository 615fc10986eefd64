"""The REST API, HTTP-free: ``SheetsApi`` routes a request to its operation (``values.get``,
``spreadsheets.batchUpdate`` ...), reads its parameters as Google reads them, and answers with
the response body or raises ApiError.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from sheets import a1
from sheets_emulator.batch_update import apply_batch_requests
from sheets_emulator.cells import DATE_TIME_RENDER_OPTIONS, FORMATTED_VALUE, VALUE_RENDER_OPTIONS
from sheets_emulator.errors import ApiError, not_found
from sheets_emulator.field_masks import apply_field_mask, parse_field_mask
from sheets_emulator.store import Spreadsheet
from sheets_emulator.values import ValueRender, find_table, plan_write, value_range

VALUE_INPUT_OPTIONS = ("RAW", "USER_ENTERED")
DIMENSIONS = ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED")


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


def _render(major: Any, value_option: Any, date_time_option: Any) -> ValueRender:
    return ValueRender(
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


def _render_from_params(params: _Params) -> ValueRender:
    return _render(
        params.get("majorDimension"),
        params.get("valueRenderOption"),
        params.get("dateTimeRenderOption"),
    )


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
        payload = json_body(body) if method.upper() in ("POST", "PUT") else {}
        with self._lock:
            spreadsheet = self.spreadsheets.get(arguments["spreadsheet_id"])
            if spreadsheet is None:
                raise not_found()
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
        work, replies = apply_batch_requests(spreadsheet, body.get("requests") or [])
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
        render = _render_from_params(params)
        sheet, box = spreadsheet.read_box(range_text)
        return value_range(sheet, box, render)

    def _values_batchGet(self, spreadsheet: Spreadsheet, params: _Params, _body: dict) -> dict:
        render = _render_from_params(params)
        boxes = [spreadsheet.read_box(range_text) for range_text in params.all("ranges")]
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
        if boxes:
            answer["valueRanges"] = [value_range(sheet, box, render) for sheet, box in boxes]
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
        write = plan_write(
            sheet,
            target,
            body.get("values"),
            range_text=range_text,
            major_dimension=_major_dimension(body.get("majorDimension")),
            user_entered=user_entered,
            locale=spreadsheet.locale,
        )
        write.apply()
        spreadsheet.recalculate()
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
                write = plan_write(
                    sheet,
                    target,
                    entry.get("values"),
                    range_text=range_text,
                    major_dimension=_major_dimension(entry.get("majorDimension")),
                    user_entered=user_entered,
                    locale=spreadsheet.locale,
                )
            except ApiError as exc:
                if exc.code != 400:
                    raise
                raise ApiError(400, f"Invalid data[{position}]: {exc.message}") from None
            writes.append(write)
        for write in writes:
            write.apply()
        spreadsheet.recalculate()
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
        table = find_table(sheet, search)
        if table is None:
            start_row, start_column = search.start_row, search.start_column
        else:
            start_row, start_column = table.end_row, table.start_column
        write = plan_write(
            sheet,
            a1.A1Range(sheet.title, start_row, start_column),
            body.get("values"),
            range_text=range_text,
            major_dimension=_major_dimension(body.get("majorDimension")),
            user_entered=user_entered,
            bounded=False,
            locale=spreadsheet.locale,
        )
        if insert_rows and write.height:
            sheet.insert_rows(start_row, write.height)
        write.apply()
        spreadsheet.recalculate()
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
        spreadsheet.recalculate()
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
        spreadsheet.recalculate()
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet.spreadsheet_id}
        if boxes:
            answer["clearedRanges"] = [a1.format_range(sheet.title, *box) for sheet, box in boxes]
        return answer


def json_body(body: bytes) -> dict[str, Any]:
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


def _response_render(include: Any, value_option: Any, date_time_option: Any) -> ValueRender | None:
    if not _flag(include, name="includeValuesInResponse"):
        return None
    return _render("ROWS", value_option, date_time_option)
