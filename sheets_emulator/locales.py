"""Locales and number formats: how a spreadsheet's locale types what people enter and shows
what cells hold.

Google Sheets API v4 reference, ``SpreadsheetProperties.locale``
(https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets#spreadsheetproperties):
the locale decides how USER_ENTERED input is parsed (``4/3/2026`` is 3 April in en_US, 4 March in
en_GB; ``1,5`` is one and a half in de_DE and fr_FR) and how values are shown. ``NumberFormat``
(https://developers.google.com/sheets/api/reference/rest/v4/cells#numberformat) and the
date/number format guide (https://developers.google.com/sheets/api/guides/formats): a pattern's
``d dd ddd dddd m mm mmm mmmm yy yyyy`` are parts of a date, ``0 # . ,`` digits, the decimal
point and grouping (shown with the locale's own symbols), ``"text"`` and ``\\x`` literals.

Four locales are modelled: en_US, en_GB, de_DE and fr_FR.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

# Day 0 of the serial numbers of dates (Lotus 1-2-3's, kept by Sheets); also the sync's.
from sheets.parse import MONTHS, SERIAL_EPOCH

_EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Locale:
    code: str
    day_first: bool
    decimal: str
    group: str
    date_pattern: str  # the automatic format of a date typed as numbers
    date_separators: str  # what may separate the numbers of a typed date
    months: tuple[str, ...]
    days: tuple[str, ...]  # Monday first
    short_month_length: int = 3

    def short_month(self, month: int) -> str:
        return self.months[month - 1][: self.short_month_length]


LOCALES = {
    locale.code: locale
    for locale in (
        Locale("en_US", False, ".", ",", "m/d/yyyy", "/", tuple(_EN_MONTHS), tuple(_EN_DAYS)),
        Locale("en_GB", True, ".", ",", "dd/mm/yyyy", "/", tuple(_EN_MONTHS), tuple(_EN_DAYS)),
        Locale(
            "de_DE",
            True,
            ",",
            ".",
            "dd.mm.yyyy",
            ".",
            (
                "Januar",
                "Februar",
                "März",
                "April",
                "Mai",
                "Juni",
                "Juli",
                "August",
                "September",
                "Oktober",
                "November",
                "Dezember",
            ),
            ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        ),
        Locale(
            "fr_FR",
            True,
            ",",
            "\u202f",
            "dd/mm/yyyy",
            "/",
            (
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ),
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
            short_month_length=4,
        ),
    )
}
DEFAULT_LOCALE = "en_US"


def locale_of(code: str | None) -> Locale:
    """The locale of that code; a locale the emulator does not model is typed as en_US."""
    return LOCALES.get(code or DEFAULT_LOCALE, LOCALES[DEFAULT_LOCALE])


def serial_number(date: dt.date) -> int:
    """The Sheets serial number of a date: 2026-12-01 -> 46357."""
    return (date - SERIAL_EPOCH).days


def date_of(serial: float) -> dt.date:
    return SERIAL_EPOCH + dt.timedelta(days=math.floor(serial))


# --- Typing: what USER_ENTERED makes of text, in a locale -----------------------------------


def _month_number(name: str, locale: Locale) -> int:
    key = name.casefold().rstrip(".")
    if key in MONTHS:
        return MONTHS[key]
    for number, full in enumerate(locale.months, start=1):
        if key in (full.casefold(), full.casefold()[: locale.short_month_length]):
            return number
    return 0


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # Sheets reads 00-29 as 20xx and 30-99 as 19xx
        year += 2000 if year < 30 else 1900
    return year


def type_date(text: str, locale: Locale) -> dt.date | None:
    """The date USER_ENTERED reads in `text`, or None: ``2026-03-04`` in every locale; numbers
    in the locale's order (``3/4/2026`` en_US, ``4/3/2026`` en_GB, ``4.3.2026`` de_DE); a month
    name with a day and a year, in English or the locale's language."""
    text = text.strip()
    parts: tuple[int, int, int] | None = None
    if match := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif match := re.fullmatch(
        rf"(\d{{1,2}})[{re.escape(locale.date_separators)}](\d{{1,2}})"
        rf"[{re.escape(locale.date_separators)}](\d{{4}}|\d{{2}})",
        text,
    ):
        first, second = int(match[1]), int(match[2])
        day, month = (first, second) if locale.day_first else (second, first)
        parts = (_year(match[3]), month, day)
    elif match := re.fullmatch(r"([^\W\d_]+)\.? (\d{1,2}),? (\d{4})", text):
        parts = (int(match[3]), _month_number(match[1], locale), int(match[2]))
    elif match := re.fullmatch(r"(\d{1,2})\.? ([^\W\d_]+)\.?,? (\d{4})", text):
        parts = (int(match[3]), _month_number(match[2], locale), int(match[1]))
    if parts is None:
        return None
    try:
        return dt.date(*parts)
    except ValueError:
        return None


