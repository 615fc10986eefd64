"""Merged cells, protected ranges and updateCells: as Google answers them, through gspread."""

import pytest
from gspread.exceptions import APIError
from gspread.utils import ValueRenderOption

from sheets_emulator.store import Spreadsheet

PLAN = {
    "spreadsheetId": "plan",
    "locale": "en_GB",
    "sheets": [
        {
            "title": "Platform",
            "sheetId": 7,
            "values": [
                ["Milestone", "Target", "Status"],
                ["Ship", {"value": 46085, "format": "d mmm yyyy"}, "On track"],
                ["Cut", "04/03/2026", ""],
                ["Test", "", ""],
            ],
            "merges": ["C2:C4"],
            "protected": [{"range": "A1:C1", "editable": False}, {"range": "A4", "editable": True}],
        }
    ],
}


@pytest.fixture
def plan(open_loaded):
    return open_loaded(PLAN)


def test_merges_and_protected_ranges_are_in_the_metadata(plan):
    [sheet] = plan.fetch_sheet_metadata()["sheets"]

    assert sheet["merges"] == [
        {
            "sheetId": 7,
            "startRowIndex": 1,
            "endRowIndex": 4,
            "startColumnIndex": 2,
            "endColumnIndex": 3,
        }
    ]
    assert [
        (p["range"]["endColumnIndex"], p["requestingUserCanEdit"]) for p in sheet["protectedRanges"]
    ] == [(3, False), (1, True)]


def test_a_write_into_a_range_the_account_may_not_edit_is_a_403_and_changes_nothing(plan):
    worksheet = plan.worksheet("Platform")

    with pytest.raises(APIError) as caught:
        plan.values_batch_update(
            {
                "valueInputOption": "USER_ENTERED",
                "data": [
                    {"range": "Platform!D2", "values": [["x"]]},
                    {"range": "Platform!B1", "values": [["Due"]]},
                ],
            }
        )

    assert caught.value.response.status_code == 403
    assert "protected cell" in caught.value.response.json()["error"]["message"]
    assert worksheet.get("B1:D2") == [["Target", "Status"], ["4 Mar 2026", "On track"]]


def test_an_editable_protected_range_takes_writes(plan):
    worksheet = plan.worksheet("Platform")

    worksheet.update([["Tested"]], "A4")

    assert worksheet.get("A4") == [["Tested"]]


def test_update_cells_of_the_value_alone_keeps_the_cells_format(plan):
    plan.batch_update(
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 7, "rowIndex": 1, "columnIndex": 1},
                        "rows": [{"values": [{"userEnteredValue": {"numberValue": 46100}}]}],
                        "fields": "userEnteredValue",
                    }
                }
            ]
        }
    )

    worksheet = plan.worksheet("Platform")
    assert worksheet.get("B2") == [["19 Mar 2026"]]
    assert worksheet.get("B2", value_render_option=ValueRenderOption.unformatted) == [[46100]]


def test_a_number_written_over_a_typed_date_is_shown_as_a_date_in_the_locale(plan):
    plan.batch_update(
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 7, "rowIndex": 2, "columnIndex": 1},
                        "rows": [{"values": [{"userEnteredValue": {"numberValue": 46100}}]}],
                        "fields": "userEnteredValue",
                    }
                }
            ]
        }
    )

    assert plan.worksheet("Platform").get("B3") == [["19/03/2026"]]


def test_update_cells_can_set_a_date_format_where_there_was_none(plan):
    plan.batch_update(
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 7, "rowIndex": 3, "columnIndex": 1},
                        "rows": [
                            {
                                "values": [
                                    {
                                        "userEnteredValue": {"numberValue": 46100},
                                        "userEnteredFormat": {"numberFormat": {"type": "DATE"}},
                                    }
                                ]
                            }
                        ],
                        "fields": "userEnteredValue,userEnteredFormat.numberFormat",
                    }
                }
            ]
        }
    )

    assert plan.worksheet("Platform").get("B4") == [["19/03/2026"]]


def test_update_cells_into_a_protected_cell_is_a_403(plan):
    with pytest.raises(APIError) as caught:
        plan.batch_update(
            {
                "requests": [
                    {
                        "updateCells": {
                            "start": {"sheetId": 7, "rowIndex": 0, "columnIndex": 0},
                            "rows": [{"values": [{"userEnteredValue": {"stringValue": "x"}}]}],
                            "fields": "userEnteredValue",
                        }
                    }
                ]
            }
        )

    assert caught.value.response.status_code == 403


def test_merge_cells_by_column_keeps_each_columns_top_value(open_loaded):
    spreadsheet = open_loaded(
        {
            "spreadsheetId": "m",
            "sheets": [{"title": "T", "sheetId": 1, "values": [["a", "b"], ["c", "d"]]}],
        }
    )

    spreadsheet.batch_update(
        {
            "requests": [
                {
                    "mergeCells": {
                        "range": {
                            "sheetId": 1,
                            "startRowIndex": 0,
                            "endRowIndex": 2,
                            "startColumnIndex": 0,
                            "endColumnIndex": 2,
                        },
                        "mergeType": "MERGE_COLUMNS",
                    }
                }
            ]
        }
    )

    assert spreadsheet.worksheet("T").get_all_values() == [["a", "b"]]
    assert len(spreadsheet.fetch_sheet_metadata()["sheets"][0]["merges"]) == 2


def test_the_fixture_format_dumps_as_loaded():
    data = {
        "spreadsheetId": "p",
        "title": "Plans",
        "locale": "de_DE",
        "timeZone": "Europe/Berlin",
        "valueRenderOption": "FORMATTED_VALUE",
        "sheets": [
            {
                "title": "A",
                "sheetId": 3,
                "rowCount": 10,
                "columnCount": 4,
                "values": [
                    ["4.3.2026", {"value": 46085, "format": "dd/mm/yy"}, "=B1+1", "1,5"],
                    [{"value": "0042"}, {"formula": "=FOO()", "value": 3}, "TRUE"],
                ],
                "merges": ["D1:D2"],
                "protected": [{"range": "A1:A2", "editable": False}],
            }
        ],
    }

    assert Spreadsheet.from_json(data).to_json() == data
