"""sheets.run: the stages chained, in the order the crash journal relies on."""

import pytest
from django.db import connection

from milestones.models import Milestone
from sheets import client
from sheets.models import SyncRun
from sheets.run import sync_sheet
from tests.sheets.conftest import TODAY


@pytest.mark.django_db(transaction=True)
def test_the_sheet_is_written_outside_any_transaction_and_before_the_database_commits(
    sheets_settings, roster, q4, monkeypatch
):
    seen = []
    update_values = client.update_values

    def spy(spreadsheet, ranges):
        seen.append(
            (connection.in_atomic_block, Milestone.objects.count(), SyncRun.objects.get().journal)
        )
        update_values(spreadsheet, ranges)

    monkeypatch.setattr(client, "update_values", spy)

    result = sync_sheet(team_slugs=["platform"], today=TODAY)

    [(in_transaction, milestones, journal)] = seen
    assert not in_transaction
    assert milestones == 0  # the adopted rows are saved once the sheet took their IDs
    assert len(journal["adopted"]) == 5  # and the journal says so first
    assert result.status == SyncRun.Status.OK
    assert Milestone.objects.count() == 5


@pytest.mark.django_db
def test_a_dry_run_reads_and_plans_but_records_and_writes_nothing(
    sheets_settings, roster, q4, sheets_emulator
):
    sheets_emulator.reset_stats()

    result = sync_sheet(team_slugs=["platform"], dry_run=True, today=TODAY)

    assert result.dry_run
    assert result.counts.created_in_app == 5
    assert result.run is None
    assert not SyncRun.objects.exists()
    assert not Milestone.objects.exists()
    assert sheets_emulator.stats()["by_kind"] == {"spreadsheets.get": 2}
    assert result.requests == 2


@pytest.mark.django_db
def test_an_unknown_team_is_a_failed_run_with_its_reason_and_nothing_read(
    sheets_settings, q4, sheets_emulator
):
    sheets_emulator.reset_stats()

    result = sync_sheet(team_slugs=["nobody"], today=TODAY)

    assert result.status == SyncRun.Status.FAILED
    assert result.error == "No active team has the slug nobody."
    run = SyncRun.objects.get()
    assert (run.status, run.error, run.requests) == (SyncRun.Status.FAILED, result.error, 0)
    assert sheets_emulator.stats()["by_kind"] == {}


@pytest.mark.django_db
def test_a_run_counts_its_requests_and_records_the_progress_it_finished_with(
    sheets_settings, roster, q4
):
    result = sync_sheet(team_slugs=["platform"], today=TODAY)

    run = SyncRun.objects.get()
    # Opening, reading every tab, one write of the IDs.
    assert result.requests == run.requests == 3
    assert (run.progress_label, run.progress_done, run.progress_total) == ("Finished", 1, 1)
