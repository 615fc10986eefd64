"""The strict Content Security Policy holds on every page: nothing inline, nothing blocked.

Milepost sends `default-src 'self'` with no 'unsafe-inline' anywhere (config/settings/base.py),
so an inline `style=""` attribute, a `<style>` block or an inline script in a template would be
refused by the browser and the page would silently lose it. Chromium reports each refusal as a
console error ("... violates the following Content Security Policy directive ..."), and fires a
`securitypolicyviolation` event in the page. These tests load every main page as leadership,
and walk a tech lead through the htmx editing of the milestone table, and assert that neither
signal appears. A canary first proves that the detection works.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from milestones.models import Milestone
from milestones.services import update_milestone
from reviews.services import close_review, start_review
from sheets.models import SyncConflict, SyncRun
from tests.browser.helpers import start_editing
from tests.factories import LeadershipFactory, MilestoneFactory, QuarterFactory, trio

D = datetime.date
TODAY = D(2026, 11, 25)
CSP = "Content Security Policy"

# Registered after each page load (page.evaluate is not subject to the page's policy): what the
# page refuses from then on, htmx swaps included.
LISTEN = """() => {
  if (!window.__csp) {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__csp.push(`${event.violatedDirective} blocked ${event.blockedURI} ` +
        `at ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
    });
  }
}"""


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    # The live server runs in this process: its views see the same Nov 25, 2026.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


@pytest.fixture
def violations(page):
    """CSP violations the browser reported in the console (and other console errors, which
    a page under this policy should not have either)."""
    found = []
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.location.get("url", "").endswith("/favicon.ico")
            and found.append(f"{msg.text} ({msg.location.get('url', '')})")
        ),
    )
    # Milepost has no favicon; the browser's own request for one is not a page's fault.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    return found


@pytest.fixture
def org():
    """Platform with a quarter of milestones (on track, slipped, done), last quarter's
    history, a closed review and an open one since, a sync run with a bad cell and an open
    conflict: every page has something to draw."""
    q3 = QuarterFactory(year=2026, number=3)
    q4 = QuarterFactory(year=2026, number=4)
    team, lead, engineer, other = trio(name="Platform", slug="platform")
    vp = LeadershipFactory(username="vp", display_name="Nadia Haddad")
    MilestoneFactory(
        team=team,
        quarter=q3,
        owner=engineer,
        title="Old importer",
        committed_date=D(2026, 8, 10),
        target_date=D(2026, 8, 10),
        done=True,
    )
    importer = MilestoneFactory(
        team=team,
        quarter=q4,
        owner=engineer,
        title="Importer",
        committed_date=D(2026, 12, 10),
        target_date=D(2026, 12, 10),
        position=0,
    )
    audit = MilestoneFactory(
        team=team,
        quarter=q4,
        owner=other,
        title="Audit log",
        committed_date=D(2026, 11, 2),
        target_date=D(2026, 11, 2),
        position=1,
    )
    MilestoneFactory(
        team=team,
        quarter=q4,
        owner=lead,
        title="Search",
        committed_date=D(2026, 10, 20),
        target_date=D(2026, 10, 20),
        position=2,
        done=True,
    )
    first = start_review(team=team, held_on=D(2026, 11, 11), user=lead)
    close_review(review=first, user=lead)
    # A slip since the first review, for the second one's diff, and for the timeline.
    audit = update_milestone(
        milestone=audit,
        version=audit.version,
        changes={"target_date": D(2026, 11, 30), "status": Milestone.Status.AT_RISK},
        user=lead,
    )
    second = start_review(team=team, held_on=TODAY, user=lead)

    now = timezone.now()
    run = SyncRun.objects.create(
        trigger=SyncRun.Trigger.COMMAND,
        status=SyncRun.Status.PARTIAL,
        started_at=now - datetime.timedelta(seconds=3),
        finished_at=now,
        progress_label="Finished",
        updated_in_sheet=2,
        conflicts=1,
        errors=1,
        requests=3,
        messages=[
            {
                "level": "error",
                "text": "'end of sprint' is not a date (write it like 3/14/2026)",
                "team": "Platform",
                "tab": "Platform",
                "row": 3,
                "column": "D",
                "value": "end of sprint",
            },
            {"level": "info", "text": "Row 4 added to the sheet.", "team": "Platform"},
        ],
    )
    conflict = SyncConflict.objects.create(
        milestone=importer,
        field="target_date",
        sheet_value="2026-12-24",
        sheet_text="12/24/2026",
        app_value="2026-12-10",
        base_value="2026-12-03",
        tab="Platform",
        row=2,
        column="D",
        run=run,
        detected_at=now,
    )
    return {
        "team": team,
        "lead": lead,
        "vp": vp,
        "importer": importer,
        "audit": audit,
        "reviews": (first, second),
        "run": run,
        "conflict": conflict,
    }


def load(page, path: str) -> None:
    """Open a page, check that it carries the strict policy, and listen for violations."""
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, f"{path} answered {response.status}"
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy, f"{path} has no strict CSP header: {policy!r}"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    page.wait_for_load_state("networkidle")
    page.evaluate(LISTEN)


def csp_errors(page, console: list[str]) -> list[str]:
    reported = page.evaluate("() => window.__csp || []")
    return [text for text in console if CSP in text] + reported


def test_the_detection_sees_an_inline_style(page, sign_in, org, violations):
    """The canary: markup with a style attribute, added to a page, is refused and seen."""
    sign_in(page, org["vp"])
    load(page, "/teams/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<p id="canary" style="color: red">inline</p>')"""
    )
    expect(page.locator("#canary")).to_be_attached()
    page.wait_for_timeout(200)  # the report is queued as a task
    assert any(CSP in text for text in violations), violations
    assert page.evaluate("() => window.__csp.length") >= 1


def test_every_main_page_loads_without_a_csp_violation(page, sign_in, org, violations):
    team, (first, second) = org["team"], org["reviews"]
    quarter_slug = org["importer"].quarter.slug
    # The sign-in page, before anyone signs in.
    load(page, "/accounts/login/")
    assert csp_errors(page, violations) == []

    sign_in(page, org["vp"])
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    pages = {
        "dashboard": "/dashboard/",
        "dashboard, last quarter": "/dashboard/?quarter=2026-q3",
        "teams list": "/teams/",
        "team page": f"/teams/{team.slug}/",
        "milestone page": org["audit"].get_absolute_url(),
        "reviews list": f"/teams/{team.slug}/reviews/",
        "closed review": first.get_absolute_url(),
        "open review": second.get_absolute_url(),
        "sync page": "/sync/",
        "sync run": f"/sync/runs/{org['run'].pk}/",
        "sync conflict": f"/sync/conflicts/{org['conflict'].pk}/",
        "quarter settings": f"/quarters/{quarter_slug}/settings/",
    }
    found = {}
    for name, path in pages.items():
        violations.clear()
        load(page, path)
        errors = csp_errors(page, violations)
        if errors:
            found[f"{name} ({path})"] = errors
    assert found == {}


def test_a_tech_lead_edits_in_place_without_a_csp_violation(page, sign_in, org, violations):
    """htmx swaps rows in and out (edit, save, a 409, cancel, add, move): every swapped
    fragment is under the same policy as the page."""
    importer, audit = org["importer"], org["audit"]
    sign_in(page, org["lead"])
    expect(page).to_have_url(re.compile(r"/teams/platform/$"))
    violations.clear()
    load(page, "/teams/platform/")

    # Edit a row in place and save it.
    start_editing(page, "Importer")
    page.get_by_label("Status", exact=True).select_option("at_risk")
    page.get_by_label("Notes").fill("Vendor sandbox is late.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#milestone-{importer.pk} .status-badge")).to_have_text("At risk")

    # Someone else saves Audit log while the lead edits it: the 409 row comes back.
    start_editing(page, "Audit log")
    # The edit row first: the test database is SQLite in memory, shared with the live server's
    # thread, where a write beside a read in flight meets a table lock.
    expect(page.get_by_label("Notes")).to_be_visible()
    audit.refresh_from_db()
    update_milestone(
        milestone=audit, version=audit.version, changes={"notes": "from elsewhere"}, user=None
    )
    page.get_by_label("Notes").fill("mine")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(f"#milestone-{audit.pk} .conflict")).to_be_visible()
    page.locator(f"#milestone-{audit.pk}").get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("link", name="Edit Audit log")).to_be_visible()

    # Escape cancels an edit (milepost.js), then add a milestone and move it up.
    start_editing(page, "Importer")
    title = page.get_by_label("Title", exact=True)
    expect(title).to_be_focused()  # the row is swapped in and settled
    title.press("Escape")
    expect(page.get_by_role("link", name="Edit Importer")).to_be_visible()
    page.get_by_label("Title of the new milestone").fill("Billing export")
    page.get_by_label("Committed date of the new milestone").fill("2026-12-04")
    page.get_by_role("button", name="Add milestone").click()
    expect(page.locator("tbody.milestone", has_text="Billing export")).to_be_visible()
    page.get_by_role("button", name="Move Billing export up").click()
    expect(page.get_by_role("status").first).to_contain_text("Moved")

    # Only the policy is this test's business: the browser also logs the 409 above as a failed
    # load, as it logs any response that is not a success.
    assert csp_errors(page, violations) == []
