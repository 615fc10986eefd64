"""Leadership adds the organisation's Slack webhook in the app and sends a test message."""

from playwright.sync_api import expect

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
