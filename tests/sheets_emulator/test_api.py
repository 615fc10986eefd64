"""The REST API: spreadsheets.get driven through gspread, requests routed to their operations,
and SheetsApi alone, without HTTP."""

import pytest
from gspread.exceptions import APIError

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
