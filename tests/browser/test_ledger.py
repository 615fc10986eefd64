"""The commitment ledger in a real browser: a lead moves a date later, is asked why, picks a
reason, and finds it in the milestone's ledger; a slip from the sheet gets its reason later."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from milestones.history import Source, history_source
from milestones.models import Milestone, SlipExplanation
from milestones.services import update_milestone
from tests.browser.helpers import real_errors, start_editing

pytestmark = pytest.mark.usefixtures("frozen_today")


def test_a_lead_moves_a_date_later_is_asked_why_and_finds_the_reason_in_the_ledger(
    page, sign_in, platform
):
    importer = platform["importer"]
    sign_in(page, platform["lead"])
    expect(page).to_have_url(re.compile(r"/teams/platform/$"))

    start_editing(page, "Importer")
    page.get_by_label("Target date", exact=True).fill("2026-12-18")
    page.get_by_role("button", name="Save").click()

    # Asked for the reason, beside its field, with the focus on it and the date kept.
    reason = page.get_by_label("Reason the target moves later")
    expect(page.locator(f"#m{importer.pk}-slip_reason_error")).to_contain_text(
        "The target date moves later: pick the reason why."
    )
    expect(reason).to_be_focused()
    expect(page.get_by_label("Target date", exact=True)).to_have_value("2026-12-18")
    assert Milestone.objects.get(pk=importer.pk).version == 1

    reason.select_option(label="Dependency late")
    page.get_by_label("Note on the move").fill("Waiting on the vendor API")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved “Importer”.")
    expect(page.locator(f"#milestone-{importer.pk}")).to_contain_text("+8d")

    page.get_by_role("link", name="Importer", exact=True).click()
    ledger = page.get_by_role("region", name="Commitment ledger")
    expect(ledger).to_contain_text("Committed to Dec 10")
    expect(ledger).to_contain_text("Target Dec 10 → Dec 18")
    expect(ledger).to_contain_text("+8 days")
    expect(ledger).to_contain_text("Dependency late — Waiting on the vendor API")
    expect(ledger).to_contain_text(platform["lead"].name)
    assert real_errors(page) == []


def test_a_slip_from_the_sheet_is_given_its_reason_in_place(page, sign_in, platform):
    importer = platform["importer"]
    with history_source(Source.SYNC):
        update_milestone(
            milestone=importer,
            version=importer.version,
            changes={"target_date": datetime.date(2026, 12, 15)},
            user=None,
        )
    sign_in(page, platform["lead"])
    page.goto(importer.get_absolute_url())
    ledger = page.get_by_role("region", name="Commitment ledger")
    expect(ledger).to_contain_text("via sheet sync")
    expect(ledger).to_contain_text("Changed in the sheet")

    ledger.get_by_text("Give a reason").click()
    ledger.get_by_label("Reason", exact=True).select_option(label="Estimate wrong")
    ledger.get_by_label("Note", exact=True).fill("Sized before the spike")
    ledger.get_by_role("button", name="Save the reason").click()

    expect(ledger).to_contain_text("Estimate wrong — Sized before the spike")
    expect(ledger.get_by_role("status")).to_contain_text("Saved the reason: Estimate wrong.")
    expect(ledger).not_to_contain_text("Changed in the sheet")
    assert SlipExplanation.objects.get().reason.name == "Estimate wrong"
    assert real_errors(page) == []
