"""Reading a team's tab: the header, the cells people type, and how the app writes them back.

Pure functions, no I/O and no database: the sync hands in the tab's values (as the Sheets
API returns them, formatted, trailing blanks trimmed) and the team's members, and gets back
typed values or a reason per cell (SPEC section 4). `check_row` then puts the values that read
through the milestone model's own validation, so a cell the app would refuse is reported too.

Dates come from the cells' serial numbers when Google typed them as dates (whatever the
locale or format), else from their text in the spreadsheet's locale (`sheets.dates`).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from milestones.models import Milestone
from milestones.ticket_links import TicketKeyWithoutTemplate, expand_ticket_key

# Dates have a module of their own; these names are the parser's too.
from sheets.dates import (
    MONTHS,
    SERIAL_EPOCH,
    CellError,
    date_of_serial,
    format_date,
    parse_date,
)

__all__ = ["MONTHS", "SERIAL_EPOCH", "CellError", "format_date", "parse_date"]

if TYPE_CHECKING:
    from milestones.models import Quarter

# The fields a tab may carry, in the order a new tab lists them (`NEW_TAB_FIELDS`): fields an
# edit may change (`Milestone.EDITABLE_FIELDS`), as the sync edits milestones like anyone else.
FIELDS = ("title", "owner", "target_date", "status", "notes", "link")
ID = "id"
# The ticket link (issue 20) is carried only by a column leadership maps to it (`sheets.mapping`:
# a "Jira" column of ticket keys, a "Link" column): no header alias names it and a tab the app
# creates has no such column, so no sheet gains or loses a column it did not ask for.
MAPPED_ONLY = ("link",)
NEW_TAB_FIELDS = tuple(name for name in FIELDS if name not in MAPPED_ONLY)

# Header names, compared case- and space-insensitively (see `header_key`). "Comments" and
# "Jira" are deliberately absent: they are the sheet's own columns, never the app's, unless
# leadership maps one (a "Jira" column to the ticket link).
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
    "link": "Ticket link",
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

_INTEGER_ID = re.compile(r"#?(\d+)(?:\.0+)?")
_WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)


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


def find_layout(
    header: Sequence[str],
    *,
    width: int | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Layout:
    """Map header names to fields. The first column of a field wins; a repeat is ignored (and
    reported), so a second "Status" column is never written. `width` is the widest row of the
    tab: an added ID column goes after every used cell, not just after the header.
    `overrides`: the team's column mapping (`sheets.mapping`), `header_key` -> field, or ""
    for a column that is the sheet's own: it decides for those headers instead of the
    aliases."""
    columns: dict[str, int] = {}
    ignored = []
    for index, text in enumerate(header):
        key = header_key(str(text))
        if overrides is not None and key in overrides:
            name = overrides[key] or None
        else:
            name = _ALIAS_TO_FIELD.get(key)
        if name is None:
            continue
        if name in columns:
            ignored.append((index, str(text), f"a second {HEADERS[name]} column"))
            continue
        columns[name] = index
    used = len(header) if width is None else max(width, len(header))
    return Layout(columns=columns, width=used, ignored=tuple(ignored))


def new_tab_layout() -> Layout:
    """The columns of a tab the app creates: ID first, then every field but the ticket link."""
    order = (ID, *NEW_TAB_FIELDS)
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


def parse_link(text: str, *, hyperlink: str = "", template: str = "") -> str:
    """A ticket link: the address the cell links to (its `hyperlink`, `read.TabData`) when its
    text only names it, as ``=HYPERLINK("https://jira.example.com/browse/PLAT-42","PLAT-42")``
    or a key pasted as a link do; else the web address as typed, or a bare ticket key
    ("PLAT-123") made an address with the organisation's `template`
    (MILEPOST_TICKET_URL_TEMPLATE, with ``{key}``). Without a template a key is refused: the
    app keeps addresses, and guessing the tracker's would be wrong. The address itself is
    checked by the model's validation (`check_row`).

    The text wins when it is a web address itself: it is what the sync writes (an address
    written over a linked cell must read back as that address, whatever link Sheets kept), and
    a link elsewhere than the web (``mailto:``, a link to another tab) is no ticket's."""
    text = parse_text(text)
    target = parse_text(hyperlink)
    if _WEB_ADDRESS.match(target) and not _WEB_ADDRESS.match(text):
        return target
    try:
        return expand_ticket_key(text, template=template)
    except TicketKeyWithoutTemplate as refused:
        raise CellError(str(refused)) from None


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
    locale: str = "en_US",
    numbers: Mapping[tuple[int, int], float] | None = None,
    layout: Layout | None = None,
    overrides: Mapping[str, str] | None = None,
    ticket_url_template: str | None = None,
    hyperlinks: Mapping[tuple[int, int], str] | None = None,
) -> ParsedTab:
    """Read every row with something in a mapped column; a row with content only in the sheet's
    own columns (a comment, a Jira link) is not a milestone and is left alone.

    `numbers`: the numeric effective values by (row, column), zero-based: a date cell is read
    from its serial number, text dates in the spreadsheet's `locale`. `layout`: the columns,
    when decided already (else found from the header, with the team's mapping `overrides`).
    `ticket_url_template`: how a ticket key becomes a link (`parse_link`); None: the setting.
    `hyperlinks`: the addresses cells link to by (row, column), zero-based: a link cell is read
    as its address (`parse_link`)."""
    members = list(members)
    if ticket_url_template is None:
        ticket_url_template = settings.MILEPOST_TICKET_URL_TEMPLATE
    numbers = numbers or {}
    hyperlinks = hyperlinks or {}
    header = [str(value) for value in values[0]] if values else []
    if layout is None:
        width = max((len(row) for row in values), default=0)
        layout = find_layout(header, width=width, overrides=overrides)
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
                elif name == "target_date" and (offset - 1, index) in numbers:
                    row.values[name] = date_of_serial(numbers[(offset - 1, index)])
                elif name == "target_date":
                    row.values[name] = parse_date(
                        text, quarter_start=quarter_start, quarter_end=quarter_end, locale=locale
                    )
                elif name == "status":
                    row.values[name] = parse_status(text)
                elif name == "link":
                    row.values[name] = parse_link(
                        text,
                        hyperlink=hyperlinks.get((offset - 1, index), ""),
                        template=ticket_url_template,
                    )
                else:
                    row.values[name] = parse_text(text)
            except CellError as exc:
                row.errors.append(BadCell(index, name, text, str(exc)))
        rows.append(row)
    return ParsedTab(title=title, layout=layout, rows=rows, height=len(values))


