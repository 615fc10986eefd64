"""Formulas: the few a leadership sheet uses, evaluated so a formula cell holds a value.

Google Sheets API v4 reference, ``CellData``
(https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/cells#celldata): a
formula cell keeps its text in ``userEnteredValue.formulaValue`` and its result in
``effectiveValue`` (and ``formattedValue``). Evaluated here: numbers, text in quotes, TRUE and
FALSE, cell references and ranges (``B2``, ``$B$2``, ``'Other tab'!B2``, ``A2:A9``, ``A:A``),
``+ - * / ^``, ``&``, comparisons (``= <> < > <= >=``), and the functions ``DATE``, ``TODAY``,
``SUM``, ``IF``, ``CONCATENATE``, ``COUNTA`` and ``HYPERLINK`` (its label is the value, its
address the cell's ``hyperlink``: `Hyperlink`). Any other formula raises `Unsupported`, and its
cell keeps the value it was loaded with.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sheets import a1
from sheets_emulator.locales import serial_number


class Unsupported(Exception):
    """A formula the emulator does not evaluate (or a circular one)."""


class DateSerial(float):
    """A number that is a date: a result shown as a date (``=DATE(2026,3,4)``, ``=B2+7``)."""


class Hyperlink(str):
    """Text that links somewhere: what ``=HYPERLINK(url, label)`` gives, the label (the text
    shown) with the address it points to, ``url`` (the cell's ``CellData.hyperlink``). Any
    operation on it (``&``, CONCATENATE) gives plain text."""

    url: str

    def __new__(cls, label: str, url: str) -> Hyperlink:
        text = super().__new__(cls, label)
        text.url = url
        return text


# HYPERLINK's rules (Google Docs Editors Help, "HYPERLINK":
# https://support.google.com/docs/answer/3093313): only these link types are allowed, another
# protocol shows the label without a link, and an address without one is given "http://".
LINK_PROTOCOLS = (
    "http://",
    "https://",
    "mailto:",
    "aim:",
    "ftp://",
    "gopher://",
    "telnet://",
    "news://",
)
# A protocol ("javascript:"), not a host and port ("jira.example.com:8080/...").
_PROTOCOL = re.compile(r"[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class RangeRef:
    sheet: str | None
    start_row: int
    start_column: int
    end_row: int | None
    end_column: int | None


# (sheet title or None, row, column) -> the cell's effective value, None when empty.
Lookup = Callable[[str | None, int, int], Any]
# (sheet title or None) -> (rows, columns) of what the tab holds, for open ranges like A:A.
Extent = Callable[[str | None], tuple[int, int]]

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)
    |(?P<string>"(?:[^"]|"")*")
    |(?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?
        (?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d*)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3})
        (?![\w(]))
    |(?P<name>[A-Za-z_][\w.]*)
    |(?P<op><>|<=|>=|[-+*/^&=<>(),:;])
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise Unsupported(text)
        kind = match.lastgroup or ""
        tokens.append((kind, match[kind]))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, formula: str, lookup: Lookup, extent: Extent, today: dt.date):
        self.tokens = _tokens(formula[1:])
        self.position = 0
        self.lookup, self.extent, self.today = lookup, extent, today

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise Unsupported("unexpected end")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, text: str) -> None:
        if self.take()[1] != text:
            raise Unsupported(f"expected {text}")

    def run(self) -> Any:
        value = self.comparison()
        if self.position != len(self.tokens):
            raise Unsupported("trailing input")
        return scalar(value)

    def comparison(self) -> Any:
        left = self.concat()
        while self.peek() in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = scalar(self.concat())
            left = _compare(op, scalar(left), right)
        return left

    def concat(self) -> Any:
        left = self.additive()
        while self.peek() == "&":
            self.take()
            left = text_of(scalar(left)) + text_of(scalar(self.additive()))
        return left

    def additive(self) -> Any:
        left = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            a, b = number_of(scalar(left)), number_of(scalar(right))
            result = a + b if op == "+" else a - b
            dates = isinstance(scalar(left), DateSerial), isinstance(scalar(right), DateSerial)
            left = DateSerial(result) if dates in ((True, False), (False, True)) else result
            if op == "-" and dates == (False, True):
                left = result
        return left

    def term(self) -> Any:
        left = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            a, b = number_of(scalar(left)), number_of(scalar(self.unary()))
            if op == "/" and b == 0:
                return "#DIV/0!"
            left = a * b if op == "*" else a / b
        return left

    def unary(self) -> Any:
        if self.peek() in ("-", "+"):
            op = self.take()[1]
            value = number_of(scalar(self.unary()))
            return -value if op == "-" else value
        left = self.primary()
        while self.peek() == "^":
            self.take()
            left = number_of(scalar(left)) ** number_of(scalar(self.primary()))
        return left

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "number":
            return float(text)
        if kind == "string":
            return text[1:-1].replace('""', '"')
        if kind == "op" and text == "(":
            value = self.comparison()
            self.expect(")")
            return value
        if kind == "ref":
            return self.reference(text)
        if kind == "name":
            if self.peek() == "(":
                return self.call(text.upper())
            if text.upper() in ("TRUE", "FALSE"):
                return text.upper() == "TRUE"
        raise Unsupported(text)

    def call(self, name: str) -> Any:
        self.expect("(")
        args: list[Any] = []
        if self.peek() != ")":
            while True:
                args.append(self.comparison())
                if self.peek() in (",", ";"):
                    self.take()
                    continue
                break
        self.expect(")")
        return _call(name, args, self.today)

    def reference(self, text: str) -> Any:
        sheet = None
        if "!" in text:
            title, _, text = text.rpartition("!")
            sheet = title[1:-1].replace("''", "'") if title.startswith("'") else title
        try:
            parsed = a1.parse_range(text)
        except a1.A1Error:
            raise Unsupported(text) from None
        one_cell = ":" not in text
        if one_cell:
            return self.lookup(sheet, parsed.start_row, parsed.start_column)
        rows, columns = self.extent(sheet)
        return [
            self.lookup(sheet, row, column)
            for row in range(parsed.start_row, parsed.end_row or rows)
            for column in range(parsed.start_column, parsed.end_column or columns)
        ]


def scalar(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def number_of(value: Any) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return value
    try:
        return float(value)
    except ValueError:
        raise Unsupported(f"{value!r} is not a number") from None


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and not isinstance(value, DateSerial) and value.is_integer():
        return str(int(value))
    if isinstance(value, DateSerial):
        return str(int(value))
    return str(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, str) or isinstance(right, str):
        a: Any = text_of(left).casefold()
        b: Any = text_of(right).casefold()
    else:
        a, b = number_of(left), number_of(right)
    return {
        "=": a == b,
        "<>": a != b,
        "<": a < b,
        ">": a > b,
        "<=": a <= b,
        ">=": a >= b,
    }[op]


def _flat(args: list[Any]) -> list[Any]:
    return [item for arg in args for item in (arg if isinstance(arg, list) else [arg])]


def _call(name: str, args: list[Any], today: dt.date) -> Any:
    if name == "DATE" and len(args) == 3:
        year, month, day = (int(number_of(scalar(arg))) for arg in args)
        # Sheets carries months and days over: DATE(2026,13,1) is 2027-01-01.
        year += (month - 1) // 12
        month = (month - 1) % 12 + 1
        first = dt.date(year, month, 1)
        return DateSerial(serial_number(first) + day - 1)
    if name == "TODAY" and not args:
        return DateSerial(serial_number(today))
    if name == "SUM":
        return sum(
            number_of(item)
            for item in _flat(args)
            if isinstance(item, int | float) and not isinstance(item, bool)
        )
    if name == "IF" and len(args) in (2, 3):
        condition = scalar(args[0])
        truth = condition if isinstance(condition, bool) else number_of(condition) != 0
        if truth:
            return scalar(args[1])
        return scalar(args[2]) if len(args) == 3 else False
    if name == "CONCATENATE":
        return "".join(text_of(item) for item in _flat(args))
    if name == "COUNTA":
        return float(sum(1 for item in _flat(args) if item is not None and item != ""))
    if name == "HYPERLINK" and len(args) in (1, 2):
        return hyperlink_of(scalar(args[0]), scalar(args[1]) if len(args) == 2 else None)
    raise Unsupported(name)


def hyperlink_of(url: Any, label: Any) -> str:
    """``=HYPERLINK(url, label)``: the label (the address when there is none, or when the label
    names an empty cell; ``""`` shows nothing but still links), a `Hyperlink` to the address
    when it is of an allowed type; plain text otherwise."""
    address = text_of(url).strip()
    shown = text_of(url) if label is None else text_of(label)
    if not address:
        return shown
    if not address.lower().startswith(LINK_PROTOCOLS):
        if _PROTOCOL.match(address):
            return shown
        address = "http://" + address
    return Hyperlink(shown, address)


def evaluate(formula: str, *, lookup: Lookup, extent: Extent, today: dt.date) -> Any:
    """The value of `formula` (``=...``): a float, a `DateSerial`, a str or a bool. Raises
    Unsupported for anything outside the subset above."""
    try:
        return _Parser(formula, lookup, extent, today).run()
    except (ValueError, OverflowError, ZeroDivisionError, IndexError) as exc:
        raise Unsupported(str(exc)) from None


_CELL_PART = re.compile(r"(\$?[A-Za-z]{1,3})(\$?)(\d*)")


def rows_deleted(
    formula: str, *, refers_to_them: Callable[[str | None], bool], start: int, end: int
) -> str:
    """`formula` (``=...``) once rows `start`..`end` (zero-based, end exclusive) of a tab are
    deleted, as Sheets rewrites it: a reference below them moves up, a range across them
    shrinks, a reference to a deleted cell becomes ``#REF!``; the rest of the text is kept as
    typed. `refers_to_them(tab title or None)`: whether a reference with that tab prefix (None:
    without one) is to that tab. A formula the emulator cannot read is left as it is."""
    text = formula[1:]
    pieces, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            return formula
        kind = match.lastgroup or ""
        pieces.append(text[position : match.start(kind)])
        token = match[kind]
        pieces.append(
            _ref_after_delete(token, refers_to_them, start, end) if kind == "ref" else token
        )
        position = match.end()
    pieces.append(text[position:])
    return "=" + "".join(pieces)


def _ref_after_delete(
    token: str, refers_to_them: Callable[[str | None], bool], start: int, end: int
) -> str:
    prefix, bang, cells = token.rpartition("!")
    title = None
    if bang:
        title = prefix[1:-1].replace("''", "'") if prefix.startswith("'") else prefix
    if not refers_to_them(title):
        return token
    parts = [_CELL_PART.fullmatch(part) for part in cells.split(":")]
    if any(part is None for part in parts) or not any(part[3] for part in parts):
        return token  # whole columns (A:A) keep their meaning
    rows = []
    for index, part in enumerate(parts):
        row = int(part[3]) if part[3] else None
        if row is None or row <= start:
            rows.append(row)
        elif row > end:
            rows.append(row - (end - start))
        elif len(parts) == 1:
            return "#REF!"
        else:  # a range's corner among the deleted rows: to the nearest row kept
            rows.append(start + 1 if index == 0 else start)
    if len(rows) == 2 and None not in rows and rows[0] > rows[1]:
        return "#REF!"
    moved = [
        part[0] if row is None else f"{part[1]}{part[2]}{row}"
        for part, row in zip(parts, rows, strict=True)
    ]
    return f"{prefix}{bang}" + ":".join(moved)
