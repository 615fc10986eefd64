"""Leadership adds the organisation's Slack webhook in the app and sends a test message, which
a background task posts while the row says "Sending…"."""

from django.urls import reverse
from playwright.sync_api import expect

from nudges.models import SlackTestMessage
from nudges.tasks import post_slack_test_message
from nudges.webhooks import save_webhook
from tests.factories import LeadershipFactory, trio


def test_leadership_adds_a_slack_webhook_and_sends_a_test_message(page, sign_in, slack_receiver):
    vp = LeadershipFactory(username="vp", display_name="Val Pereira")
    trio(name="Platform", slug="platform")
    sign_in(page, vp)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("navigation", name="Organisation").get_by_role("link", name="Slack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slack")
    page.get_by_label("Webhook URL for The organisation").fill(slack_receiver.url("org"))
    page.get_by_role("button", name="Save the webhook of The organisation").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Saved the Slack webhook of the organisation."
    )
    expect(page.get_by_text("/services/T…/…abcd")).to_be_visible()
    expect(page.get_by_text("org-secret")).to_have_count(0)
    page.get_by_role("button", name="Send a test message to The organisation").click()

    expect(page.get_by_text("Sent: look in the channel.")).to_be_visible()
    (body,) = slack_receiver.bodies("org")
    assert body["text"].startswith("Milepost test message")


def test_a_test_message_waiting_for_the_worker_shows_sending_then_how_it_went(
    page, sign_in, slack_receiver, settings
):
    # No worker yet: the task waits in the queue until the test runs it, as db_worker would.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    vp = LeadershipFactory(username="vp", display_name="Val Pereira")
    save_webhook(url=slack_receiver.url("org"), user=None)
    slack_receiver.fail(times=1, status=404, body="no_service")
    sign_in(page, vp)
    page.goto(reverse("nudges:slack"))

    page.get_by_role("button", name="Send a test message to The organisation").click()

    status = page.locator("#slack-test-org")
    expect(status).to_have_text("Sending…")
    assert slack_receiver.attempts == {}
    post_slack_test_message.call(SlackTestMessage.objects.get().pk)
    expect(status).to_contain_text("HTTP 404: no_service")
    page.reload()
    expect(page.locator("#slack-test-org")).to_contain_text("HTTP 404: no_service")
