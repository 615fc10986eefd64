"""Slack webhooks are secrets (`nudges.webhooks`): only Slack's are accepted, they are kept
encrypted at rest and never shown back whole."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from nudges.models import SlackWebhook
from nudges.webhooks import (
    ORG,
    Webhooks,
    WebhookUnreadable,
    decrypt_url,
    mask_url,
    remove_webhook,
    save_webhook,
    validate_webhook_url,
)

URL = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstabcd"


def test_a_webhook_is_kept_encrypted_and_the_column_never_holds_the_url(db):
    webhook = save_webhook(url=URL, user=None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT url_encrypted, hint FROM {SlackWebhook._meta.db_table} WHERE id = %s",
            [webhook.pk],
        )
        stored, hint = cursor.fetchone()
    assert "hooks.slack.com" not in stored
    assert "abcdefghijklmnopqrstabcd" not in stored
    assert "abcdefghijklmnopqrst" not in hint
    assert decrypt_url(stored) == URL
    assert Webhooks.read().url(ORG) == URL


def test_the_url_is_shown_masked():
    assert mask_url(URL) == "https://hooks.slack.com/services/T…/…abcd"


def test_the_key_comes_from_milepost_secrets_key_when_set(db, settings):
    settings.MILEPOST_SECRETS_KEY = "a separate key for secrets"
    webhook = save_webhook(url=URL, user=None)
    settings.SECRET_KEY = "rotated"
    assert decrypt_url(webhook.url_encrypted) == URL  # SECRET_KEY rotates freely
    settings.MILEPOST_SECRETS_KEY = "another key"
    with pytest.raises(WebhookUnreadable, match="set it again"):
        decrypt_url(webhook.url_encrypted)


def test_replacing_a_webhook_keeps_one_row_and_removing_forgets_it(db):
    save_webhook(url=URL, user=None)
    save_webhook(url=URL.replace("abcd", "wxyz"), user=None)
    assert SlackWebhook.objects.get().hint.endswith("…wxyz")
    assert remove_webhook(destination=ORG)
    assert not remove_webhook(destination=ORG)
    assert not SlackWebhook.objects.exists()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://hooks.slack.com/services/T1/B1/x", "starts with https://"),
        ("https://example.com/services/T1/B1/x", "on hooks.slack.com"),
        ("https://hooks.slack.com.evil.example/services/T1/B1/x", "on hooks.slack.com"),
        ("https://hooks.slack.com:8443/services/T1/B1/x", "on hooks.slack.com"),
        ("https://hooks.slack.com/", "no path"),
        ("http://127.0.0.1:8080/services/T1/B1/x", "starts with https://"),
        ("not a url", "starts with https://"),
    ],
)
def test_only_slack_webhooks_are_accepted(url, error):
    with pytest.raises(ValidationError, match=error):
        validate_webhook_url(url)


def test_loopback_is_accepted_only_when_the_tests_allow_it(settings):
    settings.MILEPOST_SLACK_ALLOW_LOOPBACK = True
    assert validate_webhook_url(" http://127.0.0.1:8080/services/T1/B1/x ") == (
        "http://127.0.0.1:8080/services/T1/B1/x"
    )
    with pytest.raises(ValidationError):
        validate_webhook_url("http://localhost:8080/services/T1/B1/x")
