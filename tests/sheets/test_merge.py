import datetime

import pytest

from sheets.merge import MISSING, FieldConflict, Outcome, merge_field, merge_milestone

DEC_1 = datetime.date(2026, 12, 1)
DEC_8 = datetime.date(2026, 12, 8)
DEC_15 = datetime.date(2026, 12, 15)


@pytest.mark.parametrize(
    ("base", "app", "sheet", "outcome"),
    [
        ("on_track", "on_track", "on_track", Outcome.SAME),
        ("on_track", "at_risk", "on_track", Outcome.PUSH),
        ("on_track", "on_track", "at_risk", Outcome.PULL),
        ("on_track", "at_risk", "at_risk", Outcome.SAME),
        ("on_track", "at_risk", "off_track", Outcome.CONFLICT),
        (DEC_1, DEC_8, DEC_1, Outcome.PUSH),
        (DEC_1, DEC_1, DEC_8, Outcome.PULL),
        (DEC_1, DEC_8, DEC_15, Outcome.CONFLICT),
        ("", "", "from the sheet", Outcome.PULL),
        ("old", "", "old", Outcome.PUSH),
    ],
)
def test_a_field_merges_three_ways_against_the_last_synced_value(base, app, sheet, outcome):
    assert merge_field(base=base, app=app, sheet=sheet) is outcome


@pytest.mark.parametrize(
    ("app", "sheet", "outcome"),
    [
        ("x", "x", Outcome.SAME),
        ("x", "", Outcome.PUSH),
        (None, 7, Outcome.PULL),
        ("", "y", Outcome.PULL),
        ("x", "y", Outcome.CONFLICT),
    ],
)
def test_without_a_base_a_blank_side_takes_the_other_and_two_values_conflict(app, sheet, outcome):
    assert merge_field(base=MISSING, app=app, sheet=sheet) is outcome


def test_a_milestone_merge_pulls_pushes_and_keeps_conflicts_field_by_field():
    result = merge_milestone(
        base={"status": "on_track", "target_date": DEC_1, "notes": "", "title": "Ship"},
        app={"status": "at_risk", "target_date": DEC_8, "notes": "", "title": "Ship", "owner": 1},
        sheet={"status": "on_track", "target_date": DEC_15, "notes": "vendor", "title": "Ship"},
    )
    assert result.pull == {"notes": "vendor"}
    assert result.push == {"status": "at_risk", "target_date": DEC_8}
    assert result.conflicts == [FieldConflict("target_date", app=DEC_8, sheet=DEC_15, base=DEC_1)]
    assert result.base == {
        "status": "at_risk",
        "target_date": DEC_8,
        "notes": "vendor",
        "title": "Ship",
    }


def test_a_field_the_sheet_did_not_read_is_left_out_of_the_merge():
    result = merge_milestone(
        base={"owner": 1, "status": "done"},
        app={"owner": 2, "status": "done"},
        sheet={"status": "done"},
    )
    assert (result.pull, result.push, result.conflicts) == ({}, {}, [])
    assert "owner" not in result.base