def check_row(
    row: SheetRow, layout: Layout, *, milestone: Milestone | None, quarter: Quarter
) -> SheetRow:
    """`row`, with each value the milestone model's own validation refuses (an empty title, a
    date too far from the quarter ...) taken out of its values and reported as a bad cell in
    the model's words, so that the cell is reported and the rest of the row syncs.

    The values are checked as they would stand on `milestone` (the one the row's ID names,
    with its quarter) or on a new milestone of `quarter`. The owner is not checked here:
    `resolve_owner` found it among the team's members and the owners of its milestones, and a
    former member the app itself wrote into the sheet must read back. Needs no query when
    `milestone.quarter` is loaded.
    """
    checked = [name for name in FIELDS if name in row.values and name != "owner"]
    if not checked:
        return row
    errors = _validation_errors(_as_milestone(row.values, milestone, quarter), checked)
    if not errors:
        return row
    bad = [
        BadCell(layout.columns[name], name, row.texts.get(name, ""), " ".join(errors[name]))
        for name in checked
        if name in errors
    ]
    values = {name: value for name, value in row.values.items() if name not in errors}
    return replace(row, values=values, errors=[*row.errors, *bad])


def _as_milestone(
    values: Mapping[str, Any], milestone: Milestone | None, quarter: Quarter
) -> Milestone:
    """An unsaved milestone with the row's values over `milestone`'s (or a new one's)."""
    if milestone is None:
        target = values.get("target_date")
        # As the sync adopts a row: its date is the promise as well as the forecast.
        return Milestone(
            quarter=quarter,
            title=values.get("title", ""),
            committed_date=target,
            target_date=target,
            status=values.get("status", Milestone.Status.PLANNED),
            notes=values.get("notes", ""),
            link=values.get("link", ""),
        )
    return Milestone(
        quarter=milestone.quarter,
        title=values.get("title", milestone.title),
        committed_date=milestone.committed_date,
        target_date=values.get("target_date", milestone.target_date),
        status=values.get("status", milestone.status),
        delivered_date=milestone.delivered_date,
        notes=values.get("notes", milestone.notes),
        link=values.get("link", milestone.link),
    )


def _validation_errors(candidate: Milestone, names: Sequence[str]) -> dict[str, list[str]]:
    """The model's messages on `names`: its field validation, then its `clean()`. What they
    say of other fields (a delivered date the status change will set) is not the row's."""
    errors: dict[str, list[str]] = {}
    exclude = [f.name for f in candidate._meta.concrete_fields if f.name not in names]
    for validate in (lambda: candidate.clean_fields(exclude=exclude), candidate.clean):
        try:
            validate()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name in names:
                    errors.setdefault(name, []).extend(messages)
    return errors


# --- Writing back ---------------------------------------------------------------------------


def format_status(value: str) -> str:
    return Milestone.Status(value).label


def format_text(value: str) -> str:
    """Text written as USER_ENTERED stays text. Sheets would read "1e5", "Mar 4", "TRUE" or
    "=A1" typed into a cell as a number, date, boolean or formula, and no rule short of its
    own parser says which text is safe; a leading apostrophe (what the Sheets UI uses, and not
    part of the cell's value) keeps every text exactly as written."""
    return "'" + value if value else value
