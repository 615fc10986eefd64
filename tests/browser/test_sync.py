"""Leadership syncs the demo sheet from the browser and resolves its conflict."""

import datetime
import re

from playwright.sync_api import expect

from milestones.history import Source
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

    # The cell the run could not read is listed on the page, not only in its log.
    bad_cells = page.get_by_role("region", name="Cells the last sync could not read")
    expect(bad_cells.locator("tbody tr")).to_have_count(1)

    conflict = SyncConflict.objects.get()
    milestone = conflict.milestone
    page.get_by_role("link", name=milestone.title).click()
    expect(page.get_by_role("heading", name="The sheet said")).to_be_visible()
    # Typed in the sheet as 12/18/2026, shown as the app shows its own dates.
    sheet_date = datetime.date.fromisoformat(conflict.sheet_value)
    expect(page.locator(".side-sheet .value")).to_have_text(f"{sheet_date:%b %-d, %Y}")
    page.go_back()

    # Resolved in its row: the heading counts it at once, without a reload.
    row = page.locator(f"#conflict-{conflict.pk}")
    row.get_by_role("button", name="Take the sheet's").click()
    expect(row).to_contain_text("took the sheet")
    expect(page.get_by_role("heading", name="Open conflicts")).to_contain_text("0")
    milestone.refresh_from_db()
    assert parse.format_date(milestone.target_date) == conflict.sheet_text
    latest = milestone.history.order_by("-history_id").first()
    assert (latest.source, latest.history_user) == (Source.SYNC, demo.leadership)

    page.get_by_role("button", name="Sync now").click()

    expect(page.locator("#run-status")).to_contain_text("0 created, 0 updated")
    tab = Tab(open_spreadsheet(), milestone.team.tab_title)
    assert tab.cell(milestone, "Target date") == conflict.sheet_text
    # The browser's own favicon.ico request aside, no script failed.
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
