"""After adoption: edits on either side reach the other, conflicts, bad cells, deleted rows."""

import datetime

import pytest

from milestones.history import Source
from milestones.models import Milestone
from milestones.services import update_milestone
from sheets.conflicts import resolve_conflict
from sheets.models import SyncConflict, SyncRun
from teams.models import User
from tests.sheets.sheet import Tab

pytestmark = pytest.mark.django_db

# The sample sheet's own bad cells (an "end of Q4" in three tabs) are reported on every run.
SAMPLE_BAD_TABS = {"Billing", "Design System", "Playbooks"}


def new_errors(result):
    return [m for m in result.errors if m.tab not in SAMPLE_BAD_TABS]


DEC_18 = datetime.date(2026, 12, 18)


@pytest.fixture
def adopted(sheets_settings, roster, sync):
    """The sample sheet after its first sync."""
    sync()


@pytest.fixture
def latency(adopted):
    """Platform's first row: "Cut p95 latency of webhook retries", Mateo, 12/1/2026, on track."""
    return Milestone.objects.get(title="Cut p95 latency of webhook retries")


@pytest.fixture
def platform(sheet):
    return Tab(sheet, "Platform")


def edit_in_app(milestone, **changes):
    milestone.refresh_from_db()
    return update_milestone(
        milestone=milestone, version=milestone.version, changes=changes, user=None
    )


def test_an_edit_in_the_app_reaches_the_sheet(latency, platform, sync, sheets_emulator):
    edit_in_app(latency, status=Milestone.Status.AT_RISK, target_date=DEC_18)
    sheets_emulator.reset_stats()

    result = sync()

    assert platform.cell(latency, "Status") == "At risk"
    assert platform.cell(latency, "Target Date") == "12/18/2026"
    assert result.counts.updated_in_sheet == 1
    assert sheets_emulator.stats()["by_kind"]["values.batchUpdate"] == 1


def test_an_edit_in_the_sheet_reaches_the_app_with_history_source_sync(latency, platform, sync):
    platform.set(latency, "Status", "Blocked")
    platform.set(latency, "Target Date", "Dec 18")

    result = sync()

    latency.refresh_from_db()
    assert (latency.status, latency.target_date) == (Milestone.Status.OFF_TRACK, DEC_18)
    assert latency.version == 2
    latest = latency.history.order_by("-history_id").first()
    assert (latest.source, latest.status) == (Source.SYNC, Milestone.Status.OFF_TRACK)
    assert result.counts.updated_in_app == 1
    # The sheet keeps what its editor typed.
    assert platform.cell(latency, "Status") == "Blocked"
    assert platform.cell(latency, "Target Date") == "Dec 18"


def test_a_row_marked_done_in_the_sheet_is_delivered_today(latency, platform, sync, today):
    platform.set(latency, "Status", "Shipped")

    sync()

    latency.refresh_from_db()
    assert (latency.status, latency.delivered_date) == (Milestone.Status.DONE, today)


def test_both_sides_changing_a_field_differently_keeps_the_apps_value_and_records_a_conflict(
    latency, platform, sync
):
    edit_in_app(latency, target_date=datetime.date(2026, 12, 8))
    platform.set(latency, "Target Date", "12/18/2026")

    result = sync()

    latency.refresh_from_db()
    assert latency.target_date == datetime.date(2026, 12, 8)
    assert platform.cell(latency, "Target Date") == "12/8/2026"
    conflict = SyncConflict.objects.get()
    assert (conflict.milestone, conflict.field, conflict.status) == (
        latency,
        "target_date",
        SyncConflict.Status.OPEN,
    )
    assert (conflict.sheet_value, conflict.sheet_text) == ("2026-12-18", "12/18/2026")
    assert (conflict.base_value, conflict.app_value) == ("2026-12-01", "2026-12-08")
    assert (conflict.tab, conflict.row, conflict.column) == ("Platform", 2, "C")
    assert conflict.detected_at is not None
    assert result.status == SyncRun.Status.PARTIAL
    assert result.counts.conflicts == 1


@pytest.fixture
def conflict(latency, platform, sync):
    edit_in_app(latency, status=Milestone.Status.AT_RISK)
    platform.set(latency, "Status", "Off track")
    sync()
    return SyncConflict.objects.get()


def test_taking_the_sheets_value_reaches_the_sheet_at_the_next_sync(
    conflict, latency, platform, sync, vp
):
    assert platform.cell(latency, "Status") == "At risk"

    resolve_conflict(conflict=conflict, take="sheet", user=vp)
    latency.refresh_from_db()
    assert latency.status == Milestone.Status.OFF_TRACK
    sync()

    assert platform.cell(latency, "Status") == "Off track"
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolved_by) == (SyncConflict.Status.TOOK_SHEET, vp)


def test_keeping_the_apps_value_leaves_both_sides_as_they_are(
    conflict, latency, platform, sync, vp, sheets_emulator
):
    resolve_conflict(conflict=conflict, take="app", user=vp)
    sheets_emulator.reset_stats()

    result = sync()

    latency.refresh_from_db()
    assert latency.status == Milestone.Status.AT_RISK
    assert platform.cell(latency, "Status") == "At risk"
    assert "values.batchUpdate" not in sheets_emulator.stats()["by_kind"]
    assert result.counts.conflicts == 0
    conflict.refresh_from_db()
    assert conflict.status == SyncConflict.Status.KEPT_APP


def test_a_later_edit_of_the_field_in_the_sheet_supersedes_the_open_conflict(
    conflict, latency, platform, sync
):
    platform.set(latency, "Status", "Done")

    sync()

    conflict.refresh_from_db()
    latency.refresh_from_db()
    assert conflict.status == SyncConflict.Status.SUPERSEDED
    assert latency.status == Milestone.Status.DONE


