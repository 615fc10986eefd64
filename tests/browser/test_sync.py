"""Leadership syncs the demo sheet from the browser and resolves its conflict."""

import re

from playwright.sync_api import expect

from sheets import parse
from sheets.client import open_spreadsheet
from sheets.models import SyncConflict
from tests.sheets.sheet import Tab


def test_leadership_syncs_the_demo_takes_the_sheets_value_and_the_next_sync_writes_it(
    page, sign_in, demo
):
    sign_in(page, demo.leadership, password=demo.password)
    page.goto("/sync/")
    expect(page.get_by_role("heading", name="Open conflicts")).to_contain_text("0")

    page.get_by_role("button", name="Sync now").click()

    status = page.locator("#run-status")
    expect(status).to_contain_text("Last sync: partial")
    expect(status).to_contain_text("1 created, 2 updated")
    expect(status.locator(".sync-counts")).to_contain_text(
        re.compile(r"Conflicts\s*1\s*Errors\s*1")
    )
    expect(page.get_by_role("heading", name="Open conflicts")).to_contain_text("1")

    conflict = SyncConflict.objects.get()
    milestone = conflict.milestone
    sheet_value = conflict.sheet_text
    page.get_by_role("link", name=milestone.title).click()
    expect(page.get_by_role("heading", name="The sheet said")).to_be_visible()
    expect(page.locator(".side-sheet .value")).to_have_text(sheet_value)
    page.get_by_role("button", name="Take the sheet's value").click()

    expect(page).to_have_url(re.compile(r"/sync/$"))
    expect(page.get_by_role("status")).to_contain_text("took the sheet's value")
    expect(page.get_by_role("heading", name="Open conflicts")).to_contain_text("0")
    milestone.refresh_from_db()
    assert parse.format_date(milestone.target_date) == sheet_value

    page.get_by_role("button", name="Sync now").click()

    expect(page.locator("#run-status")).to_contain_text("0 created, 0 updated")
    tab = Tab(open_spreadsheet(), milestone.team.tab_title)
    assert tab.cell(milestone, "Target date") == sheet_value
    # The browser's own favicon.ico request aside, no script failed.
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
