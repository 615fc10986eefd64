"""python manage.py sync_sheet: the nightly job."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from milestones.models import Milestone
from milestones.services import update_milestone
from sheets import lock
from sheets.models import SyncRun, SyncState
from tests.sheets.conftest import TODAY
from tests.sheets.sheet import Tab

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


def sync_sheet(*args, **options):
    """Run the command; returns (exit code, stdout, stderr)."""
    out, err = options.pop("stdout", io.StringIO()), io.StringIO()
    try:
        call_command("sync_sheet", *args, today=TODAY, stdout=out, stderr=err, **options)
    except SystemExit as exit:
        return exit.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_clean_run_exits_0_and_prints_the_summary_table(sheets_settings, roster, q4):
    code, out, _ = sync_sheet("--team", "platform", "--team", "bots")

    assert code == 0
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Team"))
    assert header.split() == ["Team", "Tab", "Pulled", "Pushed", "Conflicts", "Errors"]
    assert "Bots      Bots           3       0          0       0" in lines
    assert "Platform  Platform       5       0          0       0" in lines
    assert "Total                    8       0          0       0" in lines
    assert re.search(r"Run \d+: ok\. App: 8 created, 0 updated\.", out)
    assert Milestone.objects.count() == 8


def test_a_run_with_bad_cells_exits_1_and_lists_them(sheets_settings, roster, q4):
    code, out, _ = sync_sheet()

    assert code == 1
    assert "ERROR   Billing!C4: 'end of Q4' is not a date (write it like 3/14/2026)" in out
    assert re.search(r"Run \d+: partial\.", out)
    assert SyncRun.objects.get().status == SyncRun.Status.PARTIAL


def test_a_run_with_a_conflict_exits_1(sheets_settings, roster, q4, sheet):
    sync_sheet("--team", "platform")
    milestone = Milestone.objects.get(title="Ship CSV import")
    update_milestone(milestone=milestone, version=1, changes={"notes": "app"}, user=None)
    Tab(sheet, "Platform").set(milestone, "Notes", "sheet")

    code, out, _ = sync_sheet("--team", "platform")

    assert code == 1
    assert "Conflicts: 1." in out


def test_dry_run_changes_nothing_on_either_side_and_prints_what_it_would_do(
    sheets_settings, roster, q4, sheets_emulator, sample_sheet
):
    before = sheets_emulator.dump(sample_sheet)

    code, out, _ = sync_sheet("--dry-run")

    assert code == 1  # the run it describes would meet the sample's bad cells
    assert out.startswith("Dry run: nothing was changed. The sync would:")
    assert "  Platform: add an ID column in F" in out
    assert "  Platform row 2: new milestone 'Cut p95 latency of webhook retries'" in out
    assert "  Meetings: use tab 'Meetings team'" in out
    assert sheets_emulator.dump(sample_sheet) == before
    assert not Milestone.objects.exists()
    assert not SyncRun.objects.exists()
    assert not SyncState.objects.exists()
    assert sheets_emulator.stats()["by_kind"] == {"spreadsheets.get": 2}


def test_dry_run_after_changes_lists_each_change(sheets_settings, roster, q4, sheet):
    sync_sheet("--team", "platform")
    milestone = Milestone.objects.get(title="Ship CSV import")
    Tab(sheet, "Platform").set(milestone, "Status", "At risk")

    code, out, _ = sync_sheet("--team", "platform", "--dry-run")

    assert code == 0
    assert "  Platform row 5: 'Ship CSV import' Status from the sheet: At risk" in out
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.DONE


def test_quiet_prints_nothing_when_all_went_through(sheets_settings, roster, q4):
    code, out, err = sync_sheet("--team", "platform", "--quiet")

    assert (code, out, err) == (0, "", "")


def test_quiet_prints_only_the_bad_cells(sheets_settings, roster, q4):
    code, out, err = sync_sheet("--quiet")

    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "ERROR   Billing!C4: 'end of Q4' is not a date (write it like 3/14/2026)",
        "ERROR   Design System!C2: 'end of Q4' is not a date (write it like 3/14/2026)",
        "ERROR   Playbooks!C4: 'end of Q4' is not a date (write it like 3/14/2026)",
    ]


def test_verbosity_2_lists_the_changes_and_the_notes(sheets_settings, roster, q4):
    code, out, _ = sync_sheet("--team", "platform", verbosity=2)

    assert code == 0
    assert "  Platform row 6: new milestone 'Cut p95 latency of mobile push notifications'" in out


def test_progress_is_shown_on_a_terminal(sheets_settings, roster, q4):
    terminal = Terminal()

    sync_sheet("--team", "platform", stdout=terminal)

    assert "\r\x1b[KMerging Platform" in terminal.getvalue()


def test_progress_is_not_shown_in_a_log_file(sheets_settings, roster, q4):
    _code, out, _ = sync_sheet("--team", "platform")

    assert "\r" not in out


def test_the_lock_held_by_another_run_exits_2(sheets_settings, roster, q4):
    lease = lock.claim_lock()
    try:
        with pytest.raises(CommandError, match="Another sync is running") as error:
            sync_sheet()
    finally:
        lease.release()

    assert error.value.returncode == 2
    assert not Milestone.objects.exists()


def test_an_unknown_team_exits_2(sheets_settings, roster, q4):
    with pytest.raises(CommandError, match="No team has the slug nope") as error:
        sync_sheet("--team", "nope")

    assert error.value.returncode == 2
