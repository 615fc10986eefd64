"""Sign in with Google: django-allauth's OpenID Connect provider, with the roster as the only
source of people (SPEC section 6).

A Google account signs in as the active roster person whose e-mail address is the account's
verified address, in one of MILEPOST_GOOGLE_ALLOWED_DOMAINS; the link is kept, so it stays
that person if leadership later changes the address. Nobody is ever created: an address the
roster does not know, or gives to two people, gets a page that says to ask leadership.
"""

from __future__ import annotations

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render

from teams.models import User

REFUSED_TEMPLATE = "registration/google_refused.html"


def google_sign_in_enabled() -> bool:
    return bool(settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS"))


def roster_person(email: str, *, verified: bool) -> tuple[User | None, str]:
    """The one active person with this e-mail address, or None and why not (for people)."""
    domain = email.rpartition("@")[2].lower()
    allowed = settings.MILEPOST_GOOGLE_ALLOWED_DOMAINS
    if not email or not verified:
        return None, "Google did not confirm an e-mail address for this account."
    if domain not in allowed:
        return None, (
            f"{email} is not an address of {_either(allowed)}: sign in with your work "
            "Google account."
        )
    people = [
        person
        for person in User.objects.filter(email__iexact=email, is_active=True)
        if person.email.casefold() == email.casefold()
    ]
    if not people:
        return None, f"Nobody in Milepost has the address {email}."
    if len(people) > 1:
        return None, (
            f"{email} belongs to {len(people)} people in Milepost, so it cannot tell which "
            "one you are."
        )
    return people[0], ""


class RosterSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False  # people come from the roster only

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        claims = _claims(sociallogin.account.extra_data)
        email = str(claims.get("email") or "")
        verified = claims.get("email_verified") in (True, "true", "True")
        allowed = settings.MILEPOST_GOOGLE_ALLOWED_DOMAINS
        if sociallogin.is_existing:
            person, reason = sociallogin.user, ""
            if not person.is_active:
                reason = "Your account in Milepost is closed (you are listed as having left)."
            elif email.rpartition("@")[2].lower() not in allowed:
                reason = f"{email} is not an address of {_either(allowed)}."
        else:
            person, reason = roster_person(email, verified=verified)
        if reason:
            raise ImmediateHttpResponse(
                render(request, REFUSED_TEMPLATE, {"reason": reason, "email": email}, status=403)
            )
        if not sociallogin.is_existing:
            sociallogin.connect(request, person)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """Cancelled at Google, or Google failed: our own page, not allauth's."""
        reason = (
            "You cancelled signing in with Google."
            if error == "cancelled"
            else "Signing in with Google did not complete. Try again in a moment."
        )
        raise ImmediateHttpResponse(
            render(request, REFUSED_TEMPLATE, {"reason": reason, "error": True}, status=400)
        )


def _claims(extra_data: dict) -> dict:
    return extra_data.get("userinfo") or extra_data.get("id_token") or extra_data


def _either(domains: list[str]) -> str:
    return " or ".join(domains) if domains else "an allowed domain"
