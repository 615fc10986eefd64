"""A milestone's history as people read it: who changed which field from what to what, when,
and from where (web, sheet sync, admin, command).

Plain functions over historical records, oldest first, so the milestone page reads the whole
history in one query and nothing here touches the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import dateformat
from django.utils.text import Truncator

from milestones import ontime
from milestones.history import Source
from milestones.models import Milestone

# The fields a person cares about, in the order the page lists them.
TRACKED = (
    "title",
    "owner",
    "status",
    "committed_date",
    "target_date",
    "delivered_date",
    "description",
    "notes",
    "excused",
)
TEXT_LIMIT = 240
LABELS = {"delivered_date": "Delivered", "excused": "Excused drop"}


@dataclass(frozen=True)
class TimelineChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    by: Any  # the user, or None for changes nobody signed (commands, migrations)
    source: str
    kind: str  # "created", "changed" or "deleted"
    changes: list[TimelineChange] = field(default_factory=list)
    moved: bool = False  # its place in the team's table changed

    @property
    def source_label(self) -> str:
        try:
            return Source(self.source).label
        except ValueError:
            return self.source


def owner_ids(records: Sequence[Any]) -> set[int]:
    """Every owner a history mentions, to look their names up in one query."""
    return {record.owner_id for record in records if record.owner_id}


def build_timeline(records: Sequence[Any], owner_names: Mapping[int, str]) -> list[TimelineEntry]:
    """Entries newest first from historical records oldest first.

    A record that changed nothing a person tracks (a save that only bumped the version) is
    left out.
    """
    entries: list[TimelineEntry] = []
    previous = None
    for record in records:
        year = record.history_date.year
        if previous is None or record.history_type == "+":
            changes = [
                TimelineChange(
                    name, label(name), "", _show(name, _value(record, name), owner_names, year)
                )
                for name in TRACKED
                if _value(record, name) not in (None, "", False)
            ]
            entry = TimelineEntry(
                record.history_date, record.history_user, record.source, "created", changes
            )
        elif record.history_type == "-":
            entry = TimelineEntry(
                record.history_date, record.history_user, record.source, "deleted"
            )
        else:
            changes = [
                TimelineChange(
                    name,
                    label(name),
                    _show(name, _value(previous, name), owner_names, year),
                    _show(name, _value(record, name), owner_names, year),
                )
                for name in TRACKED
                if _value(previous, name) != _value(record, name)
            ]
            moved = previous.position != record.position
            entry = TimelineEntry(
                record.history_date, record.history_user, record.source, "changed", changes, moved
            )
            if not changes and not moved:
                previous = record
                continue
        entries.append(entry)
        previous = record
    entries.reverse()
    return entries


def _show(name: str, value: Any, owner_names: Mapping[int, str], year: int) -> str:
    return show_value(name, value, owner_names=owner_names, year=year)


def slips(records: Sequence[Any]) -> list[ontime.Slip]:
    """Each later move of the target date, with who moved it and when, oldest first."""
    points = [
        ontime.TargetPoint(
            record.target_date,
            record.history_date,
            record.history_user,
            getattr(record, "history_id", None),
            getattr(record, "source", ""),
        )
        for record in records
        if record.history_type != "-"
    ]
    return ontime.find_slips(points)


def human_date(day: datetime.date | None, year: int | None = None) -> str:
    """ "Nov 25" (with the year when it is not `year`); "—" for no date."""
    if day is None:
        return "—"
    return dateformat.format(day, "M j" if day.year == year else "M j, Y")


def label(name: str) -> str:
    """ "Target date" for target_date: how the page names a field."""
    return str(LABELS.get(name) or Milestone._meta.get_field(name).verbose_name).capitalize()


def show_value(
    name: str, value: Any, *, owner_names: Mapping[int, str] | None = None, year: int | None = None
) -> str:
    """A field's value as people read it: "Nov 25", "At risk", the owner's name, "—"."""
    if value is None or value == "":
        return "—"
    if name == "owner":
        if isinstance(value, int):
            return (owner_names or {}).get(value, "a former member")
        return value.name
    if name == "status":
        try:
            return str(Milestone.Status(value).label)
        except ValueError:
            return str(value)
    if name == "excused":
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return human_date(value, year)
    return Truncator(str(value)).chars(TEXT_LIMIT)


def _value(record: Any, name: str) -> Any:
    return record.owner_id if name == "owner" else getattr(record, name)
