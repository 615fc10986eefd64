"""Making, revoking and checking personal API tokens (hashed at rest).

A token is `mp_` and 43 URL-safe characters (256 random bits); the database keeps its SHA-256
digest and its first characters. A plain digest, not a password hash: the token is random and
long, so nothing is gained by a slow hash, and each API request has to check one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken

if TYPE_CHECKING:
    from teams.models import User

TOKEN_PREFIX = "mp_"
PREFIX_SHOWN = 8  # characters of the token kept to recognise it
MOST_LIVE_TOKENS = 20


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is the one time it is ever shown."""

    token: ApiToken
    secret: str


@transaction.atomic
def create_token(*, user: User, name: str) -> NewToken:
    """A new token for `user`, named `name`; `ValidationError` on a blank name or too many."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, to recognise it later."})
    live = ApiToken.objects.select_for_update().filter(user=user, revoked_at=None)
    if len(live) >= MOST_LIVE_TOKENS:
        raise ValidationError(
            {"name": f"You have {MOST_LIVE_TOKENS} tokens: revoke one you no longer use first."}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name, digest=token_digest(secret), prefix=secret[:PREFIX_SHOWN]
    )
    token.full_clean()
    token.save()
    return NewToken(token, secret)


def revoke_token(*, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of `user`'s own live tokens; None when they have no such token."""
    token = ApiToken.objects.filter(user=user, pk=token_id, revoked_at=None).first()
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def user_for_token(secret: str) -> User | None:
    """The active person whose live token `secret` is, else None. One query, and one more
    the first time the token is used on a day (to note that day)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.filter(digest=token_digest(secret), revoked_at=None)
        .select_related("user")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    today = timezone.localdate()
    if token.last_used_on != today:
        ApiToken.objects.filter(pk=token.pk).update(last_used_on=today)
    return token.user


def live_tokens(user: User) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user, revoked_at=None))
