"""The Slack page's "Send a test message" (`nudges.views.slack_test`, `nudges.tasks`): the view
records the test and enqueues its post, so no web worker waits on Slack; the task posts it and
records how it went; the row says "Sending…" (polling through htmx) and then the outcome, which a
plain reload shows too. Leadership's alone.

The test settings run tasks at once (ImmediateBackend); `no_worker` swaps in django-tasks'
DummyBackend, which only queues them, as a site whose `db_worker` has not got to them yet."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import task_backends

from nudges.models import SlackTestMessage
from nudges.tasks import post_slack_test_message
from nudges.webhooks import save_webhook

PAGE = reverse("nudges:slack")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def no_worker(settings):
    """Tasks wait in the queue; the backend, to see what was enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return task_backends["default"]


@pytest.fixture
def page(client, vp):
    client.force_login(vp)
    return client


@pytest.fixture
def org_webhook(db, slack_receiver):
    save_webhook(url=slack_receiver.url("org"), user=None)
    return slack_receiver


def send_test(client, destination: str = "org", **kwargs):
    return client.post(reverse("nudges:slack_test", args=[destination]), **kwargs)


def status_url(test: SlackTestMessage) -> str:
    return reverse("nudges:slack_test_status", args=[test.destination, test.pk])


# --- The view ----------------------------------------------------------------------------------


def test_the_view_records_the_test_enqueues_it_and_returns_without_posting(
    page, vp, org_webhook, no_worker
):
    response = send_test(page)

    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#slack-org"
    test = SlackTestMessage.objects.get()
    assert (test.destination, test.status, test.requested_by) == ("org", "queued", vp)
    assert test.what.startswith("the weekly digest")
    assert [(r.task.name, r.args) for r in no_worker.results] == [
        ("post_slack_test_message", [test.pk])
    ]
    assert org_webhook.attempts == {}


def test_while_the_test_waits_the_row_says_sending_and_polls_it(page, org_webhook, no_worker):
    send_test(page)
    test = SlackTestMessage.objects.get()

    html = page.get(PAGE).content.decode()

    assert 'id="slack-test-org" class="slack-test" role="status">' in html
    assert f'<p hx-get="{status_url(test)}" hx-trigger="every 1s"' in html
    assert "Sending…<noscript> Reload the page to see how it went.</noscript>" in html


