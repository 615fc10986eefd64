"""Quarter settings: leadership sets the goal, grace, lock and excuses; every change is kept."""

import datetime
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from milestones import permissions
from milestones.history import Source
from milestones.lifecycle import QuarterState, quarter_state
from milestones.models import Quarter, Restatement
from tests.factories import QuarterFactory

URL = reverse("dashboard:quarter_settings", args=["2026-q4"])
DASHBOARD = reverse("dashboard:index") + "?quarter=2026-q4"
VALID = {"goal": "6", "grace_days": "5", "locked": "on"}


@pytest.fixture
def as_vp(client, vp):
    client.force_login(vp)
    return client


def test_leadership_sees_the_form_with_the_quarters_values(as_vp, org):
    response = as_vp.get(URL)
    assert response.status_code == 200
    assertContains(response, 'name="goal" value="5"')
    assertContains(response, 'name="grace_days" value="7"')
    assertContains(response, "8 teams are active")


def test_leadership_saves_the_settings_and_returns_to_the_dashboard(as_vp, org):
    response = as_vp.post(URL, VALID)
    assertRedirects(response, DASHBOARD, fetch_redirect_response=False)
    quarter = Quarter.objects.get(pk=org.quarter.pk)
    assert (quarter.goal, quarter.grace_days, quarter.locked, quarter.excuse_dropped) == (
        6,
        5,
        True,
        False,
    )


def test_the_dashboard_confirms_the_save(as_vp, org, frozen_today):
    response = as_vp.post(URL, VALID, follow=True)
    assertContains(response, "Saved the settings of 2026 Q4.")


def test_each_change_is_kept_with_who_made_it_and_from_where(as_vp, vp, org):
    as_vp.post(URL, VALID)
    record = org.quarter.history.latest()
    assert record.history_user == vp
    assert record.source == Source.WEB
    assert (record.prev_record.goal, record.goal) == (5, 6)


def test_the_page_shows_the_history_of_changes(as_vp, org):
    as_vp.post(URL, VALID)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", as_vp.get(URL).content.decode()))
    assert "Val Pereira (web) : on-time goal 5 → 6 ; grace days 7 → 5 ; locked no → yes" in page
    assert "command: created with start 2026-10-01 ; end 2026-12-31 ; on-time goal 5" in page


def test_saving_without_a_change_records_nothing(as_vp, org):
    before = org.quarter.history.count()
    response = as_vp.post(URL, {"goal": "5", "grace_days": "7"}, follow=True)
    assert org.quarter.history.count() == before
    assertContains(response, "Nothing changed in the settings of 2026 Q4.")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"goal": "-1", "grace_days": "7"}, "goal", "greater than or equal to 0"),
        ({"goal": "many", "grace_days": "7"}, "goal", "Enter a whole number."),
        ({"goal": "5", "grace_days": "120"}, "grace_days", "less than or equal to 92"),
        ({"goal": "5"}, "grace_days", "This field is required."),
    ],
)
def test_errors_are_shown_next_to_their_field_and_nothing_is_saved(
    as_vp, org, data, field, message
):
    response = as_vp.post(URL, data)
    assert response.status_code == 422
    html = response.content.decode()
    # The error list sits in the same field block as the input it is about.
    not_another_field = r'(?:(?!<div class="field).)*'
    block = re.search(
        rf'<div class="field has-errors">{not_another_field}name="{field}"{not_another_field}',
        html,
        re.DOTALL,
    )
    assert block is not None
    assert message in block.group(0)
    assert 'aria-invalid="true"' in block.group(0)
    assert Quarter.objects.get(pk=org.quarter.pk).goal == 5


@pytest.mark.parametrize("persona", ["lead", "engineer", "loner"])
def test_only_leadership_may_open_or_change_the_settings(client, org, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, VALID).status_code == 403
    assert Quarter.objects.get(pk=org.quarter.pk).goal == 5


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    response = client.post(URL, VALID)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("slug", ["2031-q2", "2026-q5", "platform"])
def test_an_unknown_quarter_is_not_found(as_vp, org, slug):
    url = reverse("dashboard:quarter_settings", args=[slug])
    assert as_vp.get(url).status_code == 404


