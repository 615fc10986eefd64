"""A1 notation as the Google Sheets API reads and writes it. Pure functions, no I/O.

Forms understood (Google's documented set, plus the symmetric ``A:B5``):

``Sheet1``  ``'My tab'``  ``A1``  ``A1:B2``  ``A:A``  ``1:2``  ``A5:A``  ``A:B5``,
each optionally after ``Sheet1!`` or ``'It''s'!`` (a quoted title doubles its apostrophes).

Letters may be lower case and carry ``$`` markers (``$a$1``); reversed corners (``B2:A1``) are
put in order. A bare word that is not a cell (``Summary``) names a whole tab. Indexes are
zero-based with exclusive ends, as in the API's GridRange; ``None`` means "to the edge of the
sheet".
"""

import re
from dataclasses import dataclass

# Google's column limit is 18,278 (ZZZ).
MAX_COLUMN_LETTERS = 3

_ENDPOINT = re.compile(r"(?:\$?(?P<column>[A-Za-z]{1,3}))?(?:\$?(?P<row>[0-9]+))?")
_CELL_LIKE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]+[Cc][0-9]+")


class A1Error(ValueError):
    """The text is not a range in A1 notation."""


@dataclass(frozen=True)
class A1Range:
    """A parsed range. ``sheet`` is None when the text named no tab (the first tab is meant)."""

    sheet: str | None
    start_row: int = 0
    start_column: int = 0
    end_row: int | None = None
    end_column: int | None = None


def column_index(letters: str) -> int:
    """``A`` -> 0, ``Z`` -> 25, ``AA`` -> 26."""
    if not letters or not letters.isascii() or not letters.isalpha():
        raise A1Error(f"Not a column: {letters!r}")
    index = 0
    for letter in letters.upper():
        index = index * 26 + (ord(letter) - ord("A") + 1)
    return index - 1


def column_letters(index: int) -> str:
    """0 -> ``A``, 25 -> ``Z``, 26 -> ``AA``."""
    if index < 0:
        raise ValueError(f"A column index is never negative: {index}")
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def cell_name(row: int, column: int) -> str:
    """(0, 0) -> ``A1``."""
    return f"{column_letters(column)}{row + 1}"


def quote_sheet_title(title: str) -> str:
    """The title as it appears before ``!``: bare when it is a plain word, as Google returns it
    (``Summary!A1``), quoted otherwise, apostrophes doubled (``'It''s'!A1``)."""
    plain = (
        (title[0].isalpha() or title[0] == "_")
        and all(char.isalnum() or char == "_" for char in title)
        and not _CELL_LIKE.fullmatch(title)
    )
    if plain:
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(
    title: str, start_row: int, start_column: int, end_row: int, end_column: int
) -> str:
    """A bounded range (exclusive ends) as Google returns it: ``'Tab name'!A1:F5``, or
    ``Tab!B3`` for a single cell."""
    start = cell_name(start_row, start_column)
    if end_row - start_row == 1 and end_column - start_column == 1:
        return f"{quote_sheet_title(title)}!{start}"
    return f"{quote_sheet_title(title)}!{start}:{cell_name(end_row - 1, end_column - 1)}"


def parse_range(text: str) -> A1Range:
    """Parse ``text`` or raise A1Error."""
    if not text:
        raise A1Error("An empty range")
    if text.startswith("'"):
        title, rest = _split_quoted_title(text)
        if not rest:
            return A1Range(sheet=title)
        if not rest.startswith("!"):
            raise A1Error(f"Unexpected text after the quoted title: {rest!r}")
        return _parse_grid(rest[1:], sheet=title)
    if "!" in text:
        title, _, grid = text.rpartition("!")
        if not title:
            raise A1Error("An empty tab title")
        return _parse_grid(grid, sheet=title)
    try:
        return _parse_grid(text, sheet=None)
    except A1Error:
        # Not cells, so it names a whole tab, as Google reads a bare ``Summary``.
        return A1Range(sheet=text)


def _split_quoted_title(text: str) -> tuple[str, str]:
    title: list[str] = []
    position = 1
    while position < len(text):
        char = text[position]
        if char == "'":
            if text[position + 1 : position + 2] == "'":
                title.append("'")
                position += 2
                continue
            if not title:
                raise A1Error("An empty tab title")
            return "".join(title), text[position + 1 :]
        title.append(char)
        position += 1
    raise A1Error("The quoted tab title is not closed")


def _parse_endpoint(text: str) -> tuple[int | None, int | None]:
    """``B3`` -> (2, 1); ``B`` -> (None, 1); ``3`` -> (2, None) as (row, column)."""
    match = _ENDPOINT.fullmatch(text)
    if not text or not match:
        raise A1Error(f"Not a cell reference: {text!r}")
    row_text, column_text = match["row"], match["column"]
    row = None
    if row_text is not None:
        row = int(row_text) - 1
        if row < 0:
            raise A1Error("Rows are numbered from 1")
    column = column_index(column_text) if column_text is not None else None
    return row, column


def _parse_grid(text: str, *, sheet: str | None) -> A1Range:
    start_text, colon, end_text = text.partition(":")
    start_row, start_column = _parse_endpoint(start_text)
    if not colon:
        if start_row is None or start_column is None:
            raise A1Error(f"Not a cell: {text!r}")
        return A1Range(sheet, start_row, start_column, start_row + 1, start_column + 1)

    end_row, end_column = _parse_endpoint(end_text)
    if (start_column is None) != (end_column is None):
        # ``A1:5`` or ``1:B2``: rows and columns mixed.
        raise A1Error(f"Not a range: {text!r}")
    if start_column is not None and end_column is not None:
        start_column, end_column = sorted((start_column, end_column))
        end_column += 1
    if start_row is not None and end_row is not None:
        start_row, end_row = sorted((start_row, end_row))
        end_row += 1
    elif end_row is not None:
        # ``A:B5`` runs from the top of the sheet down to row 5.
        end_row += 1
    return A1Range(
        sheet,
        start_row=start_row or 0,
        start_column=start_column or 0,
        end_row=end_row,
        end_column=end_column,
    )
