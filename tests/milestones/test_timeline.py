"""The history timeline is built from plain records: these stand in for simple-history's."""

import datetime
from dataclasses import dataclass, replace

from milestones.timeline import build_timeline, human_date, show_value, slips

D = datetime.date
UTC = datetime.UTC
NOV_10 = D(2026, 11, 10)


@dataclass(frozen=True)
class Person:
    name: str


ANA = Person("Ana")


@dataclass(frozen=True)
class Record:
    history_date: datetime.datetime
    history_type: str = "~"
    history_user: object = ANA
    source: str = "web"
    title: str = "Importer"
    owner_id: int | None = 1
    status: str = "on_track"
    committed_date: D = NOV_10
    target_date: D = NOV_10
    delivered_date: D | None = None
    description: str = ""
    notes: str = ""
    excused: bool = False
    position: int = 0
    version: int = 1


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, tzinfo=UTC)


CREATED = Record(at(1), history_type="+", source="command", history_user=None)


def change(**fields) -> Record:
    """A change Ana made on the web, on top of CREATED."""
    return replace(CREATED, history_type="~", source="web", history_user=ANA, **fields)


def test_the_first_record_is_the_creation_with_the_values_it_started_with():
    [entry] = build_timeline([CREATED], {1: "Ana"})
    assert entry.kind == "created"
    assert entry.source_label == "command"
    assert [(c.label, c.new) for c in entry.changes] == [
        ("Title", "Importer"),
        ("Owner", "Ana"),
        ("Status", "On track"),
        ("Committed date", "Nov 10"),
        ("Target date", "Nov 10"),
    ]


def test_each_change_lists_the_fields_that_changed_old_to_new():
    changed = change(history_date=at(3), status="at_risk", notes="Late")
    entry = build_timeline([CREATED, changed], {1: "Ana"})[0]
    assert (entry.kind, entry.by, entry.source_label) == ("changed", ANA, "web")
    assert [(c.label, c.old, c.new) for c in entry.changes] == [
        ("Status", "On track", "At risk"),
        ("Notes", "—", "Late"),
    ]


def test_newest_entries_come_first():
    second = change(history_date=at(2), title="Two")
    third = replace(second, history_date=at(3), title="Three")
    assert [e.at for e in build_timeline([CREATED, second, third], {})] == [at(3), at(2), at(1)]


def test_a_save_that_changed_nothing_people_track_is_left_out():
    bumped = change(history_date=at(2), version=2)
    assert len(build_timeline([CREATED, bumped], {})) == 1


def test_a_move_in_the_table_is_an_entry_of_its_own():
    moved = change(history_date=at(2), position=3)
    entry = build_timeline([CREATED, moved], {})[0]
    assert (entry.moved, entry.changes) == (True, [])


def test_owners_are_named_and_a_missing_one_is_a_former_member():
    reassigned = change(history_date=at(2), owner_id=2)
    [owner] = build_timeline([CREATED, reassigned], {1: "Ana"})[0].changes
    assert (owner.old, owner.new) == ("Ana", "a former member")


def test_slips_are_the_later_moves_of_the_target_with_who_and_when():
    later = change(history_date=at(2), target_date=D(2026, 11, 17))
    earlier = change(history_date=at(3), target_date=D(2026, 11, 12))
    again = change(history_date=at(4), target_date=D(2026, 11, 20))
    found = slips([CREATED, later, earlier, again])
    assert [(s.from_date, s.to_date, s.days, s.at) for s in found] == [
        (D(2026, 11, 10), D(2026, 11, 17), 7, at(2)),
        (D(2026, 11, 12), D(2026, 11, 20), 8, at(4)),
    ]
    assert found[0].by is ANA


def test_dates_are_for_humans_with_the_year_only_when_it_differs():
    assert human_date(D(2026, 11, 25), 2026) == "Nov 25"
    assert human_date(D(2027, 1, 5), 2026) == "Jan 5, 2027"
    assert human_date(None) == "—"


def test_values_read_as_people_say_them():
    assert show_value("status", "off_track") == "Off track"
    assert show_value("excused", True) == "yes"
    assert show_value("owner", ANA) == "Ana"
    assert show_value("notes", "") == "—"
    assert show_value("notes", "x" * 500).endswith("…")
