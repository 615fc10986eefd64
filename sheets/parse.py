"""Reading a team's tab: the header, the cells people type, and how the app writes them back.

Pure functions, no I/O and no database: the engine hands in the tab's values (as the Sheets
API returns them, formatted, trailing blanks trimmed) and the team's members, and gets back
typed values or a reason per cell (SPEC section 4).

The sheet is a US-locale sheet: ``3/4/2026`` is March 4th. What the app writes back is what
Sheets itself shows for a date typed in that locale (``3/4/2026``), so a cell the app wrote
reads back as the value it wrote.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from milestones.models import Milestone

# The fields a tab carries, in the order a new tab lists them.
FIELDS = ("title", "owner", "target_date", "status", "notes")
ID = "id"

# Header names, compared case- and space-insensitively (see `header_key`). "Comments" and
# "Jira" are deliberately absent: they are the sheet's own columns, never the app's.
HEADER_ALIASES: Mapping[str, tuple[str, ...]] = {
    ID: ("id", "milepost id", "milestone id"),
    "title": ("milestone", "title", "milestone title"),
    "owner": ("owner", "owned by", "assignee", "dri"),
    "target_date": ("target date", "target", "due", "due date", "target due date", "eta"),
    "status": ("status", "state"),
    "notes": ("notes", "note"),
}
# The header of a column the app adds or writes into a fresh tab.
HEADERS: Mapping[str, str] = {
    ID: "ID",
    "title": "Milestone",
    "owner": "Owner",
    "target_date": "Target date",
    "status": "Status",
    "notes": "Notes",
}

_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}

# Everyday spellings of each status, after `_status_key` (lower case, letters and spaces).
STATUS_SPELLINGS: Mapping[str, str] = {
    "": Milestone.Status.PLANNED,
    "planned": Milestone.Status.PLANNED,
    "not started": Milestone.Status.PLANNED,
    "todo": Milestone.Status.PLANNED,
    "to do": Milestone.Status.PLANNED,
    "on track": Milestone.Status.ON_TRACK,
    "ontrack": Milestone.Status.ON_TRACK,
    "in progress": Milestone.Status.ON_TRACK,
    "started": Milestone.Status.ON_TRACK,
    "green": Milestone.Status.ON_TRACK,
    "at risk": Milestone.Status.AT_RISK,
    "risk": Milestone.Status.AT_RISK,
    "amber": Milestone.Status.AT_RISK,
    "yellow": Milestone.Status.AT_RISK,
    "off track": Milestone.Status.OFF_TRACK,
    "blocked": Milestone.Status.OFF_TRACK,
    "red": Milestone.Status.OFF_TRACK,
    "late": Milestone.Status.OFF_TRACK,
    "done": Milestone.Status.DONE,
    "complete": Milestone.Status.DONE,
    "completed": Milestone.Status.DONE,
    "shipped": Milestone.Status.DONE,
    "delivered": Milestone.Status.DONE,
    "finished": Milestone.Status.DONE,
    "dropped": Milestone.Status.DROPPED,
    "cancelled": Milestone.Status.DROPPED,
    "canceled": Milestone.Status.DROPPED,
    "descoped": Milestone.Status.DROPPED,
}

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

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_NAMED = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?", re.IGNORECASE)
_SERIAL = re.compile(r"\d+(?:\.\d+)?")
_INTEGER_ID = re.compile(r"#?(\d+)(?:\.0+)?")


class CellError(ValueError):
    """A cell the app cannot read; ``str()`` is the reason, for people."""


# --- Headers --------------------------------------------------------------------------------


def header_key(text: str) -> str:
    """``"  Target   Date: "`` -> ``"target date"``."""
    return " ".join(text.replace("_", " ").split()).casefold().rstrip(":*").strip()


@dataclass(frozen=True)
class Layout:
    """Where each field is in a tab: zero-based column indexes, found from row 1."""

    columns: Mapping[str, int]
    width: int
    # (column index, header text, why it is ignored): repeated headers.
    ignored: tuple[tuple[int, str, str], ...] = ()

    @property
    def id_column(self) -> int | None:
        return self.columns.get(ID)

    @property
    def fields(self) -> tuple[str, ...]:
        """The milestone fields this tab carries, in `FIELDS` order."""
        return tuple(name for name in FIELDS if name in self.columns)

    def with_id_column(self) -> Layout:
        """The layout once an ID column is added after the last used column."""
        if self.id_column is not None:
            return self
        return Layout({**self.columns, ID: self.width}, self.width + 1, self.ignored)


def find_layout(header: Sequence[str], *, width: int | None = None) -> Layout:
    """Map header names to fields. The first column of a field wins; a repeat is ignored (and
    reported), so a second "Status" column is never written. `width` is the widest row of the
    tab: an added ID column goes after every used cell, not just after the header."""
    columns: dict[str, int] = {}
    ignored = []
    for index, text in enumerate(header):
        name = _ALIAS_TO_FIELD.get(header_key(str(text)))
        if name is None:
            continue
        if name in columns:
            ignored.append((index, str(text), f"a second {HEADERS[name]} column"))
            continue
        columns[name] = index
    used = len(header) if width is None else max(width, len(header))
    return Layout(columns=columns, width=used, ignored=tuple(ignored))


def new_tab_layout() -> Layout:
    """The columns of a tab the app creates: ID first, then every field."""
    order = (ID, *FIELDS)
    return Layout({name: index for index, name in enumerate(order)}, len(order))


# --- Cells ----------------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(text: str) -> str:
    """Titles and notes: surrounding spaces are not content, and NUL is no character a
    database keeps (PostgreSQL refuses it; the app's forms do too)."""
    return str(text).replace("\x00", "").replace("\r\n", "\n").strip()


def parse_id(text: str) -> int | None:
    """The app's milestone ID (``12``, or ``12.0`` from a number-formatted cell)."""
    text = str(text).strip()
    if not text:
        return None
    match = _INTEGER_ID.fullmatch(text)
    if not match or int(match[1]) == 0:
        raise CellError(f"{text!r} is not a milestone ID: leave the ID column to the app")
    return int(match[1])


def parse_status(text: str) -> str:
    key = _status_key(text)
    try:
        return STATUS_SPELLINGS[key]
    except KeyError:
        choices = ", ".join(label for _, label in Milestone.Status.choices)
        raise CellError(f"{text.strip()!r} is not a status (use {choices})") from None


def _status_key(text: str) -> str:
    """``"Done ✅"`` -> ``"done"``, ``"On-Track"`` -> ``"on track"``."""
    letters = "".join(
        char if unicodedata.category(char)[0] == "L" else " "
        for char in unicodedata.normalize("NFKC", str(text)).casefold()
    )
    return " ".join(letters.split())


def parse_date(text: str, *, quarter_start: datetime.date, quarter_end: datetime.date):
    """A date as people type it in a US-locale sheet, or as Sheets serves one.

    ``3/14/2026``, ``03/14/2026``, ``3/14/26``, ``2026-03-14``, ``Mar 14, 2026``, ``March 14
    2026``, ``Mar 14`` (in the quarter's year: the year that puts it inside the quarter, else
    the year the quarter starts in), and serial numbers (``46357``). Empty is None.
    """
    text = str(text).strip()
    if not text:
        return None
    try:
        if match := _ISO.fullmatch(text):
            year, month, day = (int(part) for part in match.groups())
        elif match := _US.fullmatch(text):
            month, day, year = (int(part) for part in match.groups())
            if year < 100:
                year += 2000
        elif match := _NAMED.fullmatch(text):
            month = MONTHS.get(match[1].casefold(), 0)
            if not month:
                raise CellError(f"{text!r} is not a date (write it like 3/14/2026)")
            day = int(match[2])
            if match[3]:
                year = int(match[3])
            else:
                return _in_quarter_year(month, day, quarter_start, quarter_end)
        elif _SERIAL.fullmatch(text):
            serial = float(text)
            if int(serial) not in _SERIALS:
                raise CellError(f"{text!r} is not a date (write it like 3/14/2026)")
            return SERIAL_EPOCH + datetime.timedelta(days=int(serial))
        else:
            raise CellError(f"{text!r} is not a date (write it like 3/14/2026)")
        return datetime.date(year, month, day)
    except ValueError as exc:
        if isinstance(exc, CellError):
            raise
        raise CellError(f"{text!r} is not a day of the calendar") from None


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


@dataclass(frozen=True)
class Member:
    """A member of the team, as owners are matched against them."""

    id: int
    name: str
    email: str = ""
    username: str = ""

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else ""


def resolve_owner(text: str, members: Iterable[Member], *, team: str = "the team") -> int | None:
    """The member a cell names: by e-mail, full name, first name or username, within the team.

    Two people may share an e-mail address across teams (the sample roster does); only this
    team's members are candidates, so such an address still names one person here.
    """
    text = " ".join(str(text).split())
    if not text:
        return None
    members = list(members)
    key = text.casefold()
    if "@" in text:
        found = [m for m in members if m.email and m.email.casefold() == key]
    else:
        found = [m for m in members if " ".join(m.name.split()).casefold() == key]
        if not found:
            found = [m for m in members if m.first_name.casefold() == key]
        if not found:
            found = [m for m in members if m.username and m.username.casefold() == key]
    if len(found) == 1:
        return found[0].id
    if found:
        names = " and ".join(sorted(m.name for m in found))
        raise CellError(f"{text!r} could be {names}: write the full name")
    raise CellError(f"{text!r} is not a member of {team}")


# --- Rows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadCell:
    column: int
    field: str
    value: str
    reason: str


@dataclass
class SheetRow:
    """One non-empty row of a tab. ``number`` is the sheet's row number (the header is 1)."""

    number: int
    id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)  # the fields that read cleanly
    texts: dict[str, str] = field(default_factory=dict)  # every mapped cell as typed
    errors: list[BadCell] = field(default_factory=list)

    @property
    def id_error(self) -> BadCell | None:
        return next((error for error in self.errors if error.field == ID), None)


