"""How often a password-reset link may be e-mailed, so that the reset form cannot be used to
flood anyone's inbox (`teams.signin.ResetPasswordView`).

Two rules, computed from the requests of the last hour (`PasswordResetRequest` rows):

* **An e-mail address gets few links.** At most one per
  `MILEPOST_RESET_EMAIL_INTERVAL_MINUTES` and `MILEPOST_RESET_EMAILS_PER_HOUR` an hour. A
  request over that is answered exactly as any other (the "check your e-mail" page) and sends
  nothing. Requests for addresses that are nobody's are counted the same way, so neither the
  answer nor the rule says whether an address belongs to someone.
* **A client address asks a few times an hour.** After
  `MILEPOST_RESET_ADDRESS_REQUESTS_PER_HOUR` requests from one address (for any e-mail
  addresses, known or not) the form says to wait, with 429, until the oldest of them is an
  hour old. Refused requests are not recorded. This says nothing about any e-mail address.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from teams.models import PasswordResetRequest
from teams.throttle import seconds_in_words

WINDOW = datetime.timedelta(hours=1)
KEEP_FOR = datetime.timedelta(days=1)


@dataclass(frozen=True)
class ResetRefusal:
    """A reset request refused because its client address asked too often."""

    retry_after: int  # whole seconds

    @property
    def message(self) -> str:
        return (
            f"Too many reset links were asked for from your network: wait "
            f"{seconds_in_words(self.retry_after)} and ask again, or ask leadership."
        )


@dataclass(frozen=True)
class ResetDecision:
    refusal: ResetRefusal | None  # the form says to wait; nothing recorded or sent
    send: bool  # e-mail the link to whoever has the address (if anyone)


def normalise_email(email: str) -> str:
    return (email or "").strip().casefold()[:254]


def decide(email: str, address: str, *, now: datetime.datetime | None = None) -> ResetDecision:
    """Whether a reset link for `email` asked from `address` may be e-mailed; records the
    request unless the address is refused. Two queries and a write."""
    now = now or timezone.now()
    by_address = PasswordResetRequest.objects.filter(address=address, at__gt=now - WINDOW)
    requests = by_address.aggregate(count=Count("pk"), first=Min("at"))
    if requests["count"] >= settings.MILEPOST_RESET_ADDRESS_REQUESTS_PER_HOUR:
        wait = requests["first"] + WINDOW - now
        return ResetDecision(ResetRefusal(max(1, math.ceil(wait.total_seconds()))), send=False)
    email = normalise_email(email)
    interval = datetime.timedelta(minutes=settings.MILEPOST_RESET_EMAIL_INTERVAL_MINUTES)
    sent = PasswordResetRequest.objects.filter(
        email=email, allowed=True, at__gt=now - WINDOW
    ).aggregate(count=Count("pk"), recent=Count("pk", filter=Q(at__gt=now - interval)))
    send = sent["count"] < settings.MILEPOST_RESET_EMAILS_PER_HOUR and not sent["recent"]
    PasswordResetRequest.objects.create(email=email, address=address, at=now, allowed=send)
    return ResetDecision(None, send=send)


def prune_requests(now: datetime.datetime | None = None, *, dry_run: bool = False) -> int:
    """Delete the requests older than a day (no rule looks back that far); how many."""
    old = PasswordResetRequest.objects.filter(at__lt=(now or timezone.now()) - KEEP_FOR)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted
