"""The team page in a real browser: in-place editing with htmx, and the same without JavaScript."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from milestones.models import Milestone
from milestones.services import update_milestone
from tests.browser.helpers import real_errors, start_editing

pytestmark = pytest.mark.usefixtures("frozen_today")


def row(page, milestone):
    return page.locator(f"#milestone-{milestone.pk}")


def status_of(page, milestone):
    """The status badge of a display row (an edit row has none: it has a select)."""
    return row(page, milestone).locator(".status-badge")


def test_a_tech_lead_edits_adds_and_slips_and_all_of_it_is_kept(page, sign_in, platform):
    importer = platform["importer"]
    sign_in(page, platform["lead"])
    expect(page).to_have_url(re.compile(r"/teams/platform/$"))

    # Edit a status in place.
    start_editing(page, "Importer")
    expect(page.get_by_label("Title", exact=True)).to_be_focused()
    page.get_by_label("Status", exact=True).select_option("at_risk")
    page.get_by_role("button", name="Save").click()
    expect(status_of(page, importer)).to_have_text("At risk")
    expect(page.get_by_role("status").first).to_contain_text("Saved “Importer”.")
    expect(page.get_by_role("link", name="Edit Importer")).to_be_focused()

    # Add a milestone from the add row.
    page.get_by_label("Title of the new milestone").fill("Billing export")
    page.get_by_label("Committed date of the new milestone").fill("2026-12-04")
    page.get_by_role("button", name="Add milestone").click()
    added_row = page.locator("tbody.milestone", has_text="Billing export")
    expect(added_row).to_contain_text("Dec 4")
    expect(page.get_by_label("Title of the new milestone")).to_be_focused()
    expect(page.get_by_label("Title of the new milestone")).to_have_value("")

    # Move its target date later: a slip, with its reason.
    start_editing(page, "Billing export")
    page.get_by_label("Target date", exact=True).fill("2026-12-18")
    page.get_by_label("Reason the target moves later").select_option(label="Scope grew")
    page.get_by_role("button", name="Save").click()
    expect(added_row).to_contain_text("+14d")

    page.reload()
    expect(status_of(page, importer)).to_have_text("At risk")
    expect(added_row).to_contain_text("Dec 18")

    added = Milestone.objects.get(title="Billing export")
    assert (added.target_date, added.version) == (datetime.date(2026, 12, 18), 2)

    # The milestone page shows the slip, its reason and the days slipped.
    page.get_by_role("link", name="Billing export", exact=True).click()
    slips = page.get_by_role("region", name="Commitment ledger")
    expect(slips).to_contain_text("Target Dec 4 → Dec 18")
    expect(slips).to_contain_text("+14 days")
    expect(slips).to_contain_text("Scope grew")
    expect(page.locator(".facts")).to_contain_text("14 days past the committed date")
    history = page.get_by_role("region", name="History")
    expect(history).to_contain_text("Target date Dec 4 → changed to Dec 18")
    assert real_errors(page) == []


def test_an_engineer_cannot_edit_a_milestone_they_do_not_own(page, sign_in, platform, live_server):
    sign_in(page, platform["engineer"])
    expect(page.get_by_role("link", name="Edit Importer")).to_be_visible()
    expect(
        row(page, platform["audit"]).get_by_role("link", name=re.compile("^Edit"))
    ).to_have_count(0)
    expect(page.get_by_label("Title of the new milestone")).to_have_count(0)

    response = page.goto(f"/teams/platform/milestones/{platform['audit'].pk}/edit/")
    assert response.status == 403


def test_an_engineer_edits_their_own_milestone_with_only_their_fields(page, sign_in, platform):
    sign_in(page, platform["engineer"])
    start_editing(page, "Importer")
    editing = row(page, platform["importer"])
    expect(editing.get_by_label("Notes")).to_be_visible()
    expect(editing.get_by_label("Title", exact=True)).to_have_count(0)
    editing.get_by_label("Notes").fill("Waiting on the vendor")
    editing.get_by_role("button", name="Save").click()
    expect(row(page, platform["importer"]).locator(".row-notes")).to_have_text(
        "Waiting on the vendor"
    )


def test_a_stale_edit_shows_the_conflict_message_and_the_current_values(page, sign_in, platform):
    importer = platform["importer"]
    sign_in(page, platform["lead"])
    start_editing(page, "Importer")
    page.get_by_label("Status", exact=True).select_option("off_track")

    # Meanwhile the owner saves from another browser.
    update_milestone(
        milestone=Milestone.objects.select_related("team", "quarter").get(pk=importer.pk),
        version=1,
        changes={"notes": "Saved elsewhere"},
        user=platform["engineer"],
    )

    page.get_by_role("button", name="Save").click()
    conflict = row(page, importer).get_by_role("alert")
    expect(conflict).to_contain_text(f"{platform['engineer'].name} saved this milestone")
    expect(conflict).to_contain_text("Status: Off track")
    expect(page.get_by_label("Notes")).to_have_value("Saved elsewhere")
    expect(page.get_by_label("Status", exact=True)).to_have_value("on_track")
    assert Milestone.objects.get(pk=importer.pk).status == "on_track"

    # Saving again from the conflict row applies over the current version.
    page.get_by_label("Status", exact=True).select_option("off_track")
    page.get_by_role("button", name="Save").click()
    expect(status_of(page, importer)).to_have_text("Off track")
    assert Milestone.objects.get(pk=importer.pk).version == 3


def test_a_refused_edit_shows_the_message_beside_the_field_and_keeps_the_typing(
    page, sign_in, platform
):
    sign_in(page, platform["lead"])
    start_editing(page, "Importer")
    page.get_by_label("Status", exact=True).select_option("done")
    page.get_by_label("Notes").fill("Shipped on Friday")
    page.get_by_role("button", name="Save").click()
    delivered = page.get_by_label("Delivered date")
    expect(delivered).to_have_attribute("aria-invalid", "true")
    expect(delivered).to_be_focused()
    expect(row(page, platform["importer"])).to_contain_text(
        "A done milestone needs the date it was delivered."
    )
    expect(page.get_by_label("Notes")).to_have_value("Shipped on Friday")
    expect(page.get_by_label("Status", exact=True)).to_have_value("done")


def test_reordering_works_from_the_keyboard_and_keeps_the_focus(page, sign_in, platform):
    sign_in(page, platform["lead"])
    move_down = page.get_by_role("button", name="Move Importer down")
    move_down.focus()
    page.keyboard.press("Enter")
    rows = page.locator("tbody.milestone")
    expect(rows.first).to_contain_text("Audit log")
    expect(rows.nth(1)).to_contain_text("Importer")
    expect(page.get_by_role("button", name="Move Importer down")).to_be_focused()


def test_escape_cancels_an_edit(page, sign_in, platform):
    sign_in(page, platform["lead"])
    start_editing(page, "Importer")
    page.get_by_label("Notes").fill("never mind")
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Edit Importer")).to_be_focused()
    expect(row(page, platform["importer"])).not_to_contain_text("never mind")
    assert Milestone.objects.get(pk=platform["importer"].pk).notes == ""


def test_drop_and_restore_in_place(page, sign_in, platform):
    sign_in(page, platform["lead"])
    page.get_by_role("button", name="Drop Importer").click()
    expect(status_of(page, platform["importer"])).to_have_text("Dropped")
    expect(page.get_by_role("button", name="Restore Importer")).to_be_focused()
    page.get_by_role("button", name="Restore Importer").click()
    expect(status_of(page, platform["importer"])).to_have_text("On track")
    expect(page.get_by_role("button", name="Drop Importer")).to_be_focused()
    assert real_errors(page) == []


def test_everything_works_without_javascript(browser, live_server, sign_in, platform):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, platform["lead"])
        page.get_by_role("link", name="Edit Importer").click()
        page.get_by_label("Target date", exact=True).fill("2026-12-20")
        page.get_by_label("Reason the target moves later").select_option(label="Dependency late")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("Saved “Importer”.")
        expect(row(page, platform["importer"])).to_contain_text("Dec 20")

        page.get_by_label("Title of the new milestone").fill("Offline export")
        page.get_by_label("Committed date of the new milestone").fill("2026-12-04")
        page.get_by_role("button", name="Add milestone").click()
        expect(page.locator(".messages")).to_contain_text("Added “Offline export”.")

        page.get_by_role("button", name="Move Offline export up").click()
        expect(page.locator("tbody.milestone").nth(1)).to_contain_text("Offline export")

        page.get_by_role("button", name="Drop Audit log").click()
        expect(status_of(page, platform["audit"])).to_have_text("Dropped")
    finally:
        context.close()


def test_a_target_moved_into_the_past_is_saved_only_once_confirmed(page, sign_in, platform):
    importer = platform["importer"]
    sign_in(page, platform["lead"])
    start_editing(page, "Importer")
    page.get_by_label("Target date", exact=True).fill("2026-11-20")  # today is Nov 25
    page.get_by_role("button", name="Save").click()
    target = page.get_by_label("Target date", exact=True)
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(row(page, importer)).to_contain_text("This date is in the past")
    assert Milestone.objects.get(pk=importer.pk).version == 1

    page.get_by_label("Yes, the target date is in the past").check()
    page.get_by_role("button", name="Save").click()
    expect(row(page, importer)).to_contain_text("Nov 20")
    assert Milestone.objects.get(pk=importer.pk).target_date == datetime.date(2026, 11, 20)


def test_a_new_milestone_with_a_past_target_is_added_only_once_confirmed(page, sign_in, platform):
    sign_in(page, platform["lead"])
    page.get_by_label("Title of the new milestone").fill("Hotfix review")
    page.get_by_label("Committed date of the new milestone").fill("2026-12-04")
    page.get_by_label("Target date of the new milestone").fill("2026-11-20")  # today is Nov 25
    page.get_by_role("button", name="Add milestone").click()
    add_row = page.locator("#add-milestone")
    target = page.get_by_label("Target date of the new milestone")
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(target).to_be_focused()
    expect(add_row).to_contain_text("This date is in the past")
    # What was typed is all there, and nothing is added yet.
    expect(page.get_by_label("Title of the new milestone")).to_have_value("Hotfix review")
    expect(page.get_by_label("Committed date of the new milestone")).to_have_value("2026-12-04")
    expect(target).to_have_value("2026-11-20")
    assert not Milestone.objects.filter(title="Hotfix review").exists()

    add_row.get_by_label("Yes, the target date is in the past").check()
    page.get_by_role("button", name="Add milestone").click()
    added_row = page.locator("tbody.milestone", has_text="Hotfix review")
    expect(added_row).to_contain_text("Nov 20")
    expect(page.get_by_label("Title of the new milestone")).to_have_value("")
    expect(page.get_by_label("Yes, the target date is in the past")).to_have_count(0)
    added = Milestone.objects.get(title="Hotfix review")
    assert added.target_date == datetime.date(2026, 11, 20)
    assert real_errors(page) == []
