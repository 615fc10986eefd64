"""Milepost on a 390 x 844 phone: nothing scrolls the page sideways, the team page's milestones
are cards a lead edits by touch, and the dashboard's table keeps the columns that matter (and
fits a 1,400 px screen whole)."""

import datetime

import pytest
from playwright.sync_api import expect

from dashboard.table import TEAM_COLUMNS
from milestones.models import Milestone
from reviews.models import Review
from tests.browser.helpers import page_width, real_errors, start_editing


def assert_no_sideways_scroll(page):
    scroll_width, inner_width = page_width(page)
    assert scroll_width <= inner_width, f"{page.url} is {scroll_width} px wide on {inner_width}"


def test_a_lead_edits_a_milestone_from_the_team_page_by_touch(phone, sign_in, platform):
    importer = platform["importer"]
    sign_in(phone, platform["lead"])
    expect(phone.get_by_role("heading", name="Platform", level=1)).to_be_visible()
    assert_no_sideways_scroll(phone)
    card = phone.locator(f"#milestone-{importer.pk}")
    # A card, not a squeezed row: the title gets the width of the screen.
    title_box = card.get_by_role("link", name="Importer", exact=True).bounding_box()
    assert title_box["width"] >= 60
    assert card.bounding_box()["width"] <= 390

    start_editing(phone, "Importer", tap=True)
    assert_no_sideways_scroll(phone)
    phone.get_by_label("Status", exact=True).select_option("at_risk")
    phone.get_by_label("Target date", exact=True).fill("2026-12-18")
    phone.get_by_label("Reason the target moves later").select_option(label="Scope grew")
    notes = phone.get_by_label("Notes")
    notes.tap()
    notes.fill("Vendor sandbox late")
    phone.get_by_role("button", name="Save").tap()

    expect(card.locator(".status-badge")).to_have_text("At risk")
    expect(card).to_contain_text("Dec 18")
    expect(card.locator(".row-notes")).to_have_text("Vendor sandbox late")
    assert_no_sideways_scroll(phone)
    importer.refresh_from_db()
    assert (importer.status, importer.target_date, importer.notes) == (
        Milestone.Status.AT_RISK,
        datetime.date(2026, 12, 18),
        "Vendor sandbox late",
    )
    assert real_errors(phone) == []


def test_the_dashboard_a_review_and_the_sync_page_fit_a_phone(phone, sign_in, demo):
    sign_in(phone, demo.leadership, password=demo.password)
    phone.goto("/dashboard/")
    expect(phone.get_by_test_id("headline")).to_be_visible()
    assert_no_sideways_scroll(phone)

    # The table keeps the columns that matter; the others are a tap away, in the table's own
    # scrolling box, never the page's.
    table = phone.locator("table.dashboard-table")
    visible = [h.strip() for h in table.locator("thead th:visible").all_inner_texts()]
    assert [" ".join(h.split()).rstrip(" ▲▼") for h in visible] == [
        "Team",
        "Verdict",
        "Done",
        "On-time share",
        "Last review",
    ]
    phone.get_by_label("All columns").tap()
    expect(table.get_by_role("columnheader", name="Calls right")).to_be_visible()
    assert_no_sideways_scroll(phone)

    review = Review.objects.select_related("team").order_by("-held_on", "-pk").first()
    phone.goto(f"/teams/{review.team.slug}/reviews/{review.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert_no_sideways_scroll(phone)
    phone.goto(f"/teams/{review.team.slug}/reviews/")
    assert_no_sideways_scroll(phone)

    phone.goto("/sync/")
    phone.get_by_role("button", name="Sync now").tap()
    expect(phone.locator("#run-status")).to_contain_text("Last sync: partial")
    assert_no_sideways_scroll(phone)
    phone.get_by_role("link", name="Teams", exact=True).first.tap()
    expect(phone.get_by_role("heading", name="Teams", level=1)).to_be_visible()
    assert_no_sideways_scroll(phone)


@pytest.mark.parametrize("query", ["", "?group=squad"])
def test_the_dashboards_table_fits_a_1400_px_screen_with_every_column(page, sign_in, demo, query):
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, demo.leadership, password=demo.password)
    page.goto(f"/dashboard/{query}")
    box = page.locator(".dashboard-body .table-scroll:has(> table.dashboard-table)")
    expect(box.get_by_role("columnheader", name="Last review")).to_be_visible()
    expect(box.locator("thead th:visible")).to_have_count(len(TEAM_COLUMNS))
    scroll_width, client_width = box.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll_width <= client_width, f"the table is {scroll_width} px wide in {client_width}"
    assert_no_sideways_scroll(page)
