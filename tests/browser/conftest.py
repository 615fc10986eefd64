"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's
live server. Never a browser that a tool downloads (see README)."""

import datetime
import os
import shutil

import pytest
from django.utils import timezone

from demo.organisation import build_demo
from demo.sheet import build_demo_sheet, install_demo_sheet
from tests.browser.accessibility import AxeWatch
from tests.factories import MilestoneFactory, QuarterFactory, SlipReasonFactory, trio

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set
# up data are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("MILEPOST_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "password"  # what tests.factories.UserFactory sets


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-gpu",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _open_page(browser, live_server, **options):
    """A page of a new context, its console errors kept in `page.console_errors`, axe-core
    checking every document it opens (`tests/browser/accessibility.py`); at the end, any
    serious or critical violation fails the test."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    axe = AxeWatch().attach(context)
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    try:
        found = axe.finish(page)
    finally:
        context.close()
    assert not found, "axe-core found serious or critical violations:\n" + "\n".join(found)


@pytest.fixture
def page(browser, live_server):
    yield from _open_page(browser, live_server)


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    """A page in a 390 x 844 touch screen, as on a phone."""
    yield from _open_page(browser, live_server, viewport=PHONE, has_touch=True, is_mobile=True)


@pytest.fixture
def demo(settings, sheets_emulator):
    """The demo organisation and its sheet, served by the emulator, as `make run` has them."""
    sign_ins = build_demo(timezone.localdate())
    demo_sheet = build_demo_sheet(timezone.localdate())
    install_demo_sheet(demo_sheet)
    settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
    settings.MILEPOST_SHEET_KEY = sheets_emulator.load(demo_sheet.data)
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    return sign_ins


@pytest.fixture
def sign_in():
    """sign_in(page, user): signs in through the real form and waits for the landing page."""

    def _sign_in(page, user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")

    return _sign_in


# The day the team-page tests live on (mid 2026 Q4).
TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def frozen_today(monkeypatch):
    # The live server runs in this process: the views see the same Nov 25, 2026.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def platform(frozen_today):
    """Platform, a trio with two milestones of 2026 Q4 (Importer owned by the engineer, Audit
    log by the other one) and three slip reasons."""
    quarter = QuarterFactory(year=2026, number=4)
    team, lead, engineer, other_engineer = trio(name="Platform", slug="platform")
    importer = MilestoneFactory(
        team=team,
        quarter=quarter,
        owner=engineer,
        title="Importer",
        committed_date=datetime.date(2026, 12, 10),
        target_date=datetime.date(2026, 12, 10),
        position=0,
    )
    audit = MilestoneFactory(
        team=team,
        quarter=quarter,
        owner=other_engineer,
        title="Audit log",
        committed_date=datetime.date(2026, 12, 15),
        target_date=datetime.date(2026, 12, 15),
        position=1,
    )
    # The live server's database is flushed between tests: the reasons are made here.
    for position, name in enumerate(["Scope grew", "Dependency late", "Estimate wrong"]):
        SlipReasonFactory(name=name, position=position)
    return {"lead": lead, "engineer": engineer, "importer": importer, "audit": audit}
