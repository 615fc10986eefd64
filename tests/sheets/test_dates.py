"""sheets.dates alone: text dates in the sheet's locale, serial numbers, and what is reported."""

import datetime

import pytest

from sheets.dates import CellError, date_of_serial, parse_date, serial_of

Q4 = {"quarter_start": datetime.date(2026, 10, 1), "quarter_end": datetime.date(2026, 12, 31)}
MARCH_4 = datetime.date(2026, 3, 4)


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("3/4/2026", "en_US"),
        ("4/3/2026", "en_GB"),
        ("04.03.2026", "de_DE"),
        ("04/03/26", "fr_FR"),
        ("2026-03-04", "de_DE"),
        ("4 March 2026", "en_GB"),
        ("Mar 4, 2026", "en_GB"),
    ],
)
def test_text_dates_are_read_in_the_sheets_locale(text, locale):
    assert parse_date(text, **Q4, locale=locale) == MARCH_4


def test_a_day_first_date_in_a_month_first_sheet_is_reported_with_what_to_type():
    with pytest.raises(CellError, match=r"en_US, month first.*type it as 2026-11-13"):
        parse_date("13/11/2026", **Q4, locale="en_US")


def test_a_date_whose_order_the_locale_does_not_say_is_ambiguous_unless_only_one_reading_is_a_day():
    with pytest.raises(CellError, match="could be 3 April 2026 or 4 March 2026"):
        parse_date("3/4/2026", **Q4, locale="ja_JP")
    assert parse_date("13/4/2026", **Q4, locale="ja_JP") == datetime.date(2026, 4, 13)


def test_the_message_shows_how_the_locale_writes_a_date():
    with pytest.raises(CellError, match=r"write it like 14\.3\.2026"):
        parse_date("soon", **Q4, locale="de_DE")


def test_serial_numbers_are_the_same_day_in_every_locale():
    assert serial_of(MARCH_4) == 46085
    assert date_of_serial(46085.75) == MARCH_4
    with pytest.raises(CellError, match="between 1954 and 2119"):
        date_of_serial(12)
