"""The column mapping of a team's tab (issue 14 item 5): which field each header carries.

The sync finds a tab's columns by header name with aliases (`parse.find_layout`). A header the
aliases do not know ("Deliverable", "Commit date") leaves its column unread, and a tab without
a title column is skipped whole. Leadership maps such a header to a field in the browser, or
unmaps a header the aliases would read (a "Status" column that is the sheet's own); each
choice is a `ColumnMapping` of the team, keyed by the header as compared (`parse.header_key`),
and every later run reads the tab with them (`overrides_for`, then `parse.parse_tab`).

Only what differs from the aliases is stored: choosing for a column what its header already
says removes the team's mapping of that header. A choice that would make two columns carry
one field is refused per column, so a saved mapping always means what the page showed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction

from sheets import a1, parse
from sheets.client import open_spreadsheet
from sheets.match import match_tabs, stored_links
from sheets.models import ColumnMapping, SyncRun
from sheets.read import TabData, read_tabs
from teams.models import Team, User

# What a column may carry: the ID and each field, by the header the app writes for it.
MAPPABLE: tuple[tuple[str, str], ...] = tuple(
    (name, parse.HEADERS[name]) for name in (parse.ID, *parse.FIELDS)
)
NOT_MAPPED = ""  # a column of the sheet's own: the sync never reads or writes it
HEADER_LENGTH = ColumnMapping._meta.get_field("header").max_length


def overrides_for(teams: Iterable[Team]) -> dict[int, dict[str, str]]:
    """Each team's mapping, `header_key` -> field ("" for unmapped), in one query."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = ColumnMapping.objects.filter(team__in=list(teams)).values_list("team", "header", "field")
    for team_pk, header, field in rows:
        found[team_pk][header] = field
    return dict(found)


@dataclass(frozen=True)
class MappedColumn:
    """A header cell of a team's tab and what the sync makes of it."""

    index: int
    letter: str
    header: str
    field: str  # the field it carries, NOT_MAPPED for none
    by_aliases: str  # what the header alone would carry (the aliases), NOT_MAPPED for none
    mapped_here: bool  # the team's mapping decides it, not the aliases
    ignored: str = ""  # why the sync ignores it although it names a field
    repeat_of: str = ""  # the column of the same header before it (which decides for both)

    @property
    def label(self) -> str:
        return parse.HEADERS[self.field] if self.field else "Not mapped (the sheet's own)"


def columns_of(header: Sequence[str], overrides: Mapping[str, str] | None) -> list[MappedColumn]:
    """Every header cell of row 1 with the field the sync reads from its column."""
    overrides = overrides or {}
    layout = parse.find_layout(header, overrides=overrides)
    aliases = parse.find_layout(header)
    by_index = {index: name for name, index in layout.columns.items()}
    alias_index = {index: name for name, index in aliases.columns.items()}
    ignored = {index: why for index, _text, why in layout.ignored}
    first_of_key: dict[str, int] = {}
    columns = []
    for index, text in enumerate(header):
        if not str(text).strip():
            continue
        first = first_of_key.setdefault(parse.header_key(str(text)), index)
        columns.append(
            MappedColumn(
                index=index,
                letter=a1.column_letters(index),
                header=str(text),
                field=by_index.get(index, NOT_MAPPED),
                by_aliases=alias_index.get(index, NOT_MAPPED),
                mapped_here=parse.header_key(str(text)) in overrides,
                ignored=ignored.get(index, ""),
                repeat_of=a1.column_letters(first) if first != index else "",
            )
        )
    return columns


def why_unmappable(header: Sequence[str], overrides: Mapping[str, str] | None) -> str:
    """Why the sync cannot read the tab with this mapping ("" when it can)."""
    if not header:
        return ""  # an empty tab: the sync writes its header
    if "title" not in parse.find_layout(header, overrides=overrides or {}).columns:
        return "No column is mapped to Milestone (the title): the sync skips the tab."
    return ""


@dataclass(frozen=True)
class MappingOutcome:
    errors: Mapping[int, str]  # column index -> why the choice was refused
    changes: tuple[str, ...] = ()  # what was saved, in words

    @property
    def saved(self) -> bool:
        return not self.errors


