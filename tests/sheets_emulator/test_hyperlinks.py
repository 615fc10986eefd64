"""Links: a =HYPERLINK formula's address and a person's link on a cell's text, answered as
``CellData.hyperlink`` (and the person's as a text format run), kept through the file format,
and gone once a new value is written over the cell."""

import datetime

import pytest
from gspread.utils import ValueInputOption, ValueRenderOption

from sheets_emulator.cells import cell_from_sheet_text
from sheets_emulator.errors import ApiError
from sheets_emulator.formulas import Hyperlink, evaluate
from sheets_emulator.store import Spreadsheet

PLAT_42 = "https://jira.example.com/browse/PLAT-42"
PLAT_7 = "https://jira.example.com/browse/PLAT-7"


def calc(formula, grid=None):
    grid = grid or {}
    return evaluate(
        formula,
        lookup=lambda sheet, row, column: grid.get((row, column)),
        extent=lambda sheet: (3, 3),
        today=datetime.date(2026, 3, 4),
    )


@pytest.mark.parametrize(
    ("formula", "shown", "url"),
    [
        (f'=HYPERLINK("{PLAT_42}","PLAT-42")', "PLAT-42", PLAT_42),
        (f'=HYPERLINK("{PLAT_42}")', PLAT_42, PLAT_42),
        (f'=HYPERLINK("{PLAT_42}", B1)', PLAT_42, PLAT_42),  # an empty cell: the address
        (f'=HYPERLINK("{PLAT_42}","")', "", PLAT_42),  # shows nothing, still links
        (
            '=HYPERLINK("jira.example.com/browse/PLAT-42","PLAT-42")',
            "PLAT-42",
            "http://jira.example.com/browse/PLAT-42",
        ),
        ('=HYPERLINK("mailto:lead@example.com","mail")', "mail", "mailto:lead@example.com"),
        (f'=IF(TRUE,HYPERLINK("{PLAT_42}","PLAT-42"),"")', "PLAT-42", PLAT_42),
    ],
)
def test_hyperlink_shows_its_label_and_links_to_its_address(formula, shown, url):
    result = calc(formula)

    assert isinstance(result, Hyperlink)
    assert (result, result.url) == (shown, url)


@pytest.mark.parametrize(
    ("formula", "shown"),
    [
        ('=HYPERLINK("javascript:alert(1)","PLAT-42")', "PLAT-42"),  # a forbidden protocol
        ('=HYPERLINK("","PLAT-42")', "PLAT-42"),
        (f'=HYPERLINK("{PLAT_42}","PLAT-42")&"!"', "PLAT-42!"),  # text made of it is text
    ],
)
def test_hyperlink_without_an_allowed_address_is_plain_text(formula, shown):
    result = calc(formula)

    assert result == shown
    assert not isinstance(result, Hyperlink)


# --- in a spreadsheet, through gspread ---------------------------------------------------

FIELDS = "sheets(data(rowData(values(formattedValue,userEnteredValue,hyperlink,textFormatRuns))))"


@pytest.fixture
def links(open_loaded):
    values = [
        ["Milestone", "Jira"],
        ["Formula", f'=HYPERLINK("{PLAT_42}","PLAT-42")'],
        ["Linked", {"value": "PLAT-7", "link": PLAT_7}],
        ["Typed", "PLAT-1"],
    ]
    return open_loaded({"spreadsheetId": "links", "sheets": [{"title": "Team", "values": values}]})


def grid_cells(spreadsheet, cells="Team!B2:B4"):
    grid = spreadsheet.fetch_sheet_metadata(
        params={"includeGridData": "true", "ranges": cells, "fields": FIELDS}
    )
    return [row["values"][0] for row in grid["sheets"][0]["data"][0]["rowData"]]


