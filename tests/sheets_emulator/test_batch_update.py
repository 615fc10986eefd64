"""spreadsheets.batchUpdate of the emulator, driven through gspread."""

import pytest
from gspread.exceptions import APIError, WorksheetNotFound

from sheets_emulator.batch_update import apply_batch_requests
from sheets_emulator.errors import ApiError
from sheets_emulator.store import Box, Spreadsheet


def tabs(spreadsheet) -> list[tuple[str, int, int, int]]:
    """(title, index, rows, columns) of every tab, read afresh from the emulator."""
    return [
        (worksheet.title, worksheet.index, worksheet.row_count, worksheet.col_count)
        for worksheet in spreadsheet.worksheets()
    ]


def test_add_worksheet_makes_a_tab_of_the_asked_size(team_spreadsheet):
    worksheet = team_spreadsheet.add_worksheet("Billing", rows=50, cols=6)

    assert (worksheet.title, worksheet.index, worksheet.row_count, worksheet.col_count) == (
        "Billing",
        3,
        50,
        6,
    )
    assert worksheet.id not in (0, 1, 2)
    assert team_spreadsheet.worksheet("Billing").id == worksheet.id


def test_an_added_sheet_defaults_to_1000_rows_by_26_columns(team_spreadsheet):
    response = team_spreadsheet.batch_update(
        {"requests": [{"addSheet": {"properties": {"title": "Growth", "index": 0}}}]}
    )

    properties = response["replies"][0]["addSheet"]["properties"]
    assert properties["gridProperties"] == {"rowCount": 1000, "columnCount": 26}
    assert tabs(team_spreadsheet)[0] == ("Growth", 0, 1000, 26)
    assert tabs(team_spreadsheet)[1][:2] == ("Platform", 1)


