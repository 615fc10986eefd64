"""The sync's match stage: which tab is each team's, which row is each milestone's.

Functions over what was read and what the app has, that make no query when the milestones
come with their `sync_state` (as the plan loads them). A tab is a team's by the sheetId of
the tab it was linked to (`TabLink`: a renamed tab is followed, and its new title stored),
else by its stored tab title, else by the team's name (stored then, so the match is made
once). A row is a milestone's by the ID in its ID column, else, on a first sync or for a row
pasted without its ID, by its title among the team's milestones of the quarter that have no
row yet (adoption).
What matches nothing is left to the plan: rows become new milestones, milestones without a row
get one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace

from milestones.models import Milestone
from sheets import parse
from sheets.models import SyncState, TabLink
from sheets.read import TabData
from sheets.report import SyncMessage
from teams.models import Team

# --- Tabs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TabMatch:
    tabs: Mapping[int, TabData]  # team pk -> the team's tab
    titles_to_store: Mapping[int, str]  # team pk -> a tab title found by the team's name
    messages: tuple[SyncMessage, ...] = ()
    changes: tuple[str, ...] = ()


def match_tabs(
    teams: Sequence[Team],
    tabs: Mapping[str, TabData],
    *,
    all_teams: bool,
    links: Mapping[int, int] | None = None,
) -> TabMatch:
    """Each team's tab: the tab of the sheetId the team is linked to (`links`: team pk ->
    sheetId), whatever its title now (a renamed tab: its title is stored on the team, and the
    run says so); else the tab titled as the team's stored tab title (ignoring case, as
    Sheets does), else the one tab whose title is the team's name give or take case, spaces
    and a trailing "team" ("Meetings team" for Meetings); that title is then stored on the
    team, so the match is made once and is visible in the admin. When `all_teams` are synced,
    the tabs left over are reported (a team's tab under an unknown title gets a warning)."""
    by_folded = {title.casefold(): data for title, data in tabs.items()}
    matched: dict[int, TabData] = {}
    to_store: dict[int, str] = {}
    messages: list[SyncMessage] = []
    changes: list[str] = []
    claimed: set[str] = set()
    by_sheet_id = {data.sheet_id: data for data in tabs.values() if data.sheet_id is not None}
    for team in teams:
        data = by_sheet_id.get((links or {}).get(team.pk))
        if data is None or data.title in claimed:
            continue
        matched[team.pk] = data
        claimed.add(data.title)
        if data.title.casefold() != team.tab_title.casefold():
            to_store[team.pk] = data.title
            messages.append(_renamed(team, data.title))
            changes.append(f"{team.name}: follow tab {team.tab_title!r} renamed {data.title!r}")
    for team in teams:
        if team.pk in matched:
            continue
        data = by_folded.get(team.tab_title.casefold())
        if data is not None and data.title not in claimed:
            matched[team.pk] = data
            claimed.add(data.title)
    for team in teams:
        if team.pk in matched:
            continue
        keys = {tab_key(team.tab_title), tab_key(team.name)}
        candidates = [
            data for title, data in tabs.items() if title not in claimed and tab_key(title) in keys
        ]
        if len(candidates) != 1:
            continue
        data = candidates[0]
        matched[team.pk] = data
        claimed.add(data.title)
        to_store[team.pk] = data.title
        messages.append(
            SyncMessage(
                "info",
                f"Tab {data.title!r} is the tab of {team.name}: its title is stored as the "
                "team's Sheet tab title (in the admin).",
                team=team.name,
                tab=data.title,
            )
        )
        changes.append(f"{team.name}: use tab {data.title!r}")
    if all_teams:
        messages.extend(_unmatched_tabs(tabs, claimed))
    return TabMatch(matched, to_store, tuple(messages), tuple(changes))


@dataclass(frozen=True)
class StoredLinks:
    """The teams' linked tabs as the last run left them: team pk -> sheetId, and -> title."""

    sheet_ids: Mapping[int, int]
    titles: Mapping[int, str]

    def moved(self, tab) -> bool:
        """Whether the tab planned (a `plan.TabPlan`) differs from the team's stored link."""
        team = tab.team.pk
        return self.sheet_ids.get(team) != tab.sheet_id or self.titles.get(team) != tab.title


def stored_links(teams: Sequence[Team]) -> StoredLinks:
    """The teams' linked tabs (`TabLink`), in one query."""
    rows = list(TabLink.objects.filter(team__in=teams).values_list("team", "sheet_id", "title"))
    return StoredLinks(
        sheet_ids={team: sheet_id for team, sheet_id, _title in rows},
        titles={team: title for team, _sheet_id, title in rows},
    )


def _renamed(team: Team, title: str) -> SyncMessage:
    return SyncMessage(
        "info",
        f"{team.name}'s tab was renamed to {title!r}: following it (the team's Sheet tab "
        "title is now that).",
        team=team.name,
        tab=title,
    )


def archive_title(quarter) -> str:
    """The title of a closed quarter's archive tab (`sheets.archive`): ``Archive 2026-Q3``,
    as leadership titled theirs by hand."""
    return f"Archive {quarter.year}-Q{quarter.number}"


_ARCHIVE_TITLE = re.compile(r"archive \d{4}-q[1-4]")


def is_archive_title(title: str) -> bool:
    return _ARCHIVE_TITLE.fullmatch(" ".join(title.split()).casefold()) is not None


def _unmatched_tabs(tabs: Mapping[str, TabData], claimed: Set[str]) -> list[SyncMessage]:
    messages = []
    for title, data in tabs.items():
        if title in claimed:
            continue
        if is_archive_title(title):
            text = f"Tab {title!r} is a closed quarter's archive, not a team's tab."
            messages.append(SyncMessage("info", text, tab=title))
            continue
        header = data.values[0] if data.values else []
        if "title" in parse.find_layout(header).columns:
            messages.append(
                SyncMessage(
                    "warning",
                    f"Tab {title!r} matches no team, so it was left untouched. If it is a "
                    "team's tab, set that team's Sheet tab title to it.",
                    tab=title,
                )
            )
        else:
            text = f"Tab {title!r} is not a team's tab: left untouched."
            messages.append(SyncMessage("info", text, tab=title))
    return messages


def tab_key(title: str) -> str:
    """``"Meetings  Team"`` -> ``"meetings"``: a tab title compared with a team's name."""
    key = " ".join(title.split()).casefold()
    return key.removesuffix(" team").strip()


# --- Rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowLink:
    """A sheet row and the milestone it stands for."""

    milestone: Milestone
    row: parse.SheetRow
    write_id: bool  # found by its title: the milestone's ID is written into the row


@dataclass(frozen=True)
class RowMatch:
    links: tuple[RowLink, ...]
    unlinked: tuple[parse.SheetRow, ...]  # rows of no milestone yet, in sheet order
    rowless: tuple[Milestone, ...]  # the team's milestones of the quarter without a row
    # Row number -> why an ID'd row was left as it is (or is adopted again): one per row.
    problems: Mapping[int, SyncMessage]


def match_rows(
    rows: Sequence[parse.SheetRow],
    *,
    team: Team,
    tab_title: str,
    id_column: str,
    milestones: Mapping[int, Milestone],
    in_quarter: Sequence[Milestone],
    orphans: Set[tuple[str, str]],
) -> RowMatch:
    """Link `rows` (a team's, parsed and checked) to milestones.

    `milestones`: every milestone a row's ID may name, by pk. `in_quarter`: the team's
    milestones of the quarter, in table order (those a row may be adopted into by title, and
    those that need a row). `orphans`: `row_key`s of rows adopted by a run that did not
    finish, whose IDs may name no milestone, or one that took the ID since.
    A row with an unreadable ID is left alone (its cell is already an error)."""
    claimed: set[int] = set()
    links: list[RowLink] = []
    without_id: list[parse.SheetRow] = []
    seen_ids: dict[int, int] = {}
    problems: dict[int, SyncMessage] = {}

    def problem(row: parse.SheetRow, level: str, text: str, *, cell: bool = True) -> None:
        where = {"column": id_column, "value": str(row.id)} if cell else {}
        problems[row.number] = SyncMessage(
            level, text, team=team.name, tab=tab_title, row=row.number, **where
        )

    for row in rows:
        if row.id_error is not None:
            continue
        if row.id is None:
            without_id.append(row)
            continue
        if row.id in seen_ids:
            problem(
                row,
                "error",
                f"ID {row.id} is also on row {seen_ids[row.id]}: the first row wins, this "
                "row is left as it is.",
            )
            continue
        seen_ids[row.id] = row.number
        milestone = milestones.get(row.id)
        orphan = row_key(tab_title, row.values.get("title", "")) in orphans
        if orphan and (milestone is None or not has_sync_state(milestone)):
            problem(
                row,
                "info",
                f"Row {row.number} has ID {row.id} from a run that did not finish: it is "
                "adopted again.",
                cell=False,
            )
            without_id.append(replace(row, id=None))
            continue
        if milestone is None:
            problem(
                row,
                "error",
                f"ID {row.id} is no milestone of the app (deleted?): the row is left as it "
                "is. Clear its ID to add it again.",
            )
            continue
        if milestone.team_id != team.pk:
            problem(
                row,
                "error",
                f"ID {row.id} is a milestone of {milestone.team.name}, not of {team.name}: "
                "the row is left as it is.",
            )
            continue
        claimed.add(milestone.pk)
        links.append(RowLink(milestone, row, write_id=False))

    # Rows without an ID: the quarter's milestone of that title not on another row. Matching
    # by title first means a row retyped or pasted without its ID finds its milestone instead
    # of making a second one.
    by_title: dict[str, list[Milestone]] = defaultdict(list)
    for milestone in in_quarter:
        by_title[title_key(milestone.title)].append(milestone)
    unlinked = []
    for row in without_id:
        row_title = row.values.get("title", "")
        candidates = [m for m in by_title.get(title_key(row_title), []) if m.pk not in claimed]
        if row_title and candidates:
            claimed.add(candidates[0].pk)
            links.append(RowLink(candidates[0], row, write_id=True))
        else:
            unlinked.append(row)
    rowless = tuple(m for m in in_quarter if m.pk not in claimed)
    return RowMatch(tuple(links), tuple(unlinked), rowless, problems)


def title_key(title: str) -> str:
    """A milestone's title compared with a row's: spaces and case aside."""
    return " ".join(str(title).split()).casefold()


def row_key(tab_title: str, title: str) -> tuple[str, str]:
    """What names an adopted row across runs (in a run's journal): its tab and title."""
    return (tab_title.casefold(), title_key(title))


def has_sync_state(milestone: Milestone) -> bool:
    """Whether the milestone was synced before (its row was in the sheet at the last run)."""
    try:
        return milestone.sync_state is not None
    except SyncState.DoesNotExist:
        return False
