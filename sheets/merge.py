"""The three-way merge of one milestone, field by field (SPEC section 4). Pure functions.

Each field is compared on three values: the app's, the sheet's, and the base (both sides'
value at the end of the last successful sync). Values are compared after parsing, so "Done ✅"
in the sheet equals "done" in the app and no one's spelling is rewritten.

========================  ==========================  =====================================
app vs base               sheet vs base               outcome
========================  ==========================  =====================================
same                      same                        nothing
changed                   same                        PUSH: the sheet takes the app's value
same                      changed                     PULL: the app takes the sheet's value
changed                   changed, to the same value  nothing (the base catches up)
changed                   changed, differently        CONFLICT: the app's value stays on both
                                                      sides; the sheet's is kept in a record
========================  ==========================  =====================================

With no base (a row seen for the first time that matches a milestone the app already has, or
a column added to the tab since) nobody can tell who changed what: equal values agree, a blank
side takes the other's value, and two different values are a conflict, so nothing typed on
either side is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    SAME = "same"
    PUSH = "push"
    PULL = "pull"
    CONFLICT = "conflict"


MISSING = object()  # no base value for a field


def blank(value: Any) -> bool:
    return value is None or value == ""


def merge_field(*, base: Any, app: Any, sheet: Any) -> Outcome:
    """The outcome for one field; `base` is MISSING when there is no base value."""
    if app == sheet:
        return Outcome.SAME
    if base is MISSING:
        if blank(sheet):
            return Outcome.PUSH
        if blank(app):
            return Outcome.PULL
        return Outcome.CONFLICT
    if sheet == base:
        return Outcome.PUSH
    if app == base:
        return Outcome.PULL
    return Outcome.CONFLICT


@dataclass(frozen=True)
class FieldConflict:
    field: str
    app: Any
    sheet: Any
    base: Any  # MISSING when there was none


@dataclass
class MilestoneMerge:
    """What one milestone's merge asks for.

    `pull`: fields the app takes from the sheet. `push`: fields the sheet takes from the app
    (conflicts included: the app's value stays on both sides). `conflicts`: what the sheet had.
    `base`: every merged field's value once the sync is done, the next sync's base.
    """

    pull: dict[str, Any] = field(default_factory=dict)
    push: dict[str, Any] = field(default_factory=dict)
    conflicts: list[FieldConflict] = field(default_factory=list)
    base: dict[str, Any] = field(default_factory=dict)


def merge_milestone(
    *, base: Mapping[str, Any], app: Mapping[str, Any], sheet: Mapping[str, Any]
) -> MilestoneMerge:
    """Merge the fields the sheet carries readably (`sheet`'s keys) against the app's values.

    A field missing from `sheet` (no column in the tab, or a cell that did not read) is left
    out: neither side changes and its base stays as it was.
    """
    result = MilestoneMerge()
    for name, sheet_value in sheet.items():
        app_value = app[name]
        base_value = base.get(name, MISSING)
        outcome = merge_field(base=base_value, app=app_value, sheet=sheet_value)
        if outcome is Outcome.PULL:
            result.pull[name] = sheet_value
            result.base[name] = sheet_value
        elif outcome is Outcome.PUSH:
            result.push[name] = app_value
            result.base[name] = app_value
        elif outcome is Outcome.CONFLICT:
            result.push[name] = app_value
            result.conflicts.append(FieldConflict(name, app_value, sheet_value, base_value))
            result.base[name] = app_value
        else:
            result.base[name] = app_value
    return result


def merge_closed(
    *, base: Mapping[str, Any], app: Mapping[str, Any], sheet: Mapping[str, Any]
) -> MilestoneMerge:
    """The merge of a milestone of a closed quarter: its values are on record (SPEC section 2:
    after close only leadership changes them, with a reason), so the app takes nothing from the
    sheet. What the sheet changed becomes a conflict, its value kept in the conflict record for
    leadership to restate in the app, and the sheet shows the recorded value again."""
    result = merge_milestone(base=base, app=app, sheet=sheet)
    for name, sheet_value in result.pull.items():
        result.push[name] = app[name]
        result.conflicts.append(
            FieldConflict(name, app[name], sheet_value, base.get(name, MISSING))
        )
        result.base[name] = app[name]
    result.pull = {}
    return result
