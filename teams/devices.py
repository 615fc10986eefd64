"""Device cookies: a browser that signed in to an account is known to that account afterwards.

This follows OWASP's "Slow Down Online Guessing Attacks with Device Cookies"
(https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies): after
a successful sign-in the browser is issued a cookie holding the account's login and a random
nonce, signed with a server-side key (their LOGIN,NONCE,HMAC; here Django's signing, which
adds a timestamp so that the cookie also expires on the server's side). A cookie counts only
if its signature holds, it is not older than `MILEPOST_SIGNIN_DEVICE_DAYS` and it names the
account being signed in to; anything else is no cookie. A new cookie, with a new nonce, is
issued on every successful sign-in, so each one lives that long after the latest sign-in.
What the throttle does with a device is in `teams.throttle`.

The cookie is HttpOnly, Secure whenever the session cookie is, and SameSite=Lax; a browser
holds one device cookie, for the account that signed in on it last.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE_NAME = "milepost_device"
# Keeps these signatures apart from every other use of SECRET_KEY (sessions, reset links).
SALT = "teams.devices.sign-in"


def issue(response: HttpResponse, username: str) -> str:
    """Give the browser a device cookie for `username` (as `teams.throttle` normalises it);
    its nonce."""
    nonce = secrets.token_urlsafe(16)
    value = signing.TimestampSigner(salt=SALT).sign_object({"user": username, "nonce": nonce})
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=_lifetime(),
        path=settings.SESSION_COOKIE_PATH,
        domain=settings.SESSION_COOKIE_DOMAIN,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return nonce


def device_for(request: HttpRequest, username: str) -> str | None:
    """The nonce of the request's device cookie if it is ours, unexpired and for `username`
    (normalised); otherwise None, as if there were no cookie."""
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return None
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(value, max_age=_lifetime())
    except (signing.BadSignature, ValueError):  # forged, tampered with, expired, or garbage
        return None
    if not isinstance(payload, dict) or payload.get("user") != username:
        return None
    nonce = payload.get("nonce")
    return nonce if isinstance(nonce, str) and nonce else None


def _lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.MILEPOST_SIGNIN_DEVICE_DAYS)
