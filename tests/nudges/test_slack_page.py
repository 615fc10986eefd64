"""Leadership's Slack page (`nudges.views`): set, replace and remove each webhook; the URL is
never shown back whole; the last post and its error are shown; a constant number of queries.
"Send a test message" has tests of its own (test_slack_test_message.py)."""

import datetime

import pytest
from django.urls import reverse

from nudges.models import SlackPost, SlackTestMessage, SlackWebhook
from nudges.webhooks import save_webhook
from tests.factories import SquadFactory, TeamFactory, trio

URL = "https://hooks.slack.com/services/T0123ABCD/B0456EFGH/abcdefghijklmnopqrstwxyz"
SECRET_PART = "abcdefghijklmnopqrst"


@pytest.fixture
def page(client, vp):
    client.force_login(vp)
    return client


def slack_page(client) -> str:
    response = client.get(reverse("nudges:slack"))
    assert response.status_code == 200
    return response.content.decode()


def test_leadership_sets_a_teams_webhook_and_sees_it_only_masked(page, team):
    response = page.post(
        reverse("nudges:slack_save", args=[f"team-{team.pk}"]), {"url": URL}, follow=True
    )
    html = response.content.decode()
    assert "Saved the Slack webhook of Platform." in html
    assert "https://hooks.slack.com/services/T…/…wxyz" in html
    assert SECRET_PART not in html
    assert "T0123ABCD" not in html
    assert SlackWebhook.objects.get().team == team


def test_a_team_without_a_webhook_says_where_its_posts_go(page, team):
    save_webhook(url=URL, user=None, squad=team.squad)
    html = slack_page(page)
    assert f"None: posts go to the {team.squad.name} squad&#x27;s webhook." in html


def test_a_url_that_is_not_a_slack_webhook_is_refused_beside_its_row(page, team):
    response = page.post(
        reverse("nudges:slack_save", args=["org"]), {"url": "https://example.com/hook/a/b"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="error-org" role="alert">A Slack webhook is on hooks.slack.com' in html
    assert not SlackWebhook.objects.exists()


def test_replacing_keeps_one_webhook_and_removing_forgets_it(page, team):
    save_webhook(url=URL, user=None)
    page.post(reverse("nudges:slack_save", args=["org"]), {"url": URL.replace("wxyz", "0000")})
    assert SlackWebhook.objects.get().hint.endswith("…0000")
    response = page.post(reverse("nudges:slack_remove", args=["org"]), follow=True)
    assert "Removed the Slack webhook of the organisation." in response.content.decode()
    assert not SlackWebhook.objects.exists()


def test_the_last_post_and_its_error_are_shown(page, team, settings):
    save_webhook(url=URL, user=None)
    SlackPost.objects.create(
        destination="org",
        about=f"team-{team.pk}",
        day=datetime.date.today(),
        kinds="review_overdue",
        summary="review of Platform overdue",
        payload={},
        status=SlackPost.Status.FAILED,
        last_error="HTTP 500: internal_error",
    )
    html = slack_page(page)
    assert "review of Platform overdue" in html
    assert "HTTP 500: internal_error" in html
    assert "The next run tries again." in html


def test_the_environment_webhook_is_shown_masked_and_is_not_replaced_in_the_app(page, settings):
    settings.MILEPOST_SLACK_WEBHOOK_URL = URL
    html = slack_page(page)
    assert "https://hooks.slack.com/services/T…/…wxyz" in html
    assert "from MILEPOST_SLACK_WEBHOOK_URL" in html
    assert SECRET_PART not in html
    response = page.post(reverse("nudges:slack_save", args=["org"]), {"url": URL})
    assert response.status_code == 422
    assert "set in the environment" in response.content.decode()
    assert not SlackWebhook.objects.exists()


def test_a_webhook_the_key_cannot_read_says_to_set_it_again(page, settings):
    save_webhook(url=URL, user=None)
    settings.MILEPOST_SECRETS_KEY = "a new key"
    assert "cannot be read: set it again" in slack_page(page)


@pytest.mark.parametrize("destination", ["team-999999", "squad-999999", "bogus", "team-x"])
def test_an_unknown_destination_is_not_found(page, destination):
    response = page.post(reverse("nudges:slack_save", args=[destination]), {"url": URL})
    assert response.status_code == 404


@pytest.mark.parametrize("size", [1, 6])
def test_the_page_reads_a_constant_number_of_queries(
    page, size, django_assert_max_num_queries, settings
):
    for n in range(size):
        squad = SquadFactory(name=f"Squad {n}")
        team, *_ = trio(team=TeamFactory(name=f"Team {n}", slug=f"team-{n}", squad=squad))
        save_webhook(url=URL, user=None, team=team)
        save_webhook(url=URL, user=None, squad=squad)
        SlackPost.objects.create(
            destination=f"team-{team.pk}",
            about=f"team-{team.pk}",
            day=datetime.date.today(),
            kinds="",
            summary="",
            payload={},
        )
        SlackTestMessage.objects.create(destination=f"team-{team.pk}", what="")
        SlackTestMessage.objects.create(
            destination=f"squad-{squad.pk}", what="", status="failed", error="HTTP 404"
        )
    save_webhook(url=URL, user=None)
    # session, user, webhooks, posts, test messages, squads, teams
    with django_assert_max_num_queries(7):
        slack_page(page)
