"""sheets.write alone: the Sheets requests built from plans made here, and the two it sends."""

import datetime

import pytest

from milestones.models import Milestone, Quarter
from sheets import parse
from sheets.client import open_spreadsheet
from sheets.merge import MilestoneMerge
from sheets.plan import AppendedRow, LinkedRow, NewRow, SyncPlan, TabPlan
from sheets.read import ReadOnly, TabData
from sheets.write import SheetWrites, send_writes, sheet_writes, value_ranges
from teams.models import Team

Q4 = Quarter(pk=1, year=2026, number=4)
PLATFORM = Team(pk=1, name="Platform")
# Milestone, Owner, Target date, Status, Jira (the sheet's own), ID
HEADER = ["Milestone", "Owner", "Target date", "Status", "Jira", "ID"]
LAYOUT = parse.find_layout(HEADER)


def milestone(pk, title="Ship webhooks", **fields):
    fields.setdefault("target_date", datetime.date(2026, 12, 1))
    fields.setdefault("status", Milestone.Status.ON_TRACK)
    return Milestone(pk=pk, title=title, **fields)


def existing_tab(*, rows=10, columns=6, **parts):
    data = TabData("Platform", sheet_id=42, row_count=rows, column_count=columns, values=[HEADER])
    return TabPlan(team=PLATFORM, title="Platform", data=data, layout=LAYOUT, **parts)


def linked(m, number, *, push=(), write_id=False):
    row = parse.SheetRow(number=number, id=None if write_id else m.pk)
    merge = MilestoneMerge(push=dict.fromkeys(push))
    return LinkedRow(milestone=m, row=row, merge=merge, state=None, write_id=write_id)


def plan_of(*tabs):
    return SyncPlan(quarter=Q4, tabs=tabs)


def test_a_plan_that_changes_nothing_writes_nothing():
    tab = existing_tab(links=(linked(milestone(5), 2),))

    assert sheet_writes(plan_of(tab)) == SheetWrites()


def test_only_the_pushed_cells_are_written_and_never_a_column_between_them():
    m = milestone(5, status=Milestone.Status.AT_RISK)
    tab = existing_tab(links=(linked(m, 3, push=("title", "status")),))

    writes = sheet_writes(plan_of(tab))

    assert writes.structure == ()
    assert list(writes.ranges) == [
        {"range": "Platform!A3", "values": [["'Ship webhooks"]]},
        {"range": "Platform!D3", "values": [["At risk"]]},
    ]


def test_a_row_adopted_by_its_title_gets_its_id():
    tab = existing_tab(links=(linked(milestone(5), 4, write_id=True),))

    [written] = sheet_writes(plan_of(tab)).ranges

    assert written == {"range": "Platform!F4", "values": [[5]]}


def test_a_new_milestone_gets_its_id_in_its_row():
    row = parse.SheetRow(number=6, values={"title": "Ship webhooks"})
    tab = existing_tab(new_rows=(NewRow(row=row, milestone=milestone(77)),))

    [written] = sheet_writes(plan_of(tab)).ranges

    assert written == {"range": "Platform!F6", "values": [[77]]}


def test_an_appended_row_is_written_whole_except_the_sheets_own_columns_and_empty_cells():
    append = AppendedRow(milestone(9, "Cut latency"), restored=False, row_number=5)

    writes = sheet_writes(plan_of(existing_tab(appends=(append,))))

    assert list(writes.ranges) == [
        {"range": "Platform!A5", "values": [["'Cut latency"]]},
        {"range": "Platform!D5", "values": [["On track"]]},
        {"range": "Platform!F5", "values": [[9]]},
    ]
    # The date, as its serial number, in a cell that gets the DATE format it lacks.
    assert list(writes.structure) == [
        {
            "updateCells": {
                "start": {"sheetId": 42, "rowIndex": 4, "columnIndex": 2},
                "rows": [
                    {
                        "values": [
                            {
                                "userEnteredValue": {"numberValue": 46357},
                                "userEnteredFormat": {"numberFormat": {"type": "DATE"}},
                            }
                        ]
                    }
                ],
                "fields": "userEnteredValue,userEnteredFormat.numberFormat",
            }
        }
    ]