def test_adding_a_tab_with_a_taken_title_is_refused_whatever_its_case(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.add_worksheet("PLATFORM", rows=10, cols=5)

    assert caught.value.response.status_code == 400
    assert caught.value.error["message"] == (
        'Invalid requests[0].addSheet: A sheet with the name "PLATFORM" already exists. '
        "Please enter another name."
    )


def test_del_worksheet_removes_the_tab(team_spreadsheet):
    team_spreadsheet.del_worksheet(team_spreadsheet.worksheet("It's a tab"))

    assert [title for title, *_ in tabs(team_spreadsheet)] == ["Platform", "Ünïcode tab"]
    with pytest.raises(WorksheetNotFound):
        team_spreadsheet.worksheet("It's a tab")


def test_the_last_tab_cannot_be_deleted(team_spreadsheet):
    team_spreadsheet.del_worksheet_by_id(1)
    team_spreadsheet.del_worksheet_by_id(2)

    with pytest.raises(APIError) as caught:
        team_spreadsheet.del_worksheet_by_id(0)

    assert caught.value.error["message"] == (
        "Invalid requests[0].deleteSheet: You can't remove all the sheets in a document."
    )


def test_update_title_renames_the_tab_and_its_ranges(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    worksheet.update_title("Platform's milestones")

    assert team_spreadsheet.values_get("'Platform''s milestones'!A1")["values"] == [["Milestone"]]
    with pytest.raises(APIError):
        team_spreadsheet.values_get("Platform!A1")


def test_update_index_counts_positions_before_the_move(team_spreadsheet):
    team_spreadsheet.worksheet("Platform").update_index(2)

    assert [title for title, *_ in tabs(team_spreadsheet)] == [
        "It's a tab",
        "Platform",
        "Ünïcode tab",
    ]


def test_reorder_worksheets_puts_tabs_in_the_given_order(team_spreadsheet):
    platform, apostrophe, unicode_tab = team_spreadsheet.worksheets()

    team_spreadsheet.reorder_worksheets([unicode_tab, platform, apostrophe])

    assert [title for title, *_ in tabs(team_spreadsheet)] == [
        "Ünïcode tab",
        "Platform",
        "It's a tab",
    ]


def test_insert_rows_moves_the_rows_below_down(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("It's a tab")

    worksheet.insert_rows([["new", "row"]], row=2)

    assert worksheet.get_all_values() == [["a", "b"], ["new", "row"], ["c", "d"]]
    assert tabs(team_spreadsheet)[1] == ("It's a tab", 1, 1001, 26)


def test_insert_cols_moves_the_columns_right(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("It's a tab")

    worksheet.insert_cols([["x", "y"]], col=1)

    assert worksheet.get_all_values() == [["x", "a", "b"], ["y", "c", "d"]]
    assert tabs(team_spreadsheet)[1] == ("It's a tab", 1, 1000, 27)


def test_delete_rows_removes_rows_and_shrinks_the_grid(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    worksheet.delete_rows(2, 3)

    assert team_spreadsheet.values_get("Platform")["values"] == [
        ["Milestone", "Owner", "Target", "Status"],
        ["Cut latency", "Yuki", "", "at risk", "", "slipped"],
    ]
    assert tabs(team_spreadsheet)[0] == ("Platform", 0, 998, 26)


def test_delete_columns_moves_the_columns_left(team_spreadsheet):
    team_spreadsheet.worksheet("It's a tab").delete_columns(1)

    assert team_spreadsheet.values_get("'It''s a tab'")["values"] == [["b"], ["d"]]
    assert tabs(team_spreadsheet)[1] == ("It's a tab", 1, 1000, 25)


def test_deleting_every_row_is_refused(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.worksheet("Platform").delete_rows(1, 1000)

    assert caught.value.error["message"] == (
        "Invalid requests[0].deleteDimension: You can't delete all the rows on the sheet."
    )


def test_resize_drops_the_cells_outside_the_new_grid(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    worksheet.resize(rows=2, cols=3)
    worksheet.resize(rows=10, cols=10)

    assert worksheet.get_all_values() == [
        ["Milestone", "Owner", "Target"],
        ["Ship CSV import", "Pedro", "12/1/2026"],
    ]


def test_frozen_rows_are_kept_and_answered(team_spreadsheet):
    team_spreadsheet.worksheet("Platform").freeze(rows=1)

    assert team_spreadsheet.worksheet("Platform").frozen_row_count == 1


def test_a_batch_update_applies_all_its_requests_or_none(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "Search"}}},
                    {"deleteSheet": {"sheetId": 999}},
                ]
            }
        )

    assert caught.value.error["message"] == (
        "Invalid requests[1].deleteSheet: No grid with id: 999"
    )
    assert [title for title, *_ in tabs(team_spreadsheet)] == [
        "Platform",
        "It's a tab",
        "Ünïcode tab",
    ]


def test_a_request_kind_the_emulator_lacks_is_refused_by_name(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.batch_update({"requests": [{"repeatCell": {}}]})

    assert caught.value.error == {
        "code": 400,
        "message": "Invalid requests[0]: the emulator does not implement repeatCell.",
        "status": "INVALID_ARGUMENT",
    }


def test_update_title_renames_the_spreadsheet(team_spreadsheet):
    team_spreadsheet.update_title("Eng Milestones FY27")

    assert team_spreadsheet.fetch_sheet_metadata()["properties"]["title"] == "Eng Milestones FY27"


# --- the requests alone -------------------------------------------------------------------


def test_the_requests_change_a_copy_and_leave_the_given_spreadsheet_as_it_was(team_sheet_data):
    spreadsheet = Spreadsheet.from_json(team_sheet_data)

    work, replies = apply_batch_requests(
        spreadsheet,
        [
            {"addSheet": {"properties": {"title": "New", "sheetId": 9}}},
            {"deleteSheet": {"sheetId": 0}},
        ],
    )

    assert [sheet.title for sheet in work.sheets] == ["It's a tab", "Ünïcode tab", "New"]
    assert replies[0]["addSheet"]["properties"]["sheetId"] == 9
    assert replies[1] == {}
    assert [sheet.title for sheet in spreadsheet.sheets] == [
        "Platform",
        "It's a tab",
        "Ünïcode tab",
    ]


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ({"addSheet": {}}, "Invalid requests: expected a list."),
        (
            [{"addSheet": {}, "deleteSheet": {}}],
            "Invalid requests[0]: one kind of request expected.",
        ),
        ([{"addSheet": []}], "Invalid requests[0].addSheet: expected an object."),
        (
            [{"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 0}}],
            "Invalid requests[0].appendDimension: length must be at least 1.",
        ),
    ],
)
def test_a_malformed_request_is_a_400_that_says_which(team_sheet_data, requests, message):
    with pytest.raises(ApiError) as caught:
        apply_batch_requests(Spreadsheet.from_json(team_sheet_data), requests)

    assert (caught.value.code, caught.value.message) == (400, message)


def test_append_dimension_grows_the_grid_without_touching_the_cells(team_sheet_data):
    spreadsheet = Spreadsheet.from_json(team_sheet_data)

    work, _ = apply_batch_requests(
        spreadsheet,
        [
            {"appendDimension": {"sheetId": 1, "dimension": "ROWS", "length": 5}},
            {"appendDimension": {"sheetId": 1, "dimension": "COLUMNS", "length": 2}},
        ],
    )

    tab = work.sheet_with_id(1)
    assert (tab.row_count, tab.column_count) == (1005, 28)
    assert work.to_json()["sheets"][1]["values"] == [["a", "b"], ["c", "d"]]


# --- copyPaste, and deleted rows moving what refers to them (issue 15: the archive tab) --------

MOVES = {
    "spreadsheetId": "moves",
    "title": "Moves",
    "sheets": [
        {
            "title": "Team",
            "values": [
                ["Milestone", "Target", "Jira"],
                ["Old", "8/15/2026", "ENG-1"],
                ["New", "11/15/2026", '=CONCATENATE("ENG-", A3)'],
                ["Merged", "x", ""],
                ["Last", "", "=B3+1"],
            ],
            "merges": ["B4:C4"],
        },
        {"title": "Summary", "values": [["=Team!B3", "=SUM(Team!B2:B5)", "=COUNTA(Team!A:A)"]]},
    ],
}


def grid_range(sheet_id, rows, columns):
    return {
        "sheetId": sheet_id,
        "startRowIndex": rows[0],
        "endRowIndex": rows[1],
        "startColumnIndex": columns[0],
        "endColumnIndex": columns[1],
    }


def test_copy_paste_copies_values_and_number_formats_to_another_tab():
    spreadsheet = Spreadsheet.from_json(MOVES)
    request = {
        "copyPaste": {
            "source": grid_range(0, (1, 2), (0, 2)),
            "destination": grid_range(1, (4, 5), (3, 4)),  # smaller: the source is pasted whole
            "pasteType": "PASTE_NORMAL",
        }
    }

    work, _ = apply_batch_requests(spreadsheet, [request])

    summary = work.find_sheet("Summary")
    old, date = summary.cell(4, 3), summary.cell(4, 4)
    assert old.text == "Old"
    assert (date.text, date.kind, date.value) == ("8/15/2026", "date", 46249)


def test_copy_paste_of_a_formula_elsewhere_is_refused_by_the_emulator():
    spreadsheet = Spreadsheet.from_json(MOVES)
    request = {
        "copyPaste": {
            "source": grid_range(0, (2, 3), (2, 3)),
            "destination": grid_range(1, (5, 6), (0, 1)),
        }
    }

    with pytest.raises(ApiError) as caught:
        apply_batch_requests(spreadsheet, [request])

    assert caught.value.code == 400
    assert "formula" in caught.value.message


def test_deleted_rows_move_the_formulas_and_merges_below_them():
    spreadsheet = Spreadsheet.from_json(MOVES)
    request = {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS",
                                             "startIndex": 1, "endIndex": 2}}}  # fmt: skip

    work, _ = apply_batch_requests(spreadsheet, [request])

    team, summary = work.sheets
    assert team.cell(1, 2).formula == '=CONCATENATE("ENG-", A2)'
    assert team.cell(1, 2).text == "ENG-New"
    assert team.cell(3, 2).formula == "=B2+1"
    assert team.merges == [Box(2, 1, 3, 3)]
    assert [cell.formula for cell in summary.rows[0]] == [
        "=Team!B2",
        "=SUM(Team!B2:B4)",
        "=COUNTA(Team!A:A)",
    ]


def test_a_reference_to_a_deleted_row_becomes_ref():
    spreadsheet = Spreadsheet.from_json(MOVES)
    request = {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS",
                                             "startIndex": 2, "endIndex": 3}}}  # fmt: skip

    work, _ = apply_batch_requests(spreadsheet, [request])

    assert work.sheets[1].cell(0, 0).formula == "=#REF!"


def test_deleting_a_protected_row_is_a_403():
    data = {**MOVES, "sheets": [{**MOVES["sheets"][0], "protected": [{"range": "A2:C2"}]}]}
    spreadsheet = Spreadsheet.from_json(data)
    request = {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS",
                                             "startIndex": 1, "endIndex": 2}}}  # fmt: skip

    with pytest.raises(ApiError) as caught:
        apply_batch_requests(spreadsheet, [request])

    assert caught.value.code == 403
