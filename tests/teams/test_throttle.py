"""`teams.throttle`: wrong passwords slow an account down and never lock it out for more than a
minute; an address that tries many accounts is blocked for a while; every state expires."""

import datetime

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from teams import devices, throttle
from teams.models import DeviceSignInFailure, SignInFailure

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
OFFICE = "203.0.113.7"
HOME = "198.51.100.20"


def seconds(n: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=n)


def fail(username: str, address: str = OFFICE, *, times: int = 1, at=NOW) -> None:
    for _ in range(times):
        throttle.record_failure(username, address, now=at)


def fail_on_device(username: str, device: str, *, times: int = 1, at=NOW) -> None:
    for _ in range(times):
        throttle.record_failure(username, HOME, device=device, now=at)


def request_with_device_cookie(username: str) -> tuple:
    """A request carrying a device cookie for `username`, and the cookie's device."""
    response = HttpResponse()
    device = devices.issue(response, username)
    request = RequestFactory().post("/accounts/login/")
    request.COOKIES[devices.COOKIE_NAME] = response.cookies[devices.COOKIE_NAME].value
    return request, device


pytestmark = pytest.mark.usefixtures("sign_in_rules")


def test_the_first_wrong_passwords_cost_nothing(db):
    fail("mobrien", times=2)
    assert throttle.refusal("mobrien", OFFICE, now=NOW) is None


def test_the_delay_grows_with_each_wrong_password_up_to_a_minute():
    assert [throttle.account_delay(n).total_seconds() for n in range(2, 12)] == [
        0,
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
        60,
    ]


def test_five_wrong_passwords_make_the_account_wait_four_seconds(db):
    fail("mobrien", times=5)
    refusal = throttle.refusal("mobrien", OFFICE, now=NOW + seconds(1))
    assert (refusal.reason, refusal.retry_after) == ("account", 3)
    assert "wait 3 seconds" in refusal.message
    assert throttle.refusal("mobrien", OFFICE, now=NOW + seconds(4)) is None


def test_however_many_wrong_passwords_the_wait_is_at_most_a_minute(db):
    fail("mobrien", times=200)
    assert throttle.refusal("mobrien", OFFICE, now=NOW + seconds(59)).retry_after == 1
    assert throttle.refusal("mobrien", OFFICE, now=NOW + seconds(60)) is None


def test_the_wait_is_per_account_whatever_the_address(db):
    fail("mobrien", OFFICE, times=5)
    assert throttle.refusal("mobrien", HOME, now=NOW).reason == "account"
    assert throttle.refusal("pokafor", OFFICE, now=NOW) is None


def test_usernames_are_counted_whatever_their_case_and_spaces(db):
    fail(" MOBrien ", times=5)
    assert throttle.refusal("mobrien", OFFICE, now=NOW) is not None


def test_failures_older_than_an_hour_no_longer_slow_the_account(db):
    fail("mobrien", times=8, at=NOW - datetime.timedelta(minutes=61))
    fail("mobrien", times=1)
    assert throttle.refusal("mobrien", OFFICE, now=NOW) is None


def test_an_address_trying_many_accounts_is_blocked_for_a_while(db):
    for n in range(10):
        fail(f"made-up-{n}")
    refusal = throttle.refusal("mobrien", OFFICE, now=NOW + seconds(1))
    assert refusal.reason == "address"
    assert "paused for 15 minutes" in refusal.message
    assert throttle.refusal("mobrien", HOME, now=NOW + seconds(1)) is None


def test_an_address_block_expires_by_itself(db):
    for n in range(10):
        fail(f"made-up-{n}")
    later = NOW + datetime.timedelta(minutes=15)
    assert throttle.refusal("mobrien", OFFICE, now=later - seconds(1)) is not None
    assert throttle.refusal("mobrien", OFFICE, now=later) is None


def test_nine_accounts_from_one_address_are_not_yet_blocked(db):
    for n in range(9):
        fail(f"user-{n}")
    assert throttle.refusal("user-9", OFFICE, now=NOW) is None


def test_a_right_password_forgets_that_addresss_failures_but_not_anothers(db):
    fail("mobrien", OFFICE, times=2)
    fail("mobrien", HOME, times=2)
    throttle.record_success("mobrien", OFFICE)
    assert list(SignInFailure.objects.values_list("address", flat=True)) == [HOME, HOME]


