"""`teams.resets`: an e-mail address gets at most one reset link every few minutes and a few an
hour, a client address may ask a few times an hour, and neither rule depends on whether the
e-mail address is anyone's."""

import datetime

import pytest

from teams import resets
from teams.models import PasswordResetRequest

NOW = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
OFFICE = "203.0.113.7"
HOME = "198.51.100.20"


def minutes(n: float) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


@pytest.fixture(autouse=True)
def rules(settings):
    settings.MILEPOST_RESET_EMAIL_INTERVAL_MINUTES = 5
    settings.MILEPOST_RESET_EMAILS_PER_HOUR = 3
    settings.MILEPOST_RESET_ADDRESS_REQUESTS_PER_HOUR = 20


def sends(email: str, address: str = OFFICE, *, at=NOW) -> bool:
    decision = resets.decide(email, address, now=at)
    assert decision.refusal is None
    return decision.send


def test_an_address_gets_one_link_per_five_minutes(db):
    assert sends("maeve@example.com")
    assert not sends("maeve@example.com", at=NOW + minutes(1))
    assert not sends("Maeve@Example.com ", HOME, at=NOW + minutes(4.9))
    assert sends("maeve@example.com", at=NOW + minutes(5))


def test_requests_held_back_do_not_push_the_next_link_further_away(db):
    assert sends("maeve@example.com")
    for n in range(1, 5):
        assert not sends("maeve@example.com", at=NOW + minutes(n))
    assert sends("maeve@example.com", at=NOW + minutes(5))


def test_an_address_gets_at_most_three_links_an_hour(db):
    for n in range(3):
        assert sends("maeve@example.com", at=NOW + minutes(10 * n))
    assert not sends("maeve@example.com", at=NOW + minutes(30))
    assert not sends("maeve@example.com", at=NOW + minutes(59))
    assert sends("maeve@example.com", at=NOW + minutes(60))


def test_each_address_has_its_own_limit(db):
    assert sends("maeve@example.com")
    assert sends("pat@example.com", at=NOW + minutes(1))


def test_a_client_address_may_ask_twenty_times_an_hour_then_waits(db):
    for n in range(20):
        resets.decide(f"someone-{n}@example.com", OFFICE, now=NOW + minutes(n))
    decision = resets.decide("maeve@example.com", OFFICE, now=NOW + minutes(30))
    assert not decision.send
    assert decision.refusal.retry_after == 30 * 60
    assert "wait 30 minutes" in decision.refusal.message
    assert PasswordResetRequest.objects.count() == 20  # the refused request is not recorded
    assert sends("maeve@example.com", HOME, at=NOW + minutes(30))
    assert sends("pat@example.com", OFFICE, at=NOW + minutes(60))  # the first is an hour old


def test_requests_for_unknown_and_known_addresses_are_counted_alike(db):
    # No user exists at all here: the rules look at requests only, never at people.
    assert PasswordResetRequest.objects.count() == 0
    assert sends("nobody@example.com")
    assert not sends("nobody@example.com", at=NOW + minutes(1))
    assert list(PasswordResetRequest.objects.order_by("at").values_list("allowed", flat=True)) == [
        True,
        False,
    ]


def test_pruning_deletes_only_requests_older_than_a_day(db):
    sends("maeve@example.com", at=NOW - datetime.timedelta(hours=25))
    sends("maeve@example.com", at=NOW - datetime.timedelta(hours=23))
    assert resets.prune_requests(NOW, dry_run=True) == 1
    assert resets.prune_requests(NOW) == 1
    assert PasswordResetRequest.objects.get().at == NOW - datetime.timedelta(hours=23)
