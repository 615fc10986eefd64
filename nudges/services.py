"""Sending the nudges that `nudges.rules` planned: one e-mail per person per day at most.

Each e-mail is claimed before it is sent: its `Nudge` row is created in a transaction of its
own, and the database's unique (user, day) constraint lets only one claim through, so two runs
at once (two cron hosts, a retry over a slow run) never send the same person two e-mails. The
claim is then sent; a send that fails deletes its claim (a later run may try again) and is
reported. A crash between the claim and the send loses that day's e-mail rather than risk a
second one.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from nudges import rules
from nudges.links import absolute, digest_links, team_links
from nudges.models import Nudge


@dataclass(frozen=True)
class Composed:
    nudge: rules.PlannedNudge
    to: str
    subject: str
    text: str
    html: str


@dataclass
class SendResult:
    sent: list[Composed] = field(default_factory=list)
    already: list[Composed] = field(default_factory=list)  # claimed by another run meanwhile
    failed: list[tuple[Composed, str]] = field(default_factory=list)


def compose(nudge: rules.PlannedNudge) -> Composed:
    """The e-mail's subject, plain text and HTML, with absolute links (`nudges.links`)."""
    context = {
        "user": nudge.user,
        "team": nudge.team,
        "digest": nudge.digest,
        "cadence_days": settings.MILEPOST_REVIEW_CADENCE_DAYS,
        "profile_url": absolute(reverse("profile")),
        "dashboard_url": absolute(reverse("dashboard:index")),
    }
    if nudge.team:
        found = team_links(nudge.team)
        context["team_url"] = found.team_url
        context["reviews_url"] = found.reviews_url
        context["stale"] = found.stale
        context["put_at_risk"] = found.put_at_risk
        if nudge.team.plan:
            context["plan_url"] = found.plan_url
    if nudge.digest:
        found = digest_links(nudge.digest)
        context["by_quarter"] = found.by_quarter
        context["to_close"] = found.to_close
    return Composed(
        nudge=nudge,
        to=nudge.user.email,
        subject=rules.subject(nudge),
        text=render_to_string("nudges/email/nudge.txt", context),
        html=render_to_string("nudges/email/nudge.html", context),
    )


def message(composed: Composed, connection=None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=composed.subject,
        body=composed.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[composed.to],
        connection=connection,
    )
    email.attach_alternative(composed.html, "text/html")
    return email


def claim_nudge(composed: Composed, today: datetime.date) -> Nudge | None:
    """Record the e-mail as sent today, or None when the person already has one today."""
    try:
        with transaction.atomic():
            return Nudge.objects.create(
                user=composed.nudge.user,
                sent_on=today,
                kinds=",".join(composed.nudge.kinds),
                subject=composed.subject[: Nudge._meta.get_field("subject").max_length],
            )
    except IntegrityError:
        return None


def send_nudges(plan: rules.NudgePlan) -> SendResult:
    """Claim and send each planned e-mail, over one mail connection."""
    result = SendResult()
    if not plan.nudges:
        return result
    connection = get_connection()
    with contextlib.suppress(Exception):  # unreachable: each send below tries and reports
        connection.open()
    try:
        for nudge in plan.nudges:
            composed = compose(nudge)
            claimed = claim_nudge(composed, plan.today)
            if claimed is None:
                result.already.append(composed)
                continue
            try:
                message(composed, connection).send()
            except Exception as exc:  # any backend's failure: report it, keep going
                claimed.delete()
                result.failed.append((composed, f"{type(exc).__name__}: {exc}"))
            else:
                result.sent.append(composed)
    finally:
        connection.close()
    return result
