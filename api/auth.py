"""Who is asking: a personal token (`Authorization: Bearer mp_…`) or a signed-in session.

Either way the request reads as that person (`request.user`), and what it may read is what
that person may read signed in; everybody signed in reads everything (SPEC section 1).
Anybody else gets 401.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from api.tokens import user_for_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


def api_user(request: HttpRequest) -> Any:
    """The person a request for the schema comes from, by token or session; else None."""
    return BearerToken()(request) or SessionAuth()(request)


API_AUTH = [BearerToken(), SessionAuth()]