def test_the_grid_read_gives_each_cells_hyperlink_as_google_does(links):
    formula, linked, typed = grid_cells(links)

    assert formula == {
        "userEnteredValue": {"formulaValue": f'=HYPERLINK("{PLAT_42}","PLAT-42")'},
        "formattedValue": "PLAT-42",
        "hyperlink": PLAT_42,
    }
    assert linked == {
        "userEnteredValue": {"stringValue": "PLAT-7"},
        "formattedValue": "PLAT-7",
        "hyperlink": PLAT_7,
        "textFormatRuns": [{"format": {"link": {"uri": PLAT_7}}}],
    }
    assert typed == {"userEnteredValue": {"stringValue": "PLAT-1"}, "formattedValue": "PLAT-1"}


def test_values_show_a_linked_cells_text_and_a_link_formulas_text(links):
    team = links.worksheet("Team")

    assert team.get("B2:B3") == [["PLAT-42"], ["PLAT-7"]]
    assert team.get("B2", value_render_option=ValueRenderOption.formula) == [
        [f'=HYPERLINK("{PLAT_42}","PLAT-42")']
    ]


def test_a_value_written_over_a_linked_cell_leaves_no_link(links):
    team = links.worksheet("Team")

    team.update(
        [["'https://jira.example.com/browse/PLAT-8"]],
        "B3",
        value_input_option=ValueInputOption.user_entered,
    )

    [_formula, linked, _typed] = grid_cells(links)
    assert linked == {
        "userEnteredValue": {"stringValue": "https://jira.example.com/browse/PLAT-8"},
        "formattedValue": "https://jira.example.com/browse/PLAT-8",
    }


def test_a_format_written_over_a_linked_cell_keeps_its_link(links):
    links.batch_update(
        {
            "requests": [
                {
                    "updateCells": {
                        "start": {"sheetId": 0, "rowIndex": 2, "columnIndex": 1},
                        "rows": [{"values": [{"userEnteredFormat": {}}]}],
                        "fields": "userEnteredFormat",
                    }
                }
            ]
        }
    )

    [_formula, linked, _typed] = grid_cells(links)
    assert linked["hyperlink"] == PLAT_7


def test_a_link_formula_follows_the_cell_it_reads(open_loaded):
    values = [["Address", "Link"], [PLAT_42, '=HYPERLINK(A2,"ticket")']]
    spreadsheet = open_loaded(
        {"spreadsheetId": "ref", "sheets": [{"title": "Team", "values": values}]}
    )

    spreadsheet.worksheet("Team").update(
        [[PLAT_7]], "A2", value_input_option=ValueInputOption.user_entered
    )

    [cell] = grid_cells(spreadsheet, "Team!B2")
    assert (cell["formattedValue"], cell["hyperlink"]) == ("ticket", PLAT_7)


# --- the file format ------------------------------------------------------------------------


def test_a_linked_cell_and_a_link_formula_load_back_from_json_as_they_were():
    data = {
        "spreadsheetId": "s",
        "title": "s",
        "locale": "en_US",
        "timeZone": "Etc/GMT",
        "valueRenderOption": "FORMATTED_VALUE",
        "sheets": [
            {
                "title": "A",
                "sheetId": 0,
                "rowCount": 1000,
                "columnCount": 26,
                "values": [
                    [{"value": "PLAT-7", "link": PLAT_7}, f'=HYPERLINK("{PLAT_42}","PLAT-42")']
                ],
            }
        ],
    }

    spreadsheet = Spreadsheet.from_json(data)

    assert spreadsheet.to_json() == data
    assert [cell.link for cell in spreadsheet.sheets[0].rows[0]] == [PLAT_7, PLAT_42]


@pytest.mark.parametrize(
    "entry",
    [
        {"value": "PLAT-7", "link": ""},
        {"value": "PLAT-7", "link": 7},
        {"value": 7, "link": PLAT_7},
        {"formula": f'=HYPERLINK("{PLAT_42}")', "value": PLAT_42, "link": PLAT_42},
    ],
)
def test_a_link_is_a_non_empty_address_on_text_not_on_a_number_or_a_formula(entry):
    with pytest.raises(ApiError, match="a link is a non-empty address on a text value"):
        cell_from_sheet_text(entry)
