"""The values API of the emulator, driven through gspread as the sync drives it; each test
asserts what Google answers."""

import pytest
from gspread.exceptions import APIError

from tests.sheets_emulator.helpers import api_error

# --- values.get -------------------------------------------------------------------------


def test_values_get_drops_trailing_empty_cells_and_rows(team_spreadsheet):
    response = team_spreadsheet.values_get("Platform")

    assert response == {
        "range": "Platform!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [
            ["Milestone", "Owner", "Target", "Status"],
            ["Ship CSV import", "Pedro", "12/1/2026", "done"],
            [],
            ["Cut latency", "Yuki", "", "at risk", "", "slipped"],
        ],
    }


def test_get_all_values_pads_google_rows_into_a_rectangle(team_spreadsheet):
    rows = team_spreadsheet.worksheet("Platform").get_all_values()

    assert rows == [
        ["Milestone", "Owner", "Target", "Status", "", ""],
        ["Ship CSV import", "Pedro", "12/1/2026", "done", "", ""],
        ["", "", "", "", "", ""],
        ["Cut latency", "Yuki", "", "at risk", "", "slipped"],
    ]


def test_values_get_of_an_open_ended_range_starts_where_asked(team_spreadsheet):
    response = team_spreadsheet.values_get("Platform!B2:D")

    assert response["values"] == [["Pedro", "12/1/2026", "done"], [], ["Yuki", "", "at risk"]]


def test_values_get_of_an_empty_range_has_no_values(team_spreadsheet):
    assert team_spreadsheet.values_get("Platform!H1:K20") == {
        "range": "Platform!H1:K20",
        "majorDimension": "ROWS",
    }


def test_values_get_by_columns_transposes_and_trims(team_spreadsheet):
    response = team_spreadsheet.values_get("Platform!A1:D4", params={"majorDimension": "COLUMNS"})

    assert response["majorDimension"] == "COLUMNS"
    assert response["values"] == [
        ["Milestone", "Ship CSV import", "", "Cut latency"],
        ["Owner", "Pedro", "", "Yuki"],
        ["Target", "12/1/2026"],
        ["Status", "done", "", "at risk"],
    ]


# --- values.update ----------------------------------------------------------------------


def test_update_answers_what_it_wrote(team_spreadsheet):
    response = team_spreadsheet.worksheet("Platform").update(
        [["a", "b", "c"], ["d"]], "B7", raw=True
    )

    assert response == {
        "spreadsheetId": "team-sheet",
        "updatedRange": "Platform!B7:D8",
        "updatedRows": 2,
        "updatedColumns": 3,
        "updatedCells": 4,
    }


