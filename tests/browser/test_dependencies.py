"""Cross-team dependencies in a real browser (issue 16): a lead makes one of their milestones
wait on another team's, that team's lead moves its date later, and the risk shows on the
downstream team's row and in the dashboard's "Waiting on another team"."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from milestones.models import Dependency
from milestones.services import add_dependency
from tests.browser.helpers import real_errors, start_editing
from tests.factories import LeadershipFactory, MilestoneFactory, trio

pytestmark = pytest.mark.usefixtures("frozen_today")


def test_a_lead_waits_on_another_teams_milestone_and_sees_its_slip_put_theirs_at_risk(
    page, sign_in, platform
):
    importer = platform["importer"]  # Platform's, target Dec 10
    billing, billing_lead, *_ = trio(name="Billing", slug="billing")
    payments = MilestoneFactory(
        team=billing,
        quarter=importer.quarter,
        title="Payments API",
        committed_date=datetime.date(2026, 12, 5),
        target_date=datetime.date(2026, 12, 5),
        position=0,
    )

    # Platform's lead finds Billing's milestone by title and team and waits on it.
    sign_in(page, platform["lead"])
    page.goto(f"/teams/platform/milestones/{importer.pk}/")
    dependencies = page.get_by_role("region", name="Dependencies")
    page.get_by_label("Title", exact=True).fill("payments")
    page.get_by_label("Team", exact=True).select_option(label="Billing")
    page.get_by_role("button", name="Search").click()
    page.get_by_role(
        "button", name=re.compile(r"^Wait on this\W+Payments API \(Billing\)$")
    ).click()
    expect(dependencies).to_contain_text("It now waits on “Payments API” (Billing).")
    expect(page.get_by_test_id("upstream-list")).to_contain_text("Payments API")
    assert Dependency.objects.get().upstream_id == payments.pk
    page.get_by_role("button", name="Sign out").click()

    # Billing's lead moves its date past Platform's target.
    sign_in(page, billing_lead)
    page.goto("/teams/billing/")
    start_editing(page, "Payments API")
    page.get_by_label("Target date", exact=True).fill("2026-12-18")
    page.get_by_label("Reason the target moves later").select_option(label="Dependency late")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved “Payments API”.")
    page.get_by_role("button", name="Sign out").click()

    # Platform's row says so, in words; so does the dashboard's watch list.
    sign_in(page, platform["lead"])
    page.goto("/teams/platform/")
    row = page.locator(f"#milestone-{importer.pk}")
    expect(row.get_by_test_id("dependency-risk")).to_contain_text(
        "At risk from a dependency: Waits on “Payments API” (Billing): it is due Dec 18, "
        "8 days after this milestone's target of Dec 10."
    )
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, LeadershipFactory(username="vp"))
    page.goto("/dashboard/")
    waiting = page.get_by_test_id("waiting-watch")
    expect(
        waiting.get_by_role("heading", name=re.compile("Waiting on another team"))
    ).to_contain_text("1")
    expect(waiting).to_contain_text("Importer")
    expect(waiting).to_contain_text("Platform")
    expect(waiting).to_contain_text("At risk through dependencies: 1 team")
    assert real_errors(page) == []


def test_a_lead_adds_and_removes_a_dependency_from_the_team_table_and_sees_a_cycle_refused(
    page, sign_in, platform
):
    importer, audit = platform["importer"], platform["audit"]  # Platform's, Dec 10 and Dec 15
    billing, *_ = trio(name="Billing", slug="billing")
    payments = MilestoneFactory(
        team=billing,
        quarter=importer.quarter,
        title="Payments API",
        committed_date=datetime.date(2026, 12, 18),
        target_date=datetime.date(2026, 12, 18),
        position=0,
    )
    add_dependency(downstream=payments, upstream=audit, user=None)  # Billing waits on Audit log

    sign_in(page, platform["lead"])
    page.goto("/teams/platform/")
    row = page.locator(f"#milestone-{importer.pk}")
    row.get_by_role("link", name="Dependencies of Importer").click()
    editor = page.get_by_role("region", name="Dependencies of Importer")
    expect(editor.get_by_label("Title", exact=True)).to_be_focused()
    editor.get_by_label("Title", exact=True).fill("payments")
    editor.get_by_label("Team", exact=True).select_option(label="Billing")
    editor.get_by_role("button", name="Search").click()
    editor.get_by_role(
        "button", name=re.compile(r"^Wait on this\W+Payments API \(Billing\)$")
    ).click()
    expect(editor).to_contain_text("It now waits on “Payments API” (Billing).")
    expect(row.get_by_test_id("dependency-risk")).to_contain_text(
        "Waits on “Payments API” (Billing): it is due Dec 18, 8 days after this milestone's "
        "target of Dec 10."
    )
    assert Dependency.objects.filter(downstream=importer, upstream=payments).exists()

    # Audit log cannot wait on Payments API, which waits on it: refused beside the search.
    audit_row = page.locator(f"#milestone-{audit.pk}")
    audit_row.get_by_role("link", name="Dependencies of Audit log").click()
    audit_editor = page.get_by_role("region", name="Dependencies of Audit log")
    audit_editor.get_by_label("Title", exact=True).fill("payments")
    audit_editor.get_by_role("button", name="Search").click()
    audit_editor.get_by_role("button", name=re.compile(r"^Wait on this\W+Payments API")).click()
    expect(audit_editor.get_by_role("alert")).to_contain_text("that is a cycle")
    assert not Dependency.objects.filter(downstream=audit).exists()

    # Importer's editor is still open: removing clears the row's mark in place.
    editor.get_by_role("button", name="Remove the dependency on Payments API").click()
    expect(editor).to_contain_text("Removed the dependency.")
    expect(row.get_by_test_id("dependency-risk")).to_have_count(0)
    assert real_errors(page) == []