def type_number(text: str, locale: Locale) -> int | float | None:
    """The number USER_ENTERED reads in `text` in the locale: ``1,234.5`` en_US, ``1.234,5``
    de_DE, ``1 234,5`` fr_FR; an exponent (``1e5``) everywhere."""
    text = text.strip()
    decimal, groups = re.escape(locale.decimal), locale.group
    if locale.code == "fr_FR":
        groups += " \u00a0"
    plain = rf"[+-]?(?:\d+(?:{decimal}\d*)?|{decimal}\d+)(?:[eE][+-]?\d+)?"
    grouped = rf"[+-]?\d{{1,3}}(?:[{re.escape(groups)}]\d{{3}})+(?:{decimal}\d+)?"
    if not (re.fullmatch(plain, text) or re.fullmatch(grouped, text)):
        return None
    for separator in groups:
        text = text.replace(separator, "")
    number = float(text.replace(locale.decimal, "."))
    return tidy_number(number) if math.isfinite(number) else None


def tidy_number(number: float) -> int | float:
    # Google answers whole numbers without a fraction (5, not 5.0).
    return int(number) if float(number).is_integer() and abs(number) < 1e15 else number


# --- Showing: a value through a number format, in a locale ----------------------------------


def _pattern_parts(pattern: str) -> list[tuple[bool, str]]:
    """(is_literal, text) pieces of a pattern: quoted text and ``\\x`` are literal."""
    parts: list[tuple[bool, str]] = []
    position = 0
    while position < len(pattern):
        char = pattern[position]
        if char == '"':
            end = pattern.find('"', position + 1)
            end = len(pattern) if end < 0 else end
            parts.append((True, pattern[position + 1 : end]))
            position = end + 1
        elif char == "\\" and position + 1 < len(pattern):
            parts.append((True, pattern[position + 1]))
            position += 2
        else:
            parts.append((False, char))
            position += 1
    return parts


def is_date_pattern(pattern: str | None) -> bool:
    """True when a pattern shows a date (it has a day, month or year part outside literals)."""
    if not pattern:
        return False
    code = "".join(text for literal, text in _pattern_parts(pattern) if not literal)
    return bool(re.search(r"[dmy]", code, re.IGNORECASE))


def show_date(date: dt.date, pattern: str, locale: Locale) -> str:
    out: list[str] = []
    run = ""  # a run of one date letter: "dd", "mmm" ...
    for literal, text in [*_pattern_parts(pattern), (True, "")]:
        letter = "" if literal else text.lower()
        if letter in ("d", "m", "y") and (not run or run[-1] == letter):
            run += letter
            continue
        if run:
            out.append(_date_token(run, date, locale))
            run = ""
        if letter in ("d", "m", "y"):
            run = letter
        else:
            out.append(text)
    return "".join(out)


def _date_token(token: str, date: dt.date, locale: Locale) -> str:
    if token[0] == "d":
        if len(token) == 1:
            return str(date.day)
        if len(token) == 2:
            return f"{date.day:02}"
        day = locale.days[date.weekday()]
        return day[:3] if len(token) == 3 else day
    if token[0] == "m":
        if len(token) == 1:
            return str(date.month)
        if len(token) == 2:
            return f"{date.month:02}"
        if len(token) == 3:
            return locale.short_month(date.month)
        if len(token) == 5:
            return locale.months[date.month - 1][0]
        return locale.months[date.month - 1]
    if len(token) <= 2:
        return f"{date.year % 100:02}"
    return str(date.year)


def format_number(number: float, pattern: str, locale: Locale) -> str:
    """A number through a pattern of ``0 # . ,`` and literals; ``positive;negative`` sections."""
    sections = pattern.split(";")
    section = sections[0]
    sign = "-" if number < 0 else ""
    if number < 0 and len(sections) > 1 and sections[1]:
        section, sign = sections[1], ""
    parts = _pattern_parts(section)
    code = "".join(text for literal, text in parts if not literal)
    first = next((i for i, (lit, t) in enumerate(parts) if not lit and t in "0#?.,"), None)
    if first is None:
        return "".join(text for _, text in parts)
    last = max(i for i, (lit, t) in enumerate(parts) if not lit and t in "0#?.,")
    digits = "".join(t for _, t in parts[first : last + 1])
    value = abs(number) * (100 if "%" in code else 1)
    integer_part, _, fraction_part = digits.partition(".")
    decimals = len(re.sub(r"[^0#?]", "", fraction_part))
    required = len(re.sub(r"[^0?]", "", fraction_part))
    text = f"{value:.{decimals}f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(required, "0") if decimals else ""
    minimum = len(re.sub(r"[^0?]", "", integer_part))
    whole = whole.lstrip("0").rjust(minimum, "0")
    if "," in integer_part.strip(","):
        whole = _grouped(whole, locale.group)
    shown = whole + (locale.decimal + fraction if fraction else "")
    prefix = "".join(text for _, text in parts[:first])
    suffix = "".join(text for _, text in parts[last + 1 :])
    return sign + prefix + shown + suffix


def _grouped(whole: str, separator: str) -> str:
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return separator.join([whole, *groups]) if whole else separator.join(groups)


def general_number(number: int | float, locale: Locale) -> str:
    """A number as the automatic format shows it (at most 10 significant digits)."""
    text = str(number) if isinstance(number, int) else format(number, ".10g").upper()
    return text.replace(".", locale.decimal)


def show(value: str | int | float | bool, *, is_date: bool, pattern: str | None, locale: Locale):
    """The formattedValue of an effective value under a pattern (None: automatic)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    if pattern and is_date_pattern(pattern):
        return show_date(date_of(value), pattern, locale)
    if pattern:
        return format_number(value, pattern, locale)
    if is_date:
        return show_date(date_of(value), locale.date_pattern, locale)
    return general_number(value, locale)
