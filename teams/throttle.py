"""Sign-in throttling that slows guessing without locking anyone out (SPEC section 6).

Three rules, all computed from recent failures (`SignInFailure` and `DeviceSignInFailure`
rows), so every state expires by itself and a pruned table loses nothing that matters:

* **A known browser waits only for its own failures.** A browser that signed in to an account
  before carries a device cookie for it (`teams.devices`). Its tries for that account are
  judged by the wrong passwords sent from it, never by anyone else's, so a stranger guessing
  at the account cannot make its owner wait on their usual browser. After
  `MILEPOST_SIGNIN_FREE_FAILURES` of its own it waits 1, 2, 4 … seconds like an account
  does, and after `MILEPOST_SIGNIN_DEVICE_FAILURES` in an hour it is no longer trusted: its
  tries are judged by the rules below (as are those with a forged or expired cookie, or a
  cookie for another account) until its failures are an hour old. This is OWASP's "Slow Down
  Online Guessing Attacks with Device Cookies"
  (https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies),
  with a growing pause in place of its lockout of a device or of all untrusted clients.
* **An account slows down for every other client.** After `MILEPOST_SIGNIN_FREE_FAILURES`
  wrong passwords for one username from clients without its device cookie (from any
  address), each further such try waits 1, 2, 4 … seconds after the latest failure, never
  more than `MILEPOST_SIGNIN_MAX_DELAY_SECONDS` (at most 60). A try during the wait is refused
  without checking the password and is not counted, so however many wrong passwords anyone
  sends, the right one is refused for at most a minute after the last.
* **An address that tries many accounts is blocked** (for clients without the account's
  device cookie). When wrong passwords for `MILEPOST_SIGNIN_ADDRESS_ACCOUNTS` different
  usernames came from one address in the last `MILEPOST_SIGNIN_ADDRESS_BLOCK_MINUTES`, that
  address may not sign in until that long after its latest failure. Refused tries are not
  recorded, so made-up usernames add no rows.

django-axes (which this replaces) can only lock a username out for a cool-off, the right
password included, which anyone who knows a username can use against its owner.
"""

from __future__ import annotations

import datetime
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpRequest
from django.utils import timezone

from teams import devices
from teams.models import DeviceSignInFailure, SignInFailure

ACCOUNT_WINDOW = datetime.timedelta(hours=1)
KEEP_FOR = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Refusal:
    """Why a sign-in is refused before its password is checked, and for how long."""

    reason: str  # "device", "account" or "address"
    until: datetime.datetime
    retry_after: int  # whole seconds

    @property
    def message(self) -> str:
        wait = seconds_in_words(self.retry_after)
        if self.reason == "device":
            return (
                f"Several wrong passwords were tried from this browser, so it takes a short "
                f"pause: wait {wait} and sign in again. Your password still works."
            )
        if self.reason == "account":
            return (
                f"Several wrong passwords were tried for this account, so it takes a short "
                f"pause: wait {wait} and sign in again. Your password still works."
            )
        return (
            f"Too many accounts were tried from your network: signing in from it is paused "
            f"for {wait}. Leadership can clear this on the People page."
        )