def test_a_grid_too_small_for_the_rows_and_columns_written_grows_in_the_same_request():
    append = AppendedRow(milestone(9), restored=False, row_number=4)

    writes = sheet_writes(plan_of(existing_tab(rows=3, columns=5, appends=(append,))))

    assert list(writes.structure)[:2] == [
        {"appendDimension": {"sheetId": 42, "dimension": "ROWS", "length": 1}},
        {"appendDimension": {"sheetId": 42, "dimension": "COLUMNS", "length": 1}},
    ]
    assert [next(iter(request)) for request in writes.structure[2:]] == ["updateCells"]


def test_a_tab_the_plan_creates_is_added_with_a_frozen_header_then_filled():
    layout = parse.new_tab_layout()
    header = {index: parse.HEADERS[name] for name, index in layout.columns.items()}
    append = AppendedRow(milestone(9), restored=False, row_number=2)
    tab = TabPlan(
        team=PLATFORM, title="Platform", data=None, layout=layout, header=header, appends=(append,)
    )

    writes = sheet_writes(plan_of(tab))

    add, date = writes.structure
    assert add["addSheet"]["properties"]["title"] == "Platform"
    assert date["updateCells"]["rows"][0]["values"][0]["userEnteredValue"] == {"numberValue": 46357}
    assert add["addSheet"]["properties"]["gridProperties"]["frozenRowCount"] == 1
    assert writes.ranges[0] == {
        "range": "Platform!A1:F1",
        "values": [["ID", "Milestone", "Owner", "Target date", "Status", "Notes"]],
    }


def test_a_date_pushed_into_a_date_cell_keeps_its_format_and_takes_the_serial_number():
    m = milestone(5, target_date=datetime.date(2026, 12, 8))
    data = TabData("Platform", 42, 10, 6, values=[HEADER], date_formats={(2, 2): "d mmm yyyy"})
    tab = TabPlan(
        team=PLATFORM,
        title="Platform",
        data=data,
        layout=LAYOUT,
        links=(linked(m, 3, push=("target_date",)),),
    )

    [request] = sheet_writes(plan_of(tab)).structure

    assert request["updateCells"]["fields"] == "userEnteredValue"
    assert request["updateCells"]["rows"] == [
        {"values": [{"userEnteredValue": {"numberValue": 46364}}]}
    ]


def test_cells_the_sync_may_not_write_are_left_out_of_the_requests():
    m = milestone(5, status=Milestone.Status.AT_RISK, title="Cut")
    data = TabData(
        "Platform",
        42,
        10,
        6,
        values=[HEADER],
        formulas={(2, 0): "=B9"},
        read_only=(ReadOnly(2, 3, 5, 4, why="protected"),),
    )
    tab = TabPlan(
        team=PLATFORM,
        title="Platform",
        data=data,
        layout=LAYOUT,
        links=(linked(m, 3, push=("title", "status", "owner")),),
    )

    writes = sheet_writes(plan_of(tab))

    assert [r["range"] for r in writes.ranges] == ["Platform!B3"]


def test_a_skipped_tab_is_never_written():
    tab = existing_tab(header={5: "ID"}, skipped=True)

    assert sheet_writes(plan_of(tab)) == SheetWrites()


def test_value_ranges_split_a_row_at_every_gap():
    cells = {"It's": {(0, 0): "a", (0, 1): "b", (0, 3): "d", (2, 1): "x"}}

    assert [r["range"] for r in value_ranges(cells)] == [
        "'It''s'!A1:B1",
        "'It''s'!D1",
        "'It''s'!B3",
    ]


@pytest.mark.django_db
def test_the_structure_is_sent_before_the_values_it_makes_room_for(
    sheets_settings, sheets_emulator
):
    spreadsheet = open_spreadsheet()
    sheets_emulator.reset_stats()
    writes = SheetWrites(
        structure=({"addSheet": {"properties": {"title": "Payments"}}},),
        ranges=({"range": "'Payments'!A1", "values": [["Milestone"]]},),
    )

    send_writes(spreadsheet, writes)

    assert sheets_emulator.stats()["by_kind"] == {
        "spreadsheets.batchUpdate": 1,
        "values.batchUpdate": 1,
    }
    assert spreadsheet.worksheet("Payments").get_all_values() == [["Milestone"]]
