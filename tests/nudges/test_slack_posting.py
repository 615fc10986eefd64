"""Posting the nudges and the digest to Slack (`nudges.slack`), against a webhook receiver on
loopback: Block Kit with links into the app, where each message goes, once a day, retries on the
next run after a failure and never a second copy."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from nudges import rules
from nudges.models import SlackPost
from nudges.slack import SlackMessage, claim_post, send_to_slack
from nudges.slack_messages import plain_text
from nudges.webhooks import save_webhook
from tests.factories import SquadFactory, TeamFactory, trio
from tests.nudges.conftest import MONDAY, NEW_YEAR_MONDAY, TUESDAY, created

D = datetime.date
BASE = "https://milepost.example.com"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.MILEPOST_BASE_URL = BASE


@pytest.fixture
def org_webhook(slack_receiver):
    save_webhook(url=slack_receiver.url("org"), user=None)
    return slack_receiver


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def post(day, sleeps=None, **kwargs):
    plan = rules.plan_nudges(day, digest_for_slack=True, **kwargs)
    return send_to_slack(plan, sleep=sleeps if sleeps is not None else Sleeps())


def test_a_teams_nudge_is_a_block_kit_message_with_links_into_the_app(team, lead, q4, org_webhook):
    stale = created(D(2026, 11, 1), team=team, quarter=q4, target_date=D(2026, 11, 20))
    result = post(TUESDAY)
    assert [p.summary for p in result.sent] == [
        "review of Platform overdue, 1 stale milestone of Platform"
    ]
    (body,) = org_webhook.bodies("org")
    assert body["text"] == "Milepost: Platform needs a review and 1 milestone update"
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds == ["header", "section", "section", "context"]
    assert body["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "Platform needs a review and 1 milestone update",
        "emoji": False,
    }
    assert all(b["text"]["type"] == "mrkdwn" for b in body["blocks"] if b["type"] == "section")
    said = plain_text(body)
    assert "*Platform's biweekly review is overdue*: the team has not held one yet." in said
    assert f"<{BASE}{reverse('reviews:list', args=['platform'])}|Start it>" in said
    assert f"<{BASE}/teams/platform/milestones/{stale.pk}/|{stale.title}>: target Nov 20" in said
    assert f"<{BASE}/teams/platform/|Platform milestones>" in said


def test_the_digest_goes_to_the_organisation_with_the_figure_slips_and_deliveries(
    team, q4, org_webhook
):
    created(D(2026, 10, 1), team=team, quarter=q4, title="Export", done=True,
            committed_date=D(2026, 11, 18))  # fmt: skip
    post(MONDAY)
    (digest,) = [b for b in org_webhook.bodies("org") if b["text"].startswith("Milepost weekly")]
    assert digest["text"] == "Milepost weekly: 1 of 1 teams on time (goal 13)"
    said = plain_text(digest)
    assert "*2026 Q4*, Nov 17 – Nov 23: *1 of 1 teams on time*, goal 13 (12 short)." in said
    assert "*Slipped this week*\nNothing." in said
    assert "(Platform): Nov 18, on time" in said
    assert f"<{BASE}/dashboard/|Open the dashboard>" in said


def test_the_digest_of_a_week_across_two_quarters_names_each_quarters_lines(
    team, q4, new_year_week, org_webhook
):
    post(NEW_YEAR_MONDAY)
    (digest,) = [b for b in org_webhook.bodies("org") if b["text"].startswith("Milepost weekly")]
    said = plain_text(digest)
    search = new_year_week["search"].pk
    assert (
        "*2026 Q4 and 2027 Q1*, Dec 29 – Jan 4. 2027 Q1: *1 of 1 teams on time*, goal 3 (2 short)."
        in said
    )
    assert (
        "*Slipped this week* · 2026 Q4\n"
        f"• <{BASE}/teams/platform/milestones/{search}/|Search> (Platform): Dec 22 → Jan 8, 17 days"
    ) in said
    assert "*Slipped this week* · 2027 Q1\n• " in said
    assert "*Delivered this week* · 2026 Q4\n• " in said
    assert "*Delivered this week* · 2027 Q1\nNothing." in said


def test_titles_are_escaped_for_slack(team, lead, q4, org_webhook):
    created(D(2026, 11, 1), team=team, quarter=q4, title="<b>Fast</b> & safe",
            target_date=D(2026, 11, 20))  # fmt: skip
    post(TUESDAY)
    assert "|&lt;b&gt;Fast&lt;/b&gt; &amp; safe>" in plain_text(org_webhook.bodies("org")[0])


def test_a_team_hears_on_its_own_webhook_else_its_squads_else_the_organisations(q4, slack_receiver):
    squad = SquadFactory(name="Payments")
    platform, *_ = trio(name="Platform", slug="platform", squad=squad)
    trio(name="Billing", slug="billing", squad=squad)
    trio(team=TeamFactory(name="Search", slug="search"))
    save_webhook(url=slack_receiver.url("org"), user=None)
    save_webhook(url=slack_receiver.url("payments"), user=None, squad=squad)
    save_webhook(url=slack_receiver.url("platform"), user=None, team=platform)
    post(MONDAY)
    heard = {name: [b["text"] for b in bodies] for name, bodies in slack_receiver.received.items()}
    assert heard == {
        "platform": ["Milepost: Platform needs a review"],
        "payments": ["Milepost: Billing needs a review"],
        "org": [
            "Milepost: Search needs a review",
            "Milepost weekly: 0 of 0 teams on time (goal 13)",
        ],
    }


def test_a_teams_channel_hears_even_when_its_lead_opted_out_of_e_mails(team, lead, q4, org_webhook):
    lead.nudges_opt_out = True
    lead.save()
    post(TUESDAY)
    assert len(org_webhook.bodies("org")) == 1


def test_without_a_webhook_nothing_is_posted_or_recorded(team, lead, vp, q4, slack_receiver):
    result = post(MONDAY)
    assert not result.anything
    assert slack_receiver.received == {}
    assert not SlackPost.objects.exists()


def test_running_twice_a_day_posts_each_message_once(team, lead, q4, org_webhook):
    first = post(MONDAY)
    second = post(MONDAY)
    assert len(first.sent) == 2
    assert (second.sent, second.failed, len(second.already)) == ([], [], 2)
    assert len(org_webhook.bodies("org")) == 2
    assert set(SlackPost.objects.values_list("status", flat=True)) == {"sent"}


def test_a_message_goes_out_once_a_day_whatever_channel_it_resolves_to(team, lead, q4, org_webhook):
    post(TUESDAY)
    save_webhook(url=org_webhook.url("platform"), user=None, team=team)

    again = post(TUESDAY)

    assert (again.sent, again.failed) == ([], [])
    (already,) = again.already
    assert (already.post.destination, already.destination) == ("org", f"team-{team.pk}")
    assert already.moved
    assert org_webhook.bodies("platform") == []
    assert len(org_webhook.bodies("org")) == 1
    assert SlackPost.objects.count() == 1


def test_the_next_day_a_new_webhook_gets_the_teams_nudge(team, lead, q4, org_webhook):
    post(MONDAY, force_digest=False)
    save_webhook(url=org_webhook.url("platform"), user=None, team=team)

    post(TUESDAY)

    assert [b["text"] for b in org_webhook.bodies("platform")] == [
        "Milepost: Platform needs a review"
    ]
    org_heard = [b["text"] for b in org_webhook.bodies("org")]
    assert org_heard.count("Milepost: Platform needs a review") == 1  # Monday's


def test_a_nudge_that_failed_goes_to_the_channel_it_resolves_to_now_and_only_there(
    team, lead, q4, org_webhook
):
    org_webhook.fail(times=1, status=500)
    (failed,) = post(TUESDAY).failed
    save_webhook(url=org_webhook.url("platform"), user=None, team=team)

    (sent,) = post(TUESDAY).sent

    assert sent.pk == failed.pk
    sent.refresh_from_db()
    assert (sent.destination, sent.status, sent.attempts) == (f"team-{team.pk}", "sent", 2)
    assert len(org_webhook.bodies("platform")) == 1
    assert org_webhook.bodies("org") == []


def test_a_second_claim_of_a_message_for_a_day_is_refused_whatever_its_channel(team, q4):
    to_org = SlackMessage("org", f"team-{team.pk}", ["review_overdue"], "review", {})
    to_team = SlackMessage(f"team-{team.pk}", f"team-{team.pk}", ["review_overdue"], "review", {})

    first, claimed = claim_post(to_org, TUESDAY)
    second, claimed_again = claim_post(to_team, TUESDAY)

    assert (claimed, claimed_again) == (True, False)
    assert second.pk == first.pk
    assert second.destination == "org"
    with pytest.raises(IntegrityError), transaction.atomic():
        SlackPost.objects.create(
            destination=f"squad-{team.squad_id}",
            about=f"team-{team.pk}",
            day=TUESDAY,
            kinds="",
            summary="",
            payload={},
        )


def test_the_next_day_posts_again(team, lead, q4, org_webhook):
    post(MONDAY, force_digest=False)
    post(TUESDAY)
    assert [b["text"] for b in org_webhook.bodies("org")].count(
        "Milepost: Platform needs a review"
    ) == 2


def test_a_500_is_recorded_failed_and_posted_on_the_next_run_without_a_second_copy(
    team, lead, q4, org_webhook
):
    org_webhook.fail(times=1, status=500, body="internal_error")
    first = post(TUESDAY)
    (failed,) = first.failed
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "HTTP 500: internal_error"
    assert org_webhook.bodies("org") == []

    second = post(TUESDAY)
    assert [p.pk for p in second.sent] == [failed.pk]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == ("sent", 2, "")
    third = post(TUESDAY)
    assert (third.sent, len(third.already)) == ([], 1)
    assert len(org_webhook.bodies("org")) == 1
    assert org_webhook.attempts["org"] == 2


def test_a_429_with_a_short_retry_after_is_waited_for_within_the_run(
    team, lead, q4, org_webhook, settings
):
    settings.MILEPOST_SLACK_MAX_RETRY_AFTER = 5
    org_webhook.rate_limit(times=1, retry_after="2")
    sleeps = Sleeps()
    result = post(TUESDAY, sleeps)
    assert sleeps == [2.0]
    assert len(result.sent) == 1
    assert org_webhook.attempts["org"] == 2
    assert len(org_webhook.bodies("org")) == 1


def test_a_429_asking_for_too_long_a_wait_is_left_for_the_next_run(
    team, lead, q4, org_webhook, settings
):
    settings.MILEPOST_SLACK_MAX_RETRY_AFTER = 5
    org_webhook.rate_limit(times=1, retry_after="120")
    sleeps = Sleeps()
    (failed,) = post(TUESDAY, sleeps).failed
    assert sleeps == []
    assert failed.last_error == "HTTP 429: rate limited (Retry-After: 120 seconds)"
    assert len(post(TUESDAY).sent) == 1
    assert len(org_webhook.bodies("org")) == 1


def test_a_run_gives_up_after_three_429s(team, lead, q4, org_webhook, settings):
    settings.MILEPOST_SLACK_MAX_RETRY_AFTER = 5
    org_webhook.rate_limit(times=3, retry_after="1")
    sleeps = Sleeps()
    (failed,) = post(TUESDAY, sleeps).failed
    assert sleeps == [1.0, 1.0]
    assert org_webhook.attempts["org"] == 3
    assert failed.last_error.startswith("HTTP 429")


def test_a_timeout_is_failed_and_the_error_never_holds_the_url(
    team, lead, q4, org_webhook, settings
):
    settings.MILEPOST_SLACK_TIMEOUT = 0.2
    org_webhook.delay = 1.0
    (failed,) = post(TUESDAY).failed
    assert failed.last_error == "no answer within 0.2 seconds"
    assert "secret" not in failed.last_error


def test_an_unreachable_webhook_is_failed_without_its_url_in_the_error(team, lead, q4, settings):
    settings.MILEPOST_SLACK_ALLOW_LOOPBACK = True
    save_webhook(url="http://127.0.0.1:9/services/T1/B1/unreachable-secret", user=None)
    (failed,) = post(TUESDAY).failed
    assert failed.last_error == "could not reach Slack (ConnectionError)"


def test_a_post_left_pending_by_a_crash_is_never_posted_again(team, lead, q4, org_webhook):
    SlackPost.objects.create(
        destination="org", about=f"team-{team.pk}", day=TUESDAY, kinds="", summary="", payload={}
    )
    result = post(TUESDAY)
    assert result.sent == []
    assert [a.post.status for a in result.already] == ["pending"]
    assert org_webhook.bodies("org") == []


def test_a_failed_digest_is_posted_the_next_day_and_a_failed_nudge_of_yesterday_expires(
    team, lead, q4, org_webhook
):
    org_webhook.fail(times=2)
    assert len(post(MONDAY).failed) == 2
    result = post(TUESDAY)
    assert sorted((p.about, p.day) for p in result.sent) == [
        ("digest", MONDAY),
        (f"team-{team.pk}", TUESDAY),
    ]
    assert [(p.about, p.day) for p in result.expired] == [(f"team-{team.pk}", MONDAY)]
    assert [b["text"] for b in org_webhook.bodies("org")] == [
        "Milepost: Platform needs a review",
        "Milepost weekly: 0 of 0 teams on time (goal 13)",
    ]
    assert SlackPost.objects.get(about="digest").status == "sent"


def test_the_environment_webhook_is_the_organisations_and_wins(
    team, lead, q4, slack_receiver, settings
):
    save_webhook(url=slack_receiver.url("org"), user=None)
    settings.MILEPOST_SLACK_WEBHOOK_URL = slack_receiver.url("env")
    post(TUESDAY)
    assert len(slack_receiver.bodies("env")) == 1
    assert slack_receiver.bodies("org") == []


def test_a_long_list_is_cut_at_whole_lines_with_a_link_to_the_rest(team, lead, q4, org_webhook):
    for n in range(14):
        created(D(2026, 11, 1), team=team, quarter=q4, title=f"{n:02} " + "x" * 190,
                target_date=D(2026, 11, 20))  # fmt: skip
    post(TUESDAY)
    (body,) = org_webhook.bodies("org")
    (stale,) = [
        b for b in body["blocks"] if "past the target date" in b.get("text", {}).get("text", "")
    ]
    text = stale["text"]["text"]
    assert len(text) <= 3000
    assert text.count("<") == text.count(">")  # no link cut in half
    bullets = [line for line in text.splitlines() if line.startswith("• ")]
    shown = len(bullets) - 1
    assert 1 <= shown <= 10
    assert bullets[-1] == f"• <{BASE}/teams/platform/|and {14 - shown} more>"
