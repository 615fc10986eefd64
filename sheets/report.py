"""What a sync run reports: its messages, its changes in words, counts per team and in all.

Every stage adds `SyncMessage`s to the plan, and `describe_tab` its changes for people (what a
dry run prints); `result_of` turns a plan and what was done into the `SyncResult` that
`run.sync_sheet` returns and the run's record keeps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sheets.fields import describe_value
from sheets.models import SyncRun
from sheets.parse import HEADERS

if TYPE_CHECKING:
    from sheets.plan import SyncPlan, TabPlan

# progress(label, done, total): what a run is doing, for a terminal or the run's page.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SyncMessage:
    """One line of a run's log, about a tab, a row or a cell."""

    level: str  # "info", "warning" or "error" (a cell or a tab the sync could not read)
    text: str
    team: str = ""
    tab: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""

    @property
    def where(self) -> str:
        place = self.tab
        if self.row is not None:
            place += f"!{self.column}{self.row}" if self.column else f" row {self.row}"
        return place


@dataclass
class TeamReport:
    team: str
    slug: str
    tab: str
    pulled: int = 0  # milestones created or changed in the app
    pushed: int = 0  # rows added or changed in the sheet
    conflicts: int = 0
    errors: int = 0
    skipped: bool = False  # the tab could not be read (no title column): Map columns
    archived: int = 0  # rows of a closed quarter moved to its archive tab (`sheets.archive`)


@dataclass
class SyncCounts:
    created_in_app: int = 0
    updated_in_app: int = 0
    created_in_sheet: int = 0
    updated_in_sheet: int = 0
    restored: int = 0
    conflicts: int = 0
    errors: int = 0


@dataclass
class SyncResult:
    status: str  # a SyncRun.Status value
    dry_run: bool = False
    run: SyncRun | None = None
    counts: SyncCounts = field(default_factory=SyncCounts)
    teams: list[TeamReport] = field(default_factory=list)
    messages: list[SyncMessage] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what was (or would be) done, for people
    requests: int = 0
    error: str = ""

    @property
    def errors(self) -> list[SyncMessage]:
        return [m for m in self.messages if m.level == "error"]


def planned_counts(plan: SyncPlan) -> SyncCounts:
    """What the plan does on each side, once carried out (errors are counted by `result_of`)."""
    return SyncCounts(
        created_in_app=sum(len(t.new_rows) for t in plan.tabs),
        updated_in_app=sum(1 for t in plan.tabs for link in t.links if link.merge.pull),
        created_in_sheet=sum(len(t.appends) for t in plan.tabs),
        updated_in_sheet=sum(1 for t in plan.tabs for link in t.links if link.merge.push),
        restored=sum(1 for t in plan.tabs for a in t.appends if a.restored),
        conflicts=len(plan.conflicts),
    )


def team_report(tab: TabPlan, conflicts: int, archived: int = 0) -> TeamReport:
    return TeamReport(
        team=tab.team.name,
        slug=tab.team.slug,
        tab=tab.title,
        pulled=len(tab.new_rows) + sum(1 for link in tab.links if link.merge.pull),
        pushed=len(tab.appends) + sum(1 for link in tab.links if link.merge.push),
        conflicts=conflicts,
        errors=tab.errors,
        skipped=tab.skipped,
        archived=archived,
    )


def result_of(plan: SyncPlan, counts: SyncCounts, *, dry_run: bool, requests: int) -> SyncResult:
    """The result of a run that carried out `plan` (or would, for a dry run); `counts.errors`
    is set here, from the plan's messages."""
    counts.errors = sum(1 for m in plan.messages if m.level == "error")
    conflicts_by_team: dict[int, int] = defaultdict(int)
    for conflict in plan.conflicts:
        conflicts_by_team[conflict.milestone.team_id] += 1
    status = SyncRun.Status.PARTIAL if counts.errors or counts.conflicts else SyncRun.Status.OK
    return SyncResult(
        status=status,
        dry_run=dry_run,
        counts=counts,
        teams=[
            team_report(tab, conflicts_by_team[tab.team.pk], plan.archived.get(tab.team.pk, 0))
            for tab in plan.tabs
        ],
        messages=list(plan.messages),
        changes=list(plan.changes),
        requests=requests,
    )


def describe_tab(tab: TabPlan, names: Mapping[int, str]) -> list[str]:
    """What the tab's plan changes, in words, row by row; `names`: user pk -> name."""
    changes = []
    team = tab.team
    for link in tab.links:
        m, result, where = link.milestone, link.merge, f"{team.name} row {link.row.number}"
        conflicting = {c.field for c in result.conflicts}
        for name, value in result.pull.items():
            changes.append(
                f"{where}: {m.title!r} {HEADERS[name]} from the sheet: "
                f"{describe_value(name, value, names)}"
            )
        for name, value in result.push.items():
            if name not in conflicting:
                changes.append(
                    f"{where}: {m.title!r} {HEADERS[name]} to the sheet: "
                    f"{describe_value(name, value, names)}"
                )
        for conflict in result.conflicts:
            changes.append(
                f"{where}: {m.title!r} {HEADERS[conflict.field]} conflict: the sheet "
                f"says {describe_value(conflict.field, conflict.sheet, names)}, the app "
                f"{describe_value(conflict.field, conflict.app, names)}; the app's value stays"
            )
        if link.write_id and not result.pull and not result.push:
            changes.append(f"{where}: {m.title!r} linked to ID {m.pk}")
    for new in tab.new_rows:
        changes.append(f"{team.name} row {new.row.number}: new milestone {new.milestone.title!r}")
    for append in tab.appends:
        verb = "restored" if append.restored else "added"
        changes.append(
            f"{team.name} row {append.row_number}: {append.milestone.title!r} "
            f"(ID {append.milestone.pk}) {verb} to the sheet"
        )
    return changes