def test_leadership_sees_slowed_accounts_and_blocked_addresses(db):
    fail("mobrien", HOME, times=4)
    for n in range(10):
        fail(f"made-up-{n}", at=NOW - seconds(30))
    rows = throttle.throttled(now=NOW + seconds(1))
    assert [(row.kind, row.key, row.failures) for row in rows] == [
        ("account", "mobrien", 4),
        ("address", OFFICE, 10),
    ]
    assert rows[0].until == NOW + seconds(2)
    assert rows[1].until == NOW - seconds(30) + datetime.timedelta(minutes=15)


def test_clearing_an_account_or_an_address_forgets_its_failures(db):
    fail("mobrien", HOME, times=6)
    fail_on_device("mobrien", "laptop", times=2)
    for n in range(10):
        fail(f"made-up-{n}")
    assert throttle.clear("account", "MOBRIEN") == 8
    assert not DeviceSignInFailure.objects.exists()
    assert throttle.clear("address", OFFICE) == 10
    assert throttle.refusal("mobrien", OFFICE, now=NOW) is None
    with pytest.raises(ValueError, match="Unknown kind"):
        throttle.clear("user", "mobrien")


def test_pruning_deletes_only_failures_older_than_a_day(db):
    fail("mobrien", at=NOW - datetime.timedelta(hours=25))
    fail("mobrien", at=NOW - datetime.timedelta(hours=23))
    fail_on_device("mobrien", "laptop", at=NOW - datetime.timedelta(hours=25))
    fail_on_device("mobrien", "laptop", at=NOW - datetime.timedelta(hours=23))
    assert throttle.prune(NOW, dry_run=True) == 2
    assert SignInFailure.objects.count() == 2
    assert throttle.prune(NOW) == 2
    assert SignInFailure.objects.get().at == NOW - datetime.timedelta(hours=23)
    assert DeviceSignInFailure.objects.get().at == NOW - datetime.timedelta(hours=23)


def test_the_address_is_remote_addr_unless_behind_a_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    settings.MILEPOST_PROXY_COUNT = 0
    assert throttle.client_address(request) == "10.0.0.5"


def test_behind_a_proxy_the_address_is_the_one_the_proxy_appended(settings):
    settings.MILEPOST_PROXY_COUNT = 1
    forged = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7"
    )
    assert throttle.client_address(forged) == "203.0.113.7"
    garbage = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="nonsense")
    assert throttle.client_address(garbage) == "0.0.0.0"


# --- Known browsers (device cookies) ---------------------------------------------------------


def test_a_known_browser_is_judged_by_its_own_failures_only(db):
    fail("mobrien", times=8)  # a stranger: the account waits half a minute
    for n in range(10):
        fail(f"made-up-{n}", HOME)  # and the browser's address is blocked
    assert throttle.refusal("mobrien", HOME, now=NOW).reason == "address"
    assert throttle.refusal("mobrien", HOME, device="laptop", now=NOW) is None


def test_a_known_browsers_own_failures_slow_it_like_an_account(db):
    fail_on_device("mobrien", "laptop", times=5)
    refusal = throttle.refusal("mobrien", HOME, device="laptop", now=NOW + seconds(1))
    assert (refusal.reason, refusal.retry_after) == ("device", 3)
    assert "tried from this browser" in refusal.message
    assert throttle.refusal("mobrien", HOME, device="laptop", now=NOW + seconds(4)) is None
    # Nobody else waits for them.
    assert throttle.refusal("mobrien", HOME, now=NOW + seconds(1)) is None
    assert throttle.refusal("mobrien", HOME, device="desktop", now=NOW + seconds(1)) is None


def test_a_valid_device_cookie_for_the_account_makes_a_trusted_device(db):
    request, device = request_with_device_cookie("mobrien")
    assert throttle.trusted_device(request, " MOBrien ", now=NOW) == device
    assert throttle.trusted_device(request, "pokafor", now=NOW) is None
    assert throttle.trusted_device(RequestFactory().post("/"), "mobrien", now=NOW) is None


def test_a_device_with_too_many_failures_in_an_hour_is_no_longer_trusted(db):
    request, device = request_with_device_cookie("mobrien")
    fail_on_device("mobrien", device, times=9)
    assert throttle.trusted_device(request, "mobrien", now=NOW) == device
    fail_on_device("mobrien", device)
    assert throttle.trusted_device(request, "mobrien", now=NOW) is None
    later = NOW + datetime.timedelta(minutes=60)
    assert throttle.trusted_device(request, "mobrien", now=later) == device


def test_a_right_password_on_a_known_browser_forgets_its_failures(db):
    fail_on_device("mobrien", "laptop", times=2)
    fail_on_device("mobrien", "desktop", times=2)
    throttle.record_success("mobrien", HOME, device="laptop")
    assert list(DeviceSignInFailure.objects.values_list("device", flat=True)) == [
        "desktop",
        "desktop",
    ]