def test_update_at_one_cell_writes_a_whole_table_from_there(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("It's a tab")

    worksheet.update([["1", "2", "3"], ["4", "5", "6"]], "B2", raw=True)

    assert worksheet.get_all_values() == [
        ["a", "b", "", ""],
        ["c", "1", "2", "3"],
        ["", "4", "5", "6"],
    ]


def test_update_beyond_a_bounded_range_is_refused(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    with pytest.raises(APIError) as caught:
        worksheet.update([["1", "2", "3"]], "H1:I1", raw=True)

    assert api_error(caught)["message"] == (
        "Requested writing within range ['Platform'!H1:I1], but tried writing to column [J]"
    )
    assert worksheet.get("H1:J1") == [[]]


def test_update_with_null_leaves_a_cell_and_empty_string_clears_it(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    worksheet.update([[None, ""]], "A2", raw=True)

    assert worksheet.get("A2:C2") == [["Ship CSV import", "", "12/1/2026"]]


def test_writing_beyond_the_grid_grows_it(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    worksheet.update([["far"]], "AB1001", raw=True)

    grid = team_spreadsheet.worksheet("Platform")._properties["gridProperties"]
    assert grid == {"rowCount": 1001, "columnCount": 28}
    assert worksheet.get("AB1001") == [["far"]]


def test_update_without_value_input_option_is_refused(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.values_update("Platform!H1", params={}, body={"values": [["x"]]})

    assert api_error(caught)["message"] == "'valueInputOption' is required but not specified"


def test_update_with_values_in_response_answers_them_rendered(team_spreadsheet):
    response = team_spreadsheet.values_update(
        "Platform!H1",
        params={
            "valueInputOption": "USER_ENTERED",
            "includeValuesInResponse": True,
            "responseValueRenderOption": "UNFORMATTED_VALUE",
        },
        body={"values": [["2026-12-01", "3"]]},
    )

    assert response["updatedData"] == {
        "range": "Platform!H1:I1",
        "majorDimension": "ROWS",
        "values": [[46357, 3]],
    }


def test_update_by_columns_writes_down(team_spreadsheet):
    team_spreadsheet.values_update(
        "Platform!H1",
        params={"valueInputOption": "RAW"},
        body={"majorDimension": "COLUMNS", "values": [["x", "y"], ["z"]]},
    )

    assert team_spreadsheet.values_get("Platform!H1:I2")["values"] == [["x", "z"], ["y"]]


# --- batchGet and batchUpdate -----------------------------------------------------------


def test_batch_get_answers_each_range_in_order(team_spreadsheet):
    response = team_spreadsheet.values_batch_get(
        ["'It''s a tab'!A1:B2", "Platform!F4", "'Ünïcode tab'!Z1"]
    )

    assert response == {
        "spreadsheetId": "team-sheet",
        "valueRanges": [
            {
                "range": "'It''s a tab'!A1:B2",
                "majorDimension": "ROWS",
                "values": [["a", "b"], ["c", "d"]],
            },
            {"range": "Platform!F4", "majorDimension": "ROWS", "values": [["slipped"]]},
            {"range": "'Ünïcode tab'!Z1", "majorDimension": "ROWS"},
        ],
    }


def test_worksheet_batch_get_returns_value_ranges(team_spreadsheet):
    first, second = team_spreadsheet.worksheet("Platform").batch_get(["A1:B1", "D4"])

    assert (first.range, first) == ("Platform!A1:B1", [["Milestone", "Owner"]])
    assert (second.range, second) == ("Platform!D4", [["at risk"]])


def test_an_unknown_tab_fails_the_whole_batch_get(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.values_batch_get(["Platform!A1", "Nope!A1"])

    assert api_error(caught)["message"] == "Unable to parse range: Nope!A1"


def test_batch_update_writes_every_range_and_totals(team_spreadsheet):
    response = team_spreadsheet.values_batch_update(
        {
            "valueInputOption": "USER_ENTERED",
            "data": [
                {"range": "Platform!C4", "values": [["2026-12-15"]]},
                {"range": "'It''s a tab'!A3:B3", "values": [["e", "f"]]},
            ],
        }
    )

    assert response == {
        "spreadsheetId": "team-sheet",
        "totalUpdatedRows": 2,
        "totalUpdatedColumns": 3,
        "totalUpdatedCells": 3,
        "totalUpdatedSheets": 2,
        "responses": [
            {
                "spreadsheetId": "team-sheet",
                "updatedRange": "Platform!C4",
                "updatedRows": 1,
                "updatedColumns": 1,
                "updatedCells": 1,
            },
            {
                "spreadsheetId": "team-sheet",
                "updatedRange": "'It''s a tab'!A3:B3",
                "updatedRows": 1,
                "updatedColumns": 2,
                "updatedCells": 2,
            },
        ],
    }
    assert team_spreadsheet.values_get("Platform!C4")["values"] == [["12/15/2026"]]


def test_worksheet_batch_update_writes_relative_to_the_tab(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("It's a tab")

    worksheet.batch_update([{"range": "A1", "values": [["x"]]}, {"range": "B2", "values": [["y"]]}])

    assert worksheet.get_all_values() == [["x", "b"], ["c", "y"]]


def test_batch_update_writes_nothing_when_one_range_is_refused(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.values_batch_update(
            {
                "valueInputOption": "RAW",
                "data": [
                    {"range": "Platform!A1", "values": [["changed"]]},
                    {"range": "Platform!A2:A3", "values": [["a", "b"]]},
                ],
            }
        )

    assert api_error(caught)["message"] == (
        "Invalid data[1]: Requested writing within range [Platform!A2:A3], but tried writing to "
        "column [B]"
    )
    assert team_spreadsheet.values_get("Platform!A1")["values"] == [["Milestone"]]


# --- values.append ----------------------------------------------------------------------


def test_append_rows_writes_after_the_table(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("It's a tab")

    response = worksheet.append_rows([["e", "f"], ["g"]])

    assert response == {
        "spreadsheetId": "team-sheet",
        "tableRange": "'It''s a tab'!A1:B2",
        "updates": {
            "spreadsheetId": "team-sheet",
            "updatedRange": "'It''s a tab'!A3:B4",
            "updatedRows": 2,
            "updatedColumns": 2,
            "updatedCells": 3,
        },
    }
    assert worksheet.get_all_values() == [["a", "b"], ["c", "d"], ["e", "f"], ["g", ""]]


def test_append_stops_at_the_first_empty_row_as_google_does(team_spreadsheet):
    # Row 3 is empty, so Google's "table" is rows 1-2 and the new row fills row 3.
    response = team_spreadsheet.worksheet("Platform").append_rows([["New", "Ana"]])

    assert response["tableRange"] == "Platform!A1:D2"
    assert response["updates"]["updatedRange"] == "Platform!A3:B3"


def test_append_to_an_empty_tab_starts_at_the_range(team_spreadsheet):
    worksheet = team_spreadsheet.add_worksheet("Empty", rows=10, cols=5)

    response = worksheet.append_rows([["first"]], table_range="B2")

    assert "tableRange" not in response
    assert response["updates"]["updatedRange"] == "Empty!B2"


def test_append_inserting_rows_moves_the_rows_below_down(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("It's a tab")
    worksheet.update([["below"]], "A4", raw=True)

    worksheet.append_rows([["new"]], insert_data_option="INSERT_ROWS")

    assert worksheet.col_values(1) == ["a", "c", "new", "", "below"]
    assert worksheet.row_count == 1001


# --- clear ------------------------------------------------------------------------------


def test_clear_empties_the_range_and_answers_it(team_spreadsheet):
    response = team_spreadsheet.values_clear("Platform!B2:C")

    assert response == {"spreadsheetId": "team-sheet", "clearedRange": "Platform!B2:C1000"}
    assert team_spreadsheet.values_get("Platform!A2:D2")["values"] == [
        ["Ship CSV import", "", "", "done"]
    ]


def test_worksheet_clear_empties_the_tab(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("It's a tab")

    worksheet.clear()

    assert worksheet.get_all_values() == [[]]


def test_batch_clear_empties_every_range(team_spreadsheet):
    response = team_spreadsheet.worksheet("Platform").batch_clear(["A1:B1", "F4"])

    assert response == {
        "spreadsheetId": "team-sheet",
        "clearedRanges": ["Platform!A1:B1", "Platform!F4"],
    }
    assert team_spreadsheet.values_get("Platform!A1:F4")["values"] == [
        ["", "", "Target", "Status"],
        ["Ship CSV import", "Pedro", "12/1/2026", "done"],
        [],
        ["Cut latency", "Yuki", "", "at risk"],
    ]
