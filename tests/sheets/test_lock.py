"""One sync at a time: the lease on a SyncLock row."""

import datetime
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from sheets import lock, read
from sheets.models import SyncLock, SyncRun
from sheets.run import sync_sheet
from tests.sheets.conftest import TODAY


@pytest.mark.django_db
def test_a_claimed_lock_cannot_be_claimed_again_until_released():
    lease = lock.claim_lock()

    with pytest.raises(lock.LockHeld, match="Another sync is running"):
        lock.claim_lock()
    assert lock.is_held()

    lease.release()
    lock.claim_lock().release()
    assert not lock.is_held()


@pytest.mark.django_db
def test_an_expired_lease_is_taken_over_and_its_holder_learns_it_lost_the_lock():
    stale = lock.claim_lock()
    SyncLock.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    fresh = lock.claim_lock()

    with pytest.raises(lock.LockLost):
        stale.renew()
    stale.release()  # releasing a lease that is not ours leaves the new holder's alone
    assert SyncLock.objects.get().holder == fresh.holder


@pytest.mark.django_db
def test_renewing_pushes_the_expiry_back(settings):
    settings.MILEPOST_SYNC_LOCK_SECONDS = 60
    lease = lock.claim_lock()
    SyncLock.objects.update(expires_at=timezone.now() + datetime.timedelta(seconds=5))

    lease.renew()

    assert SyncLock.objects.get().expires_at > timezone.now() + datetime.timedelta(seconds=50)


@pytest.mark.django_db
def test_a_sync_refused_by_the_lock_records_the_run_it_was_given_as_failed(sheets_settings, q4):
    run = SyncRun.objects.create(trigger=SyncRun.Trigger.WEB)
    lease = lock.claim_lock()

    with pytest.raises(lock.LockHeld):
        sync_sheet(run=run, today=TODAY)

    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("Another sync is running")
    lease.release()


@pytest.mark.django_db(transaction=True)
def test_of_two_syncs_started_together_one_runs_and_the_other_says_the_lock_is_held(
    sheets_settings, roster, q4, monkeypatch
):
    reading = threading.Event()
    go_on = threading.Event()
    read_tabs = read.read_tabs

    def slow_read(spreadsheet):
        reading.set()
        assert go_on.wait(10)
        return read_tabs(spreadsheet)

    monkeypatch.setattr("sheets.run.read_tabs", slow_read)
    outcome = {}

    def first():
        try:
            outcome["first"] = sync_sheet(today=TODAY).status
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert reading.wait(10)
        with pytest.raises(CommandError, match="Another sync is running") as error:
            call_command("sync_sheet", today=TODAY)
    finally:
        go_on.set()
        thread.join(20)

    assert error.value.returncode == 2
    assert outcome["first"] == SyncRun.Status.PARTIAL
    assert SyncRun.objects.count() == 1
    assert not lock.is_held()


def test_the_lease_lasts_as_long_as_the_setting_says(settings):
    settings.MILEPOST_SYNC_LOCK_SECONDS = 120
    assert lock.lease_duration() == datetime.timedelta(seconds=120)
