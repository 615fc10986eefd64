"""The demo's sheet (manage.py demo_sheet): a real merge, a conflict and a bad cell."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from demo.organisation import build_demo
from milestones.models import Milestone
from sheets.models import SyncConflict, SyncRun, SyncState
from tests.factories import QuarterFactory
from tests.sheets.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_org(db):
    return build_demo(TODAY)


@pytest.fixture
def demo_file(demo_org, settings, sheets_emulator, tmp_path):
    """The command's file, served by the emulator as `make run` serves it."""
    settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    path = tmp_path / "demo-sheet.json"
    call_command("demo_sheet", output=str(path), today=TODAY, stdout=io.StringIO())
    settings.MILEPOST_SHEET_KEY = sheets_emulator.load_file(path)[0]
    return path


def test_the_demo_sheet_has_a_tab_per_team_a_summary_of_formulas_and_unmapped_columns(demo_file):
    data = json.loads(demo_file.read_text())

    titles = [tab["title"] for tab in data["sheets"]]
    assert titles[0] == "Summary"
    assert len(titles) == 23
    assert all(row[1].startswith("=COUNTA(") for row in data["sheets"][0]["values"][1:])
    headers = {tuple(tab["values"][0]) for tab in data["sheets"][1:]}
    assert headers == {
        ("ID", "Milestone", "Owner", "Target date", "Status", "Notes", "Jira"),
        ("Status", "Milestone", "Owner", "Due", "Notes", "Comments", "ID"),
    }


def test_the_demo_sheet_records_last_nights_sync_in_the_database(demo_file):
    current = Milestone.objects.filter(quarter__start__lte=TODAY, quarter__end__gte=TODAY)
    assert SyncState.objects.count() == current.count() > 60
    run = SyncRun.objects.get()
    assert (run.status, run.trigger) == (SyncRun.Status.OK, SyncRun.Trigger.COMMAND)


def test_syncing_the_demo_merges_both_ways_and_meets_a_conflict_and_a_bad_cell(
    demo_file, sheets_emulator
):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit:
        call_command("sync_sheet", today=TODAY, stdout=out)

    assert exit.value.code == 1
    run = SyncRun.objects.latest("pk")
    assert (run.created_in_app, run.updated_in_app, run.updated_in_sheet) == (1, 2, 2)
    assert (run.conflicts, run.errors) == (1, 1)
    assert SyncConflict.objects.get().field == "target_date"
    [error] = run.error_messages
    assert error["value"] == "end of sprint"
    assert "Errors: 1." in out.getvalue()


def test_running_it_again_resets_the_demo(demo_file, demo_org):
    with pytest.raises(SystemExit):
        call_command("sync_sheet", today=TODAY, stdout=io.StringIO())
    assert SyncConflict.objects.exists()

    call_command("demo_sheet", output=str(demo_file), today=TODAY, stdout=io.StringIO())

    assert SyncRun.objects.count() == 1
    assert not SyncConflict.objects.exists()


def test_dry_run_writes_neither_the_file_nor_the_database(demo_org, settings, tmp_path):
    settings.MILEPOST_SHEETS_API_URL = "http://127.0.0.1:8765"
    out = io.StringIO()

    call_command(
        "demo_sheet", output=str(tmp_path / "x.json"), today=TODAY, dry_run=True, stdout=out
    )

    assert out.getvalue().startswith("Would write")
    assert "a row added in the sheet ('Beta of the partner API')" in out.getvalue()
    assert not (tmp_path / "x.json").exists()
    assert not SyncState.objects.exists()


def test_the_demo_sheet_refuses_to_run_against_google(demo_org, settings, tmp_path):
    settings.MILEPOST_SHEETS_API_URL = "https://sheets.googleapis.com"

    with pytest.raises(CommandError, match="for the local emulator"):
        call_command("demo_sheet", output=str(tmp_path / "x.json"), today=TODAY)


def test_the_demo_sheet_needs_the_demo_organisation(db, settings, tmp_path):
    QuarterFactory(year=2026, number=4)
    settings.MILEPOST_SHEETS_API_URL = "http://127.0.0.1:8765"

    with pytest.raises(CommandError, match=r"run `manage\.py seed_demo` first"):
        call_command("demo_sheet", output=str(tmp_path / "x.json"), today=TODAY)
