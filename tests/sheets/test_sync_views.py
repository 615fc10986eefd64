"""The Sync page, "Sync now" and resolving conflicts in the browser's requests."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from milestones.history import Source
from milestones.models import Milestone
from sheets import views as sync_views
from sheets.models import SyncConflict, SyncRun
from tests.factories import MilestoneFactory, UserFactory

pytestmark = pytest.mark.django_db

SYNC = reverse("sheets:sync")
SYNC_NOW = reverse("sheets:sync_now")


@pytest.fixture
def milestone(team, engineer, quarter):
    return MilestoneFactory(
        team=team, quarter=quarter, owner=engineer, title="Ship webhooks", status="at_risk"
    )


def make_conflict(milestone, **overrides):
    values = {
        "milestone": milestone,
        "field": "status",
        "sheet_value": "off_track",
        "sheet_text": "Blocked",
        "app_value": "at_risk",
        "base_value": "on_track",
        "tab": milestone.team.tab_title,
        "row": 2,
        "column": "D",
        "detected_at": timezone.now(),
    }
    return SyncConflict.objects.create(**(values | overrides))


@pytest.fixture
def conflict(milestone):
    return make_conflict(milestone)


def resolve_url(conflict):
    return reverse("sheets:resolve_conflict", args=[conflict.pk])


# --- The page --------------------------------------------------------------------------------


def test_everyone_signed_in_reads_the_sync_page_with_both_values_side_by_side(
    client, engineer, conflict
):
    client.force_login(engineer)

    response = client.get(SYNC)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<td class="value-sheet">Blocked</td>' in html
    assert '<td class="value-app">At risk</td>' in html
    assert "Sync now" not in html  # leadership's button
    assert "Take the sheet" not in html  # the lead's and leadership's


def test_leadership_sees_sync_now_and_the_resolve_buttons(client, vp, conflict):
    client.force_login(vp)

    html = client.get(SYNC).content.decode()

    assert "Sync now" in html
    assert "Take the sheet's" in html


def test_the_teams_lead_may_resolve_but_another_teams_lead_may_not(
    client, lead, outsider_lead, conflict
):
    client.force_login(lead)
    assert "Take the sheet's" in client.get(SYNC).content.decode()
    client.force_login(outsider_lead)
    assert "Take the sheet's" not in client.get(SYNC).content.decode()


def test_the_sync_page_costs_the_same_queries_for_one_or_many_runs_and_conflicts(
    client, vp, team, quarter, django_assert_num_queries
):
    client.force_login(vp)

    def grow(count):
        for _ in range(count):
            make_conflict(MilestoneFactory(team=team, quarter=quarter))
            SyncRun.objects.create(trigger=SyncRun.Trigger.COMMAND, status=SyncRun.Status.OK)

    grow(1)
    client.get(SYNC)  # warm the session and the user's membership
    # 7: the six of before and the last finished run's teams (tabs to map, `tabs_to_map`).
    with django_assert_num_queries(7) as small:
        client.get(SYNC)
    grow(12)
    with django_assert_num_queries(len(small)):
        response = client.get(SYNC)
    assert response.content.decode().count('class="conflict-row"') == 13


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(SYNC)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_runs_log_lists_every_cell_it_could_not_read(client, engineer):
    run = SyncRun.objects.create(
        trigger=SyncRun.Trigger.COMMAND,
        status=SyncRun.Status.PARTIAL,
        errors=1,
        messages=[
            {
                "level": "error",
                "text": "'end of Q4' is not a date (write it like 3/14/2026)",
                "team": "Billing",
                "tab": "Billing",
                "row": 4,
                "column": "C",
                "value": "end of Q4",
            }
        ],
    )
    client.force_login(engineer)

    html = client.get(reverse("sheets:run", args=[run.pk])).content.decode()

    assert "<code>end of Q4</code>" in html
    assert "is not a date (write it like 3/14/2026)" in html


# --- Sync now --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["lead", "engineer", "other_engineer", "outsider_lead"])
def test_only_leadership_may_press_sync_now(client, request, persona, sheets_settings):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(SYNC_NOW)

    assert response.status_code == 403
    assert not SyncRun.objects.exists()


def test_anonymous_sync_now_is_sent_to_sign_in(client):
    response = client.post(SYNC_NOW)

    assert response.status_code == 302
    assert not SyncRun.objects.exists()


def test_sync_now_runs_the_engine_as_a_task_and_records_who_asked(
    client, vp, sheets_settings, roster, q4
):
    client.force_login(vp)

    response = client.post(SYNC_NOW)

    assert response.status_code == 302
    run = SyncRun.objects.get()
    assert (run.trigger, run.requested_by, run.status) == (
        SyncRun.Trigger.WEB,
        vp,
        SyncRun.Status.PARTIAL,
    )
    assert run.created_in_app == Milestone.objects.count() == 86
    page = client.get(SYNC).content.decode()
    assert "86 created" in page


def test_sync_now_through_htmx_reloads_the_page_once_the_run_has_finished(
    client, vp, sheets_settings, q4
):
    client.force_login(vp)

    response = client.post(SYNC_NOW, headers={"HX-Request": "true"})

    assert response["HX-Refresh"] == "true"
    assert SyncRun.objects.get().is_finished


def test_sync_now_through_htmx_answers_with_the_progress_of_a_queued_run(
    client, vp, sheets_settings, q4, monkeypatch
):
    # No worker yet: the task waits in the queue.
    monkeypatch.setattr(sync_views, "run_queued_sync", SimpleNamespace(enqueue=lambda run_id: None))
    client.force_login(vp)

    response = client.post(SYNC_NOW, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="run-status"')
    assert "Waiting for a worker" in html
    assert 'hx-trigger="every 1s"' in html


def test_sync_now_while_a_run_is_in_progress_starts_no_second_run(client, vp, sheets_settings):
    running = SyncRun.objects.create(trigger=SyncRun.Trigger.COMMAND, status="running")
    client.force_login(vp)

    response = client.post(SYNC_NOW, headers={"HX-Request": "true"})

    assert SyncRun.objects.get() == running
    assert 'hx-trigger="every 1s"' in response.content.decode()


def test_sync_now_through_htmx_while_a_run_is_in_progress_leaves_no_message_for_the_next_page(
    client, vp, sheets_settings
):
    SyncRun.objects.create(trigger=SyncRun.Trigger.COMMAND, status="running")
    client.force_login(vp)
    client.post(SYNC_NOW, headers={"HX-Request": "true"})

    # The page the poll reloads once the run has finished: the run is no longer running.
    assert "already running" not in client.get(SYNC).content.decode()


def test_sync_now_without_javascript_while_a_run_is_in_progress_says_so(
    client, vp, sheets_settings
):
    SyncRun.objects.create(trigger=SyncRun.Trigger.COMMAND, status="running")
    client.force_login(vp)

    response = client.post(SYNC_NOW, follow=True)

    assert "A sync is already running: its progress is below." in response.content.decode()


def test_a_run_queued_long_ago_with_no_worker_is_given_up(client, vp, sheets_settings, q4):
    stuck = SyncRun.objects.create(trigger=SyncRun.Trigger.WEB, status="queued")
    SyncRun.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    client.force_login(vp)

    client.post(SYNC_NOW)

    stuck.refresh_from_db()
    assert stuck.status == SyncRun.Status.FAILED
    assert "db_worker" in stuck.error
    assert SyncRun.objects.count() == 2


def test_the_status_of_a_running_run_keeps_polling_and_a_finished_one_reloads_the_page(
    client, engineer
):
    run = SyncRun.objects.create(
        trigger=SyncRun.Trigger.WEB,
        status="running",
        progress_label="Merging Platform",
        progress_done=3,
        progress_total=22,
    )
    client.force_login(engineer)
    url = reverse("sheets:run_status", args=[run.pk]) + "?polling=1"

    running = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in running.content.decode()
    assert "Merging Platform (3 of 22)" in running.content.decode()

    SyncRun.objects.filter(pk=run.pk).update(status="ok", finished_at=timezone.now())
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"


# --- Resolving conflicts ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["vp", "lead"])
def test_leadership_and_the_teams_lead_take_the_sheets_value(
    client, request, persona, conflict, milestone
):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.post(resolve_url(conflict), {"take": "sheet"})

    assert response.status_code == 302
    milestone.refresh_from_db()
    conflict.refresh_from_db()
    assert milestone.status == Milestone.Status.OFF_TRACK
    assert (conflict.status, conflict.resolved_by) == (SyncConflict.Status.TOOK_SHEET, user)
    # In the history as coming from the sheet, taken by the user.
    latest = milestone.history.order_by("-history_id").first()
    assert (latest.source, latest.history_user) == (Source.SYNC, user)


def test_keeping_the_apps_value_changes_no_milestone(client, lead, conflict, milestone):
    client.force_login(lead)

    client.post(resolve_url(conflict), {"take": "app"})

    conflict.refresh_from_db()
    milestone.refresh_from_db()
    assert conflict.status == SyncConflict.Status.KEPT_APP
    assert (milestone.status, milestone.version) == (Milestone.Status.AT_RISK, 1)


@pytest.mark.parametrize("persona", ["engineer", "other_engineer", "outsider_lead", "loner"])
def test_engineers_and_other_teams_leads_may_not_resolve(client, request, persona, conflict):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(resolve_url(conflict), {"take": "sheet"})

    assert response.status_code == 403
    conflict.refresh_from_db()
    assert conflict.is_open


def test_anonymous_resolving_is_sent_to_sign_in(client, conflict):
    response = client.post(resolve_url(conflict), {"take": "sheet"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_resolving_asks_to_take_or_keep(client, vp, conflict):
    client.force_login(vp)

    assert client.post(resolve_url(conflict), {"take": "both"}).status_code == 400


def test_resolving_through_htmx_answers_with_the_resolved_row(client, vp, conflict):
    client.force_login(vp)

    response = client.post(resolve_url(conflict), {"take": "app"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="conflict-{conflict.pk}"')
    assert "kept the app&#x27;s value" in html
    assert "Take the sheet" not in html


def test_resolving_through_htmx_says_the_outcome_in_the_row_and_not_on_the_next_page(
    client, vp, conflict
):
    client.force_login(vp)

    response = client.post(resolve_url(conflict), {"take": "app"}, headers={"HX-Request": "true"})

    said = "Ship webhooks: Status kept the app&#x27;s value. The next sync writes it to the sheet."
    assert f'<p class="flash" role="status">{said}</p>' in response.content.decode()
    assert "The next sync writes it to the sheet." not in _messages_on(client.get(SYNC))


def test_resolving_without_javascript_says_the_outcome_on_the_sync_page(client, vp, conflict):
    client.force_login(vp)

    response = client.post(resolve_url(conflict), {"take": "app"}, follow=True)

    assert "Ship webhooks: Status kept the app&#x27;s value." in _messages_on(response)


def _messages_on(response) -> str:
    """The messages list of a whole page (base.html), empty when there is none."""
    html = response.content.decode()
    start = html.find('<ul class="messages">')
    return "" if start == -1 else html[start : html.index("</ul>", start)]


def test_resolving_through_htmx_also_counts_the_open_conflicts_again(client, vp, milestone):
    first, _second = make_conflict(milestone), make_conflict(milestone, field="notes")
    client.force_login(vp)
    assert (
        '<span id="open-conflicts-count" class="count">2</span>'
        in client.get(SYNC).content.decode()
    )

    response = client.post(resolve_url(first), {"take": "app"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert (
        '<template><span id="open-conflicts-count" class="count" hx-swap-oob="true">1</span>'
        "</template>"
    ) in html


def test_the_sync_page_lists_the_cells_the_last_run_could_not_read(client, engineer):
    bad = {
        "level": "error",
        "text": "'end of Q4' is not a date (write it like 3/14/2026)",
        "team": "Billing",
        "tab": "Billing",
        "row": 4,
        "column": "C",
        "value": "end of Q4",
    }
    tab_note = {"level": "warning", "text": "Tab 'Old' matches no team", "tab": "Old"}
    SyncRun.objects.create(
        trigger=SyncRun.Trigger.COMMAND,
        status=SyncRun.Status.PARTIAL,
        errors=2,
        messages=[{**bad, "row": 9, "value": "soon"}],
        finished_at=timezone.now() - datetime.timedelta(days=1),
    )
    last = SyncRun.objects.create(
        trigger=SyncRun.Trigger.COMMAND,
        status=SyncRun.Status.PARTIAL,
        errors=1,
        messages=[bad, tab_note],
        finished_at=timezone.now(),
    )
    client.force_login(engineer)

    response = client.get(SYNC)

    cells = response.context["bad_cells"]
    assert [(c.team, c.where, c.value) for c in cells] == [("Billing", "Billing!C4", "end of Q4")]
    html = response.content.decode()
    assert "Cells the last sync could not read" in html
    assert "<td>Billing!C4</td><td><code>end of Q4</code></td>" in html
    assert f"The whole log of run {last.pk}" in html


def test_a_date_conflict_shows_both_sides_dates_the_same_way(client, vp, milestone):
    milestone.target_date = datetime.date(2026, 12, 10)
    milestone.save()
    make_conflict(
        milestone,
        field="target_date",
        sheet_value="2026-12-18",
        sheet_text="12/18/2026",
        app_value="2026-12-10",
        base_value="2026-12-01",
    )
    client.force_login(vp)

    html = client.get(SYNC).content.decode()

    assert '<td class="value-sheet">Dec 18, 2026</td>' in html
    assert '<td class="value-app">Dec 10, 2026</td>' in html


def test_a_link_conflict_shows_the_address_a_cells_label_stands_for(client, vp, milestone):
    milestone.link = "https://tracker.example.org/issues/PLAT-43"
    milestone.save()
    typed = MilestoneFactory(team=milestone.team, quarter=milestone.quarter, title="Cut latency")
    make_conflict(
        milestone,
        field="link",
        sheet_value="https://tracker.example.org/issues/PLAT-42",
        sheet_text="PLAT-42",  # =HYPERLINK(".../PLAT-42","PLAT-42"), or a key typed
        app_value="https://tracker.example.org/issues/PLAT-43",
        base_value="",
        column="E",
    )
    make_conflict(
        typed,
        field="link",
        sheet_value="https://tracker.example.org/issues/PLAT-44",
        sheet_text="https://tracker.example.org/issues/PLAT-44",
        app_value="https://tracker.example.org/issues/PLAT-43",
        base_value="",
        column="E",
    )
    client.force_login(vp)

    html = client.get(SYNC).content.decode()

    assert (
        '<td class="value-sheet">PLAT-42 (https://tracker.example.org/issues/PLAT-42)</td>' in html
    )
    assert '<td class="value-sheet">https://tracker.example.org/issues/PLAT-44</td>' in html


def test_resolving_a_conflict_twice_says_it_is_already_resolved(client, vp, conflict):
    client.force_login(vp)
    client.post(resolve_url(conflict), {"take": "app"})

    response = client.post(resolve_url(conflict), {"take": "sheet"}, headers={"HX-Request": "true"})

    assert response.status_code == 409
    conflict.refresh_from_db()
    assert conflict.status == SyncConflict.Status.KEPT_APP
    assert "Nothing to do: this conflict is kept the app" in response.content.decode()
    # Said in the row htmx swapped in; the next page the browser loads does not say it again.
    assert "Nothing to do" not in _messages_on(client.get(SYNC))


def test_a_sheet_value_that_no_longer_fits_leaves_the_conflict_open(client, vp, milestone):
    gone = UserFactory(display_name="Gone Person")
    conflict = make_conflict(
        milestone,
        field="owner",
        sheet_value=gone.pk,
        sheet_text="Gone",
        app_value=None,
        base_value=None,
    )
    client.force_login(vp)

    response = client.post(resolve_url(conflict), {"take": "sheet"})

    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.is_open
    page = client.get(response["Location"]).content.decode()
    assert "The sheet&#x27;s value cannot be taken" in page


def test_a_sheet_value_that_no_longer_fits_is_said_in_the_row_through_htmx(client, vp, milestone):
    gone = UserFactory(display_name="Gone Person")
    conflict = make_conflict(
        milestone,
        field="owner",
        sheet_value=gone.pk,
        sheet_text="Gone",
        app_value=None,
        base_value=None,
    )
    client.force_login(vp)

    response = client.post(resolve_url(conflict), {"take": "sheet"}, headers={"HX-Request": "true"})

    assert response.status_code == 422
    html = response.content.decode()
    assert '<p class="row-error" role="alert">The sheet&#x27;s value cannot be taken' in html
    assert "Take the sheet" in html  # still open, its buttons still there
    assert "cannot be taken" not in _messages_on(client.get(SYNC))


def test_taking_a_done_status_from_the_sheet_records_the_delivery(client, vp, milestone):
    conflict = make_conflict(milestone, sheet_value="done", sheet_text="Shipped")
    client.force_login(vp)

    client.post(resolve_url(conflict), {"take": "sheet"})

    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.DONE
    assert milestone.delivered_date == timezone.localdate()


def test_the_conflict_page_shows_the_values_and_the_last_synced_one(client, lead, conflict):
    client.force_login(lead)

    html = client.get(reverse("sheets:conflict", args=[conflict.pk])).content.decode()

    assert '<p class="value">Blocked</p>' in html
    assert '<p class="value">At risk</p>' in html
    assert "<strong>On track</strong>" in html
    assert "Take the sheet's value" in html
