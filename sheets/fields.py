"""A milestone's sheet fields (`parse.FIELDS`) as every stage of the sync handles them.

Three forms of one value: as the merge compares it (`app_values`: the app's side, text
normalised as the sheet's is read), as JSON (the base kept in `SyncState`, a conflict's values),
and as the sheet shows it (`cell_value`, what the app writes; `describe_value`, for people).
Pure functions, no I/O.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from milestones.models import Milestone
from sheets import parse


def app_values(milestone: Milestone) -> dict[str, Any]:
    """The app's side of the merge: each sheet field of `milestone`, compared as the sheet's."""
    return {
        "title": norm_text(milestone.title),
        "owner": milestone.owner_id,
        "target_date": milestone.target_date,
        "status": milestone.status,
        "notes": norm_text(milestone.notes),
        "link": norm_text(milestone.link),
    }


def norm_text(text: str) -> str:
    """App text compared as sheet text is read (`parse.parse_text`)."""
    return parse.parse_text(text or "")


# --- JSON ---------------------------------------------------------------------------------


def to_json(name: str, value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def from_json(name: str, value: Any) -> Any:
    if name == "target_date" and isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def values_to_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: to_json(name, value) for name, value in values.items()}


def values_from_json(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: from_json(name, value) for name, value in values.items()}


# --- As the sheet and people see it ---------------------------------------------------------


def cell_value(name: str, milestone: Milestone) -> Any:
    """The value the app writes for a field (USER_ENTERED: dates stay dates). The owner is
    read from `milestone.owner`: select it with the milestone."""
    if name == "title":
        return parse.format_text(norm_text(milestone.title))
    if name == "owner":
        return parse.format_text(milestone.owner.name) if milestone.owner_id else ""
    if name == "target_date":
        return parse.format_date(milestone.target_date)
    if name == "status":
        return parse.format_status(milestone.status)
    if name == "notes":
        return parse.format_text(norm_text(milestone.notes))
    if name == "link":
        # Plain text, as typed: never a HYPERLINK formula (a formula cell is never written).
        return parse.format_text(norm_text(milestone.link))
    raise ValueError(f"Not a field of the sheet: {name}")


def describe_value(name: str, value: Any, names: Mapping[int, str]) -> str:
    """A field's value in words, for a run's list of changes; `names`: user id -> name."""
    if value is None or value == "":
        return "(empty)"
    if name == "owner":
        return names.get(value, f"user {value}")
    if name == "target_date":
        return f"{value:%b %-d, %Y}"
    if name == "status":
        return Milestone.Status(value).label
    return repr(value)


def display_value(name: str, value: Any, users: Mapping[int, Any] | None = None) -> str:
    """A field's JSON value for people (the conflicts page); `users`: user id -> User."""
    value = from_json(name, value)
    if name == "owner" and value is not None:
        user = (users or {}).get(value)
        return user.name if user else f"user {value}"
    return describe_value(name, value, {})