def test_a_bad_date_is_reported_left_as_typed_and_the_rest_of_the_row_syncs(
    latency, platform, sync
):
    platform.set(latency, "Target Date", "after the offsite")
    platform.set(latency, "Status", "At risk")

    result = sync()

    [error] = new_errors(result)
    assert (error.tab, error.row, error.column, error.value) == (
        "Platform",
        2,
        "C",
        "after the offsite",
    )
    assert "is not a date" in error.text
    assert platform.cell(latency, "Target Date") == "after the offsite"
    latency.refresh_from_db()
    assert (latency.status, latency.target_date) == (
        Milestone.Status.AT_RISK,
        datetime.date(2026, 12, 1),
    )
    assert {"tab": "Platform", "row": 2, "column": "C", "value": "after the offsite"}.items() <= (
        next(m for m in result.run.messages if m["tab"] == "Platform").items()
    )


def test_an_unknown_owner_and_status_are_reported_per_cell(latency, platform, sync):
    platform.set(latency, "Owner", "Hana Cohen")
    platform.set(latency, "Status", "Waiting on legal")

    result = sync()

    assert [(m.column, m.value) for m in new_errors(result)] == [
        ("B", "Hana Cohen"),
        ("D", "Waiting on legal"),
    ]
    latency.refresh_from_db()
    assert latency.owner.name == "Mateo O'Brien"


def test_a_row_deleted_from_the_sheet_is_restored_and_reported(latency, platform, sync):
    platform.worksheet.delete_rows(2)
    assert platform.values()[-1][0] == "Cut p95 latency of mobile push notifications"

    result = sync()

    assert platform.row_of(latency) == 6
    assert platform.values()[5] == [
        "Cut p95 latency of webhook retries",
        "Mateo O'Brien",
        "12/1/2026",
        "On track",
        "scope cut in half",
        str(latency.pk),
    ]
    assert result.counts.restored == 1
    assert Milestone.objects.filter(title=latency.title).count() == 1
    [warning] = [m for m in result.messages if m.level == "warning" and m.tab == "Platform"]
    assert "was deleted from the sheet: it is written back" in warning.text


def test_a_duplicated_id_is_reported_and_the_first_row_wins(latency, platform, sync):
    copy = Milestone.objects.get(title="Self-serve SSO for enterprise accounts")
    platform.set(copy, "ID", str(latency.pk))  # row 3 now claims row 2's ID
    platform.set(latency, "Status", "At risk")

    result = sync()

    [error] = new_errors(result)
    assert (error.row, error.column, error.value) == (3, "F", str(latency.pk))
    assert "also on row 2: the first row wins" in error.text
    latency.refresh_from_db()
    assert latency.status == Milestone.Status.AT_RISK
    assert Milestone.objects.filter(title=copy.title).count() == 1


def test_an_id_of_another_teams_milestone_is_reported_and_left(latency, sheet, sync):
    bots = Tab(sheet, "Bots")
    bots_milestone = Milestone.objects.get(title="Deprecate query cache")
    bots.set(bots_milestone, "ID", str(latency.pk))

    result = sync()

    [error] = new_errors(result)
    assert error.text.startswith(f"ID {latency.pk} is a milestone of Platform, not of Bots")
    assert bots.worksheet.cell(3, bots.column("ID")).value == str(latency.pk)


def test_a_new_row_typed_in_the_sheet_becomes_a_milestone_and_gets_its_id(adopted, platform, sync):
    platform.worksheet.update([["Ship audit log export", "Yuki", "12/20/2026", ""]], "A7")

    result = sync()

    milestone = Milestone.objects.get(title="Ship audit log export")
    assert milestone.owner == User.objects.get(display_name="Yuki Tanaka")
    assert (milestone.status, milestone.target_date) == (
        Milestone.Status.PLANNED,
        datetime.date(2026, 12, 20),
    )
    assert platform.row_of(milestone) == 7
    assert result.counts.created_in_app == 1


def test_a_milestone_added_in_the_app_is_added_to_the_sheet(adopted, platform, sync, q4):
    team = Milestone.objects.get(title="Ship CSV import").team
    milestone = Milestone.objects.create(
        team=team,
        quarter=q4,
        title="=1+1 is not a formula",
        committed_date=DEC_18,
        target_date=DEC_18,
        notes="3/4 of it done",
        position=99,
    )

    sync()

    row = platform.values()[platform.row_of(milestone) - 1]
    assert row == [
        "=1+1 is not a formula",
        "",
        "12/18/2026",
        "Planned",
        "3/4 of it done",
        str(milestone.pk),
    ]


def test_unmapped_columns_and_other_tabs_are_byte_for_byte_unchanged_by_a_sync_that_writes(
    adopted, sync, sheets_emulator, sample_sheet
):
    before = sheets_emulator.dump(sample_sheet)
    for milestone in Milestone.objects.filter(team__name__in=["Billing", "Conversations"]):
        edit_in_app(milestone, status=Milestone.Status.OFF_TRACK)

    result = sync()

    assert result.counts.updated_in_sheet == 7
    after = {tab["title"]: tab for tab in sheets_emulator.dump(sample_sheet)["sheets"]}
    for tab in before["sheets"]:
        if tab["title"] not in ("Billing", "Conversations"):
            assert after[tab["title"]] == tab
            continue
        # Milestone, Owner, Target date, Jira, Comments and ID as they were: only Status moved.
        for old, new in zip(tab["values"][1:], after[tab["title"]]["values"][1:], strict=True):
            assert old[:3] + old[4:] == new[:3] + new[4:]
            assert new[3] == "Off track" or old[2] == "end of Q4"
