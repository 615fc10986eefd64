"""The REST API: spreadsheets.get driven through gspread, requests routed to their operations,
and SheetsApi alone, without HTTP."""

import pytest
from gspread.exceptions import APIError

from sheets_emulator.api import SheetsApi, request_kind
from sheets_emulator.errors import ApiError
from sheets_emulator.store import Spreadsheet
from tests.sheets_emulator.helpers import api_error


def test_open_by_key_reads_the_spreadsheet_properties(team_spreadsheet):
    assert team_spreadsheet.id == "team-sheet"
    assert team_spreadsheet.title == "Team sheet"
    assert team_spreadsheet.locale == "en_US"
    assert team_spreadsheet.timezone == "Europe/Berlin"


def test_worksheets_lists_tabs_with_ids_indexes_and_grid_sizes(team_spreadsheet):
    metadata = team_spreadsheet.fetch_sheet_metadata()

    assert [sheet["properties"] for sheet in metadata["sheets"]] == [
        {
            "sheetId": 0,
            "title": "Platform",
            "index": 0,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26},
        },
        {
            "sheetId": 1,
            "title": "It's a tab",
            "index": 1,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26},
        },
        {
            "sheetId": 2,
            "title": "Ünïcode tab",
            "index": 2,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26},
        },
    ]
    assert metadata["spreadsheetUrl"] == "https://docs.google.com/spreadsheets/d/team-sheet/edit"


def test_spreadsheets_get_with_fields_answers_only_those_fields(team_spreadsheet):
    metadata = team_spreadsheet.fetch_sheet_metadata(
        params={"fields": "spreadsheetId,sheets(properties(title,gridProperties/rowCount))"}
    )

    assert metadata == {
        "spreadsheetId": "team-sheet",
        "sheets": [
            {"properties": {"title": "Platform", "gridProperties": {"rowCount": 1000}}},
            {"properties": {"title": "It's a tab", "gridProperties": {"rowCount": 1000}}},
            {"properties": {"title": "Ünïcode tab", "gridProperties": {"rowCount": 1000}}},
        ],
    }


def test_spreadsheets_get_with_grid_data_answers_cell_data_of_the_ranges(team_spreadsheet):
    metadata = team_spreadsheet.fetch_sheet_metadata(
        params={"includeGridData": "true", "ranges": "Platform!B2:C3"}
    )

    [sheet] = metadata["sheets"]
    assert sheet["properties"]["title"] == "Platform"
    assert sheet["data"] == [
        {
            "startRow": 1,
            "startColumn": 1,
            "rowData": [
                {
                    "values": [
                        {
                            "userEnteredValue": {"stringValue": "Pedro"},
                            "effectiveValue": {"stringValue": "Pedro"},
                            "formattedValue": "Pedro",
                        },
                        {
                            "userEnteredValue": {"numberValue": 46357},
                            "effectiveValue": {"numberValue": 46357},
                            "formattedValue": "12/1/2026",
                            "userEnteredFormat": {"numberFormat": {"type": "DATE"}},
                            "effectiveFormat": {
                                "numberFormat": {"type": "DATE", "pattern": "m/d/yyyy"}
                            },
                        },
                    ]
                }
            ],
        }
    ]


def test_list_named_ranges_is_empty(team_spreadsheet):
    assert team_spreadsheet.list_named_ranges() == []


def test_an_unknown_spreadsheet_is_a_404_not_found(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.client.values_get("no-such-sheet", "A1")

    assert api_error(caught) == {
        "status_code": 404,
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
    }


# --- SheetsApi alone, without HTTP --------------------------------------------------------


@pytest.fixture
def api(team_sheet_data):
    api = SheetsApi()
    api.put(Spreadsheet.from_json(team_sheet_data))
    return api


def call_error(api, method, path, query=None, body=b"") -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        api.call(method, path, query or {}, body)
    return caught.value.code, caught.value.message


@pytest.mark.parametrize(
    ("method", "path", "kind", "arguments"),
    [
        ("GET", "/v4/spreadsheets/abc", "spreadsheets.get", {"spreadsheet_id": "abc"}),
        (
            "post",
            "/v4/spreadsheets/abc:batchUpdate",
            "spreadsheets.batchUpdate",
            {"spreadsheet_id": "abc"},
        ),
        (
            "POST",
            "/v4/spreadsheets/abc/values/Sheet%201%21A1:append",
            "values.append",
            {"spreadsheet_id": "abc", "range": "Sheet 1!A1"},
        ),
        (
            "PUT",
            "/v4/spreadsheets/abc/values/A1:B2",
            "values.update",
            {"spreadsheet_id": "abc", "range": "A1:B2"},
        ),
        ("DELETE", "/v4/spreadsheets/abc", "unknown", {}),
        ("GET", "/v3/spreadsheets/abc", "unknown", {}),
    ],
)
def test_a_request_is_routed_to_its_api_method_with_its_path_parameters_decoded(
    method, path, kind, arguments
):
    assert request_kind(method, path) == (kind, arguments)


def test_the_api_answers_a_request_without_http(api):
    answer = api.call(
        "GET",
        "/v4/spreadsheets/team-sheet/values/Platform!A1:B2",
        {"majorDimension": ["COLUMNS"]},
        b"",
    )

    assert answer == {
        "range": "Platform!A1:B2",
        "majorDimension": "COLUMNS",
        "values": [["Milestone", "Ship CSV import"], ["Owner", "Pedro"]],
    }


def test_fields_trim_the_answer_of_any_method(api):
    answer = api.call(
        "GET", "/v4/spreadsheets/team-sheet/values/Platform!A1", {"fields": ["range"]}, b""
    )

    assert answer == {"range": "Platform!A1"}


def test_an_unknown_method_is_a_404(api):
    assert call_error(api, "GET", "/v4/nothing%20here") == (
        404,
        "Method not found: GET /v4/nothing here",
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "Invalid JSON payload received. Expecting property name"),
        (b"[1]", "Invalid JSON payload received. Expected an object."),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(api, body, message):
    code, answered = call_error(
        api, "POST", "/v4/spreadsheets/team-sheet/values:batchClear", body=body
    )

    assert code == 400
    assert answered.startswith(message)


def test_an_option_outside_its_enum_is_a_400_naming_the_field_as_google_does(api):
    assert call_error(
        api, "GET", "/v4/spreadsheets/team-sheet/values/A1", {"valueRenderOption": ["NOPE"]}
    ) == (400, "Invalid value at 'value_render_option', \"NOPE\"")


def test_a_flag_that_is_not_a_boolean_is_a_400(api):
    assert call_error(api, "GET", "/v4/spreadsheets/team-sheet", {"includeGridData": ["yes"]}) == (
        400,
        "Invalid value at 'include_grid_data' (TYPE_BOOL), \"yes\"",
    )