@dataclass(frozen=True)
class ThrottledSignIn:
    """A row of leadership's list: an account slowed down or an address blocked."""

    kind: str  # "account" or "address"
    key: str  # the username or the address
    failures: int
    last_failure: datetime.datetime
    until: datetime.datetime | None  # when the wait ends (None: no wait right now)


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()[:150]


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind `DJANGO_PROXY_COUNT` proxies the entry
    of X-Forwarded-For the nearest proxy appended (clients can forge everything left of it)."""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    hops = settings.MILEPOST_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            remote = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return "0.0.0.0"


def account_delay(failures: int) -> datetime.timedelta:
    """The wait after the latest of `failures` recent wrong passwords for one account."""
    free = settings.MILEPOST_SIGNIN_FREE_FAILURES
    if failures < free:
        return datetime.timedelta(0)
    seconds = min(2 ** min(failures - free, 16), settings.MILEPOST_SIGNIN_MAX_DELAY_SECONDS)
    return datetime.timedelta(seconds=seconds)


def trusted_device(
    request: HttpRequest, username: str, *, now: datetime.datetime | None = None
) -> str | None:
    """The device (its cookie's nonce) whose own failures alone judge this sign-in as
    `username`: the request's device cookie if valid for that account and its browser has had
    fewer than `MILEPOST_SIGNIN_DEVICE_FAILURES` wrong passwords in the last hour; else None."""
    device = devices.device_for(request, normalise_username(username))
    if device is None:
        return None
    now = now or timezone.now()
    failures = DeviceSignInFailure.objects.filter(
        device=device, at__gt=now - ACCOUNT_WINDOW
    ).count()
    return device if failures < settings.MILEPOST_SIGNIN_DEVICE_FAILURES else None


def refusal(
    username: str,
    address: str,
    *,
    device: str | None = None,
    now: datetime.datetime | None = None,
) -> Refusal | None:
    """Whether a sign-in as `username` from `address` must wait (None: check the password);
    with a `trusted_device`, only that device's own failures count."""
    now = now or timezone.now()
    if device is not None:
        by_device = DeviceSignInFailure.objects.filter(
            device=device, at__gt=now - ACCOUNT_WINDOW
        ).aggregate(failures=Count("pk"), last=Max("at"))
        if by_device["failures"]:
            until = by_device["last"] + account_delay(by_device["failures"])
            if until > now:
                return _refusal("device", until, now)
        return None
    block = datetime.timedelta(minutes=settings.MILEPOST_SIGNIN_ADDRESS_BLOCK_MINUTES)
    by_address = SignInFailure.objects.filter(address=address, at__gt=now - block).aggregate(
        accounts=Count("username", distinct=True), last=Max("at")
    )
    if by_address["accounts"] >= settings.MILEPOST_SIGNIN_ADDRESS_ACCOUNTS:
        return _refusal("address", by_address["last"] + block, now)
    by_account = SignInFailure.objects.filter(
        username=normalise_username(username), at__gt=now - ACCOUNT_WINDOW
    ).aggregate(failures=Count("pk"), last=Max("at"))
    if by_account["failures"]:
        until = by_account["last"] + account_delay(by_account["failures"])
        if until > now:
            return _refusal("account", until, now)
    return None


def record_failure(
    username: str,
    address: str,
    *,
    device: str | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """A wrong password: the trusted device's own, or else the account's (and the address's)."""
    username, at = normalise_username(username), now or timezone.now()
    if device is not None:
        DeviceSignInFailure.objects.create(device=device, username=username, address=address, at=at)
    else:
        SignInFailure.objects.create(username=username, address=address, at=at)


def record_success(username: str, address: str, *, device: str | None = None) -> None:
    """A right password from an address forgets that address's wrong ones for the account
    (and the device's own); failures from elsewhere (someone else guessing) still slow the
    account down for clients without its device cookie."""
    SignInFailure.objects.filter(username=normalise_username(username), address=address).delete()
    if device is not None:
        DeviceSignInFailure.objects.filter(device=device).delete()


def throttled(now: datetime.datetime | None = None) -> list[ThrottledSignIn]:
    """Accounts with at least the free number of recent failures and addresses over the
    limit, newest first: what leadership sees on the People page. Two queries.

    A known browser slowed by its own wrong passwords is not listed: nobody else waits for
    them, and its pause ends within a minute (clearing the account clears them too)."""
    now = now or timezone.now()
    block = datetime.timedelta(minutes=settings.MILEPOST_SIGNIN_ADDRESS_BLOCK_MINUTES)
    rows = []
    accounts = (
        SignInFailure.objects.filter(at__gt=now - ACCOUNT_WINDOW)
        .values("username")
        .annotate(failures=Count("pk"), last=Max("at"))
        .filter(failures__gte=settings.MILEPOST_SIGNIN_FREE_FAILURES)
        .order_by()
    )
    for row in accounts:
        until = row["last"] + account_delay(row["failures"])
        rows.append(
            ThrottledSignIn(
                "account",
                row["username"],
                row["failures"],
                row["last"],
                until if until > now else None,
            )
        )
    addresses = (
        SignInFailure.objects.filter(at__gt=now - block)
        .values("address")
        .annotate(accounts=Count("username", distinct=True), failures=Count("pk"), last=Max("at"))
        .filter(accounts__gte=settings.MILEPOST_SIGNIN_ADDRESS_ACCOUNTS)
        .order_by()
    )
    for row in addresses:
        rows.append(
            ThrottledSignIn(
                "address", row["address"], row["failures"], row["last"], row["last"] + block
            )
        )
    return sorted(rows, key=lambda row: row.last_failure, reverse=True)


def clear(kind: str, key: str) -> int:
    """Forget the failures of an account (its known browsers' too) or of an address
    (leadership's "Clear"); how many."""
    if kind == "account":
        username = normalise_username(key)
        failures = [
            SignInFailure.objects.filter(username=username),
            DeviceSignInFailure.objects.filter(username=username),
        ]
    elif kind == "address":
        failures = [SignInFailure.objects.filter(address=key)]
    else:
        raise ValueError(f"Unknown kind {kind!r}: an account or an address.")
    return sum(rows.delete()[0] for rows in failures)


def prune(now: datetime.datetime | None = None, *, dry_run: bool = False) -> int:
    """Delete the failures older than a day (no rule looks back that far); how many."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    old = [
        SignInFailure.objects.filter(at__lt=cutoff),
        DeviceSignInFailure.objects.filter(at__lt=cutoff),
    ]
    if dry_run:
        return sum(rows.count() for rows in old)
    return sum(rows.delete()[0] for rows in old)


def _refusal(reason: str, until: datetime.datetime, now: datetime.datetime) -> Refusal:
    return Refusal(reason, until, max(1, math.ceil((until - now).total_seconds())))


def seconds_in_words(seconds: int) -> str:
    """A wait as the sign-in and reset pages say it: "3 seconds", "15 minutes"."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
