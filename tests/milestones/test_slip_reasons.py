"""Slip reasons (issue 10, the commitment ledger): moving a target date later in the edit row
asks why; a slip can be given its reason later on the milestone page; the ledger shows them."""

import datetime

import pytest
from django.urls import reverse

from milestones.history import Source, history_source
from milestones.models import Milestone, SlipExplanation, SlipReason
from milestones.services import update_milestone
from tests.factories import MilestoneFactory, SlipExplanationFactory, SlipReasonFactory
from tests.html import by_id, input_value, selected_option, text
from tests.milestones.helpers import HTMX, engineer_data, row_data, url

D = datetime.date


def reload(milestone: Milestone) -> Milestone:
    return Milestone.objects.get(pk=milestone.pk)


def latest_record(milestone: Milestone):
    return milestone.history.order_by("-history_id").first()


def move(milestone: Milestone, target: datetime.date, *, source: str = Source.COMMAND, user=None):
    """Move the target date as the sheet sync or a command would: no reason asked."""
    with history_source(source):
        update_milestone(
            milestone=reload(milestone),
            version=reload(milestone).version,
            changes={"target_date": target},
            user=user,
        )
    return latest_record(milestone)


def reason_url(milestone: Milestone, record) -> str:
    return reverse(
        "milestones:slip_reason", args=[milestone.team.slug, milestone.pk, record.history_id]
    )


def ledger_text(client, milestone) -> str:
    page = text(client.get(url("detail", milestone)))
    return page.split("Commitment ledger", 1)[1].split("History", 1)[0]


# --- Asked in the edit row --------------------------------------------------------------------


def test_the_edit_row_offers_the_active_reasons_with_a_hint(client, lead, milestone):
    SlipReason.objects.filter(name="Other").update(active=False)
    client.force_login(lead)
    row = by_id(client.get(url("edit", milestone), **HTMX), f"milestone-{milestone.pk}")
    select = by_id(row, f"m{milestone.pk}-slip_reason")
    assert "Scope grew" in select
    assert "Interrupted by incidents" in select
    assert "Other" not in select  # retired by leadership
    assert "Needed when the target date moves later" in text(row)
    assert f'aria-describedby="m{milestone.pk}-slip_reason_helptext"' in select


def test_moving_the_target_later_without_a_reason_is_refused_beside_the_reason(
    client, engineer, milestone
):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, target_date="2026-12-17", notes="Vendor late"),
        **HTMX,
    )
    assert response.status_code == 422
    error = by_id(response, f"m{milestone.pk}-slip_reason_error")
    assert "The target date moves later: pick the reason why." in text(error)
    select = by_id(response, f"m{milestone.pk}-slip_reason")
    assert 'aria-invalid="true"' in select
    assert "autofocus" in select
    # Everything typed is kept, nothing is saved.
    assert input_value(response, f"m{milestone.pk}-target_date") == "2026-12-17"
    assert "Vendor late" in by_id(response, f"m{milestone.pk}-notes")
    assert reload(milestone).version == 1
    assert not SlipExplanation.objects.exists()


def test_the_missing_reason_is_said_together_with_the_other_errors(client, engineer, milestone):
    client.force_login(engineer)
    response = client.post(
        url("edit", milestone),
        engineer_data(milestone, target_date="2026-12-17", status="done"),
        **HTMX,
    )
    assert response.status_code == 422
    assert "delivered" in text(by_id(response, f"m{milestone.pk}-delivered_date_error"))
    assert "pick the reason" in text(by_id(response, f"m{milestone.pk}-slip_reason_error"))


def test_the_reason_picked_is_recorded_on_the_move_that_slipped(client, lead, milestone):
    dependency = SlipReason.objects.get(name="Dependency late")
    client.force_login(lead)
    response = client.post(
        url("edit", milestone),
        row_data(
            milestone, target_date="2026-12-17", slip_reason=dependency.pk, slip_note="Vendor API"
        ),
        **HTMX,
    )
    assert response.status_code == 200
    saved = reload(milestone)
    assert (saved.target_date, saved.version) == (D(2026, 12, 17), 2)
    explanation = SlipExplanation.objects.get()
    assert explanation.record == latest_record(milestone)
    assert (explanation.milestone, explanation.reason, explanation.note) == (
        saved,
        dependency,
        "Vendor API",
    )
    assert explanation.given_by == lead


def test_moving_the_target_earlier_or_not_at_all_asks_for_no_reason(client, lead, milestone):
    client.force_login(lead)
    earlier = client.post(
        url("edit", milestone), row_data(milestone, target_date="2026-12-03"), **HTMX
    )
    assert earlier.status_code == 200
    same = client.post(url("edit", milestone), row_data(reload(milestone), notes="x"), **HTMX)
    assert same.status_code == 200
    assert reload(milestone).version == 3
    assert not SlipExplanation.objects.exists()


def test_a_reason_picked_for_a_move_that_is_not_later_is_not_recorded(
    client, lead, milestone, scope_grew
):
    client.force_login(lead)
    client.post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-03", slip_reason=scope_grew.pk),
        **HTMX,
    )
    assert reload(milestone).target_date == D(2026, 12, 3)
    assert not SlipExplanation.objects.exists()


