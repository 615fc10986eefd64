"""Dates in the sheet: read from serial numbers or from text in the spreadsheet's locale, and
shown as Sheets shows them. Pure functions, no I/O.

A cell Google typed as a date holds a serial number (days since 1899-12-30) whatever the
spreadsheet's locale (``SpreadsheetProperties.locale``) or the cell's number format
(https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets#spreadsheetproperties):
the sync reads that number (`date_of_serial`). Text Google kept as text (a cell formatted as
plain text, a date it could not read) is read here in the sheet's locale: ``3/4/2026`` is
March 4th in en_US and 3 April in en_GB, de_DE, fr_FR. Text no reading settles (``13/3/2026``
in a month-first sheet, ``3/4/2026`` in a sheet whose order is unknown) is reported, never
guessed.
"""

from __future__ import annotations

import datetime
import re

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

# Day 0 of Sheets' date serial numbers; serials outside this span are not dates anyone meant.
SERIAL_EPOCH = datetime.date(1899, 12, 30)
_SERIALS = range(20_000, 80_000)  # 1954 .. 2119

# Locales that write the month first; the rest of the locales Sheets offers with a known
# order write the day first.
MONTH_FIRST = frozenset({"en_US", "en_PH", "es_US", "fil_PH", "en_CA"})
_DAY_FIRST_LANGUAGES = frozenset(
    [
        "en",
        "de",
        "fr",
        "es",
        "it",
        "nl",
        "pt",
        "pl",
        "ru",
        "sv",
        "da",
        "nb",
        "no",
        "fi",
        "tr",
        "cs",
        "sk",
        "el",
        "hu",
        "ro",
        "uk",
        "id",
        "ms",
        "vi",
        "he",
        "ar",
    ]
)

_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_NAMED = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?", re.IGNORECASE)
_DAY_NAMED = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]+)\.?,?(?:\s+(\d{4}))?")
_SERIAL = re.compile(r"\d+(?:\.\d+)?")


class CellError(ValueError):
    """A cell the app cannot read; ``str()`` is the reason, for people."""


def day_first(locale: str) -> bool | None:
    """True where the locale writes the day first, False for month first, None: unknown."""
    if locale in MONTH_FIRST:
        return False
    if locale.split("_")[0] in _DAY_FIRST_LANGUAGES:
        return True
    return None


def example(locale: str) -> str:
    """How 14 March 2026 is typed in the locale, for messages."""
    order = day_first(locale)
    if order is None:
        return "2026-03-14"
    separator = "." if locale.split("_")[0] in ("de", "ru", "pl", "cs", "fi", "nb", "tr") else "/"
    return f"14{separator}3{separator}2026" if order else "3/14/2026"


def date_of_serial(serial: float) -> datetime.date:
    """The date of a serial number; CellError for one no one meant as a date."""
    if int(serial) not in _SERIALS:
        raise CellError(f"{serial:g} is not a date (a date is a day between 1954 and 2119)")
    return SERIAL_EPOCH + datetime.timedelta(days=int(serial))


def parse_date(
    text: str,
    *,
    quarter_start: datetime.date,
    quarter_end: datetime.date,
    locale: str = "en_US",
):
    """A date as people type it, or as Sheets serves one, read in the sheet's `locale`.

    ``2026-03-14`` everywhere; ``3/14/2026``, ``03/14/26`` (month first, en_US) or
    ``14/3/2026``, ``14.03.2026`` (day first, en_GB, de_DE, fr_FR ...); ``Mar 14, 2026``,
    ``14 March 2026``, ``Mar 14`` (in the quarter's year: the year that puts it inside the
    quarter, else the year the quarter starts in); serial numbers (``46357``). Empty is None.
    """
    text = str(text).strip()
    if not text:
        return None
    write = f"write it like {example(locale)}"
    try:
        if match := _ISO.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
        elif match := _NUMERIC.fullmatch(text):
            return _numeric(text, match, locale, write)
        elif (match := _NAMED.fullmatch(text)) or (match := _DAY_NAMED.fullmatch(text)):
            name, number = (match[1], match[2]) if match.re is _NAMED else (match[2], match[1])
            month = MONTHS.get(name.casefold(), 0)
            if not month:
                raise CellError(f"{text!r} is not a date ({write})")
            day = int(number)
            if not match[3]:
                return _in_quarter_year(month, day, quarter_start, quarter_end)
            year = int(match[3])
        elif _SERIAL.fullmatch(text):
            try:
                return date_of_serial(float(text))
            except CellError:
                raise CellError(f"{text!r} is not a date ({write})") from None
        else:
            raise CellError(f"{text!r} is not a date ({write})")
        return datetime.date(year, month, day)
    except ValueError as exc:
        if isinstance(exc, CellError):
            raise
        raise CellError(f"{text!r} is not a day of the calendar") from None


def _numeric(text: str, match: re.Match, locale: str, write: str) -> datetime.date:
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    if year < 100:
        year += 2000
    readings = {}
    for is_day_first, (day, month) in ((True, (first, second)), (False, (second, first))):
        try:
            readings[is_day_first] = datetime.date(year, month, day)
        except ValueError:
            continue
    order = day_first(locale)
    if order is not None and order in readings:
        return readings[order]
    if not readings:
        raise CellError(f"{text!r} is not a day of the calendar")
    if order is None and len(set(readings.values())) == 1:
        return next(iter(readings.values()))  # only one reading is a day of the calendar
    if order is None:
        one, other = readings[True], readings[False]
        raise CellError(
            f"{text!r} could be {one:%-d %B %Y} or {other:%-d %B %Y}: the sheet's locale "
            f"({locale}) does not say which; type it as {one:%Y-%m-%d} or {other:%Y-%m-%d}"
        )
    [only] = readings.values()
    order_name = "day first" if order else "month first"
    raise CellError(
        f"{text!r} is not a date in this sheet's locale ({locale}, {order_name}); if you mean "
        f"{only:%-d %B %Y}, type it as {only:%Y-%m-%d} ({write})"
    )


def _in_quarter_year(
    month: int, day: int, start: datetime.date, end: datetime.date
) -> datetime.date:
    candidates = []
    for year in sorted({start.year, end.year}):
        try:
            candidates.append(datetime.date(year, month, day))
        except ValueError:
            continue
    for candidate in candidates:
        if start <= candidate <= end:
            return candidate
    if not candidates:
        raise CellError(f"{month}/{day} is not a day of the calendar")
    return candidates[0]


def format_date(value: datetime.date | None) -> str:
    """As Sheets shows a date typed in a US-locale sheet: ``3/4/2026`` (for people and for
    the demo sheet; the sync writes dates as serial numbers, `serial_of`)."""
    return "" if value is None else f"{value.month}/{value.day}/{value.year}"


def serial_of(value: datetime.date) -> int:
    """The serial number of a date: the same day in every locale and under any format."""
    return (value - SERIAL_EPOCH).days
