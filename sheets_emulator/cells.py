"""Cells: what a cell holds, as Google keeps it (Sheets API v4 reference, ``CellData`` and
``ExtendedValue``: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/cells).

A cell has an effective value (text, a number, a boolean; a date is a number, its serial, shown
through a date format), the text the sheet shows (``formattedValue``), an optional formula
(``userEnteredValue.formulaValue``, its result being the effective value, see ``formulas``), an
optional number-format pattern (``userEnteredFormat.numberFormat``, see ``locales``) and an
optional link (``hyperlink``).

A link is what ``CellData.hyperlink`` answers: "A hyperlink this cell points to, if any. If the
cell contains multiple hyperlinks, this field will be empty. This field is read-only. To set it,
use a =HYPERLINK formula in the userEnteredValue.formulaValue field", or a link in a text format
run "that spans the entire cell" (the reference page above, ``CellData.hyperlink`` and
``textFormatRuns``; the same text, as Google's API description publishes it:
https://pub.dev/documentation/googleapis/latest/sheets_v4/CellData/hyperlink.html). A
``=HYPERLINK`` formula's link is calculated with its value (``formulas.Hyperlink``); a person's
link on a cell's text (Insert link, or a ticket key pasted as a rich link) is loaded from a file
(``{"value": "PLAT-42", "link": "https://..."}``) and answered as a text format run over the
whole text too. Not emulated: a link on part of the text, several links in a cell, chips. A
plain address typed as text has no link here. "When writing a new user_entered_value, previous
runs are erased" (``textFormatRuns``): a value written over a linked cell leaves no link.

Typing follows USER_ENTERED in the spreadsheet's locale: ``2026-12-01``, or ``12/1/2026`` in
en_US (``1/12/2026`` in en_GB), becomes a date shown in the locale's date format whose
unformatted value is the serial number 46357; ``5`` the number 5 (``1,5`` in de_DE is 1.5);
``TRUE`` a boolean; ``=...`` a formula.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

# The month names people type, and day 0 of the serial numbers Google Sheets (and Lotus 1-2-3)
# use for dates: the sync's parser holds both.
from sheets.parse import MONTHS, SERIAL_EPOCH
from sheets_emulator.errors import ApiError
from sheets_emulator.locales import (
    Locale,
    is_date_pattern,
    locale_of,
    serial_number,
    show,
    tidy_number,
    type_date,
    type_number,
)

__all__ = ["MONTHS", "SERIAL_EPOCH", "serial_number"]

FORMATTED_VALUE = "FORMATTED_VALUE"
UNFORMATTED_VALUE = "UNFORMATTED_VALUE"
FORMULA = "FORMULA"
VALUE_RENDER_OPTIONS = (FORMATTED_VALUE, UNFORMATTED_VALUE, FORMULA)
DATE_TIME_RENDER_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")


class Kind(StrEnum):
    """The kind of a cell's effective value."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"


_VALUE_KEYS = {
    Kind.TEXT: "stringValue",
    Kind.NUMBER: "numberValue",
    Kind.DATE: "numberValue",
    Kind.BOOLEAN: "boolValue",
}