def save_mapping(
    team: Team, header: Sequence[str], chosen: Mapping[int, str], *, user: User | None
) -> MappingOutcome:
    """Keep `chosen` (column index -> field or NOT_MAPPED) as the team's mapping of the tab
    whose row 1 is `header`; columns not in `chosen` keep what they have. Nothing is saved
    when a choice is refused: an unknown field, two columns for one field, or two columns of
    the same header given different fields."""
    current = overrides_for([team]).get(team.pk, {})
    valid = {name for name, _label in MAPPABLE} | {NOT_MAPPED}
    errors: dict[int, str] = {}
    wanted: dict[str, str] = {}  # header key -> field
    first_of_key: dict[str, int] = {}
    for index, field in sorted(chosen.items()):
        if index >= len(header) or not str(header[index]).strip():
            errors[index] = "This column has no header in row 1."
            continue
        if field not in valid:
            errors[index] = f"{field!r} is no field of a milestone."
            continue
        key = parse.header_key(str(header[index]))
        if len(key) > HEADER_LENGTH:
            errors[index] = f"A header over {HEADER_LENGTH} characters cannot be mapped."
            continue
        if key in wanted and wanted[key] != field:
            first = a1.column_letters(first_of_key[key])
            errors[index] = f"Column {first} has the same header: both carry the same field."
            continue
        wanted[key] = field
        first_of_key.setdefault(key, index)
    if errors:
        return MappingOutcome(errors)
    aliases = {
        parse.header_key(str(text)): parse.find_layout([text]).columns
        for text in header
        if str(text).strip()
    }
    overrides = dict(current)
    for key, field in wanted.items():
        alias_field = next(iter(aliases.get(key, {})), NOT_MAPPED)
        if field == alias_field:
            overrides.pop(key, None)
        else:
            overrides[key] = field
    layout = parse.find_layout(header, overrides=overrides)
    for index, field in chosen.items():
        if field and layout.columns.get(field) != index:
            other = layout.columns.get(field)
            where = f"column {a1.column_letters(other)}" if other is not None else "another column"
            errors[index] = (
                f"{parse.HEADERS[field]} is carried by {where} already: unmap that one first."
            )
    # A choice that takes a field from a column after it, which the sync would then ignore.
    before = {index for index, _text, _why in parse.find_layout(header, overrides=current).ignored}
    for index, text, _why in layout.ignored:
        field = next(iter(parse.find_layout([text], overrides=overrides).columns), None)
        holder = layout.columns.get(field) if field else None
        if index not in before and holder in chosen and holder not in errors:
            errors[holder] = (
                f"{parse.HEADERS[field]} is carried by column {a1.column_letters(index)} "
                "already: unmap that one first."
            )
    if errors:
        return MappingOutcome(errors)
    changes = _save(team, current, overrides, user)
    return MappingOutcome({}, tuple(changes))


def _save(
    team: Team, current: Mapping[str, str], overrides: Mapping[str, str], user: User | None
) -> list[str]:
    changes = []
    gone = [key for key in current if key not in overrides]
    with transaction.atomic():
        if gone:
            ColumnMapping.objects.filter(team=team, header__in=gone).delete()
        for key, field in overrides.items():
            if current.get(key) == field:
                continue
            ColumnMapping.objects.update_or_create(
                team=team, header=key, defaults={"field": field, "updated_by": user}
            )
            label = parse.HEADERS[field] if field else "nothing (the sheet's own column)"
            changes.append(f"{key!r} carries {label}")
    changes.extend(f"{key!r} is read by its header again" for key in gone)
    return changes


# --- The team's tab, as the sheet has it now -----------------------------------------------


def read_team_tab(team: Team) -> TabData | None:
    """The team's tab as the sync would find it now (by its linked sheetId, else by title);
    None when the sheet has no tab of the team. Two Sheets requests (the metadata and the
    grid), made outside any transaction. Raises `client.SheetUnavailable`."""
    tabs = read_tabs(open_spreadsheet())
    links = stored_links([team]).sheet_ids
    return match_tabs([team], tabs, all_teams=False, links=links).tabs.get(team.pk)


def header_of(data: TabData | None) -> list[str]:
    return [str(value) for value in data.values[0]] if data and data.values else []


# --- Tabs the last run could not map, for the Sync page ------------------------------------


@dataclass(frozen=True)
class TabToMap:
    team: str
    slug: str
    tab: str
    mapped_since: bool  # leadership changed the team's mapping after that run


def tabs_to_map() -> list[TabToMap]:
    """The tabs the last finished run skipped, unreadable with their mapping; two queries."""
    last = (
        SyncRun.objects.filter(status__in=[SyncRun.Status.OK, SyncRun.Status.PARTIAL])
        .order_by("-finished_at", "-pk")
        .values_list("teams", "finished_at")
        .first()
    )
    if last is None:
        return []
    reports, finished_at = last
    skipped = [report for report in reports or [] if report.get("skipped")]
    if not skipped:
        return []
    since = _mapped_since({report["slug"] for report in skipped}, finished_at)
    return [
        TabToMap(report["team"], report["slug"], report["tab"], report["slug"] in since)
        for report in skipped
    ]


def _mapped_since(slugs: set[str], moment: datetime.datetime | None) -> set[str]:
    found = ColumnMapping.objects.filter(team__slug__in=slugs)
    if moment is not None:
        found = found.filter(updated_at__gt=moment)
    return set(found.values_list("team__slug", flat=True))
