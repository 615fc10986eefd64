"""`manage.py send_nudges` posts to Slack beside the e-mails: the summary, --dry-run, failures
reported and retried on the next run, the exit code."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from nudges.models import SlackPost
from nudges.webhooks import save_webhook
from tests.nudges.conftest import MONDAY, TUESDAY


def run(*args) -> tuple[str, str, int]:
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("send_nudges", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    return out.getvalue(), err.getvalue(), code


@pytest.fixture
def org_webhook(slack_receiver):
    save_webhook(url=slack_receiver.url("org"), user=None)
    return slack_receiver


def test_the_summary_says_what_went_to_slack(team, lead, vp, q4, org_webhook):
    out, err, code = run("--today", MONDAY.isoformat())
    assert "Posted to Slack (the organisation's channel): review of Platform overdue" in out
    assert "Posted to Slack (the organisation's channel): weekly digest" in out
    assert "Mon Nov 23, 2026: sent 2 e-mails, 0 failed. Slack: posted 2 messages, 0 failed." in out
    assert (err, code) == ("", 0)
    assert len(mail.outbox) == 2
    assert len(org_webhook.bodies("org")) == 2


def test_a_second_run_that_day_posts_nothing_more(team, lead, q4, org_webhook):
    run("--today", TUESDAY.isoformat())
    out, _, _ = run("--today", TUESDAY.isoformat())
    assert (
        "Skipped Slack (the organisation's channel): review of Platform overdue: "
        "already posted today"
    ) in out
    assert len(org_webhook.bodies("org")) == 1


def test_the_digest_is_posted_to_the_organisation_even_with_no_leadership_to_e_mail(
    team, q4, org_webhook
):
    run("--today", MONDAY.isoformat())
    assert [b["text"] for b in org_webhook.bodies("org")][-1].startswith("Milepost weekly")
    assert not any("weekly" in m.subject for m in mail.outbox)  # no one of leadership


def test_a_failed_post_is_reported_exits_1_and_goes_on_the_next_run(team, lead, q4, org_webhook):
    org_webhook.fail(times=1, status=503, body="service_unavailable")
    out, err, code = run("--today", TUESDAY.isoformat(), "--quiet")
    assert code == 1
    assert out == ""
    assert (
        "Could not post to Slack (the organisation's channel, Nov 24): review of Platform "
        "overdue: HTTP 503: service_unavailable. The next run tries again."
    ) in err
    assert len(mail.outbox) == 1  # the e-mail went all the same

    out, err, code = run("--today", TUESDAY.isoformat())
    assert (err, code) == ("", 0)
    assert "Posted to Slack (the organisation's channel): review of Platform overdue" in out
    assert len(org_webhook.bodies("org")) == 1
    assert len(mail.outbox) == 1


def test_a_team_webhook_is_named_in_the_summary(team, lead, q4, slack_receiver):
    save_webhook(url=slack_receiver.url("platform"), user=None, team=team)
    out, _, _ = run("--today", TUESDAY.isoformat())
    assert "Posted to Slack (Platform's channel): review of Platform overdue" in out


def test_a_dry_run_prints_each_slack_message_and_posts_and_records_nothing(
    team, lead, vp, q4, org_webhook
):
    out, _, _ = run("--today", MONDAY.isoformat(), "--dry-run")
    assert "Slack: the organisation's channel" in out
    assert "Platform needs a review" in out
    assert "*Platform's biweekly review is overdue*" in out
    assert "Would post 2 messages to Slack." in out
    assert org_webhook.received == {}
    assert not SlackPost.objects.exists()


def test_the_environment_webhook_is_used_by_the_daily_run(team, lead, q4, slack_receiver, settings):
    settings.MILEPOST_SLACK_WEBHOOK_URL = slack_receiver.url("env")
    out, _, _ = run("--today", TUESDAY.isoformat())
    assert "Posted to Slack (the organisation's channel)" in out
    assert len(slack_receiver.bodies("env")) == 1


def test_a_team_webhook_added_during_the_day_does_not_post_the_days_nudge_again(
    team, lead, q4, org_webhook
):
    run("--today", TUESDAY.isoformat())
    save_webhook(url=org_webhook.url("platform"), user=None, team=team)

    out, err, code = run("--today", TUESDAY.isoformat())

    assert (
        "Skipped Slack (Platform's channel): review of Platform overdue: already posted today "
        "to the organisation's channel"
    ) in out
    assert org_webhook.bodies("platform") == []
    assert len(org_webhook.bodies("org")) == 1
    assert (err, code) == ("", 0)


def test_a_dry_run_after_the_days_run_says_each_message_went_already_and_writes_nothing(
    team, lead, q4, org_webhook
):
    run("--today", TUESDAY.isoformat())
    before = list(SlackPost.objects.values())

    out, err, code = run("--today", TUESDAY.isoformat(), "--dry-run")

    assert (
        "Skipped Slack (the organisation's channel): review of Platform overdue: "
        "already posted today"
    ) in out
    assert "Slack: the organisation's channel" not in out  # not listed as a message to post
    assert "Would post" not in out
    assert (err, code) == ("", 0)
    assert list(SlackPost.objects.values()) == before
    assert len(org_webhook.bodies("org")) == 1


def test_a_dry_run_names_the_channel_a_message_went_to_when_it_has_moved_since(
    team, lead, q4, org_webhook
):
    run("--today", TUESDAY.isoformat())
    save_webhook(url=org_webhook.url("platform"), user=None, team=team)

    out, _, _ = run("--today", TUESDAY.isoformat(), "--dry-run")

    assert (
        "Skipped Slack (Platform's channel): review of Platform overdue: already posted today "
        "to the organisation's channel"
    ) in out
    assert "Would post" not in out


def test_a_dry_run_lists_a_message_that_failed_today_as_one_to_post_again(
    team, lead, q4, org_webhook
):
    org_webhook.fail(times=1)
    run("--today", TUESDAY.isoformat())

    out, _, _ = run("--today", TUESDAY.isoformat(), "--dry-run")

    assert "Slack: the organisation's channel" in out
    assert "*Platform's biweekly review is overdue*" in out
    assert "Would post 1 message to Slack." in out
    assert "Skipped Slack" not in out
    assert SlackPost.objects.get().status == "failed"


def test_a_dry_run_says_which_earlier_failures_a_run_would_post_again_or_give_up_on(
    team, lead, q4, org_webhook
):
    org_webhook.fail(times=2)
    run("--today", MONDAY.isoformat())  # the nudge and the digest both fail

    out, _, _ = run("--today", TUESDAY.isoformat(), "--dry-run")

    assert "Slack: the organisation's channel (again: it failed on Nov 23)" in out
    assert "Milepost weekly" in out
    assert "Would post 2 messages to Slack." in out  # Tuesday's nudge and Monday's digest
    gave_up = (
        "Slack (the organisation's channel): review of Platform overdue of Nov 23, which "
        "failed, is no longer today's news"
    )
    assert f"Would give up on {gave_up}" in out
    assert sorted(SlackPost.objects.values_list("day", "status")) == [
        (MONDAY, "failed"),
        (MONDAY, "failed"),
    ]

    out, _, _ = run("--today", TUESDAY.isoformat())  # and the run does just that
    assert f"Gave up on {gave_up}" in out
    assert "Slack: posted 2 messages, 0 failed." in out
