"""One sync at a time, across processes and servers: a lease on a row of `SyncLock`.

Claiming is one conditional UPDATE ("set the holder to me where the lease is free or has
expired"): the database runs it atomically, so of two claims at the same instant exactly one
updates the row. It needs nothing but an UPDATE's row count, so it holds the same way on SQLite
and on PostgreSQL behind several app servers. A holder that dies leaves a lease that expires
by itself; a live holder renews it between the steps of a run.

Claims and releases commit at once (autocommit): call them outside any transaction.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from sheets.models import SyncLock

NAME = "sheet-sync"


def lease_duration() -> datetime.timedelta:
    # Longer than any step of a run, retries of the Sheets API included.
    return datetime.timedelta(seconds=settings.MILEPOST_SYNC_LOCK_SECONDS)


class LockHeld(Exception):
    """Another sync holds the lock."""

    def __init__(self, expires_at: datetime.datetime | None):
        self.expires_at = expires_at
        until = f" (its lease runs until {expires_at:%Y-%m-%d %H:%M:%S %Z})" if expires_at else ""
        super().__init__(f"Another sync is running{until}; try again when it has finished.")


class LockLost(Exception):
    """Our lease expired and another sync claimed the lock."""


class Lease:
    def __init__(self, name: str, holder: str):
        self.name = name
        self.holder = holder

    def renew(self) -> None:
        """Push the expiry back; raises LockLost when the lease is no longer ours."""
        renewed = SyncLock.objects.filter(name=self.name, holder=self.holder).update(
            expires_at=timezone.now() + lease_duration()
        )
        if not renewed:
            raise LockLost(f"The sync lock {self.name!r} expired and was claimed by another run.")

    def release(self) -> None:
        SyncLock.objects.filter(name=self.name, holder=self.holder).update(
            holder="", expires_at=None
        )


def claim_lock(name: str = NAME) -> Lease:
    """Claim the lock or raise LockHeld."""
    _ensure_row(name)
    holder = uuid.uuid4().hex
    now = timezone.now()
    claimed = (
        SyncLock.objects.filter(name=name)
        .filter(Q(holder="") | Q(expires_at__isnull=True) | Q(expires_at__lte=now))
        .update(holder=holder, acquired_at=now, expires_at=now + lease_duration())
    )
    if not claimed:
        expires_at = SyncLock.objects.filter(name=name).values_list("expires_at", flat=True).first()
        raise LockHeld(expires_at)
    return Lease(name, holder)


def is_held(name: str = NAME) -> bool:
    return (
        SyncLock.objects.filter(name=name, expires_at__gt=timezone.now())
        .exclude(holder="")
        .exists()
    )


@contextmanager
def sync_lock(name: str = NAME) -> Iterator[Lease]:
    lease = claim_lock(name)
    try:
        yield lease
    finally:
        lease.release()


def _ensure_row(name: str) -> None:
    if SyncLock.objects.filter(name=name).exists():
        return
    try:
        with transaction.atomic():
            SyncLock.objects.create(name=name)
    except IntegrityError:
        pass  # created by a claim running beside this one: the UPDATE decides between us
