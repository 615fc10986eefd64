"""The sign-in page (`teams.signin.SignInView`) behind the throttle: a pause with a clear
message and 429, never a lockout of the right password for more than a minute."""

import datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from teams.models import PASSWORD_CHANGED, SignInFailure, User
from tests.factories import UserFactory
from tests.html import text


@pytest.fixture
def mobrien(db):
    return UserFactory(username="mobrien")


def sign_in(client, password, username="mobrien"):
    return client.post(reverse("login"), {"username": username, "password": password})


def move_failures_back(seconds: int) -> None:
    for failure in SignInFailure.objects.all():
        failure.at -= datetime.timedelta(seconds=seconds)
        failure.save(update_fields=["at"])


def test_the_right_password_signs_in(client, mobrien):
    response = sign_in(client, "password")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(mobrien.pk)


def test_signing_in_notes_the_time_without_a_change_in_the_persons_history(client, mobrien):
    records = mobrien.history.count()
    before = timezone.now()
    assert sign_in(client, "password").status_code == 302
    mobrien.refresh_from_db()
    assert mobrien.last_login >= before
    # The People page would list a record as "saved unchanged": the time is not kept there.
    assert mobrien.history.count() == records


def test_a_password_hash_upgraded_at_sign_in_is_no_change_in_the_persons_history(client, mobrien):
    # A hash whose salt is too short for today's hasher: Django re-hashes the same password at
    # sign-in and saves only that (update_fields=["password"]).
    old_hash = make_password("password", salt="short")
    User.objects.filter(pk=mobrien.pk).update(password=old_hash)
    records = mobrien.history.count()
    assert sign_in(client, "password").status_code == 302
    mobrien.refresh_from_db()
    assert mobrien.password != old_hash  # upgraded
    assert mobrien.history.count() == records
    mobrien.display_name = "Maeve O'Brien"
    mobrien.save(update_fields=["display_name", "password"])  # a real change: recorded
    assert mobrien.history.count() == records + 1


def test_a_new_password_is_recorded_as_changed_however_it_is_saved(mobrien):
    mobrien.set_password("a new one")
    mobrien.save(update_fields=["password"])
    assert mobrien.history.latest("history_id").history_change_reason == PASSWORD_CHANGED


def test_a_wrong_password_says_so_and_is_recorded(client, mobrien):
    response = sign_in(client, "guess")
    assert response.status_code == 200
    assert "correct username and password" in text(response)
    assert SignInFailure.objects.get().username == "mobrien"


def test_the_right_password_after_five_wrong_ones_from_the_same_address_waits_seconds_not_minutes(
    client, mobrien
):
    for _ in range(5):
        assert sign_in(client, "guess").status_code == 200
        move_failures_back(10)  # a person takes a few seconds to type again
    move_failures_back(-10)  # the fifth wrong password was just now
    response = sign_in(client, "password")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 4
    assert "Your password still works" in text(response)
    assert "_auth_user_id" not in client.session
    assert SignInFailure.objects.count() == 5  # the refused try is not counted

    move_failures_back(4)
    response = sign_in(client, "password")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(mobrien.pk)
    assert SignInFailure.objects.count() == 0


def test_tries_during_a_pause_are_refused_and_not_counted(client, mobrien):
    for _ in range(3):
        sign_in(client, "guess")
    for _ in range(5):
        assert sign_in(client, "guess").status_code == 429
    assert SignInFailure.objects.count() == 3


def test_after_fifty_wrong_passwords_the_right_one_works_a_minute_later(client, mobrien):
    for _ in range(50):
        sign_in(client, "guess")
        move_failures_back(61)  # the guesser waits out each pause
    assert SignInFailure.objects.count() == 50
    response = sign_in(client, "password")
    assert response.status_code == 302


def test_an_address_trying_many_usernames_is_blocked_and_writes_no_more_rows(client, db):
    for n in range(10):
        sign_in(client, "guess", username=f"made-up-{n}")
    response = sign_in(client, "guess", username="made-up-11")
    assert response.status_code == 429
    assert "Too many accounts were tried from your network" in text(response)
    assert SignInFailure.objects.count() == 10


def test_the_admin_sign_in_is_throttled_too(client, mobrien):
    mobrien.is_staff = True
    mobrien.save()
    for _ in range(6):
        sign_in(client, "guess")
    response = client.post(reverse("admin:login"), {"username": "mobrien", "password": "password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
