"""sheets.fields: a milestone's sheet fields as the merge, JSON records and the sheet see them."""

import datetime

from milestones.models import Milestone
from sheets import parse
from sheets.fields import (
    app_values,
    cell_value,
    describe_value,
    display_value,
    from_json,
    values_from_json,
    values_to_json,
)
from teams.models import User

DEC_1 = datetime.date(2026, 12, 1)


def milestone(**fields):
    values = {"title": "Ship webhooks", "target_date": DEC_1, "status": "on_track", "notes": ""}
    return Milestone(pk=3, **{**values, **fields})


def test_the_sheet_carries_only_fields_an_edit_may_change():
    assert set(parse.FIELDS) <= set(Milestone.EDITABLE_FIELDS)


def test_the_apps_side_has_every_sheet_field_with_text_as_the_sheet_reads_it():
    values = app_values(milestone(title="  Ship webhooks \r\n", notes=None))

    assert set(values) == set(parse.FIELDS)
    assert values == {
        "title": "Ship webhooks",
        "owner": None,
        "target_date": DEC_1,
        "status": "on_track",
        "notes": "",
        "link": "",
    }


def test_values_go_to_json_and_back_dates_as_iso_text():
    values = app_values(milestone())

    assert values_to_json(values)["target_date"] == "2026-12-01"
    assert values_from_json(values_to_json(values)) == values
    assert from_json("title", "2026-12-01") == "2026-12-01"  # only the date is a date


def test_cells_are_written_so_that_they_read_back_as_the_same_value():
    owner = User(pk=4, display_name="Mateo O'Brien")
    m = milestone(title="=1+1", owner=owner, status="at_risk", link="https://x.example/A-1")

    assert [cell_value(name, m) for name in parse.FIELDS] == [
        "'=1+1",
        "'Mateo O'Brien",
        "12/1/2026",
        "At risk",
        "",
        "'https://x.example/A-1",  # plain text, never a formula
    ]


def test_values_are_described_in_words_for_people():
    assert describe_value("target_date", DEC_1, {}) == "Dec 1, 2026"
    assert describe_value("status", "done", {}) == "Done"
    assert describe_value("owner", 4, {4: "Mateo"}) == "Mateo"
    assert describe_value("notes", "", {}) == "(empty)"
    assert display_value("owner", 9, {}) == "user 9"
    assert display_value("target_date", "2026-12-01") == "Dec 1, 2026"
