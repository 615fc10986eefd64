"""Device cookies on the sign-in page (`teams.devices`, `teams.throttle`): a browser that signed
in to an account before waits only for its own wrong passwords, so a stranger guessing at the
account slows everyone else but never its owner on their usual browser."""

import datetime
import time
from unittest import mock

import pytest
from django.core import signing
from django.db.models import F
from django.test import Client
from django.urls import reverse

from teams import devices
from teams.models import DeviceSignInFailure, SignInFailure
from tests.factories import UserFactory
from tests.html import text

OFFICE = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


pytestmark = pytest.mark.usefixtures("sign_in_rules")


@pytest.fixture
def mobrien(db):
    return UserFactory(username="mobrien")


def browser(address: str = OFFICE) -> Client:
    return Client(REMOTE_ADDR=address)


def sign_in(client: Client, password: str, username: str = "mobrien"):
    return client.post(reverse("login"), {"username": username, "password": password})


def owners_browser(address: str = OFFICE) -> Client:
    """A browser the owner signed in on (and out of again): it holds their device cookie."""
    client = browser(address)
    assert sign_in(client, "password").status_code == 302
    client.post(reverse("logout"))
    return client


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def shift(model, seconds: int) -> None:
    """Move every recorded failure `seconds` later (earlier when negative)."""
    model.objects.update(at=F("at") + datetime.timedelta(seconds=seconds))


def wrong_passwords(client: Client, times: int, model=SignInFailure) -> None:
    """`times` wrong passwords from `client`, a minute apart (waiting out each pause), the
    latest just now."""
    for _ in range(times):
        assert sign_in(client, "guess").status_code == 200
        shift(model, -61)
    shift(model, 61)


def a_device_cookie(payload: dict, *, key: str | None = None) -> str:
    return signing.TimestampSigner(key=key, salt=devices.SALT).sign_object(payload)


# --- The owner's browser is not slowed by a stranger -----------------------------------------


def test_a_strangers_wrong_passwords_delay_other_browsers_but_not_the_owners(mobrien):
    owner = owners_browser()
    stranger = browser(ELSEWHERE)
    wrong_passwords(stranger, 8)
    assert sign_in(stranger, "guess").status_code == 429  # the account waits 32 seconds

    newcomer = browser(OFFICE)  # the owner on a new laptop: no device cookie
    response = sign_in(newcomer, "password")
    assert response.status_code == 429
    assert "Several wrong passwords were tried for this account" in text(response)
    assert not signed_in(newcomer)

    response = sign_in(owner, "password")
    assert response.status_code == 302
    assert signed_in(owner)


def test_the_owners_browser_signs_in_from_an_address_that_is_blocked(mobrien):
    owner = owners_browser()
    for n in range(10):
        sign_in(browser(OFFICE), "guess", username=f"made-up-{n}")
    assert sign_in(browser(OFFICE), "password").status_code == 429  # the office is blocked

    assert sign_in(owner, "password").status_code == 302


def test_the_owners_wrong_password_on_their_browser_is_not_the_accounts(mobrien):
    owner = owners_browser()
    sign_in(owner, "typo")
    assert SignInFailure.objects.count() == 0
    [failure] = DeviceSignInFailure.objects.all()
    assert (failure.username, failure.address) == ("mobrien", OFFICE)


# --- What counts as no cookie ----------------------------------------------------------------


def slowed_account() -> None:
    """A stranger's eight wrong passwords: the account waits half a minute."""
    wrong_passwords(browser(ELSEWHERE), 8)


def test_a_cookie_signed_with_another_key_counts_as_none(mobrien):
    slowed_account()
    forger = browser()
    forged = a_device_cookie({"user": "mobrien", "nonce": "made-up"}, key="not-our-secret-key")
    forger.cookies[devices.COOKIE_NAME] = forged
    assert sign_in(forger, "password").status_code == 429
    forger.cookies[devices.COOKIE_NAME] = "mobrien:not-signed-at-all"
    assert sign_in(forger, "password").status_code == 429


