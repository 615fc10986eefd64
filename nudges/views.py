"""Leadership's Slack page (issue 20): the organisation's webhook and one per team or squad,
each set, replaced or removed, with a "Send a test message" button and how its last post went.

A webhook's URL is never shown back, only its masked hint; the field to set one is always
empty. A refused URL comes back on the page beside its row, at 422. "Send a test message"
records the test and enqueues its post as a task (`nudges.tasks`), so the request returns at
once: the row says "Sending…" and, through htmx, polls the test until it shows how it went;
without JavaScript the redirect back to the page, or a reload, shows it. Who may:
`milestones.permissions.can_manage_slack`, in every view.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from milestones.permissions import can_manage_slack
from nudges.models import SlackPost, SlackTestMessage
from nudges.slack import request_test_message, waits_too_long
from nudges.tasks import post_slack_test_message
from nudges.webhooks import (
    ORG,
    Webhooks,
    WebhookUnreadable,
    mask_url,
    parse_destination,
    remove_webhook,
    save_webhook,
)
from teams.http import MilepostRequest
from teams.models import Squad, Team

PAGE = "nudges/slack.html"
TEST_STATUS = "nudges/_webhook_row.html#test-status"
REFUSED = "Only leadership manages the Slack webhooks."
RECENT_DAYS = 14  # how far back the page looks for each webhook's last post and test


@dataclass(frozen=True)
class TestShown:
    """A webhook's latest test message as its row shows it."""

    destination: str
    test_id: int
    state: str  # sending, stuck (no worker took it), sent, failed
    error: str
    at: datetime.datetime  # when it was asked for, or when it was done

    @classmethod
    def of(cls, test: SlackTestMessage, now: datetime.datetime) -> TestShown:
        if test.is_pending:
            state = "stuck" if waits_too_long(test, now) else "sending"
        else:
            state = test.status
        return cls(
            destination=test.destination,
            test_id=test.pk,
            state=state,
            error=test.error,
            at=test.finished_at or test.requested_at,
        )


@dataclass(frozen=True)
class WebhookRow:
    """A row of the page: a place that may have a webhook, and where its messages go now."""

    destination: str
    name: str
    what: str  # what it gets
    hint: str  # the masked URL, "" when none is set here
    from_env: bool  # the organisation's, from MILEPOST_SLACK_WEBHOOK_URL
    unreadable: bool  # stored, but the current key cannot decrypt it
    goes_to: str  # where its messages go while it has none of its own
    last_post: SlackPost | None
    error: str = ""  # a refused URL
    test: TestShown | None = None  # its latest "Send a test message"

    @property
    def has_webhook(self) -> bool:
        return bool(self.hint or self.from_env)


def require_slack_manager(request: MilepostRequest) -> None:
    if not can_manage_slack(request.user):
        raise PermissionDenied(REFUSED)


def _target(destination: str) -> tuple[Team | None, Squad | None]:
    try:
        scope, pk = parse_destination(destination)
    except ValueError:
        raise Http404("No such Slack destination.") from None
    if scope == "team":
        return get_object_or_404(Team, pk=pk), None
    if scope == "squad":
        return None, get_object_or_404(Squad, pk=pk)
    return None, None


@require_GET
def slack_settings(request: MilepostRequest):
    require_slack_manager(request)
    return _page(request)


@require_POST
def slack_save(request: MilepostRequest, destination: str):
    require_slack_manager(request)
    team, squad = _target(destination)
    if destination == ORG and Webhooks.read().env_url:
        error = "The organisation's webhook is set in the environment (MILEPOST_SLACK_WEBHOOK_URL)."
        return _page(request, row_error=(destination, error))
    try:
        save_webhook(url=request.POST.get("url", ""), user=request.user, team=team, squad=squad)
    except ValidationError as exc:
        return _page(request, row_error=(destination, " ".join(exc.messages)))
    messages.success(request, f"Saved the Slack webhook of {_name(team, squad)}.")
    return redirect("nudges:slack")


@require_POST
def slack_remove(request: MilepostRequest, destination: str):
    require_slack_manager(request)
    team, squad = _target(destination)
    if remove_webhook(destination=destination):
        messages.success(request, f"Removed the Slack webhook of {_name(team, squad)}.")
    return redirect("nudges:slack")


