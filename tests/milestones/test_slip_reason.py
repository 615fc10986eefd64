"""A slip's reason given, or changed, later on the milestone page
(`milestones.views.milestone.slip_reason`): anyone who may move the target date may say why it
moved; htmx gets the ledger back, a plain form a redirect; 422 beside the reason, 404 for a
record that is not a slip of this milestone."""

import datetime

import pytest
from django.urls import reverse

from milestones.history import Source
from milestones.models import SlipExplanation, SlipReason
from tests.factories import MilestoneFactory, SlipExplanationFactory, SlipReasonFactory
from tests.html import by_id, input_value, selected_option, text
from tests.milestones.helpers import HTMX, ledger_text, move, reason_url, reload, url

D = datetime.date


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
