"""Resetting a forgotten password by e-mail (Django's views with `teams.forms.ResetPasswordForm`):
the link comes by e-mail, works once, and people without a password yet can set their first."""

import datetime
import re

import pytest
from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse

from teams.models import PasswordResetRequest
from tests.factories import UserFactory
from tests.html import text
from tests.teams.history import history_lines

RESET = "/accounts/password/reset/"


@pytest.fixture
def mobrien(db, settings):
    settings.MILEPOST_BASE_URL = "https://milepost.example.com"
    return UserFactory(username="mobrien", email="maeve@example.com")


def link_in(message) -> str:
    [url] = re.findall(r"https?://\S+", message.body)
    return url


def ask_for_a_link(client, email):
    return client.post(RESET, {"email": email})


def test_the_sign_in_page_links_to_the_reset(client, db):
    assert f'href="{RESET}"' in client.get(reverse("login")).content.decode()


def test_a_link_is_sent_to_the_address_leadership_has(client, mobrien):
    response = ask_for_a_link(client, "Maeve@Example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["maeve@example.com"]
    assert message.subject == "Milepost: set your password"
    assert "username mobrien" in message.body
    assert link_in(message).startswith("https://milepost.example.com/accounts/password/reset/")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mobrien):
    response = ask_for_a_link(client, "stranger@example.com")
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_leaver_gets_no_link(client, mobrien):
    mobrien.is_active = False
    mobrien.save()
    ask_for_a_link(client, "maeve@example.com")
    assert mail.outbox == []


def test_the_link_sets_a_new_password_once(client, mobrien):
    ask_for_a_link(client, "maeve@example.com")
    path = link_in(mail.outbox[0]).removeprefix("https://milepost.example.com")
    form = client.get(path, follow=True)
    assert "Signing in as mobrien" in text(form)
    set_url = form.redirect_chain[-1][0]
    response = client.post(
        set_url,
        {"new_password1": "a long new passphrase 42", "new_password2": "a long new passphrase 42"},
    )
    assert response["Location"] == reverse("password_reset_complete")
    mobrien.refresh_from_db()
    assert mobrien.check_password("a long new passphrase 42")
    assert "This link no longer works" in text(client.get(path, follow=True))


def test_a_password_set_by_the_link_is_one_line_of_the_persons_history(client, mobrien, vp):
    ask_for_a_link(client, "maeve@example.com")
    path = link_in(mail.outbox[0]).removeprefix("https://milepost.example.com")
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    new = "a long new passphrase 42"
    client.post(set_url, {"new_password1": new, "new_password2": new})

    lines = history_lines(client, vp, mobrien)
    assert lines[0] == "— (web): password changed"  # signed out: no one's name
    assert not any("saved unchanged" in line for line in lines)


def test_someone_without_a_password_sets_their_first_one(client, mobrien):
    mobrien.set_unusable_password()
    mobrien.save()
    ask_for_a_link(client, "maeve@example.com")
    assert len(mail.outbox) == 1


def test_two_people_sharing_an_address_each_get_their_own_link(client, mobrien):
    UserFactory(username="mobrien2", email="maeve@example.com")
    ask_for_a_link(client, "maeve@example.com")
    assert sorted(re.search(r"username (\w+)", m.body)[1] for m in mail.outbox) == [
        "mobrien",
        "mobrien2",
    ]


# --- Limits (teams/resets.py): no flooding an inbox, and the answer says nothing ------------


def an_hour_later() -> None:
    PasswordResetRequest.objects.update(at=F("at") - datetime.timedelta(minutes=61))


def minutes_later(n: int) -> None:
    PasswordResetRequest.objects.update(at=F("at") - datetime.timedelta(minutes=n))


def answer(response) -> tuple:
    """What the person asking sees: the status, where it leads and what that page says."""
    return response.status_code, response["Location"], text(Client().get(response["Location"]))


def test_asking_again_at_once_sends_no_second_link_and_answers_the_same(client, mobrien):
    first = ask_for_a_link(client, "maeve@example.com")
    again = ask_for_a_link(client, "maeve@example.com")
    assert answer(again) == answer(first)
    assert len(mail.outbox) == 1
    minutes_later(5)
    ask_for_a_link(client, "maeve@example.com")
    assert len(mail.outbox) == 2


def test_an_address_gets_at_most_three_links_an_hour(client, mobrien):
    for _ in range(4):
        ask_for_a_link(client, "maeve@example.com")
        minutes_later(6)
    assert len(mail.outbox) == 3
    an_hour_later()
    ask_for_a_link(client, "maeve@example.com")
    assert len(mail.outbox) == 4


def test_known_and_unknown_addresses_get_the_same_answer_within_and_over_the_limit(client, mobrien):
    known = [ask_for_a_link(client, "maeve@example.com") for _ in range(2)]
    unknown = [ask_for_a_link(client, "stranger@example.com") for _ in range(2)]
    assert [answer(response) for response in known] == [answer(r) for r in unknown]
    assert len(mail.outbox) == 1


def test_a_network_that_asks_too_often_is_told_to_wait_and_gets_no_mail(client, mobrien, settings):
    settings.MILEPOST_RESET_ADDRESS_REQUESTS_PER_HOUR = 3
    for n in range(3):
        ask_for_a_link(client, f"someone-{n}@example.com")
    response = ask_for_a_link(client, "maeve@example.com")
    assert response.status_code == 429
    assert 3500 < int(response["Retry-After"]) <= 3600
    assert "Too many reset links were asked for from your network" in text(response)
    assert mail.outbox == []
    assert PasswordResetRequest.objects.count() == 3
    # Another network is not held back.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert ask_for_a_link(other, "maeve@example.com").status_code == 302
    assert len(mail.outbox) == 1


def test_the_network_limit_answers_alike_for_known_and_unknown_addresses(client, mobrien, settings):
    settings.MILEPOST_RESET_ADDRESS_REQUESTS_PER_HOUR = 1
    ask_for_a_link(client, "someone@example.com")
    known = ask_for_a_link(client, "maeve@example.com")
    unknown = ask_for_a_link(client, "stranger@example.com")
    assert known.status_code == unknown.status_code == 429
    assert text(known).replace("maeve", "stranger") == text(unknown)
