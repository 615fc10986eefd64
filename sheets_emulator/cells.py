"""Cells: a cell keeps the text the sheet shows (FORMATTED_VALUE) and a typed value
(UNFORMATTED_VALUE).

Typing follows USER_ENTERED for the en_US locale: ``2026-12-01`` or ``12/1/2026`` becomes a
date shown as ``12/1/2026`` whose unformatted value is the serial number 46357; ``5`` becomes
the number 5; ``TRUE`` a boolean; ``=...`` a formula, kept as entered and never evaluated
(every render option returns its text).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

# The month names people type, and day 0 of the serial numbers Google Sheets (and Lotus 1-2-3)
# use for dates: the sync's parser holds both.
from sheets.parse import MONTHS, SERIAL_EPOCH
from sheets_emulator.errors import ApiError

FORMATTED_VALUE = "FORMATTED_VALUE"
UNFORMATTED_VALUE = "UNFORMATTED_VALUE"
FORMULA = "FORMULA"
VALUE_RENDER_OPTIONS = (FORMATTED_VALUE, UNFORMATTED_VALUE, FORMULA)
DATE_TIME_RENDER_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    FORMULA = "formula"


@dataclass(frozen=True, slots=True)
class Cell:
    """What one cell holds: the text the sheet shows and its typed value (the text itself for
    text and formulas, a number, the date's serial number, a bool)."""

    text: str
    value: str | int | float | bool
    kind: Kind = Kind.TEXT

    @classmethod
    def of_text(cls, text: str) -> Cell:
        return cls(text, text, Kind.TEXT)

    def render(self, value_option: str, date_time_option: str = "SERIAL_NUMBER") -> Any:
        if value_option == FORMATTED_VALUE or self.kind in (Kind.TEXT, Kind.FORMULA):
            return self.text
        if self.kind is Kind.DATE and date_time_option == "FORMATTED_STRING":
            return self.text
        return self.value

    def grid_data(self) -> dict[str, Any]:
        """The CellData of ``spreadsheets.get`` with ``includeGridData``."""
        if self.kind is Kind.FORMULA:
            return {"userEnteredValue": {"formulaValue": self.text}, "formattedValue": self.text}
        value_key = {
            Kind.TEXT: "stringValue",
            Kind.NUMBER: "numberValue",
            Kind.DATE: "numberValue",
            Kind.BOOLEAN: "boolValue",
        }[self.kind]
        data: dict[str, Any] = {
            "userEnteredValue": {value_key: self.value},
            "effectiveValue": {value_key: self.value},
            "formattedValue": self.text,
        }
        if self.kind is Kind.DATE:
            data["userEnteredFormat"] = {"numberFormat": {"type": "DATE"}}
        return data


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")
_MONTH_DAY_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NAMED_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.? (\d{1,2}),? (\d{4})")


def serial_number(date: dt.date) -> int:
    """The Sheets serial number of a date: 2026-12-01 -> 46357."""
    return (date - SERIAL_EPOCH).days


def _parse_date(text: str) -> dt.date | None:
    if match := _YEAR_MONTH_DAY.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = (int(part) for part in match.groups())
    elif match := _NAMED_MONTH_DAY_YEAR.fullmatch(text):
        month = MONTHS.get(match[1].lower(), 0)
        day, year = int(match[2]), int(match[3])
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _tidy_number(number: float) -> int | float:
    # Google answers whole numbers without a fraction (5, not 5.0).
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _parse_number(text: str) -> int | float | None:
    if _NUMBER.fullmatch(text):
        number = float(text)
    elif _GROUPED_NUMBER.fullmatch(text):
        number = float(text.replace(",", ""))
    else:
        return None
    return _tidy_number(number) if math.isfinite(number) else None


def _number_text(number: int | float) -> str:
    """The number as Sheets' automatic format shows it (at most 10 significant digits)."""
    if isinstance(number, int):
        return str(number)
    return format(number, ".10g").upper()


def _typed(text: str) -> Cell | None:
    """The typed cell USER_ENTERED makes of ``text``, or None when it stays text."""
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell(stripped.upper(), stripped.upper() == "TRUE", Kind.BOOLEAN)
    number = _parse_number(stripped)
    if number is not None:
        return Cell(_number_text(number), number, Kind.NUMBER)
    date = _parse_date(stripped)
    if date is not None:
        return Cell(f"{date.month}/{date.day}/{date.year}", serial_number(date), Kind.DATE)
    return None


def cell_from_input(value: Any, *, user_entered: bool) -> Cell | None:
    """The cell a value written through the API makes (None: the cell is cleared).

    Raises ApiError for a value that is not a JSON scalar."""
    if isinstance(value, bool):
        return Cell("TRUE" if value else "FALSE", value, Kind.BOOLEAN)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ApiError(400, f"Invalid value: {value!r} is not a finite number.")
        number = _tidy_number(float(value)) if isinstance(value, float) else value
        return Cell(_number_text(number), number, Kind.NUMBER)
    if not isinstance(value, str):
        raise ApiError(400, f"Invalid value: {json.dumps(value)} is not a cell value.")
    if value == "":
        return None
    if not user_entered:
        return Cell.of_text(value)
    if value.startswith("'"):
        # A leading apostrophe keeps what follows as text, as in the Sheets UI.
        return Cell.of_text(value[1:]) if len(value) > 1 else None
    if value.startswith("=") and len(value) > 1:
        return Cell(value, value, Kind.FORMULA)
    return _typed(value) or Cell.of_text(value)


def cell_from_sheet_text(value: Any) -> Cell | None:
    """The cell a value of a JSON file makes: the shown text is kept as it is, its type is
    inferred as if it had been typed (a dumped ``Nov 3, 2026`` is still a date)."""
    if not isinstance(value, str):
        return cell_from_input(value, user_entered=False)
    if value == "":
        return None
    if value.startswith("=") and len(value) > 1:
        return Cell(value, value, Kind.FORMULA)
    typed = _typed(value)
    return replace(typed, text=value) if typed else Cell.of_text(value)
