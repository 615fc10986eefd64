"""The API's docs page (`/api/docs/`): Swagger UI from the app's own static files draws every
operation under the strict CSP, and "Try it out" answers with the signed-in session."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_csp import csp_errors, load
from tests.factories import LeadershipFactory, MilestoneFactory, QuarterFactory, trio

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 11, 25))


@pytest.fixture
def console(page):
    found = []
    page.on(
        "console",
        lambda msg: msg.type == "error" and found.append(f"{msg.text} ({msg.location.get('url')})"),
    )
    return found


def test_the_docs_draw_every_operation_under_the_strict_csp(page, sign_in, console):
    quarter = QuarterFactory(year=2026, number=4)
    team, lead, *_ = trio(name="Platform", slug="platform")
    MilestoneFactory(team=team, quarter=quarter, owner=lead)
    sign_in(page, LeadershipFactory(username="vp"))
    load(page, "/api/docs/")
    expect(page.locator(".opblock")).to_have_count(6)
    expect(page.locator(".info .title")).to_contain_text("Milepost API")

    figure = page.locator(".opblock", has_text="/api/v1/quarters/{quarter}/figure")
    figure.locator(".opblock-summary").click()
    figure.get_by_role("button", name="Try it out").click()
    figure.locator("input[placeholder='quarter']").fill("current")
    figure.get_by_role("button", name="Execute").click()
    expect(
        figure.locator(".live-responses-table tbody .response-col_status").first
    ).to_contain_text("200")
    assert csp_errors(page, console) == []
