"""Posting the day's nudges and the weekly digest to Slack (issue 20), beside the e-mails.

What is posted comes from the same plan as the e-mails (`rules.plan_nudges`): each team's
nudge, whoever its lead is and whether they opted out of e-mails, goes to the team's webhook,
else its squad's, else the organisation's (`webhooks.Webhooks.route`); the digest goes to the
organisation's. No webhook, no post.

Once a day, whatever the channel. A message is claimed before it is posted: a `SlackPost` row
per message ("digest" or "team-<id>") and day, created in a transaction of its own; the
database's unique constraint lets one claim through, so two runs at once never post it twice.
Then it is posted (outside any transaction) and the row says how that went. The row records
where it went, but the claim is not per channel: a team whose nudge went to the organisation's
channel in the morning, and which gets a webhook of its own in the afternoon, hears nothing
more that day (the command says where it went), and from the next day hears in its own. A dry
run reads the same rows and writes none (`foresee_slack`).

Failures are retried on the next run, never duplicated. A timeout, a refused connection, a
5xx, a 429 or any other answer than 200 marks the row failed with the error (reported by the
command, shown on the Slack page). A 429 whose Retry-After is at most
`MILEPOST_SLACK_MAX_RETRY_AFTER` seconds is waited for and tried again within the run (up to
`MOST_ATTEMPTS` in all). The next run takes a failed row back (a conditional update, so only
one run does) and posts it again: today's message freshly composed, to where it goes today,
when today's plan still has it; otherwise a digest of the last seven days is posted as it was
stored (it is the week's news still), and a team's nudge that today's plan no longer has is
expired (what it said is no longer true: the review was held, the date moved).

A crash between the post and recording its outcome leaves the row "pending". It is never
posted again by itself: the post may have gone through, and a second copy in a channel is
worse than a missing reminder (the e-mails make the same choice). The Slack page shows such a
row; deleting it in the admin lets the next run that day post it again.

The Slack page's "Send a test message" is posted in the background too: the view records a
`SlackTestMessage` and enqueues `nudges.tasks.post_slack_test_message`, which takes it (once,
however often the task is delivered), posts it and records how it went, for the page to show.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from nudges import rules
from nudges.links import absolute
from nudges.models import SlackPost, SlackTestMessage
from nudges.slack_messages import digest_blocks, hello_blocks, team_blocks
from nudges.webhooks import ORG, Webhooks, WebhookUnreadable
from teams.models import Squad, Team, User

MOST_ATTEMPTS = 3  # posts within one run: the first and up to two after a short 429
DIGEST = "digest"
DIGEST_RETRY_DAYS = 7  # a failed digest is retried until the next one is due


class SlackPostFailed(Exception):
    """A post Slack did not take; its message never holds the webhook's URL."""


@dataclass(frozen=True)
class SlackMessage:
    destination: str  # org, team-<id> or squad-<id>
    about: str  # digest or team-<id>
    kinds: list[str]
    summary: str
    payload: dict


@dataclass(frozen=True)
class PostedAlready:
    """A message of today's plan that went today already (or is going, or its run died)."""

    post: SlackPost  # the day's row: where it went, and how
    destination: str  # where today's plan sends it

    @property
    def moved(self) -> bool:
        """Its channel changed since (a webhook was added or removed)."""
        return self.post.destination != self.destination


@dataclass
class SlackResult:
    sent: list[SlackPost] = field(default_factory=list)
    already: list[PostedAlready] = field(default_factory=list)
    failed: list[SlackPost] = field(default_factory=list)
    expired: list[SlackPost] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.sent or self.already or self.failed or self.expired)


@dataclass
class SlackOutlook:
    """What `send_to_slack` would do now, read from the rows without claiming or posting
    anything (`send_nudges --dry-run`)."""

    to_post: list[SlackMessage] = field(default_factory=list)  # new today, or failed today
    already: list[PostedAlready] = field(default_factory=list)
    retried: list[SlackPost] = field(default_factory=list)  # an earlier failed digest, as stored
    expired: list[SlackPost] = field(default_factory=list)


# --- What to post -----------------------------------------------------------------------------


def plan_slack(plan: rules.NudgePlan, webhooks: Webhooks) -> list[SlackMessage]:
    """The day's messages and where each goes; none for a team with no webhook to go to."""
    messages = []
    for nudge in plan.teams:
        destination = webhooks.route(nudge.team)
        if destination:
            messages.append(
                SlackMessage(
                    destination=destination,
                    about=f"team-{nudge.team.pk}",
                    kinds=nudge.kinds,
                    summary=rules.describe(rules.PlannedNudge(user=None, team=nudge)),
                    payload=team_blocks(nudge),
                )
            )
    if plan.digest and webhooks.has(ORG):
        messages.append(
            SlackMessage(ORG, DIGEST, [rules.DIGEST], "weekly digest", digest_blocks(plan.digest))
        )
    return messages


