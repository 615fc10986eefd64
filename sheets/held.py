"""Cells the sync never writes: a formula, a merged range, a range the account may not edit.

Pure functions over a tab as read (`read.TabData`). Such a cell is still read (a formula's
value, a merged range's value in every row it spans); what the merge would push into it is
held back instead: a value the app has and the sheet does not becomes a conflict (the app's
value stays in the app, the sheet's in the conflict record) and the run says which cell was
kept and why. The cell's value is the next run's base, so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sheets import a1, merge, parse
from sheets.fields import describe_value, to_json
from sheets.read import TabData

if TYPE_CHECKING:
    from sheets.plan import TabPlan

KEPT = {
    "formula": "formula kept",
    "merged": "merged cells kept",
    "protected": "protected cell kept",
}


def why_held(data: TabData | None, row_number: int, column: int) -> str | None:
    """Why the sync may not write the cell at sheet row `row_number` (1-based), `column`
    (0-based): "formula", "merged", "protected"; None when it may."""
    if data is None:
        return None
    return data.why_read_only(row_number - 1, column)


def describe_held(data: TabData, row_number: int, column: int, why: str) -> str:
    """The cell and why it is not written, for people: ``C4 holds a formula (=B4+14)``."""
    cell = f"{a1.column_letters(column)}{row_number}"
    if why == "formula":
        return f"{cell} holds a formula ({data.formulas[(row_number - 1, column)]})"
    if why == "merged":
        block = next(b for b in data.read_only if b.contains(row_number - 1, column))
        return f"{cell} is part of the merged cells {block.cells(data.title)}"
    return f"{cell} is protected and the sync's account may not edit it"


def hold(
    result: merge.MilestoneMerge,
    *,
    held: Mapping[str, str],
    sheet: Mapping[str, Any],
) -> merge.MilestoneMerge:
    """`result` with nothing pushed into the fields of `held` (field -> why): what it would
    push becomes a conflict against the sheet's value, and the sheet's value is the base."""
    if not held or not (set(held) & set(result.push)):
        return result
    push = dict(result.push)
    conflicts = list(result.conflicts)
    base = dict(result.base)
    conflicted = {conflict.field for conflict in conflicts}
    for name in held:
        if name not in push:
            continue
        app_value = push.pop(name)
        if name not in conflicted:
            conflicts.append(merge.FieldConflict(name, app_value, sheet[name], merge.MISSING))
        base[name] = sheet[name]
    return replace(result, push=push, conflicts=conflicts, base=base)


# --- In the plan of a tab ---------------------------------------------------------------


def rows_that_can_get_ids(rows, data, layout, say) -> tuple[list, set[str]]:
    """The rows the sync can link: a row without an ID whose ID cell it may not write would be
    adopted again by every run, so it is refused (reported); the titles refused."""
    kept, refused = [], set()
    for row in rows:
        why = why_held(data, row.number, layout.id_column) if row.id is None else None
        if why is None:
            kept.append(row)
            continue
        refused.add(str(row.values.get("title", "")).casefold())
        cell = describe_held(data, row.number, layout.id_column, why)
        say(
            "error",
            f"Row {row.number} has no ID and {cell}, so the sync cannot give it one: it is "
            "left out. Unmerge or unprotect the ID cell, and the next sync links the row.",
            row=row.number,
            column=a1.column_letters(layout.id_column),
        )
    return kept, refused


def hold_link(link, data: TabData | None, layout, *, open_conflicts, names, say):
    """`link` with nothing pushed into cells the sync may not write (`sheets.held`): a value
    the app has and the cell does not becomes a conflict, reported as "formula kept"..."""
    held = {
        name: why
        for name in layout.fields
        if name in link.row.values
        and (why := why_held(data, link.row.number, layout.columns[name]))
    }
    result = hold(link.merge, held=held, sheet=link.row.values)
    if result is link.merge:
        return link
    # A cell the sync may not write meets the same conflict run after run: once recorded, the
    # open record keeps the sheet's value, and the run has nothing new to say about it.
    result = replace(
        result,
        conflicts=[
            c
            for c in result.conflicts
            if not (
                c.field in held and already_open(open_conflicts, link.milestone, c.field, c.sheet)
            )
        ],
    )
    for name in set(link.merge.push) & set(held):
        if already_open(open_conflicts, link.milestone, name, link.row.values[name]):
            continue
        column = layout.columns[name]
        cell = describe_held(data, link.row.number, column, held[name])
        app_text = describe_value(name, link.merge.push[name], names)
        say(
            "warning",
            f"{cell}: {KEPT[held[name]]}. The app's {parse.HEADERS[name]} ({app_text}) differs, "
            "so it is recorded as a conflict: resolve it in the app, or change the cell.",
            row=link.row.number,
            column=a1.column_letters(column),
            value=link.row.texts.get(name, ""),
        )
    return replace(link, merge=result)


def already_open(open_conflicts, milestone, name: str, sheet_value: Any) -> bool:
    """True when an open conflict on the field already keeps this sheet value."""
    existing = open_conflicts.get((milestone.pk, name))
    return existing is not None and existing.sheet_value == to_json(name, sheet_value)


def report_held_appends(tab: TabPlan, say) -> None:
    """Cells of rows the sync adds that it may not write: reported (the write leaves them)."""
    for append in tab.appends:
        for name in (parse.ID, *tab.layout.fields):
            column = tab.layout.columns[name]
            if why := why_held(tab.data, append.row_number, column):
                cell = describe_held(tab.data, append.row_number, column, why)
                say(
                    "warning",
                    f"{cell}: the row of {append.milestone.title!r} is written without its "
                    f"{parse.HEADERS[name]}. Fill it in by hand, or free the cell.",
                    row=append.row_number,
                    column=a1.column_letters(column),
                )


def report_closed_quarters(links, layout, say) -> None:
    """The rows of milestones of a closed quarter whose sheet values changed: the app took none
    of it (`merge.merge_closed`), each change is a conflict, and the run says why per cell."""
    for link in links:
        if not link.milestone.quarter.is_closed:
            continue
        for conflict in link.merge.conflicts:
            header = parse.HEADERS[conflict.field]
            say(
                "warning",
                f"{link.milestone.quarter} is closed: the sheet's {header} of "
                f"{link.milestone.title!r} is kept as a conflict, not taken. Leadership restates "
                "the milestone in the app, with a reason.",
                row=link.row.number,
                column=a1.column_letters(layout.columns[conflict.field]),
            )