def test_a_cookie_altered_to_name_another_account_counts_as_none(mobrien):
    UserFactory(username="pokafor")
    forger = browser()
    assert sign_in(forger, "password", username="pokafor").status_code == 302
    forger.post(reverse("logout"))
    slowed_account()
    value = forger.cookies[devices.COOKIE_NAME].value
    payload, rest = value.split(":", 1)
    ours = signing.b64_encode(b'{"user":"mobrien","nonce":"x"}').decode()
    assert payload != ours
    forger.cookies[devices.COOKIE_NAME] = f"{ours}:{rest}"
    assert sign_in(forger, "password").status_code == 429


def test_a_device_cookie_for_another_account_counts_as_none(mobrien):
    UserFactory(username="pokafor")
    shared = browser()
    assert sign_in(shared, "password", username="pokafor").status_code == 302
    shared.post(reverse("logout"))
    slowed_account()
    response = sign_in(shared, "password")
    assert response.status_code == 429
    assert "tried for this account" in text(response)
    assert sign_in(shared, "password", username="pokafor").status_code == 302


def test_a_device_cookie_older_than_its_lifetime_counts_as_none(mobrien):
    slowed_account()
    old = browser()
    year_and_a_day_ago = time.time() - 366 * 86400
    with mock.patch("django.core.signing.time.time", return_value=year_and_a_day_ago):
        old.cookies[devices.COOKIE_NAME] = a_device_cookie({"user": "mobrien", "nonce": "n1"})
    assert sign_in(old, "password").status_code == 429
    old.cookies[devices.COOKIE_NAME] = a_device_cookie({"user": "mobrien", "nonce": "n1"})
    assert sign_in(old, "password").status_code == 302  # the same cookie, made today


# --- A device's own failures -----------------------------------------------------------------


def test_a_browsers_own_wrong_passwords_slow_it_down(mobrien):
    owner = owners_browser()
    wrong_passwords(owner, 5, model=DeviceSignInFailure)
    response = sign_in(owner, "password")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 4
    assert "wrong passwords were tried from this browser" in text(response)
    assert "Your password still works" in text(response)
    assert DeviceSignInFailure.objects.count() == 5  # the refused try is not counted
    # The account is not slowed for anyone else.
    assert sign_in(browser(ELSEWHERE), "password").status_code == 302


def test_a_browser_with_too_many_wrong_passwords_is_no_longer_trusted(mobrien, settings):
    settings.MILEPOST_SIGNIN_DEVICE_FAILURES = 2
    owner = owners_browser()
    sign_in(owner, "typo")
    sign_in(owner, "typo")
    assert DeviceSignInFailure.objects.count() == 2
    sign_in(owner, "typo")  # now judged as any client: counted against the account
    assert DeviceSignInFailure.objects.count() == 2
    assert SignInFailure.objects.count() == 1

    slowed_account()  # a stranger's failures now make it wait like everyone else
    response = sign_in(owner, "password")
    assert response.status_code == 429
    assert "tried for this account" in text(response)


def test_signing_in_forgets_the_browsers_failures_and_renews_its_cookie(mobrien):
    owner = owners_browser()
    first = owner.cookies[devices.COOKIE_NAME].value
    sign_in(owner, "typo")
    sign_in(owner, "typo")
    assert sign_in(owner, "password").status_code == 302
    assert DeviceSignInFailure.objects.count() == 0
    assert owner.cookies[devices.COOKIE_NAME].value != first


# --- The cookie itself -----------------------------------------------------------------------


def test_signing_in_sets_a_long_lived_http_only_lax_device_cookie_naming_the_account(mobrien):
    client = browser()
    response = sign_in(client, "password")
    cookie = response.cookies[devices.COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 86400
    assert cookie["path"] == "/"
    assert not cookie["secure"]  # the tests' session cookie is not Secure either
    payload = signing.TimestampSigner(salt=devices.SALT).unsign_object(cookie.value)
    assert payload["user"] == "mobrien"


def test_the_device_cookie_is_secure_when_the_session_cookie_is(mobrien, settings):
    settings.SESSION_COOKIE_SECURE = True
    response = sign_in(browser(), "password")
    assert response.cookies[devices.COOKIE_NAME]["secure"] is True


def test_a_wrong_password_sets_no_device_cookie(mobrien):
    response = sign_in(browser(), "guess")
    assert devices.COOKIE_NAME not in response.cookies


def test_usernames_match_the_cookie_whatever_their_case(mobrien):
    owner = owners_browser()
    slowed_account()
    sign_in(owner, "typo", username=" MOBrien ")
    assert DeviceSignInFailure.objects.count() == 1
