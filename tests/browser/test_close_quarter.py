"""Closing a quarter in a real browser (issue 15): leadership closes 2026 Q3 with one
carry-over and one drop, sets the goal of Q4, and finds the carried milestone in Q4's table,
linked both ways."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from milestones.models import Milestone, Quarter, QuarterRecord
from tests.browser.helpers import real_errors
from tests.factories import LeadershipFactory, MilestoneFactory, QuarterFactory

pytestmark = pytest.mark.usefixtures("frozen_today")
D = datetime.date


def test_leadership_closes_q3_with_a_carry_over_and_a_drop_and_q4_holds_the_carried_one(
    page, sign_in, platform
):
    team = platform["importer"].team
    q3 = QuarterFactory(year=2026, number=3, goal=1)
    MilestoneFactory(team=team, quarter=q3, title="Shipped", done=True, position=0)
    migration = MilestoneFactory(
        team=team, quarter=q3, title="Migration", owner=platform["engineer"], position=1
    )
    legacy = MilestoneFactory(team=team, quarter=q3, title="Legacy export", position=2)
    vp = LeadershipFactory(username="vp")
    sign_in(page, vp)

    page.goto("/dashboard/?quarter=2026-q3")
    expect(page.get_by_test_id("quarter-state")).to_have_text("not closed yet")
    page.get_by_role("link", name="Close 2026 Q3").click()
    expect(page.get_by_test_id("closing-figure")).to_contain_text("0 of 1 teams on time")

    row = page.locator(f"#close-{migration.pk}")
    row.get_by_label("Carry over").check()
    row.get_by_label("Committed date in 2026 Q4 of Migration").fill("2026-12-05")
    row.get_by_label("Why, for Migration").fill("Vendor API arrived late")
    other = page.locator(f"#close-{legacy.pk}")
    other.get_by_label("Drop").check()
    other.get_by_label("Why, for Legacy export").fill("No customer uses it")
    page.get_by_label("Goal of the next quarter").fill("2")
    page.get_by_role("button", name=re.compile(r"Close 2026 Q3 and record")).click()

    expect(page).to_have_url(re.compile(r"/quarters/2026-q3/record/$"))
    expect(page.get_by_test_id("recorded-figure")).to_contain_text("0 of 1 teams on time")
    expect(page.get_by_test_id("decision")).to_have_count(2)
    record = QuarterRecord.objects.get(quarter=q3)
    assert (record.on_time, record.teams, record.recorded_by) == (0, 1, vp)
    assert Quarter.objects.get(year=2026, number=4).goal == 2
    assert Milestone.objects.get(pk=legacy.pk).status == "dropped"

    # Q4's table holds the carried milestone, committed on the day given, linked back.
    page.goto("/teams/platform/?quarter=2026-q4")
    carried = Milestone.objects.get(carried_from=migration)
    row = page.locator(f"#milestone-{carried.pk}")
    expect(row).to_contain_text("Migration")
    expect(row).to_contain_text("Dec 5")
    expect(row).to_contain_text("Carried over from 2026 Q3")
    row.get_by_role("link", name="2026 Q3").click()
    expect(page.get_by_test_id("carried-to")).to_contain_text("Migration · 2026 Q4")

    # Q3 is read-only now: its table offers no add row and says why.
    page.goto("/teams/platform/?quarter=2026-q3")
    expect(page.get_by_test_id("quarter-closed")).to_be_visible()
    expect(page.get_by_role("button", name="Add milestone")).to_have_count(0)
    assert real_errors(page) == []
