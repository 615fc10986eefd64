"""A person who forgot their password resets it from the sign-in page, by the e-mailed link."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.factories import UserFactory

NEW_PASSWORD = "a long new passphrase 42"


def test_a_forgotten_password_is_reset_by_the_emailed_link(page, live_server, settings, sign_in):
    settings.MILEPOST_BASE_URL = live_server.url
    person = UserFactory(username="mobrien", email="maeve@example.com")

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password").click()
    page.get_by_label("Email").fill("maeve@example.com")
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")

    [message] = mail.outbox
    [link] = re.findall(r"https?://\S+", message.body)
    assert link.startswith(live_server.url)
    page.goto(link)
    expect(page.get_by_text("Signing in as mobrien")).to_be_visible()
    page.get_by_label("New password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password set")

    page.get_by_role("link", name="Sign in").click()
    sign_in(page, person, password=NEW_PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
