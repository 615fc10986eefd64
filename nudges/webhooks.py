"""Slack incoming webhooks (issue 20): which ones there are, where a message goes, and keeping
their URLs secret.

A webhook URL is a secret: whoever holds it posts to the channel. The organisation's comes
from `MILEPOST_SLACK_WEBHOOK_URL` (it then wins over one set in the app) or is set by
leadership on the Slack page, which also sets one per team or per squad. Those set in the app
are kept encrypted at rest with Fernet (AES-128-CBC with an HMAC): the key is derived (HKDF,
SHA-256) from `MILEPOST_SECRETS_KEY` when set, else from Django's `SECRET_KEY`, so rotating
`SECRET_KEY` without `MILEPOST_SECRETS_KEY` makes them unreadable (the page says so and they are
set again). A URL is never shown back whole: only `mask_url`'s form ("https://hooks.slack.com/
services/T…/…abcd"), stored beside it as its `hint`.

A team's messages go to the team's webhook, else its squad's, else the organisation's
(`route`); the digest goes to the organisation's. Destinations are named "org", "team-<id>"
and "squad-<id>", the names `SlackPost.destination` records.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from nudges.models import SlackWebhook
from teams.models import Squad, Team, User

ORG = "org"
FROM_ENVIRONMENT = "MILEPOST_SLACK_WEBHOOK_URL"


class WebhookUnreadable(Exception):
    """A stored webhook URL that the current key cannot decrypt (the key changed)."""


# --- Encryption -----------------------------------------------------------------------------


@functools.cache
def _fernet(secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"milepost slack webhooks"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def secrets_key() -> Fernet:
    """The Fernet key: from `MILEPOST_SECRETS_KEY` when set, else from `SECRET_KEY`."""
    return _fernet(settings.MILEPOST_SECRETS_KEY or settings.SECRET_KEY)


def encrypt_url(url: str) -> str:
    return secrets_key().encrypt(url.encode()).decode()


def decrypt_url(token: str) -> str:
    try:
        return secrets_key().decrypt(token.encode()).decode()
    except InvalidToken:
        raise WebhookUnreadable(
            "the stored webhook cannot be read with the current key (was SECRET_KEY or "
            "MILEPOST_SECRETS_KEY changed?): set it again"
        ) from None


# --- Checking and masking -------------------------------------------------------------------


def validate_webhook_url(url: str) -> str:
    """The URL, stripped, when it is a Slack incoming webhook; else a ValidationError.

    https to one of `MILEPOST_SLACK_WEBHOOK_HOSTS` (hooks.slack.com); plain http to 127.0.0.1
    only with `MILEPOST_SLACK_ALLOW_LOOPBACK` (the tests' receiver).
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise ValidationError("This is not a URL.") from None
    loopback = (
        settings.MILEPOST_SLACK_ALLOW_LOOPBACK
        and parts.scheme == "http"
        and parts.hostname == "127.0.0.1"
    )
    if not loopback:
        if parts.scheme != "https":
            raise ValidationError("A Slack webhook starts with https://.")
        if parts.hostname not in settings.MILEPOST_SLACK_WEBHOOK_HOSTS or parts.port:
            raise ValidationError(
                "A Slack webhook is on hooks.slack.com: copy it from your Slack app's "
                "Incoming Webhooks page."
            )
    if len(parts.path.strip("/").split("/")) < 2 or parts.username or parts.password:
        raise ValidationError("This is not a webhook URL: it has no path to a channel.")
    return url


def mask_url(url: str) -> str:
    """Enough of a webhook URL to recognise it, never enough to use it:
    https://hooks.slack.com/services/T…/…abcd."""
    parts = urlsplit(url)
    segments = parts.path.strip("/").split("/")
    first = segments[0] if segments else ""
    second = segments[1][:1] if len(segments) > 1 else ""
    return f"{parts.scheme}://{parts.netloc}/{first}/{second}…/…{url.rstrip('/')[-4:]}"


# --- The webhooks -----------------------------------------------------------------------------


def destination_of(webhook: SlackWebhook) -> str:
    if webhook.scope == SlackWebhook.Scope.TEAM:
        return f"team-{webhook.team_id}"
    if webhook.scope == SlackWebhook.Scope.SQUAD:
        return f"squad-{webhook.squad_id}"
    return ORG


@dataclass(frozen=True)
class Webhooks:
    """Every webhook there is, by destination, read in one query; URLs decrypted on demand."""

    stored: dict[str, SlackWebhook]
    env_url: str = ""

    @classmethod
    def read(cls) -> Webhooks:
        return cls(
            stored={destination_of(w): w for w in SlackWebhook.objects.all()},
            env_url=settings.MILEPOST_SLACK_WEBHOOK_URL,
        )

    def has(self, destination: str) -> bool:
        return destination in self.stored or (destination == ORG and bool(self.env_url))

    @property
    def any(self) -> bool:
        return bool(self.stored or self.env_url)

    def url(self, destination: str) -> str:
        """The destination's URL (the environment's first for the organisation); KeyError
        when it has none, WebhookUnreadable when it cannot be decrypted."""
        if destination == ORG and self.env_url:
            return self.env_url
        return decrypt_url(self.stored[destination].url_encrypted)

    def route(self, team: Team) -> str | None:
        """Where a team's messages go: its webhook, else its squad's, else the
        organisation's; None when there is none of them."""
        for destination in (f"team-{team.pk}", f"squad-{team.squad_id}", ORG):
            if self.has(destination):
                return destination
        return None


@transaction.atomic
def save_webhook(
    *, url: str, user: User | None, team: Team | None = None, squad: Squad | None = None
) -> SlackWebhook:
    """Set or replace the webhook of the team, the squad or (neither) the organisation."""
    url = validate_webhook_url(url)
    scope = (
        SlackWebhook.Scope.TEAM
        if team
        else SlackWebhook.Scope.SQUAD
        if squad
        else SlackWebhook.Scope.ORG
    )
    webhook, _ = SlackWebhook.objects.select_for_update().update_or_create(
        scope=scope,
        team=team,
        squad=squad,
        defaults={
            "url_encrypted": encrypt_url(url),
            "hint": mask_url(url),
            "updated_at": timezone.now(),
            "updated_by": user,
        },
    )
    return webhook


def parse_destination(destination: str) -> tuple[str, int | None]:
    """("org", None), ("team", id) or ("squad", id); ValueError for anything else."""
    if destination == ORG:
        return SlackWebhook.Scope.ORG, None
    scope, _, pk = destination.partition("-")
    if scope not in (SlackWebhook.Scope.TEAM, SlackWebhook.Scope.SQUAD) or not pk.isdigit():
        raise ValueError(f"not a Slack destination: {destination!r}")
    return scope, int(pk)


def remove_webhook(*, destination: str) -> bool:
    """Forget a webhook set in the app; False when there was none."""
    scope, pk = parse_destination(destination)
    found = SlackWebhook.objects.filter(scope=scope)
    if scope == SlackWebhook.Scope.TEAM:
        found = found.filter(team_id=pk)
    elif scope == SlackWebhook.Scope.SQUAD:
        found = found.filter(squad_id=pk)
    deleted, _ = found.delete()
    return bool(deleted)