def test_the_settings_take_no_other_methods(as_vp, org):
    assert as_vp.put(URL).status_code == 405
    assert as_vp.delete(URL).status_code == 405


def test_locking_freezes_the_committed_dates_for_the_teams_lead(as_vp, org):
    milestone = org.milestones["Atlas search"]
    lead = org.teams["Atlas"].tech_lead
    assert permissions.can_edit_milestone(lead, milestone, {"committed_date"})
    as_vp.post(URL, VALID)
    milestone.quarter.refresh_from_db()
    assert not permissions.can_edit_milestone(lead, milestone, {"committed_date"})


def test_excusing_drops_changes_the_headline(as_vp, org, frozen_today):
    as_vp.post(URL, {"goal": "5", "grace_days": "7", "excuse_dropped": "on"})
    figure = as_vp.get(DASHBOARD).context["report"].headline.figure
    # Comet had only dropped milestones: excused, it has nothing due and is on time.
    assert (figure.on_time, figure.teams, figure.goal_met) == (5, 7, True)


def test_a_longer_grace_turns_late_deliveries_into_on_time_ones(as_vp, org, frozen_today):
    as_vp.post(URL, {"goal": "5", "grace_days": "15"})
    figure = as_vp.get(DASHBOARD).context["report"].headline.figure
    # Beacon's billing came 15 days after its committed date.
    assert (figure.on_time, figure.teams) == (5, 7)


# Session, user, the quarter, the count of active teams, and the history.
SETTINGS_QUERIES = 5


@pytest.mark.parametrize("changes", [3, 30])
def test_the_settings_page_costs_a_fixed_number_of_queries(
    as_vp, org, changes, django_assert_num_queries
):
    for goal in range(6, 6 + changes):
        as_vp.post(URL, {"goal": goal, "grace_days": "7"})
    with django_assert_num_queries(SETTINGS_QUERIES):
        as_vp.get(URL)


def test_leadership_sets_the_day_planning_opens(client, vp, db):
    q1 = QuarterFactory(year=2027, number=1)
    client.force_login(vp)
    response = client.post(
        reverse("dashboard:quarter_settings", args=[q1.slug]),
        {"goal": "6", "grace_days": "7", "planning_opens": "2026-11-20"},
    )
    assert response.status_code == 302
    q1.refresh_from_db()
    assert q1.planning_opens == datetime.date(2026, 11, 20)
    assert quarter_state(q1, datetime.date(2026, 11, 25)) is QuarterState.PLANNING


# --- After close: restatements (issue 15) -------------------------------------------------------


def close(quarter):
    quarter.closed_at = datetime.datetime(2027, 1, 9, tzinfo=datetime.UTC)
    quarter.save(update_fields=["closed_at"])


def test_a_closed_quarters_settings_change_only_with_a_reason(as_vp, org):
    close(org.quarter)
    assertContains(as_vp.get(URL), 'name="reason"')

    refused = as_vp.post(URL, VALID)

    assert refused.status_code == 422
    assertContains(refused, "This field is required.", status_code=422)
    assert Quarter.objects.get(pk=org.quarter.pk).goal == 5
    assert not Restatement.objects.exists()


def test_a_closed_quarters_settings_change_is_a_restatement_with_its_reason(as_vp, vp, org):
    close(org.quarter)

    response = as_vp.post(URL, {**VALID, "reason": "The board moved the goal"}, follow=True)

    assertContains(response, "Restated the settings of 2026 Q4.")
    restatement = Restatement.objects.get()
    assert (restatement.quarter, restatement.reason, restatement.given_by) == (
        org.quarter,
        "The board moved the goal",
        vp,
    )
    assert restatement.quarter_record == org.quarter.history.latest()
    assert Quarter.objects.get(pk=org.quarter.pk).goal == 6


def test_the_admin_shows_a_closed_quarters_settings_read_only(client, vp, org):
    vp.is_staff = vp.is_superuser = True
    vp.save()
    client.force_login(vp)
    close(org.quarter)
    url = reverse("admin:milestones_quarter_change", args=[org.quarter.pk])

    page = client.get(url).content.decode()

    assert 'name="goal"' not in page
    assert 'name="grace_days"' not in page