@dataclass(frozen=True, slots=True)
class Cell:
    """What one cell holds: the text the sheet shows, its effective value (the text itself for
    text, a number, the date's serial number, a bool), and its formula and number format."""

    text: str
    value: str | int | float | bool
    kind: Kind = Kind.TEXT
    formula: str | None = None
    pattern: str | None = None  # the number format's pattern; None: automatic
    # A formula whose value the emulator calculated (not the value it was loaded with).
    computed: bool = False
    link: str | None = None  # the address the cell links to (``hyperlink``)

    @classmethod
    def of_text(cls, text: str) -> Cell:
        return cls(text, text, Kind.TEXT)

    def render(self, value_option: str, date_time_option: str = "SERIAL_NUMBER") -> Any:
        """The cell in a ValueRange, as ``valueRenderOption`` and ``dateTimeRenderOption``
        ask (https://developers.google.com/sheets/api/reference/rest/v4/ValueRenderOption)."""
        if value_option == FORMULA and self.formula is not None:
            return self.formula
        if value_option == FORMATTED_VALUE or self.kind is Kind.TEXT:
            return self.text
        if self.kind is Kind.DATE and date_time_option == "FORMATTED_STRING":
            return self.text
        return self.value

    def number_format(self) -> dict[str, str] | None:
        """The NumberFormat of the cell's format, None for text and booleans left automatic."""
        if self.kind is Kind.DATE or is_date_pattern(self.pattern):
            return {"type": "DATE", "pattern": self.pattern or ""} if self.pattern else None
        if self.pattern:
            return {"type": "NUMBER", "pattern": self.pattern}
        return None

    def grid_data(self, locale: Locale | None = None) -> dict[str, Any]:
        """The CellData of ``spreadsheets.get`` with ``includeGridData``."""
        effective = {_VALUE_KEYS[self.kind]: self.value}
        data: dict[str, Any] = {
            "userEnteredValue": (
                {"formulaValue": self.formula} if self.formula is not None else effective
            ),
            "effectiveValue": effective,
            "formattedValue": self.text,
        }
        if self.link is not None:
            data["hyperlink"] = self.link
            if self.formula is None:
                # A person's link: a run of the whole text (runs are not a formula's).
                data["textFormatRuns"] = [{"format": {"link": {"uri": self.link}}}]
        number_format = self.number_format()
        if number_format is None and self.kind is Kind.DATE:
            # A typed date gets the DATE format; the locale's pattern shows it.
            pattern = locale_of(None).date_pattern if locale is None else locale.date_pattern
            data["userEnteredFormat"] = {"numberFormat": {"type": "DATE"}}
            data["effectiveFormat"] = {"numberFormat": {"type": "DATE", "pattern": pattern}}
        elif number_format is not None:
            data["userEnteredFormat"] = {"numberFormat": number_format}
            data["effectiveFormat"] = {"numberFormat": number_format}
        return data

    def with_value(self, value: Any, locale: Locale) -> Cell:
        """This cell (its formula and format) holding another effective value."""
        kind = _kind_of(value, self.pattern)
        value = _plain(value)
        return replace(
            self,
            value=value,
            kind=kind,
            text=show(value, is_date=kind is Kind.DATE, pattern=self.pattern, locale=locale),
        )


def _kind_of(value: Any, pattern: str | None) -> Kind:
    from sheets_emulator.formulas import DateSerial

    if isinstance(value, bool):
        return Kind.BOOLEAN
    if isinstance(value, str):
        return Kind.TEXT
    if isinstance(value, DateSerial) or is_date_pattern(pattern):
        return Kind.DATE
    return Kind.NUMBER


def _plain(value: Any) -> str | int | float | bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)  # a formula's Hyperlink: its text (the link is the cell's)
    return tidy_number(float(value))


def typed_cell(
    value: Any, *, locale: Locale, pattern: str | None = None, formula: str | None = None
) -> Cell:
    """A cell holding an effective value (str, number, bool) under a pattern."""
    return Cell("", "", formula=formula, pattern=pattern).with_value(value, locale)


def _typed(text: str, locale: Locale) -> Cell | None:
    """The typed cell USER_ENTERED makes of ``text``, or None when it stays text."""
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Cell(stripped.upper(), stripped.upper() == "TRUE", Kind.BOOLEAN)
    number = type_number(stripped, locale)
    if number is not None:
        return typed_cell(number, locale=locale)
    date = type_date(stripped, locale)
    if date is not None:
        serial = serial_number(date)
        return Cell(show(serial, is_date=True, pattern=None, locale=locale), serial, Kind.DATE)
    return None


def cell_from_input(
    value: Any,
    *,
    user_entered: bool,
    locale: Locale | None = None,
    previous: Cell | None = None,
) -> Cell | None:
    """The cell a value written through the API makes (None: the cell is cleared), in the
    spreadsheet's `locale`. Like Google, a write changes the value, not the format: a number
    written over a cell formatted ``dd/mm/yyyy`` is shown as a date (`previous`'s pattern).

    Raises ApiError for a value that is not a JSON scalar."""
    locale = locale or locale_of(None)
    cell = _input_cell(value, user_entered=user_entered, locale=locale)
    if cell is None or previous is None or previous.pattern is None:
        return cell
    if cell.formula is not None:
        return replace(cell, pattern=previous.pattern)
    if cell.kind in (Kind.NUMBER, Kind.DATE):
        return typed_cell(cell.value, locale=locale, pattern=previous.pattern)
    return cell


