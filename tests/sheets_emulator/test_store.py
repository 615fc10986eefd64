"""Tabs and ranges: which tab and block a range names, as Google answers it; and the store
alone."""

import pytest
from gspread.exceptions import APIError
from gspread.utils import GridRangeType

from sheets_emulator.cells import Cell
from sheets_emulator.errors import ApiError
from sheets_emulator.store import Box, Sheet, Spreadsheet
from tests.sheets_emulator.helpers import api_error


@pytest.mark.parametrize(
    ("requested", "answered"),
    [
        ("Platform!A2:F", "Platform!A2:F1000"),
        ("Platform!A:A", "Platform!A1:A1000"),
        ("Platform!2:3", "Platform!A2:Z3"),
        ("'Platform'!B2", "Platform!B2"),
        ("Platform!A1:ZZ2000", "Platform!A1:Z1000"),
        ("A1:B2", "Platform!A1:B2"),
    ],
)
def test_values_get_answers_the_range_held_to_the_grid(team_spreadsheet, requested, answered):
    assert team_spreadsheet.values_get(requested)["range"] == answered


def test_a_quoted_title_with_an_apostrophe_is_answered_doubled(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("It's a tab")

    value_range = worksheet.get("B2", return_type=GridRangeType.ValueRange)

    assert value_range.range == "'It''s a tab'!B2"
    assert value_range == [["d"]]


def test_unicode_titles_and_values_read_back_unchanged(team_spreadsheet):
    response = team_spreadsheet.values_get("'Ünïcode tab'!A1:C")

    assert response["range"] == "'Ünïcode tab'!A1:C1000"
    assert response["values"] == [["Zoë", "Ærøskøbing", "日本語"]]


def test_titles_match_regardless_of_case_and_answer_as_titled(team_spreadsheet):
    assert team_spreadsheet.values_get("'platform'!A1")["range"] == "Platform!A1"


def test_an_unknown_tab_is_a_400_unable_to_parse_range(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.values_get("'Nope'!A1")

    assert api_error(caught) == {
        "status_code": 400,
        "code": 400,
        "message": "Unable to parse range: 'Nope'!A1",
        "status": "INVALID_ARGUMENT",
    }


def test_a_range_google_cannot_parse_is_a_400(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.values_get("Platform!A0:B")

    assert api_error(caught)["message"] == "Unable to parse range: Platform!A0:B"


def test_a_range_starting_beyond_the_grid_is_a_400(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.values_get("Platform!A1001")

    assert api_error(caught)["message"] == (
        "Range (Platform!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )


# --- the store alone ----------------------------------------------------------------------


def test_a_tab_without_an_id_or_a_size_gets_its_index_and_the_default_grid():
    spreadsheet = Spreadsheet.from_json(
        {"spreadsheetId": "s", "sheets": [{"title": "A", "values": [["x"]]}, {"title": "B"}]}
    )

    assert spreadsheet.title == "s"
    assert [
        (sheet.sheet_id, sheet.row_count, sheet.column_count) for sheet in spreadsheet.sheets
    ] == [
        (0, 1000, 26),
        (1, 1000, 26),
    ]


def test_a_spreadsheet_loads_back_from_its_json_as_it_was():
    data = {
        "spreadsheetId": "s",
        "title": "Plans",
        "locale": "en_GB",
        "timeZone": "Europe/London",
        "valueRenderOption": "FORMATTED_VALUE",
        "sheets": [
            {
                "title": "A",
                "sheetId": 7,
                "rowCount": 3,
                "columnCount": 2,
                "values": [["x"], [], ["Nov 3, 2026", "=A1"]],
                "hidden": True,
                "note": "kept",
            }
        ],
    }

    assert Spreadsheet.from_json(data).to_json() == data


@pytest.mark.parametrize("spreadsheet_id", [None, "", "a b", "a/b"])
def test_a_spreadsheet_id_must_be_a_plain_key(spreadsheet_id):
    with pytest.raises(ValueError, match='"spreadsheetId" must be a key'):
        Spreadsheet.from_json({"spreadsheetId": spreadsheet_id, "sheets": [{"title": "A"}]})


def test_a_second_tab_with_the_same_id_is_refused():
    with pytest.raises(ValueError, match="a second tab with sheetId 3"):
        Spreadsheet.from_json(
            {
                "spreadsheetId": "s",
                "sheets": [{"title": "A", "sheetId": 3}, {"title": "B", "sheetId": 3}],
            }
        )


def test_an_open_ended_range_runs_to_the_edge_of_the_grid():
    spreadsheet = Spreadsheet("s", "S", sheets=[Sheet(0, "A", row_count=10, column_count=8)])

    sheet, box = spreadsheet.read_box("A2:F")

    assert (sheet.title, box) == ("A", Box(1, 0, 10, 6))


def test_a_range_without_a_tab_names_the_first_tab():
    spreadsheet = Spreadsheet("s", "S", sheets=[Sheet(0, "First"), Sheet(1, "Second")])

    sheet, _ = spreadsheet.locate("B2")

    assert sheet.title == "First"


def test_an_unknown_sheet_id_is_a_400():
    spreadsheet = Spreadsheet("s", "S", sheets=[Sheet(0, "A")])

    with pytest.raises(ApiError, match="No grid with id: 5"):
        spreadsheet.sheet_with_id(5)


def test_writing_beyond_the_grid_grows_it_and_clearing_there_stores_nothing():
    sheet = Sheet(0, "A", row_count=2, column_count=2)

    sheet.put(4, 0, None)
    assert (sheet.row_count, sheet.column_count, sheet.rows) == (5, 2, [])

    sheet.put(1, 3, Cell.of_text("x"))
    assert (sheet.row_count, sheet.column_count) == (5, 4)
    assert sheet.rows == [[], [None, None, None, Cell.of_text("x")]]


def test_a_block_is_trimmed_of_trailing_empty_cells_and_rows():
    x = Cell.of_text("x")
    sheet = Sheet(0, "A", rows=[[x, None], [], [None, x, None], [None], []])

    assert sheet.block(sheet.whole()) == [[x], [], [None, x]]
    assert sheet.block(Box(0, 1, 2, 2)) == []


def test_moving_a_tab_counts_the_index_before_the_move():
    one, two, three = Sheet(1, "S1"), Sheet(2, "S2"), Sheet(3, "S3")
    spreadsheet = Spreadsheet("s", "S", sheets=[one, two, three])

    spreadsheet.move(one, 2)

    assert spreadsheet.sheets == [two, one, three]
