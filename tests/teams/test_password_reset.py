"""Resetting a forgotten password by e-mail (Django's views with `teams.forms.ResetPasswordForm`):
the link comes by e-mail, works once, and people without a password yet can set their first."""

import re

import pytest
from django.core import mail
from django.urls import reverse

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