def test_without_javascript_a_missing_reason_is_the_team_page_with_the_row_asking(
    client, lead, milestone
):
    client.force_login(lead)
    response = client.post(url("edit", milestone), row_data(milestone, target_date="2026-12-17"))
    assert response.status_code == 422
    assert "<h1>Platform</h1>" in response.content.decode()
    row = by_id(response, f"milestone-{milestone.pk}")
    assert "pick the reason why" in text(row)
    assert input_value(row, f"m{milestone.pk}-target_date") == "2026-12-17"

    reason = SlipReason.objects.get(name="Estimate wrong")
    data = row_data(milestone, target_date="2026-12-17", slip_reason=reason.pk)
    response = client.post(url("edit", milestone), data)
    assert response.status_code == 302
    assert SlipExplanation.objects.get().reason == reason


def test_a_stale_edit_is_a_conflict_before_any_reason_is_asked(client, lead, engineer, milestone):
    client.force_login(engineer)
    client.post(url("edit", milestone), engineer_data(milestone, notes="mine"), **HTMX)
    client.force_login(lead)
    response = client.post(
        url("edit", milestone), row_data(milestone, target_date="2026-12-17"), **HTMX
    )
    assert response.status_code == 409
    assert "Nothing of yours was saved" in text(response)
    assert reload(milestone).target_date == D(2026, 12, 10)


def test_with_every_reason_retired_a_move_later_is_saved_without_one(client, lead, milestone):
    SlipReason.objects.update(active=False)
    client.force_login(lead)
    response = client.post(
        url("edit", milestone), row_data(milestone, target_date="2026-12-17"), **HTMX
    )
    assert response.status_code == 200
    assert reload(milestone).target_date == D(2026, 12, 17)


def test_a_retired_reason_cannot_be_posted(client, lead, milestone):
    retired = SlipReasonFactory(name="Holidays", active=False)
    client.force_login(lead)
    response = client.post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-17", slip_reason=retired.pk),
        **HTMX,
    )
    assert response.status_code == 422
    assert "Select a valid choice" in text(by_id(response, f"m{milestone.pk}-slip_reason_error"))


def test_a_user_who_may_not_move_the_target_is_offered_no_reason(client, other_engineer, milestone):
    client.force_login(other_engineer)
    assert client.get(url("edit", milestone), **HTMX).status_code == 403


# --- The ledger on the milestone page ---------------------------------------------------------


def test_the_ledger_shows_the_commitment_and_each_move_with_its_reason_and_who(
    client, lead, vp, milestone
):
    client.force_login(lead)
    scope = SlipReason.objects.get(name="Scope grew")
    client.post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-17", slip_reason=scope.pk, slip_note="Two APIs"),
        **HTMX,
    )
    move(milestone, D(2026, 12, 24), source=Source.SYNC)
    move(milestone, D(2026, 12, 20))
    Milestone.objects.filter(pk=milestone.pk).update(committed_date=D(2026, 12, 12))
    page = ledger_text(client, milestone)
    assert "Committed to Dec 10 on" in page
    assert (
        f"{lead.name} via web Target Dec 10 → Dec 17 +7 days Reason Scope grew — Two APIs" in page
    )
    assert (
        "Milepost via sheet sync Target Dec 17 → Dec 24 +7 days Reason Changed in the sheet" in page
    )
    assert "Target Dec 24 → Dec 20 moved earlier by 4 days" in page
    assert "moved later 2 times, 14 days in all. 1 without a reason." in page


def test_a_slip_made_in_the_app_without_a_reason_reads_no_reason_given(client, lead, milestone):
    move(milestone, D(2026, 12, 17))
    client.force_login(lead)
    assert "+7 days Reason No reason given" in ledger_text(client, milestone)


def test_a_change_of_the_committed_date_is_in_the_ledger(client, lead, milestone):
    client.force_login(lead)
    client.post(url("edit", milestone), row_data(milestone, committed_date="2026-12-08"), **HTMX)
    assert f"{lead.name} via web Committed date Dec 10 → Dec 8" in ledger_text(client, milestone)


def test_only_those_who_may_move_the_target_see_the_reason_form(
    client, engineer, other_engineer, milestone
):
    record = move(milestone, D(2026, 12, 17))
    client.force_login(engineer)  # the owner
    assert reason_url(milestone, record) in client.get(url("detail", milestone)).content.decode()
    client.force_login(other_engineer)
    assert (
        reason_url(milestone, record) not in client.get(url("detail", milestone)).content.decode()
    )


# --- Giving a reason later --------------------------------------------------------------------


