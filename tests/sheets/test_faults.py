"""Google failing: retried, or a failed run that changes nothing."""

import pytest
from django.core.management import CommandError, call_command

from milestones.models import Milestone
from sheets import read
from sheets.models import SyncConflict, SyncRun, SyncState

pytestmark = pytest.mark.django_db


def app_state():
    return (
        list(Milestone.objects.values_list("pk", "version", "status", "target_date")),
        list(SyncState.objects.values_list("milestone", "values")),
        SyncConflict.objects.count(),
        Milestone.history.count(),
    )


@pytest.fixture
def fail_writes(monkeypatch, sheets_emulator):
    """The sheet answers the sync's reads, then fails every request with a 500."""
    read_tabs = read.read_tabs

    def read_then_break(spreadsheet):
        tabs = read_tabs(spreadsheet)
        sheets_emulator.inject_faults(500, count=1000)
        return tabs

    monkeypatch.setattr("sheets.run.read_tabs", read_then_break)


def test_quota_errors_twice_then_success_completes_the_run(
    sheets_settings, roster, sync, sheets_emulator, retry_clock
):
    sheets_emulator.inject_faults(429, count=2)

    result = sync()

    assert result.status == SyncRun.Status.PARTIAL  # the sample's three bad cells
    assert Milestone.objects.count() == 86
    assert sheets_emulator.stats()["by_status"] == {"200": 3, "429": 2}
    assert len(retry_clock.sleeps) == 2


def test_a_persistent_server_error_on_the_write_leaves_the_database_and_sheet_unchanged(
    sheets_settings, roster, sync, sheets_emulator, sample_sheet, retry_clock, fail_writes
):
    before_sheet = sheets_emulator.dump(sample_sheet)
    before_app = app_state()

    result = sync()

    assert result.status == SyncRun.Status.FAILED
    assert "did not answer POST" in result.error
    assert "HTTP 500" in result.error
    assert app_state() == before_app
    assert sheets_emulator.dump(sample_sheet) == before_sheet
    run = SyncRun.objects.get()
    assert (run.status, run.error) == (SyncRun.Status.FAILED, result.error)
    assert run.finished_at is not None
    assert run.created_in_app == 0


def test_a_failed_write_after_adoption_changes_nothing_either(
    sheets_settings, roster, sync, sheets_emulator, sample_sheet, retry_clock, monkeypatch
):
    sync()
    milestone = Milestone.objects.get(title="Cut p95 latency of webhook retries")
    milestone.status = Milestone.Status.AT_RISK
    milestone.version += 1
    milestone.save()
    before_sheet = sheets_emulator.dump(sample_sheet)
    before_app = app_state()
    read_tabs = read.read_tabs

    def read_then_break(spreadsheet):
        tabs = read_tabs(spreadsheet)
        sheets_emulator.inject_faults(503, count=1000)
        return tabs

    monkeypatch.setattr("sheets.run.read_tabs", read_then_break)

    result = sync()

    assert result.status == SyncRun.Status.FAILED
    assert app_state() == before_app
    assert sheets_emulator.dump(sample_sheet) == before_sheet


def test_the_command_exits_2_when_google_keeps_failing(
    sheets_settings, roster, q4, sheets_emulator, retry_clock, today
):
    sheets_emulator.inject_faults(500, count=1000)

    with pytest.raises(CommandError, match="The sync could not run") as error:
        call_command("sync_sheet", today=today)

    assert error.value.returncode == 2
    assert Milestone.objects.count() == 0
    assert SyncRun.objects.get().status == SyncRun.Status.FAILED


def test_no_credentials_is_one_clear_message(settings, roster, q4, today, capsys):
    settings.MILEPOST_SHEETS_API_URL = "https://sheets.googleapis.com"
    settings.MILEPOST_SHEET_KEY = "1AbC"
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""

    with pytest.raises(CommandError) as error:
        call_command("sync_sheet", today=today)

    assert error.value.returncode == 2
    assert "GOOGLE_APPLICATION_CREDENTIALS is not set" in str(error.value)
    assert "Traceback" not in capsys.readouterr().err


def test_an_unreadable_credentials_file_is_one_clear_message(settings, roster, q4, today, tmp_path):
    key_file = tmp_path / "key.json"
    key_file.write_text("not json")
    settings.MILEPOST_SHEETS_API_URL = "https://sheets.googleapis.com"
    settings.MILEPOST_SHEET_KEY = "1AbC"
    settings.GOOGLE_APPLICATION_CREDENTIALS = str(key_file)

    with pytest.raises(CommandError) as error:
        call_command("sync_sheet", today=today)

    assert error.value.returncode == 2
    assert f"The credentials file {key_file}" in str(error.value)
    assert SyncRun.objects.get().error.startswith(f"The credentials file {key_file}")


def test_a_sheet_that_is_not_there_is_one_clear_message(sheets_settings, roster, q4, today):
    sheets_settings.MILEPOST_SHEET_KEY = "no-such-sheet"

    with pytest.raises(CommandError, match="'no-such-sheet' was not found") as error:
        call_command("sync_sheet", today=today)

    assert error.value.returncode == 2


def test_no_spreadsheet_configured_is_one_clear_message(settings, roster, q4, today):
    settings.MILEPOST_SHEET_KEY = ""

    with pytest.raises(CommandError, match="No spreadsheet is configured") as error:
        call_command("sync_sheet", today=today)

    assert error.value.returncode == 2
