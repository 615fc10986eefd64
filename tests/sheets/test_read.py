"""sheets.read alone: a Spreadsheet resource read into tabs, and the one request that reads it."""

from sheets.client import RequestCount, count_requests, open_spreadsheet
from sheets.read import DEFAULT_COLUMNS, DEFAULT_ROWS, read_tabs, tabs_from_grid


def grid(title, rows, **properties):
    return {
        "properties": {"title": title, **properties},
        "data": [{"rowData": [{"values": [{"formattedValue": v} for v in row]} for row in rows]}],
    }


def test_a_tab_is_read_with_its_properties_and_the_text_of_its_cells():
    resource = {
        "sheets": [
            grid(
                "Platform",
                [["Milestone", "Target"], ["Ship webhooks", "12/1/2026"]],
                sheetId=7,
                gridProperties={"rowCount": 40, "columnCount": 8},
            )
        ]
    }

    [(title, tab)] = tabs_from_grid(resource).items()

    assert title == tab.title == "Platform"
    assert (tab.sheet_id, tab.row_count, tab.column_count) == (7, 40, 8)
    assert tab.values == [["Milestone", "Target"], ["Ship webhooks", "12/1/2026"]]


def test_trailing_blank_cells_and_rows_are_trimmed_but_blank_rows_inside_the_table_stay():
    resource = {"sheets": [grid("Platform", [["A", "", ""], [], ["B"], ["", ""], []])]}

    assert tabs_from_grid(resource)["Platform"].values == [["A"], [], ["B"]]


def test_cells_without_a_value_read_as_empty_text():
    resource = {
        "sheets": [
            {
                "properties": {"title": "Platform"},
                "data": [{"rowData": [{"values": [{}, {"formattedValue": 12}]}]}],
            }
        ]
    }

    assert tabs_from_grid(resource)["Platform"].values == [["", "12"]]


def test_a_tab_the_api_says_nothing_about_has_the_default_grid_and_no_cells():
    [tab] = tabs_from_grid({"sheets": [{"properties": {"title": "Empty"}}]}).values()

    assert (tab.sheet_id, tab.row_count, tab.column_count) == (None, DEFAULT_ROWS, DEFAULT_COLUMNS)
    assert tab.values == []


def test_every_tab_is_read_in_one_request_after_the_one_that_opens_the_spreadsheet(
    sheets_settings, sheets_emulator
):
    spreadsheet = open_spreadsheet()
    count = RequestCount()
    count_requests(spreadsheet, count)
    sheets_emulator.reset_stats()

    tabs = read_tabs(spreadsheet)

    assert {"Summary", "Platform", "Meetings team"} <= set(tabs)
    assert tabs["Platform"].values[0][0] == "Milestone"
    assert sheets_emulator.stats()["by_kind"] == {"spreadsheets.get": 1}
    assert count.total == 2


PLAT_42 = "https://jira.example.com/browse/PLAT-42"


def test_the_address_a_cell_links_to_is_read_beside_its_text_and_spread_over_its_merge():
    cells = [
        [{"formattedValue": "Jira"}],
        [{"formattedValue": "PLAT-42", "hyperlink": PLAT_42}],
        [{}],
        [{"formattedValue": "PLAT-1", "hyperlink": ""}],
    ]
    merge = {"startRowIndex": 1, "endRowIndex": 3, "startColumnIndex": 0, "endColumnIndex": 1}
    resource = {
        "sheets": [
            {
                "properties": {"title": "Platform"},
                "data": [{"rowData": [{"values": row} for row in cells]}],
                "merges": [merge],
            }
        ]
    }

    tab = tabs_from_grid(resource)["Platform"]

    assert tab.values == [["Jira"], ["PLAT-42"], ["PLAT-42"], ["PLAT-1"]]
    assert tab.hyperlinks == {(1, 0): PLAT_42, (2, 0): PLAT_42}


def test_the_one_read_asks_for_each_cells_hyperlink(open_loaded):
    rows = [
        ["Milestone", "Jira"],
        ["Ship webhooks", f'=HYPERLINK("{PLAT_42}","PLAT-42")'],
        ["Cut latency", {"value": "PLAT-7", "link": "https://jira.example.com/browse/PLAT-7"}],
    ]
    spreadsheet = open_loaded(
        {"spreadsheetId": "links", "sheets": [{"title": "Platform", "values": rows}]}
    )

    tab = read_tabs(spreadsheet)["Platform"]

    assert tab.values[1:] == [["Ship webhooks", "PLAT-42"], ["Cut latency", "PLAT-7"]]
    assert tab.hyperlinks == {
        (1, 1): PLAT_42,
        (2, 1): "https://jira.example.com/browse/PLAT-7",
    }
    assert tab.why_read_only(1, 1) == "formula"
    assert tab.why_read_only(2, 1) is None
