"""Typing cells: RAW and USER_ENTERED, rendered three ways, through gspread as the sync
drives it; and the cell functions alone."""

import datetime

import pytest
from gspread.utils import ValueInputOption, ValueRenderOption

from sheets import parse
from sheets_emulator import cells
from sheets_emulator.cells import Cell, Kind, cell_from_input, cell_from_sheet_text, serial_number
from sheets_emulator.errors import ApiError


def read(worksheet, range_name, option, **params):
    return worksheet.get(range_name, value_render_option=option, **params)


def test_user_entered_dates_become_serial_numbers_shown_en_us(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    worksheet.update(
        [["2026-12-01", "12/1/2026", "Dec 1, 2026", "2/30/2026"]],
        "H1",
        value_input_option=ValueInputOption.user_entered,
    )

    assert read(worksheet, "H1:K1", ValueRenderOption.formatted) == [
        ["12/1/2026", "12/1/2026", "12/1/2026", "2/30/2026"]
    ]
    assert read(worksheet, "H1:K1", ValueRenderOption.unformatted) == [
        [46357, 46357, 46357, "2/30/2026"]
    ]
    assert read(
        worksheet, "H1", ValueRenderOption.unformatted, date_time_render_option="FORMATTED_STRING"
    ) == [["12/1/2026"]]


def test_user_entered_numbers_and_booleans_are_typed(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    worksheet.update(
        [["5", "1,234.50", "-0.25", "TRUE", "'0042", "ENG-42", 7]],
        "H1",
        value_input_option=ValueInputOption.user_entered,
    )

    assert read(worksheet, "H1:N1", ValueRenderOption.formatted) == [
        ["5", "1234.5", "-0.25", "TRUE", "0042", "ENG-42", "7"]
    ]
    assert read(worksheet, "H1:N1", ValueRenderOption.unformatted) == [
        [5, 1234.5, -0.25, True, "0042", "ENG-42", 7]
    ]


def test_raw_values_are_stored_as_sent(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    worksheet.update([["2026-12-01", "5", "=A1", 5, True]], "H1", raw=True)

    assert read(worksheet, "H1:L1", ValueRenderOption.unformatted) == [
        ["2026-12-01", "5", "=A1", 5, True]
    ]
    assert read(worksheet, "H1:L1", ValueRenderOption.formatted) == [
        ["2026-12-01", "5", "=A1", "5", "TRUE"]
    ]


def test_a_formula_answers_its_result_and_its_text_only_as_formula(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")
    rows = sum(1 for row in worksheet.get_all_values() if row[0])  # cells of A with text

    worksheet.update([["=COUNTA(A:A)"]], "H1", raw=False)

    assert read(worksheet, "H1", ValueRenderOption.formatted) == [[str(rows)]]
    assert read(worksheet, "H1", ValueRenderOption.unformatted) == [[rows]]
    assert read(worksheet, "H1", ValueRenderOption.formula) == [["=COUNTA(A:A)"]]


def test_formula_render_gives_typed_values_for_other_cells(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")
    worksheet.update([["12/1/2026", "=C2"]], "H1", raw=False)

    assert read(worksheet, "H1:I1", ValueRenderOption.formula) == [[46357, "=C2"]]


def test_dates_people_typed_in_the_loaded_sheet_are_dates(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    assert read(worksheet, "C2", ValueRenderOption.unformatted) == [[46357]]


# --- the cell functions alone -------------------------------------------------------------


def test_serial_numbers_count_days_from_the_sheets_day_zero():
    assert serial_number(datetime.date(1899, 12, 30)) == 0
    assert serial_number(datetime.date(2026, 12, 1)) == 46357


def test_the_month_names_are_the_sync_parsers_own_table():
    assert cells.MONTHS is parse.MONTHS
    assert cells.SERIAL_EPOCH is parse.SERIAL_EPOCH


@pytest.mark.parametrize(
    "typed", ["Sep 3, 2026", "Sept. 3, 2026", "september 3 2026", "SEPT 3, 2026", "2026/9/3"]
)
def test_a_date_typed_with_a_month_name_or_numbers_becomes_a_date(typed):
    assert cell_from_input(typed, user_entered=True) == Cell(
        "9/3/2026", serial_number(datetime.date(2026, 9, 3)), Kind.DATE
    )


@pytest.mark.parametrize("typed", ["Foo 3, 2026", "Feb 30, 2026", "Sep 3"])
def test_what_is_not_a_whole_date_stays_text(typed):
    assert cell_from_input(typed, user_entered=True) == Cell.of_text(typed)


def test_the_sheet_text_of_a_loaded_cell_is_kept_and_its_type_inferred():
    cell = cell_from_sheet_text("Nov 3, 2026")

    assert cell == Cell("Nov 3, 2026", serial_number(datetime.date(2026, 11, 3)), Kind.DATE)
    assert cell.render("FORMATTED_VALUE") == "Nov 3, 2026"
    assert cell.render("UNFORMATTED_VALUE") == 46329


def test_an_empty_value_clears_a_cell_and_an_apostrophe_keeps_text():
    assert cell_from_input("", user_entered=True) is None
    assert cell_from_input("'", user_entered=True) is None
    assert cell_from_input("'5", user_entered=True) == Cell.of_text("5")
    assert cell_from_input("'5", user_entered=False) == Cell.of_text("'5")


def test_numbers_are_shown_as_sheets_shows_them():
    assert cell_from_input(5.0, user_entered=False) == Cell("5", 5, Kind.NUMBER)
    assert cell_from_input(0.1 + 0.2, user_entered=False).text == "0.3"
    assert cell_from_input("1e21", user_entered=True) == Cell("1E+21", 1e21, Kind.NUMBER)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"x": 1}, 'Invalid value: {"x": 1} is not a cell value.'),
        (float("inf"), "Invalid value: inf is not a finite number."),
    ],
)
def test_a_value_that_is_not_a_finite_json_scalar_is_a_400(value, message):
    with pytest.raises(ApiError) as caught:
        cell_from_input(value, user_entered=True)

    assert (caught.value.code, caught.value.message) == (400, message)
