"""Typing cells: RAW and USER_ENTERED, rendered three ways, through gspread as the sync
drives it; and the cell functions alone."""

from gspread.utils import ValueInputOption, ValueRenderOption


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


def test_formulas_are_kept_as_entered_and_never_evaluated(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    worksheet.update([["=COUNTA(A:A)"]], "H1", raw=False)

    for option in (
        ValueRenderOption.formatted,
        ValueRenderOption.unformatted,
        ValueRenderOption.formula,
    ):
        assert read(worksheet, "H1", option) == [["=COUNTA(A:A)"]]


def test_formula_render_gives_typed_values_for_other_cells(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")
    worksheet.update([["12/1/2026", "=C2"]], "H1", raw=False)

    assert read(worksheet, "H1:I1", ValueRenderOption.formula) == [[46357, "=C2"]]


def test_dates_people_typed_in_the_loaded_sheet_are_dates(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("Platform")

    assert read(worksheet, "C2", ValueRenderOption.unformatted) == [[46357]]
