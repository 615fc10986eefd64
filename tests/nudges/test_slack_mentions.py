"""The team's Slack nudge @-mentions its tech lead when they set a Slack member ID on their
profile and want the mention (`nudges.slack_messages.team_blocks`); otherwise it names them.
Posted to a webhook receiver on loopback, as in test_slack_posting."""

import pytest

from nudges import rules
from nudges.slack import send_to_slack
from nudges.slack_messages import mention_or_name, plain_text
from nudges.webhooks import save_webhook
from tests.factories import UserFactory
from tests.nudges.conftest import TUESDAY

MEMBER_ID = "U0123ABCDE"


@pytest.fixture
def org_webhook(slack_receiver):
    save_webhook(url=slack_receiver.url("org"), user=None)
    return slack_receiver


def posted_context(receiver) -> str:
    send_to_slack(rules.plan_nudges(TUESDAY), sleep=lambda seconds: None)
    (body,) = receiver.bodies("org")
    assert body["blocks"][-1]["type"] == "context"
    return body["blocks"][-1]["elements"][0]["text"]


def test_the_nudge_mentions_the_lead_who_set_a_member_id(team, lead, q4, org_webhook):
    lead.slack_member_id = MEMBER_ID
    lead.save()
    context = posted_context(org_webhook)
    assert context.startswith(f"Tech lead: <@{MEMBER_ID}> · Milepost · ")
    assert lead.name not in context


def test_with_the_mention_off_the_nudge_only_names_the_lead(team, lead, q4, org_webhook):
    lead.slack_member_id = MEMBER_ID
    lead.slack_mention = False
    lead.save()
    context = posted_context(org_webhook)
    assert context.startswith(f"Tech lead: {lead.name} · Milepost · ")
    assert "<@" not in plain_text(org_webhook.bodies("org")[0])


def test_without_a_member_id_the_nudge_names_the_lead(team, lead, q4, org_webhook):
    context = posted_context(org_webhook)
    assert context.startswith(f"Tech lead: {lead.name} · Milepost · ")
    assert "<@" not in plain_text(org_webhook.bodies("org")[0])


def test_a_name_is_escaped_for_slack_and_never_read_as_a_mention(db):
    person = UserFactory.build(display_name="<@U0123ABCDE> & co")
    assert mention_or_name(person) == "&lt;@U0123ABCDE&gt; &amp; co"