def _input_cell(value: Any, *, user_entered: bool, locale: Locale) -> Cell | None:
    if isinstance(value, bool):
        return Cell("TRUE" if value else "FALSE", value, Kind.BOOLEAN)
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ApiError(400, f"Invalid value: {value!r} is not a finite number.")
        return typed_cell(value, locale=locale)
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
        return formula_cell(value)
    return _typed(value, locale) or Cell.of_text(value)


def formula_cell(formula: str, value: Any = "", *, pattern: str | None = None) -> Cell:
    """A formula cell before it is calculated: `value` is what it shows until then (and for
    good, when the emulator cannot evaluate it). Its text is set by the calculation."""
    text = value if isinstance(value, str) else ""
    kind = _kind_of(value, pattern)
    return Cell(text, _plain(value), kind, formula=formula, pattern=pattern)


def cell_from_sheet_text(value: Any, locale: Locale | None = None) -> Cell | None:
    """The cell a value of a JSON file makes.

    A string is text a person typed, in the spreadsheet's `locale`: its shown text is kept as
    it is and its type inferred as USER_ENTERED would (a dumped ``Nov 3, 2026`` is still a
    date; ``=...`` is a formula). An object is ``{"formula": "=...", "value": V}`` (V the last
    computed value) or ``{"value": V}`` (a typed value: a string is text, a number a number),
    either with a ``"format": "PATTERN"`` number format (``{"value": 46084, "format":
    "dd/mm/yyyy"}`` is a date); ``{"value": V, "link": "https://..."}`` is a value a person
    linked (a formula's link is its HYPERLINK's). Raises ApiError for anything else."""
    locale = locale or locale_of(None)
    if isinstance(value, dict):
        return _cell_from_object(value, locale)
    if not isinstance(value, str):
        return cell_from_input(value, user_entered=False, locale=locale)
    if value == "":
        return None
    if value.startswith("=") and len(value) > 1:
        return formula_cell(value)
    typed = _typed(value, locale)
    return replace(typed, text=value) if typed else Cell.of_text(value)


def _cell_from_object(entry: dict, locale: Locale) -> Cell:
    unknown = set(entry) - {"formula", "value", "format", "link"}
    if unknown or ("value" not in entry and "formula" not in entry):
        raise ApiError(
            400,
            f"Invalid value: {json.dumps(entry)} is not a cell value (a cell object has a "
            '"value", and may have a "formula", a "format" and a "link").',
        )
    link = entry.get("link")
    if link is not None and (
        not isinstance(link, str)
        or not link
        or "formula" in entry
        or not isinstance(entry.get("value"), str)
    ):
        # A link on text is a run of it; "runs are only valid on user entered strings, not
        # formulas, bools, or numbers" (``CellData.textFormatRuns``).
        raise ApiError(
            400,
            f"Invalid cell {json.dumps(entry)}: a link is a non-empty address on a text "
            "value (a formula links with HYPERLINK).",
        )
    value = entry.get("value", "")
    pattern = entry.get("format")
    if not (value is None or isinstance(value, str | int | float | bool)) or not (
        pattern is None or isinstance(pattern, str)
    ):
        raise ApiError(400, f"Invalid cell {json.dumps(entry)}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise ApiError(400, f"Invalid value: {value!r} is not a finite number.")
    value = "" if value is None else value
    formula = entry.get("formula")
    if formula is not None:
        if not isinstance(formula, str) or not formula.startswith("="):
            raise ApiError(400, f'Invalid cell {json.dumps(entry)}: a formula starts with "=".')
        return formula_cell(formula, value, pattern=pattern).with_value(value, locale)
    return replace(typed_cell(value, locale=locale, pattern=pattern), link=link)


def cell_to_sheet_value(cell: Cell, locale: Locale) -> Any:
    """The JSON a cell dumps as: the text shown when that text loads back as the same cell,
    else an object with its value, formula and format."""
    if cell.formula is not None and cell.computed and cell.pattern is None:
        return cell.formula  # loads back as the same formula, calculated again
    if cell.pattern is None and cell_from_sheet_text(cell.text, locale) == cell:
        return cell.text
    entry: dict[str, Any] = {}
    if cell.formula is not None:
        entry["formula"] = cell.formula
    entry["value"] = cell.value
    if cell.pattern is not None:
        entry["format"] = cell.pattern
    if cell.link is not None and cell.formula is None:
        entry["link"] = cell.link
    return entry
