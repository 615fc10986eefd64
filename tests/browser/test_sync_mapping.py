"""Leadership maps a tab's unknown header in the browser, previews the sync, then syncs."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from milestones.models import Milestone
from sheets.client import open_spreadsheet
from tests.factories import LeadershipFactory, QuarterFactory, trio


@pytest.fixture
def unmapped_sheet(settings, sheets_emulator):
    """Platform's tab titles its milestones "Deliverable" and its dates "Commit date"."""
    today = timezone.localdate()
    quarter = QuarterFactory(year=today.year, number=(today.month - 1) // 3 + 1)
    team, lead, *_ = trio(name="Platform", slug="platform")
    due = f"{quarter.end.month}/{quarter.end.day}/{quarter.end.year}"
    settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    settings.MILEPOST_SHEET_KEY = sheets_emulator.load(
        {
            "spreadsheetId": "browser-mapping",
            "title": "Leadership",
            "sheets": [
                {
                    "title": "Platform",
                    "values": [
                        ["Deliverable", "Owner", "Commit date", "Status", "Jira"],
                        ["Ship webhooks", lead.name, due, "On track", "PLAT-1"],
                    ],
                }
            ],
        }
    )
    return team


def test_leadership_maps_an_unknown_header_previews_and_syncs(page, sign_in, unmapped_sheet):
    sign_in(page, LeadershipFactory(username="vp", display_name="Val Pereira"))
    page.goto("/sync/")
    page.get_by_role("button", name="Sync now").click()
    expect(page.locator("#run-status")).to_contain_text("Last sync: partial")
    page.reload()
    expect(page.get_by_role("heading", name="Tabs the sync cannot read")).to_be_visible()

    page.get_by_role("link", name="Map columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Columns of Platform's tab")
    expect(page.get_by_role("alert")).to_contain_text("No column is mapped to Milestone")
    page.get_by_label("Deliverable").select_option(label="Milestone")
    page.get_by_label("Commit date").select_option(label="Target date")
    page.get_by_role("button", name="Save the mapping").click()

    expect(page.get_by_role("status")).to_contain_text("The next sync uses them")
    expect(page.get_by_label("Deliverable")).to_have_value("title")
    page.get_by_role("link", name="preview the sync").click()

    preview = page.locator("#preview-platform")
    expect(preview).to_contain_text("Adopted as new milestones 1")
    expect(preview).to_contain_text("Row 2: Ship webhooks")
    expect(preview).to_contain_text("An ID column is added in column F")
    assert not Milestone.objects.exists()

    page.get_by_role("link", name="← Sheet sync").click()
    expect(page.get_by_text("mapped since: the next sync reads it")).to_be_visible()
    page.get_by_role("button", name="Sync now").click()

    expect(page.locator("#run-status")).to_contain_text("1 created, 0 updated")
    page.reload()
    expect(page.get_by_role("heading", name="Tabs the sync cannot read")).to_have_count(0)
    assert Milestone.objects.get().title == "Ship webhooks"
    assert open_spreadsheet().worksheet("Platform").get("F1") == [["ID"]]
    assert re.fullmatch(r"\d+", open_spreadsheet().worksheet("Platform").get("F2")[0][0])
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