@require_POST
def slack_test(request: MilepostRequest, destination: str):
    """Record a test message and enqueue its post; never posts in the request."""
    require_slack_manager(request)
    team, squad = _target(destination)
    test, new = request_test_message(
        destination=destination, what=_what(team, squad), user=request.user
    )
    if new:
        post_slack_test_message.enqueue(test.pk)
        test.refresh_from_db()  # posted already, with an immediate task backend
    if request.htmx:
        return _test_status(request, test)
    return redirect(reverse("nudges:slack") + f"#slack-{destination}")


@require_GET
def slack_test_status(request: MilepostRequest, destination: str, pk: int):
    """What a row polls while its test message is on its way."""
    require_slack_manager(request)
    test = get_object_or_404(SlackTestMessage, pk=pk, destination=destination)
    if not request.htmx:
        return redirect(reverse("nudges:slack") + f"#slack-{destination}")
    return _test_status(request, test)


def _test_status(request: MilepostRequest, test: SlackTestMessage):
    return render(request, TEST_STATUS, {"test": TestShown.of(test, timezone.now())})


def _name(team: Team | None, squad: Squad | None) -> str:
    if team:
        return team.name
    if squad:
        return f"the {squad.name} squad"
    return "the organisation"


def _what(team: Team | None, squad: Squad | None) -> str:
    if team:
        return f"{team.name}'s nudges"
    if squad:
        return f"the nudges of the {squad.name} squad's teams without a webhook of their own"
    return (
        "the weekly digest, and the nudges of teams with no webhook of their own or their squad's"
    )


def latest_tests(now: datetime.datetime) -> dict[str, TestShown]:
    """Each destination's latest test message of the last two weeks (one query)."""
    latest: dict[str, TestShown] = {}
    tests = SlackTestMessage.objects.filter(
        requested_at__gt=now - datetime.timedelta(days=RECENT_DAYS)
    )
    for test in tests.order_by("-requested_at", "-pk"):
        if test.destination not in latest:
            latest[test.destination] = TestShown.of(test, now)
    return latest


def latest_posts(today: datetime.date) -> dict[str, SlackPost]:
    """Each destination's latest post of the last two weeks (one query)."""
    latest: dict[str, SlackPost] = {}
    posts = SlackPost.objects.filter(day__gt=today - datetime.timedelta(days=RECENT_DAYS))
    for post in posts.order_by("-day", "-created_at").only(
        "destination", "day", "summary", "status", "last_error", "posted_at", "created_at"
    ):
        latest.setdefault(post.destination, post)
    return latest


def _page(
    request,
    *,
    row_error: tuple[str, str] | None = None,
):
    """The whole page. Five queries whatever the number of teams: the webhooks, the squads,
    the teams, the recent posts and the recent test messages."""
    webhooks = Webhooks.read()
    posts = latest_posts(timezone.localdate())
    tests = latest_tests(timezone.now())
    errors = dict([row_error]) if row_error else {}

    def row(destination: str, name: str, what: str, goes_to: str = "") -> WebhookRow:
        stored = webhooks.stored.get(destination)
        from_env = destination == ORG and bool(webhooks.env_url)
        unreadable = False
        if stored is not None and not from_env:
            try:
                webhooks.url(destination)
            except WebhookUnreadable:
                unreadable = True
        return WebhookRow(
            destination=destination,
            name=name,
            what=what,
            hint=mask_url(webhooks.env_url) if from_env else stored.hint if stored else "",
            from_env=from_env,
            unreadable=unreadable,
            goes_to=goes_to,
            last_post=posts.get(destination),
            error=errors.get(destination, ""),
            test=tests.get(destination),
        )

    squads = list(Squad.objects.all())
    squad_names = {squad.pk: squad.name for squad in squads}
    teams = list(Team.objects.filter(active=True).order_by("name"))

    def fallback(*destinations: str) -> str:
        for destination in destinations:
            if webhooks.has(destination):
                if destination == ORG:
                    return "the organisation's webhook"
                return f"the {squad_names[int(destination[6:])]} squad's webhook"
        return "nowhere (no webhook)"

    context = {
        "org": row(ORG, "The organisation", _what(None, None)),
        "squads": [
            row(
                f"squad-{squad.pk}",
                squad.name,
                _what(None, squad),
                fallback(ORG),
            )
            for squad in squads
        ],
        "teams": [
            row(
                f"team-{team.pk}",
                team.name,
                _what(team, None),
                fallback(f"squad-{team.squad_id}", ORG),
            )
            for team in teams
        ],
    }
    return render(request, PAGE, context, status=422 if row_error else 200)
