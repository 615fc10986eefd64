"""A run that dies between its sheet write and its database commit: the next run converges,
with no duplicates and nothing lost (sheets/journal.py says how)."""

import datetime

import pytest

import sheets.run
from milestones.models import Milestone
from milestones.services import update_milestone
from sheets.models import SyncConflict, SyncRun, SyncState
from teams.models import Team
from tests.factories import MilestoneFactory
from tests.sheets.sheet import Tab

pytestmark = pytest.mark.django_db

SAMPLE_BAD_CELLS = 3


class Crash(BaseException):
    """The process dies: no handler of the sync runs."""


@pytest.fixture
def crash_after_the_next_sheet_write(monkeypatch):
    """arm(): the next sheet write goes through, then the process "dies" before the commit."""

    def arm():
        # The whole sheet write (its dates and its other values) goes through, then the
        # process dies.
        write = sheets.run.send_writes

        def write_then_die(*args, **kwargs):
            write(*args, **kwargs)
            monkeypatch.undo()
            raise Crash

        monkeypatch.setattr(sheets.run, "send_writes", write_then_die)

    return arm


def ids_in_sheet(sheet, title):
    tab = Tab(sheet, title)
    id_column = tab.column("ID") - 1
    return [(row[0], row[id_column]) for row in tab.values()[1:] if len(row) > id_column]


def test_an_adoption_that_died_after_writing_ids_is_adopted_again_without_duplicates(
    sheets_settings, roster, sync, sheet, crash_after_the_next_sheet_write
):
    crash_after_the_next_sheet_write()
    with pytest.raises(Crash):
        sync()
    assert Milestone.objects.count() == 0
    assert len(ids_in_sheet(sheet, "Platform")) == 5  # IDs of milestones that never committed
    interrupted = SyncRun.objects.get()
    assert interrupted.status == SyncRun.Status.RUNNING

    result = sync()

    assert Milestone.objects.count() == 86
    assert len(result.errors) == SAMPLE_BAD_CELLS
    for title in ("Platform", "Meetings team", "Data Pipeline"):
        for milestone_title, pk in ids_in_sheet(sheet, title):
            assert Milestone.objects.get(pk=int(pk)).title == milestone_title
    interrupted.refresh_from_db()
    assert interrupted.status == SyncRun.Status.FAILED
    assert "interrupted" in interrupted.error
    assert interrupted.journal == {}
    assert sync().changes == []


def test_ids_reused_after_a_crash_by_another_teams_milestone_do_not_hijack_the_rows(
    sheets_settings, roster, sync, sheet, q4, crash_after_the_next_sheet_write
):
    crash_after_the_next_sheet_write()
    with pytest.raises(Crash):
        sync()
    # The IDs written before the crash were reserved, so the next milestone gets a fresh one;
    # were one ever handed out again (to another team's milestone), the rows stay their own.
    intruder = MilestoneFactory(team=Team.objects.get(name="Search"), quarter=q4)

    result = sync()

    assert len(result.errors) == SAMPLE_BAD_CELLS
    assert Milestone.objects.count() == 87
    for milestone_title, pk in ids_in_sheet(sheet, "Platform"):
        assert Milestone.objects.get(pk=int(pk)).title == milestone_title
    assert Tab(sheet, "Search").row_of(intruder)


def test_a_conflict_whose_sheet_value_was_overwritten_before_a_crash_is_still_recorded(
    sheets_settings, roster, sync, sheet, crash_after_the_next_sheet_write
):
    sync()
    milestone = Milestone.objects.get(title="Cut p95 latency of webhook retries")
    update_milestone(
        milestone=milestone,
        version=milestone.version,
        changes={"target_date": datetime.date(2026, 12, 8)},
        user=None,
    )
    platform = Tab(sheet, "Platform")
    platform.set(milestone, "Target Date", "12/20/2026")
    crash_after_the_next_sheet_write()

    with pytest.raises(Crash):
        sync()
    assert platform.cell(milestone, "Target Date") == "12/8/2026"  # the sheet's value is gone
    assert not SyncConflict.objects.exists()

    sync()

    conflict = SyncConflict.objects.get()
    assert (conflict.field, conflict.sheet_value, conflict.sheet_text) == (
        "target_date",
        "2026-12-20",
        "12/20/2026",
    )
    assert conflict.status == SyncConflict.Status.OPEN
    sync()
    assert SyncConflict.objects.count() == 1


def test_edits_pushed_before_a_crash_converge_without_a_conflict(
    sheets_settings, roster, sync, sheet, crash_after_the_next_sheet_write
):
    sync()
    milestone = Milestone.objects.get(title="Cut p95 latency of webhook retries")
    update_milestone(
        milestone=milestone,
        version=milestone.version,
        changes={"status": Milestone.Status.AT_RISK},
        user=None,
    )
    crash_after_the_next_sheet_write()
    with pytest.raises(Crash):
        sync()
    assert Tab(sheet, "Platform").cell(milestone, "Status") == "At risk"
    assert SyncState.objects.get(milestone=milestone).values["status"] == "on_track"

    result = sync()

    assert result.counts.conflicts == 0
    assert result.counts.updated_in_sheet == 0
    assert SyncState.objects.get(milestone=milestone).values["status"] == "at_risk"
