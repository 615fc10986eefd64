"""Formulas: their text kept, their result calculated, through gspread and alone."""

import datetime

import pytest
from gspread.utils import ValueInputOption, ValueRenderOption

from sheets_emulator.formulas import DateSerial, Unsupported, evaluate
from sheets_emulator.locales import serial_number

GRID = {(0, 0): 2.0, (1, 0): 3.0, (2, 0): "x", (0, 1): "Ship"}


def calc(formula, grid=GRID):
    return evaluate(
        formula,
        lookup=lambda sheet, row, column: grid.get((row, column)),
        extent=lambda sheet: (3, 2),
        today=datetime.date(2026, 3, 4),
    )


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("=1+2*3", 7),
        ("=(1+2)*3", 9),
        ("=2^3-1", 7),
        ("=-A1+B9", -2),
        ("=A1*A2", 6),
        ("=$A$1/4", 0.5),
        ("=SUM(A1:A3)", 5),
        ("=SUM(A:A, 10)", 15),
        ('=IF(A1>A2,"more","less")', "less"),
        ("=IF(A1=2, A2)", 3),
        ('=CONCATENATE(B1," ",A1)', "Ship 2"),
        ('=B1&"!"', "Ship!"),
        ("=COUNTA(A1:B3)", 4),
        ('="a"="A"', True),
        ("=A1<>2", False),
    ],
)
def test_formulas_of_the_subset_are_calculated(formula, value):
    assert calc(formula) == value


def test_date_and_today_are_dates_and_stay_dates_through_arithmetic():
    assert calc("=DATE(2026,3,4)") == serial_number(datetime.date(2026, 3, 4))
    assert isinstance(calc("=DATE(2026,3,4)+7"), DateSerial)
    assert calc("=TODAY()") == serial_number(datetime.date(2026, 3, 4))
    assert calc("=DATE(2026,13,1)") == serial_number(datetime.date(2027, 1, 1))
    assert not isinstance(calc("=TODAY()-DATE(2026,3,1)"), DateSerial)


@pytest.mark.parametrize("formula", ["=VLOOKUP(A1,A1:B3,2)", "=Named_range", '="open', "=1+"])
def test_anything_else_is_unsupported(formula):
    with pytest.raises(Unsupported):
        calc(formula)


# --- in a spreadsheet, through gspread ---------------------------------------------------


@pytest.fixture
def sums(open_loaded):
    values = [
        ["Item", "Cost", "Due"],
        ["A", "2", "3/4/2026"],
        ["B", "3", {"formula": "=C2+7", "value": 0, "format": "d mmm"}],
        ["Total", "=SUM(B2:B3)", {"formula": "=XLOOKUP(1,B:B,A:A)", "value": "kept"}],
    ]
    return open_loaded({"spreadsheetId": "sums", "sheets": [{"title": "Costs", "values": values}]})


def test_a_formula_keeps_its_text_and_answers_its_value_in_each_render(sums):
    costs = sums.worksheet("Costs")

    assert costs.get("B4:C4") == [["5", "kept"]]
    assert costs.get("B4:C4", value_render_option=ValueRenderOption.unformatted) == [[5, "kept"]]
    assert costs.get("B4:C4", value_render_option=ValueRenderOption.formula) == [
        ["=SUM(B2:B3)", "=XLOOKUP(1,B:B,A:A)"]
    ]


def test_a_formula_is_calculated_again_when_a_cell_it_reads_changes(sums):
    costs = sums.worksheet("Costs")

    costs.update([["10"]], "B2", value_input_option=ValueInputOption.user_entered)

    assert costs.get("B4") == [["13"]]


def test_a_date_formula_is_shown_through_its_cells_format(sums):
    costs = sums.worksheet("Costs")

    assert costs.get("C3") == [["11 Mar"]]
    assert costs.get("C3", value_render_option=ValueRenderOption.unformatted) == [
        [serial_number(datetime.date(2026, 3, 11))]
    ]


def test_the_grid_read_gives_the_formula_as_entered_and_its_value_as_effective(sums):
    grid = sums.fetch_sheet_metadata(
        params={
            "includeGridData": "true",
            "ranges": "Costs!B4",
            "fields": "sheets(data(rowData(values(userEnteredValue,effectiveValue))))",
        }
    )

    [cell] = grid["sheets"][0]["data"][0]["rowData"][0]["values"]
    assert cell == {
        "userEnteredValue": {"formulaValue": "=SUM(B2:B3)"},
        "effectiveValue": {"numberValue": 5},
    }
