"""Leadership's Monday morning: the dashboard in a real browser, with and without JavaScript.

The live server reads the real clock, so the organisation is built around today's quarter and
uses only facts true on any day of it: a milestone delivered on the quarter's first day is on
time, a dropped one counts against its team.
"""

import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from milestones.models import Milestone
from milestones.quarters import ensure_quarter, quarter_bounds, quarter_of
from tests.factories import LeadershipFactory, MilestoneFactory, SquadFactory, trio


@pytest.fixture
def errors(page):
    """Console errors of the page: script errors and content-policy violations. The browser's
    own request for /favicon.ico (the app has none yet) is not the page's fault."""
    found = []
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.location.get("url", "").endswith("/favicon.ico")
            and found.append(msg.text)
        ),
    )
    return found


@pytest.fixture
def org(db):
    """This quarter: Orbit on time, Nova not (a drop): 1 of 2. Last quarter: 2 of 2."""
    today = timezone.localdate()
    year, number = quarter_of(today)
    current = ensure_quarter(year, number, goal=2)
    last_day_before = quarter_bounds(year, number)[0] - datetime.timedelta(days=1)
    previous = ensure_quarter(*quarter_of(last_day_before), goal=1)
    payments, search = SquadFactory(name="Payments"), SquadFactory(name="Search")
    orbit = trio(name="Orbit", slug="orbit", squad=payments)[0]
    nova = trio(name="Nova", slug="nova", squad=search)[0]
    for quarter in (previous, current):
        MilestoneFactory(
            team=orbit,
            quarter=quarter,
            committed_date=quarter.start,
            target_date=quarter.start,
            status=Milestone.Status.DONE,
            delivered_date=quarter.start,
        )
    MilestoneFactory(
        team=nova,
        quarter=previous,
        committed_date=previous.start,
        target_date=previous.start,
        status=Milestone.Status.DONE,
        delivered_date=previous.start,
    )
    MilestoneFactory(
        team=nova,
        quarter=current,
        title="Nova relaunch",
        committed_date=current.start,
        status=Milestone.Status.DROPPED,
    )
    return SimpleNamespace(current=current, previous=previous, payments=payments, search=search)


def test_leadership_reads_switches_filters_and_downloads(page, errors, sign_in, org, tmp_path):
    previous = org.previous
    sign_in(page, LeadershipFactory())
    assert page.url.endswith("/dashboard/")

    expect(page.get_by_test_id("headline")).to_have_text("1 of 2 teams on time")
    chart = page.get_by_role("img", name="Teams on time per quarter, against each quarter's goal")
    expect(chart).to_be_visible()
    expect(chart.locator("g.bar")).to_have_count(2)

    page.get_by_role("navigation", name="Quarter").get_by_role("link", name=str(previous)).click()
    expect(page).to_have_url(f"/dashboard/?quarter={previous.slug}")
    expect(page.get_by_test_id("headline")).to_have_text("2 of 2 teams on time")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"On time in {previous}")

    table = page.locator("table.dashboard-table")
    page.get_by_label("Squad", exact=True).select_option(label="Search")  # htmx swaps the table
    expect(table.locator("caption")).to_have_text("Search: 1 of 1 teams on time")
    expect(table.get_by_role("link", name="Nova")).to_be_visible()
    expect(table.get_by_role("link", name="Orbit")).to_have_count(0)
    assert f"squad={org.search.pk}" in page.url  # the filter is in the address: shareable

    with page.expect_download() as download_info:
        page.get_by_role("link", name="teams", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"milepost-{previous.slug}-search-teams.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = Path(saved).read_bytes()
    assert content.startswith("\ufeffTeam,Squad,".encode())
    lines = content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("Nova,Search,")

    assert errors == []


def test_sorting_swaps_the_table_in_place(page, errors, sign_in, org):
    sign_in(page, LeadershipFactory())
    table = page.locator("table.dashboard-table")
    expect(table.locator("tbody th").first).to_have_text("Nova")  # by name, Nova before Orbit
    table.get_by_role("link", name="Verdict").click()
    expect(table.get_by_role("columnheader", name="Verdict")).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(table.locator("tbody th").first).to_have_text("Nova")  # not on time comes first
    table.get_by_role("link", name="On time", exact=True).click()
    expect(table.locator("tbody th").first).to_have_text("Orbit")  # most on time first
    assert "sort=-on_time" in page.url
    assert errors == []


def test_the_dashboard_works_without_javascript(browser, live_server, org):
    vp = LeadershipFactory()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(vp.username)
        page.get_by_label("Password").fill("password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_test_id("headline")).to_have_text("1 of 2 teams on time")
        expect(
            page.get_by_role("img", name="Teams on time per quarter", exact=False)
        ).to_be_visible()

        page.get_by_label("Squad", exact=True).select_option(label="Payments")
        page.get_by_label("Group by squad").check()
        page.get_by_role("button", name="Show").click()
        table = page.locator("table.dashboard-table")
        expect(table.locator("caption")).to_have_text("Payments: 1 of 1 teams on time")
        expect(
            table.get_by_role("rowheader", name="Payments · 1 of 1 teams on time")
        ).to_be_visible()

        table.get_by_role("link", name="Slips").click()
        expect(table.get_by_role("columnheader", name="Slips")).to_have_attribute(
            "aria-sort", "descending"
        )
        expect(page.get_by_label("Squad", exact=True)).to_have_value(str(org.payments.pk))  # kept
        assert "group=squad" in page.url
    finally:
        context.close()
