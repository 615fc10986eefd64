"""The history of a quarter's settings, shown on the quarter settings page: who changed its
dates, goal, grace, lock or excuses, when, from where, and from what to what (simple-history
keeps the records; SPEC section 2).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from milestones.models import Quarter

# The rules leadership sets on the settings page (`forms.QuarterSettingsForm`).
SETTINGS_FIELDS = Quarter.SETTINGS_FIELDS
_HISTORY_FIELDS = ("start", "end", *SETTINGS_FIELDS)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class QuarterChange:
    at: datetime.datetime
    by: Any  # the user, or None for a command
    source: str
    created: bool
    changes: list[FieldChange]


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def quarter_changes(quarter: Quarter, limit: int = 20) -> list[QuarterChange]:
    """The latest changes to a quarter's dates and rules, newest first (one query)."""
    records = list(
        quarter.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    found = []
    for index, record in enumerate(records[:limit]):
        before = records[index + 1] if index + 1 < len(records) else None
        changes = [
            FieldChange(
                str(Quarter._meta.get_field(name).verbose_name),
                _shown(getattr(before, name)) if before else "",
                _shown(getattr(record, name)),
            )
            for name in _HISTORY_FIELDS
            if before is None or getattr(before, name) != getattr(record, name)
        ]
        if before is not None and not changes:
            continue  # saved without a change
        found.append(
            QuarterChange(
                at=record.history_date,
                by=record.history_user,
                source=record.get_source_display(),
                created=before is None,
                changes=changes,
            )
        )
    return found