@dataclass
class ParsedTab:
    title: str
    layout: Layout
    rows: list[SheetRow]
    # Sheet row numbers in use: the next free row is after the last of these.
    height: int


def cell(row: Sequence[Any], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index]
    return "" if value is None else str(value)


def parse_tab(
    title: str,
    values: Sequence[Sequence[Any]],
    *,
    members: Iterable[Member],
    team_name: str,
    quarter_start: datetime.date,
    quarter_end: datetime.date,
) -> ParsedTab:
    """Read every row with something in a mapped column; a row with content only in the sheet's
    own columns (a comment, a Jira link) is not a milestone and is left alone."""
    members = list(members)
    header = [str(value) for value in values[0]] if values else []
    layout = find_layout(header, width=max((len(row) for row in values), default=0))
    rows = []
    mapped = [(name, index) for name, index in layout.columns.items()]
    for offset, raw in enumerate(values[1:], start=2):
        texts = {name: cell(raw, index) for name, index in mapped}
        if all(is_blank(text) for text in texts.values()):
            continue
        row = SheetRow(number=offset, texts=texts)
        for name, index in mapped:
            text = texts[name]
            try:
                if name == ID:
                    row.id = parse_id(text)
                elif name == "owner":
                    row.values[name] = resolve_owner(text, members, team=team_name)
                elif name == "target_date":
                    row.values[name] = parse_date(
                        text, quarter_start=quarter_start, quarter_end=quarter_end
                    )
                elif name == "status":
                    row.values[name] = parse_status(text)
                else:
                    row.values[name] = parse_text(text)
                    # The model's own rule for free text (a one-line title, notes that fit).
                    if error := Milestone.text_error(name, row.values[name]):
                        del row.values[name]
                        raise CellError(error)
            except CellError as exc:
                row.errors.append(BadCell(index, name, text, str(exc)))
        rows.append(row)
    return ParsedTab(title=title, layout=layout, rows=rows, height=len(values))


# --- Writing back ---------------------------------------------------------------------------


def format_date(value: datetime.date | None) -> str:
    """As Sheets shows a date typed in a US-locale sheet: ``3/4/2026``."""
    return "" if value is None else f"{value.month}/{value.day}/{value.year}"


def format_status(value: str) -> str:
    return Milestone.Status(value).label


def format_text(value: str) -> str:
    """Text written as USER_ENTERED stays text. Sheets would read "1e5", "Mar 4", "TRUE" or
    "=A1" typed into a cell as a number, date, boolean or formula, and no rule short of its
    own parser says which text is safe; a leading apostrophe (what the Sheets UI uses, and not
    part of the cell's value) keeps every text exactly as written."""
    return "'" + value if value else value
