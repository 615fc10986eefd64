"""Slips made in the sheet (issue 10): the sync moves the target date with no reason; the
ledger reads "Changed in the sheet" until someone gives the real reason in the browser, and
later syncs leave that reason alone."""

import datetime

import pytest
from django.urls import reverse

from milestones.history import Source
from milestones.models import Milestone, SlipExplanation, SlipReason
from tests.factories import LeadershipFactory
from tests.html import by_id, text
from tests.sheets.sheet import Tab

pytestmark = pytest.mark.django_db

DEC_18 = datetime.date(2026, 12, 18)


@pytest.fixture
def latency(sheets_settings, roster, sync):
    """Platform's first row after the first sync: "Cut p95 latency of webhook retries"."""
    sync()
    return Milestone.objects.get(title="Cut p95 latency of webhook retries")


def test_a_slip_from_the_sheet_reads_changed_in_the_sheet_until_given_a_reason(
    client, latency, sheet, sync
):
    Tab(sheet, "Platform").set(latency, "Target Date", "Dec 18")
    sync()
    latency.refresh_from_db()
    assert latency.target_date == DEC_18
    record = latency.history.order_by("-history_id").first()
    assert record.source == Source.SYNC
    assert not SlipExplanation.objects.exists()  # the sync gives no reason

    vp = LeadershipFactory()
    client.force_login(vp)
    detail = reverse("milestones:detail", args=[latency.team.slug, latency.pk])
    ledger = text(by_id(client.get(detail), "ledger"))
    assert "via sheet sync" in ledger
    assert "Reason Changed in the sheet" in ledger

    dependency = SlipReason.objects.get(name="Dependency late")
    path = reverse(
        "milestones:slip_reason", args=[latency.team.slug, latency.pk, record.history_id]
    )
    response = client.post(path, {"reason": dependency.pk, "note": "Waiting on the CDN"})
    assert response.status_code == 302
    ledger = text(by_id(client.get(detail), "ledger"))
    assert "via sheet sync" in ledger
    assert "Reason Dependency late — Waiting on the CDN" in ledger

    # The next sync has nothing to say about it: the reason stays.
    sync()
    assert SlipExplanation.objects.get().reason == dependency