# --- Posting ----------------------------------------------------------------------------------


def post_to_slack(url: str, payload: dict, *, sleep=time.sleep) -> None:
    """POST the message to the webhook; SlackPostFailed unless Slack answers 200.

    Errors name what happened, never the URL (requests' own messages carry it)."""
    for attempt in range(1, MOST_ATTEMPTS + 1):
        try:
            response = requests.post(
                url, json=payload, timeout=settings.MILEPOST_SLACK_TIMEOUT, allow_redirects=False
            )
        except requests.Timeout:
            raise SlackPostFailed(
                f"no answer within {settings.MILEPOST_SLACK_TIMEOUT:g} seconds"
            ) from None
        except requests.RequestException as exc:
            raise SlackPostFailed(f"could not reach Slack ({type(exc).__name__})") from None
        if response.status_code == 200:
            return
        if response.status_code == 429:
            wait = _retry_after(response)
            short = wait is not None and wait <= settings.MILEPOST_SLACK_MAX_RETRY_AFTER
            if short and attempt < MOST_ATTEMPTS:
                sleep(wait)
                continue
            raise SlackPostFailed(
                "HTTP 429: rate limited"
                + (f" (Retry-After: {wait:g} seconds)" if wait is not None else "")
            )
        body = response.text.strip()[:200]
        raise SlackPostFailed(f"HTTP {response.status_code}" + (f": {body}" if body else ""))