def test_through_htmx_the_view_answers_with_the_rows_sending_status(page, org_webhook, no_worker):
    response = send_test(page, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<p hx-get=")
    assert 'hx-target="#slack-test-org" hx-swap="innerHTML">Sending…' in html
    assert "<tr" not in html  # the fragment, not the page
    assert org_webhook.attempts == {}


def test_pressing_again_while_a_test_is_on_its_way_sends_one(page, org_webhook, no_worker):
    send_test(page)
    send_test(page)

    assert SlackTestMessage.objects.count() == 1
    assert len(no_worker.results) == 1


def test_a_test_no_worker_took_says_to_check_the_worker_and_stops_polling(
    page, org_webhook, no_worker
):
    send_test(page)
    SlackTestMessage.objects.update(requested_at=timezone.now() - datetime.timedelta(minutes=11))

    html = page.get(PAGE).content.decode()

    assert "is the background worker (<code>manage.py db_worker</code>) running?" in html
    assert 'hx-trigger="every 1s"' not in html
    send_test(page)  # and the button asks again
    assert SlackTestMessage.objects.count() == 2


# --- The task ----------------------------------------------------------------------------------


def test_the_task_posts_the_test_and_records_it_sent(page, team, slack_receiver, no_worker):
    save_webhook(url=slack_receiver.url("platform"), user=None, team=team)
    send_test(page, f"team-{team.pk}")
    test = SlackTestMessage.objects.get()

    assert post_slack_test_message.call(test.pk) == "sent"

    test.refresh_from_db()
    assert (test.status, test.error) == ("sent", "")
    assert test.finished_at is not None
    (body,) = slack_receiver.bodies("platform")
    assert body["text"] == "Milepost test message: this channel will get Platform's nudges."
    assert body["blocks"][0]["text"]["text"].startswith("*Milepost is connected.*")
    assert "/organisation/slack/|the Slack page>" in body["blocks"][1]["elements"][0]["text"]


def test_the_task_records_slacks_refusal_without_the_webhooks_url(page, org_webhook, no_worker):
    org_webhook.fail(times=1, status=404, body="no_service")
    send_test(page)
    test = SlackTestMessage.objects.get()

    assert post_slack_test_message.call(test.pk) == "failed"

    test.refresh_from_db()
    assert (test.status, test.error) == ("failed", "HTTP 404: no_service")
    assert org_webhook.bodies("org") == []


def test_the_task_records_a_timeout(page, org_webhook, no_worker, settings):
    settings.MILEPOST_SLACK_TIMEOUT = 0.2
    org_webhook.delay = 1.0
    send_test(page)

    post_slack_test_message.call(SlackTestMessage.objects.get().pk)

    assert SlackTestMessage.objects.get().error == "no answer within 0.2 seconds"


def test_the_task_records_a_webhook_removed_meanwhile(page, org_webhook, no_worker):
    send_test(page)
    page.post(reverse("nudges:slack_remove", args=["org"]))

    post_slack_test_message.call(SlackTestMessage.objects.get().pk)

    test = SlackTestMessage.objects.get()
    assert (test.status, test.error) == ("failed", "There is no webhook to test.")


def test_a_task_delivered_twice_posts_once(page, org_webhook, no_worker):
    send_test(page)
    test = SlackTestMessage.objects.get()

    post_slack_test_message.call(test.pk)
    assert post_slack_test_message.call(test.pk) == ""

    assert len(org_webhook.bodies("org")) == 1


# --- The outcome on the page -------------------------------------------------------------------


def test_the_poll_answers_sending_then_the_outcome_and_stops(page, org_webhook, no_worker):
    send_test(page)
    test = SlackTestMessage.objects.get()

    waiting = page.get(status_url(test), headers=HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in waiting
    assert "Sending…" in waiting

    post_slack_test_message.call(test.pk)
    done = page.get(status_url(test), headers=HTMX).content.decode()
    assert '<p class="verdict-ok">Sent: look in the channel.' in done
    assert "hx-get" not in done


def test_reloading_the_page_shows_a_failure_beside_its_row_without_the_url(
    page, org_webhook, no_worker
):
    org_webhook.fail(times=1, status=404, body="no_service")
    send_test(page)
    post_slack_test_message.call(SlackTestMessage.objects.get().pk)

    html = page.get(PAGE).content.decode()

    assert '<div id="slack-test-org" class="slack-test" role="status">' in html
    assert '<p class="row-error">HTTP 404: no_service <span class="muted">' in html
    assert "org-secret" not in html
    assert "Sending…" not in html


def test_with_an_immediate_backend_the_redirect_shows_the_outcome(page, team, slack_receiver):
    save_webhook(url=slack_receiver.url("platform"), user=None, team=team)

    response = send_test(page, f"team-{team.pk}", follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [(f"{PAGE}#slack-team-{team.pk}", 302)]
    assert '<p class="verdict-ok">Sent: look in the channel.' in html
    assert len(slack_receiver.bodies("platform")) == 1


def test_a_plain_request_for_the_status_goes_back_to_the_page(page, org_webhook, no_worker):
    send_test(page)
    test = SlackTestMessage.objects.get()

    response = page.get(status_url(test))

    assert (response.status_code, response["Location"]) == (302, f"{PAGE}#slack-org")


def test_the_status_of_a_test_under_another_destination_is_not_found(page, no_worker):
    test = SlackTestMessage.objects.create(destination="org", what="the digest")

    response = page.get(reverse("nudges:slack_test_status", args=["squad-1", test.pk]))

    assert response.status_code == 404


# --- Who may -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["lead", "engineer", "outsider_lead"])
def test_only_leadership_sends_a_test_or_reads_how_it_went(
    client, request, persona, org_webhook, no_worker
):
    test = SlackTestMessage.objects.create(destination="org", what="the digest")
    client.force_login(request.getfixturevalue(persona))

    assert send_test(client).status_code == 403
    assert client.get(status_url(test), headers=HTMX).status_code == 403
    assert SlackTestMessage.objects.count() == 1
    assert no_worker.results == []
    assert org_webhook.attempts == {}