def test_a_reason_given_later_with_htmx_swaps_the_ledger(client, lead, milestone):
    record = move(milestone, D(2026, 12, 17), source=Source.SYNC)
    incidents = SlipReason.objects.get(name="Interrupted by incidents")
    client.force_login(lead)
    response = client.post(
        reason_url(milestone, record), {"reason": incidents.pk, "note": "Sev1 on the 3rd"}, **HTMX
    )
    assert response.status_code == 200
    ledger = by_id(response, "ledger")
    assert "Reason Interrupted by incidents — Sev1 on the 3rd" in text(ledger)
    assert f"(given by {lead.name}," in text(ledger)
    assert "Saved the reason: Interrupted by incidents." in text(ledger)
    assert "Change the reason" in text(ledger)
    explanation = SlipExplanation.objects.get()
    assert (explanation.record_id, explanation.given_by) == (record.history_id, lead)
    assert reload(milestone).version == 2  # the milestone itself did not change


def test_a_reason_given_later_without_javascript_redirects_to_the_ledger(
    client, engineer, milestone
):
    record = move(milestone, D(2026, 12, 17))
    client.force_login(engineer)
    other = SlipReason.objects.get(name="Other")
    response = client.post(reason_url(milestone, record), {"reason": other.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{url('detail', milestone)}#slip-{record.history_id}"
    assert "Reason Other" in ledger_text(client, milestone)


def test_a_reason_can_be_changed_and_keeps_one_explanation_per_slip(client, lead, vp, milestone):
    record = move(milestone, D(2026, 12, 17))
    SlipExplanationFactory(
        record=record, reason=SlipReason.objects.get(name="Other"), given_by=lead
    )
    client.force_login(vp)
    scope = SlipReason.objects.get(name="Scope grew")
    client.post(reason_url(milestone, record), {"reason": scope.pk, "note": "Found later"}, **HTMX)
    explanation = SlipExplanation.objects.get()
    assert (explanation.reason, explanation.note, explanation.given_by) == (
        scope,
        "Found later",
        vp,
    )


def test_a_retired_reason_stays_selected_on_the_slip_that_has_it(client, lead, milestone):
    record = move(milestone, D(2026, 12, 17))
    retired = SlipReasonFactory(name="Holidays", active=False)
    SlipExplanationFactory(record=record, reason=retired)
    client.force_login(lead)
    response = client.get(url("detail", milestone))
    select = by_id(response, f"slip-{record.history_id}-reason")
    assert selected_option(response, f"slip-{record.history_id}-reason") == str(retired.pk)
    assert "Holidays" in select
    # …and it may be saved again (with a new note), but not picked for another slip.
    response = client.post(reason_url(milestone, record), {"reason": retired.pk, "note": "n"})
    assert response.status_code == 302
    second = move(milestone, D(2026, 12, 20))
    response = client.post(reason_url(milestone, second), {"reason": retired.pk}, **HTMX)
    assert response.status_code == 422


@pytest.mark.parametrize("htmx", [True, False])
def test_a_reason_form_without_a_reason_is_refused_beside_it(client, lead, milestone, htmx):
    record = move(milestone, D(2026, 12, 17))
    client.force_login(lead)
    headers = HTMX if htmx else {}
    response = client.post(reason_url(milestone, record), {"note": "keep me"}, **headers)
    assert response.status_code == 422
    error = by_id(response, f"slip-{record.history_id}-error")
    assert "Pick a reason." in text(error)
    assert input_value(response, f"slip-{record.history_id}-note") == "keep me"
    if not htmx:
        assert "<h1>Ship the importer</h1>" in response.content.decode()  # the whole page
    assert not SlipExplanation.objects.exists()


def test_a_record_that_is_not_a_slip_has_no_reason_to_give(client, lead, milestone):
    created = milestone.history.get()
    earlier = move(milestone, D(2026, 12, 3))
    client.force_login(lead)
    scope = SlipReason.objects.get(name="Scope grew")
    for record in (created, earlier):
        response = client.post(reason_url(milestone, record), {"reason": scope.pk}, **HTMX)
        assert response.status_code == 404


def test_a_slip_of_another_milestone_is_not_found(client, lead, milestone, team, quarter):
    other = MilestoneFactory(team=team, quarter=quarter, committed_date=D(2026, 12, 1))
    record = move(other, D(2026, 12, 9))
    client.force_login(lead)
    scope = SlipReason.objects.get(name="Scope grew")
    path = reverse("milestones:slip_reason", args=[team.slug, milestone.pk, record.history_id])
    assert client.post(path, {"reason": scope.pk}, **HTMX).status_code == 404
    assert not SlipExplanation.objects.exists()


@pytest.mark.parametrize("slips", [1, 15])
def test_the_ledger_costs_the_same_queries_whatever_the_number_of_slips_and_reasons(
    client, lead, milestone, django_assert_num_queries, slips
):
    reasons = list(SlipReason.objects.all())
    for n in range(slips):
        record = move(milestone, milestone.target_date + datetime.timedelta(days=n + 1), user=lead)
        if n % 3:
            SlipExplanationFactory(record=record, reason=reasons[n % len(reasons)], given_by=lead)
    client.force_login(lead)
    # session, user, milestone, history + users + reasons given + who gave them, owners named,
    # the user's membership, the reasons to pick from
    with django_assert_num_queries(7):
        response = client.get(url("detail", milestone))
    assert len(response.context["ledger"].slips) == slips
