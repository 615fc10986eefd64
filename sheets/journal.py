"""The crash journal: what a run is about to write to the sheet that the sheet alone would lose.

A run writes the sheet, then commits its database transaction (`sheets.run`). A process that
dies between the two leaves a sheet that changed and a database that did not. Most of it
converges on the next run by itself: pushed values are now equal on both sides (the merge sees
both sides changed alike), pulled values are pulled again, an ID written for a milestone that
never committed names no milestone. Two things would be lost, so the run saves a journal on its
own `SyncRun` row before the sheet write (committed at once) naming them:

- ``conflicts``: the sheet's values of the conflicting cells the write overwrites with the
  app's (a conflict record keeps them, but it was never committed);
- ``adopted``: the rows the write gives IDs to (tab and title, see `match.row_key`), so that
  their IDs, which may name no milestone or one created since, are not trusted.

The next run finds the interrupted run (still "running" once the lock is free), marks it failed
and takes over the journals of every failed run: it records those conflicts and adopts those rows
again, giving them fresh IDs, then clears the journals in its own commit. A re-run after a crash
at any point thus converges with no duplicates and nothing lost (tests/sheets/test_crash_recovery).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from sheets.fields import from_json, to_json
from sheets.match import row_key
from sheets.models import SyncRun

if TYPE_CHECKING:
    from sheets.plan import PlannedConflict, SyncPlan


@dataclass(frozen=True)
class JournalConflict:
    """A conflict met by a run that did not finish, as its journal kept it (values decoded)."""

    milestone: int  # pk
    field: str
    sheet_value: Any
    sheet_text: str
    app_value: Any
    base_value: Any
    has_base: bool
    tab: str
    row: int
    column: str


@dataclass(frozen=True)
class Takeover:
    """What a run takes over from the runs before it that failed or died."""

    orphans: frozenset[tuple[str, str]] = frozenset()  # `row_key`s of rows to adopt again
    conflicts: tuple[JournalConflict, ...] = ()
    runs: tuple[int, ...] = ()  # the runs whose journals this run clears when it commits


def take_over_interrupted(run: SyncRun) -> Takeover:
    """A run left "running" while `run` holds the lock died: mark it failed. The journals of
    runs that failed or died are taken over: their adopted rows and overwritten conflicts are
    finished by `run` (and the journals cleared when it commits)."""
    SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exclude(pk=run.pk).update(
        status=SyncRun.Status.FAILED,
        finished_at=timezone.now(),
        progress_label="Interrupted",
        error="The run was interrupted before it finished (its process stopped); the next "
        "run took over what it had started.",
    )
    orphans: set[tuple[str, str]] = set()
    conflicts: list[JournalConflict] = []
    runs = []
    pending = SyncRun.objects.filter(status=SyncRun.Status.FAILED).exclude(journal={})
    for pk, journal in pending.values_list("pk", "journal"):
        runs.append(pk)
        orphans.update((tab, title) for tab, title in journal.get("adopted", []))
        conflicts.extend(_conflict_from_entry(entry) for entry in journal.get("conflicts", []))
    return Takeover(frozenset(orphans), tuple(conflicts), tuple(runs))


def journal_of(plan: SyncPlan) -> dict[str, Any]:
    """The journal of a run about to carry out `plan`: empty when the sheet write loses nothing."""
    adopted = [
        list(row_key(tab.title, new.milestone.title)) for tab in plan.tabs for new in tab.new_rows
    ]
    conflicts = [_entry_of(conflict) for conflict in plan.conflicts]
    if not adopted and not conflicts:
        return {}
    return {"adopted": adopted, "conflicts": conflicts}


def save_journal(run: SyncRun, journal: Mapping[str, Any]) -> None:
    """Commit the journal on the run's row now (call it outside any transaction, before the
    sheet write): a transaction rolled back by a crash would take it along."""
    if journal:
        SyncRun.objects.filter(pk=run.pk).update(journal=dict(journal))


def clear_journals(runs: Sequence[int]) -> None:
    """The journals a committed run took over are done with."""
    if runs:
        SyncRun.objects.filter(pk__in=list(runs)).update(journal={})


def _entry_of(conflict: PlannedConflict) -> dict[str, Any]:
    name = conflict.field
    return {
        "milestone": conflict.milestone.pk,
        "field": name,
        "sheet_value": to_json(name, conflict.sheet_value),
        "sheet_text": conflict.sheet_text,
        "app_value": to_json(name, conflict.app_value),
        "base_value": to_json(name, conflict.base_value) if conflict.has_base else None,
        "has_base": conflict.has_base,
        "tab": conflict.tab,
        "row": conflict.row,
        "column": conflict.column,
    }


def _conflict_from_entry(entry: Mapping[str, Any]) -> JournalConflict:
    name = entry["field"]
    return JournalConflict(
        milestone=entry["milestone"],
        field=name,
        sheet_value=from_json(name, entry["sheet_value"]),
        sheet_text=entry["sheet_text"],
        app_value=from_json(name, entry["app_value"]),
        base_value=from_json(name, entry["base_value"]),
        has_base=entry["has_base"],
        tab=entry["tab"],
        row=entry["row"],
        column=entry["column"],
    )
