"""Locales and number formats alone: typing as USER_ENTERED in en_US, en_GB, de_DE and fr_FR,
and values shown through patterns; then through gspread against a spreadsheet of each locale."""

import datetime

import pytest
from gspread.utils import ValueInputOption, ValueRenderOption

from sheets_emulator.locales import (
    format_number,
    locale_of,
    serial_number,
    show,
    show_date,
    type_date,
    type_number,
)

MARCH_4 = datetime.date(2026, 3, 4)


@pytest.mark.parametrize(
    ("locale", "typed"),
    [
        ("en_US", "3/4/2026"),
        ("en_GB", "04/03/2026"),
        ("de_DE", "4.3.2026"),
        ("fr_FR", "04/03/2026"),
        ("en_GB", "2026-03-04"),
        ("de_DE", "2026-03-04"),
        ("en_GB", "4 Mar 2026"),
        ("de_DE", "4. März 2026"),
        ("fr_FR", "4 mars 2026"),
        ("en_US", "Mar 4, 2026"),
    ],
)
def test_a_date_is_typed_in_the_spreadsheets_locale(locale, typed):
    assert type_date(typed, locale_of(locale)) == MARCH_4


def test_a_day_above_12_is_no_date_where_the_locale_reads_the_month_there():
    assert type_date("13/03/2026", locale_of("en_US")) is None
    assert type_date("13/03/2026", locale_of("en_GB")) == datetime.date(2026, 3, 13)


@pytest.mark.parametrize(
    ("locale", "typed", "number"),
    [
        ("en_US", "1,234.5", 1234.5),
        ("en_GB", "0.25", 0.25),
        ("de_DE", "1.234,5", 1234.5),
        ("de_DE", "0,25", 0.25),
        ("fr_FR", "1 234,5", 1234.5),
        ("fr_FR", "-0,25", -0.25),
    ],
)
def test_numbers_are_typed_with_the_locales_decimal_separator(locale, typed, number):
    assert type_number(typed, locale_of(locale)) == number


def test_a_decimal_comma_is_not_a_number_in_en_us():
    assert type_number("1,5", locale_of("en_US")) is None


@pytest.mark.parametrize(
    ("pattern", "shown"),
    [
        ("d", "4"),
        ("dd/mm/yyyy", "04/03/2026"),
        ("d mmm yyyy", "4 Mar 2026"),
        ("dddd, mmmm d", "Wednesday, March 4"),
        ("ddd d-m-yy", "Wed 4-3-26"),
        ('"due" d mmm', "due 4 Mar"),
        ("yyyy\\-mm\\-dd", "2026-03-04"),
    ],
)
def test_date_patterns_show_each_part(pattern, shown):
    assert show_date(MARCH_4, pattern, locale_of("en_US")) == shown


def test_date_patterns_show_month_and_day_names_in_the_locales_language():
    assert show_date(MARCH_4, "d mmmm yyyy", locale_of("de_DE")) == "4 März 2026"
    assert show_date(MARCH_4, "dddd d mmmm", locale_of("fr_FR")) == "mercredi 4 mars"


@pytest.mark.parametrize(
    ("locale", "pattern", "number", "shown"),
    [
        ("en_US", "0", 3.6, "4"),
        ("en_US", "0.00", 3.5, "3.50"),
        ("en_US", "#,##0.##", 1234567.5, "1,234,567.5"),
        ("de_DE", "#,##0.00", 1234.5, "1.234,50"),
        ("fr_FR", "#,##0.00", 1234.5, "1\u202f234,50"),
        ("en_US", '0 "pts"', 12, "12 pts"),
        ("en_US", "000", 7, "007"),
        ("en_US", "0.0;(0.0)", -2.5, "(2.5)"),
    ],
)
def test_number_patterns_show_digits_with_the_locales_separators(locale, pattern, number, shown):
    assert format_number(number, pattern, locale_of(locale)) == shown


def test_an_automatic_date_is_shown_in_the_locales_own_format():
    serial = serial_number(MARCH_4)
    shown = {
        code: show(serial, is_date=True, pattern=None, locale=locale_of(code))
        for code in ("en_US", "en_GB", "de_DE", "fr_FR")
    }
    assert shown == {
        "en_US": "3/4/2026",
        "en_GB": "04/03/2026",
        "de_DE": "04.03.2026",
        "fr_FR": "04/03/2026",
    }


# --- through gspread ----------------------------------------------------------------------


@pytest.fixture
def sheet_in_locale(open_loaded):
    def load(locale):
        tab = {"title": "Plan", "values": [["Target"]]}
        return open_loaded({"spreadsheetId": "plans", "locale": locale, "sheets": [tab]})

    return load


def test_user_entered_text_is_typed_in_the_sheets_locale_through_gspread(sheet_in_locale):
    worksheet = sheet_in_locale("en_GB").worksheet("Plan")

    worksheet.update(
        [["04/03/2026", "1,5", "0.5"]], "A2", value_input_option=ValueInputOption.user_entered
    )

    assert worksheet.get("A2:C2", value_render_option=ValueRenderOption.unformatted) == [
        [serial_number(MARCH_4), "1,5", 0.5]
    ]
    assert worksheet.get("A2:C2") == [["04/03/2026", "1,5", "0.5"]]


def test_a_de_de_sheet_reads_decimal_commas_and_dotted_dates(sheet_in_locale):
    worksheet = sheet_in_locale("de_DE").worksheet("Plan")

    worksheet.update([["4.3.2026", "1,5"]], "A2", value_input_option=ValueInputOption.user_entered)

    assert worksheet.get("A2:B2", value_render_option=ValueRenderOption.unformatted) == [
        [serial_number(MARCH_4), 1.5]
    ]
    assert worksheet.get("A2:B2") == [["04.03.2026", "1,5"]]