def _retry_after(response: requests.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def claim_post(message: SlackMessage, day: datetime.date) -> tuple[SlackPost, bool]:
    """The message's row for the day, and whether this run claimed it: new, or taken back from
    failed (then to be posted where the message goes now). Not claimed when it went already,
    to whichever channel, or another run is posting it (or died doing so)."""
    try:
        with transaction.atomic():
            post = SlackPost.objects.create(
                destination=message.destination,
                about=message.about,
                day=day,
                kinds=",".join(message.kinds)[:100],
                summary=message.summary[:200],
                payload=message.payload,
            )
            return post, True
    except IntegrityError:
        pass
    post = SlackPost.objects.get(about=message.about, day=day, duplicate=False)
    # Today's words for today's message, to today's channel.
    taken = _take_back(
        post,
        destination=message.destination,
        payload=message.payload,
        summary=message.summary[:200],
    )
    return post, taken


def _take_back(post: SlackPost, **changes) -> bool:
    """Failed to pending (with `changes`), if no other run got there first."""
    taken = SlackPost.objects.filter(pk=post.pk, status=SlackPost.Status.FAILED).update(
        status=SlackPost.Status.PENDING, **changes
    )
    if taken:
        post.status = SlackPost.Status.PENDING
        for name, value in changes.items():
            setattr(post, name, value)
    return bool(taken)


def deliver(post: SlackPost, webhooks: Webhooks, *, sleep=time.sleep) -> bool:
    """Post a claimed row's message and record how it went; True when Slack took it."""
    try:
        url = webhooks.url(post.destination)
    except KeyError:
        error = "its webhook was removed"
    except WebhookUnreadable as exc:
        error = str(exc)
    else:
        try:
            post_to_slack(url, post.payload, sleep=sleep)
        except SlackPostFailed as exc:
            error = str(exc)
        else:
            error = ""
    post.attempts += 1
    post.last_error = error
    post.status = SlackPost.Status.FAILED if error else SlackPost.Status.SENT
    post.posted_at = None if error else timezone.now()
    post.save(update_fields=["attempts", "last_error", "status", "posted_at"])
    return not error


def send_to_slack(
    plan: rules.NudgePlan, webhooks: Webhooks | None = None, *, sleep=time.sleep
) -> SlackResult:
    """Post the plan's messages, then retry or expire what failed before (module docstring)."""
    webhooks = webhooks or Webhooks.read()
    result = SlackResult()
    handled = set()
    for message in plan_slack(plan, webhooks):
        post, claimed = claim_post(message, plan.today)
        handled.add(post.pk)
        if not claimed:
            result.already.append(PostedAlready(post, message.destination))
            continue
        (result.sent if deliver(post, webhooks, sleep=sleep) else result.failed).append(post)

    for post in SlackPost.objects.filter(status=SlackPost.Status.FAILED).exclude(pk__in=handled):
        if posted_again_as_stored(post, plan.today):
            if _take_back(post):
                (result.sent if deliver(post, webhooks, sleep=sleep) else result.failed).append(
                    post
                )
        elif SlackPost.objects.filter(pk=post.pk, status=SlackPost.Status.FAILED).update(
            status=SlackPost.Status.EXPIRED
        ):
            post.status = SlackPost.Status.EXPIRED
            result.expired.append(post)
    return result


def posted_again_as_stored(post: SlackPost, today: datetime.date) -> bool:
    """A failed row that today's plan does not have: a digest of the last seven days is posted
    again as it was stored (the week's news still); anything else is expired."""
    earlier = today - datetime.timedelta(days=DIGEST_RETRY_DAYS - 1)
    return post.about == DIGEST and post.day >= earlier


def foresee_slack(plan: rules.NudgePlan, webhooks: Webhooks) -> SlackOutlook:
    """What `send_to_slack(plan, webhooks)` would do if it ran now, writing nothing: the same
    messages, less those the day's rows say went already (or are going, or were given up on),
    and what it would retry or expire of earlier failures. Two queries."""
    outlook = SlackOutlook()
    messages = plan_slack(plan, webhooks)
    todays = {
        post.about: post
        for post in SlackPost.objects.filter(
            day=plan.today, duplicate=False, about__in=[m.about for m in messages]
        )
    }
    for message in messages:
        post = todays.get(message.about)
        # As `claim_post`: a new row is claimed, and a failed one taken back (`_take_back`).
        if post is None or post.status == SlackPost.Status.FAILED:
            outlook.to_post.append(message)
        else:
            outlook.already.append(PostedAlready(post, message.destination))
    handled = [post.pk for post in todays.values()]
    for post in SlackPost.objects.filter(status=SlackPost.Status.FAILED).exclude(pk__in=handled):
        (outlook.retried if posted_again_as_stored(post, plan.today) else outlook.expired).append(
            post
        )
    return outlook


# --- Test messages (the Slack page's "Send a test message") -----------------------------------

TEST_PATIENCE = datetime.timedelta(minutes=10)  # a test not done by then: no worker took it


def request_test_message(
    *, destination: str, what: str, user: User | None
) -> tuple[SlackTestMessage, bool]:
    """A test message to `destination`, recorded as queued (the caller enqueues
    `nudges.tasks.post_slack_test_message` with its id), and True; or the one on its way there
    already, and False (pressing twice sends one)."""
    on_its_way = (
        SlackTestMessage.objects.filter(
            destination=destination,
            status__in=SlackTestMessage.PENDING,
            requested_at__gte=timezone.now() - TEST_PATIENCE,
        )
        .order_by("-requested_at", "-pk")
        .first()
    )
    if on_its_way is not None:
        return on_its_way, False
    test = SlackTestMessage.objects.create(
        destination=destination, what=what[:300], requested_by=user
    )
    return test, True


def post_test_message(
    test_id: int, webhooks: Webhooks | None = None, *, sleep=time.sleep
) -> SlackTestMessage | None:
    """Post a queued test message (in the background worker) and record how it went. It is
    taken by a conditional update, so a task delivered twice posts it once: None when another
    worker took it already, or it is gone."""
    taken = SlackTestMessage.objects.filter(
        pk=test_id, status=SlackTestMessage.Status.QUEUED
    ).update(status=SlackTestMessage.Status.POSTING)
    if not taken:
        return None
    test = SlackTestMessage.objects.get(pk=test_id)
    error = send_test_message(
        test.destination, webhooks or Webhooks.read(), where=test.what, sleep=sleep
    )
    test.status = SlackTestMessage.Status.FAILED if error else SlackTestMessage.Status.SENT
    test.error = error
    test.finished_at = timezone.now()
    test.save(update_fields=["status", "error", "finished_at"])
    return test


def waits_too_long(test: SlackTestMessage, now: datetime.datetime) -> bool:
    """A test still not done after TEST_PATIENCE: no worker took it (is `manage.py db_worker`
    running?), or the one that did died while posting."""
    return test.is_pending and test.requested_at < now - TEST_PATIENCE


def send_test_message(destination: str, webhooks: Webhooks, *, where: str, sleep=time.sleep) -> str:
    """Post "Milepost is connected" to a destination's webhook: "" or what went wrong."""
    try:
        post_to_slack(
            webhooks.url(destination),
            hello_blocks(where, absolute(reverse("nudges:slack"))),
            sleep=sleep,
        )
    except KeyError:
        return "There is no webhook to test."
    except (SlackPostFailed, WebhookUnreadable) as exc:
        return str(exc)
    return ""


def destination_names(destinations: set[str]) -> dict[str, str]:
    """A readable name per destination, for the command's report (two queries at most)."""
    team_ids = {int(d[5:]) for d in destinations if d.startswith("team-")}
    squad_ids = {int(d[6:]) for d in destinations if d.startswith("squad-")}
    names = {ORG: "the organisation's channel"}
    if team_ids:
        for pk, name in Team.objects.filter(pk__in=team_ids).values_list("pk", "name"):
            names[f"team-{pk}"] = f"{name}'s channel"
    if squad_ids:
        for pk, name in Squad.objects.filter(pk__in=squad_ids).values_list("pk", "name"):
            names[f"squad-{pk}"] = f"the {name} squad's channel"
    return {d: names.get(d, d) for d in destinations}
