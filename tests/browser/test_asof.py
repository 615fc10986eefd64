"""Leadership looks back: the dashboard as of an earlier day of the quarter, in a real browser.

The live server reads the real clock, so the history is dated around today's quarter: both
teams' milestones were planned on the quarter's first day, and Nova dropped its milestone on
the day after (or today, if later). As of the first day 2 of 2 teams were on time; live, 1 of 2.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from milestones.models import Milestone
from milestones.quarters import ensure_quarter, quarter_of
from tests.factories import LeadershipFactory, MilestoneFactory, ReviewFactory, trio


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 30)))


@pytest.fixture
def org(db):
    today = timezone.localdate()
    quarter = ensure_quarter(*quarter_of(today), goal=2)
    quarter.history.update(history_date=_at(quarter.start))
    first_day = quarter.start
    orbit = trio(name="Orbit", slug="orbit")[0]
    nova = trio(name="Nova", slug="nova")[0]
    MilestoneFactory(
        team=orbit,
        quarter=quarter,
        title="Orbit launch",
        committed_date=first_day,
        target_date=first_day,
        status=Milestone.Status.DONE,
        delivered_date=first_day,
    )
    relaunch = MilestoneFactory(
        team=nova,
        quarter=quarter,
        title="Nova relaunch",
        committed_date=quarter.end,
        target_date=quarter.end,
    )
    Milestone.history.update(history_date=_at(first_day))
    relaunch.status = Milestone.Status.DROPPED
    relaunch._history_date = max(timezone.now(), _at(first_day + datetime.timedelta(days=1)))
    relaunch.save()
    ReviewFactory(team=nova, quarter=quarter, held_on=first_day)
    return SimpleNamespace(quarter=quarter, first_day=first_day)


def test_leadership_picks_an_earlier_day_and_sees_the_earlier_figure(page, sign_in, org):
    sign_in(page, LeadershipFactory())
    headline = page.get_by_test_id("headline")
    expect(headline).to_have_text("1 of 2 teams on time")
    expect(page.get_by_test_id("as-of-banner")).to_have_count(0)

    form = page.get_by_role("form", name="As of a past day")
    form.get_by_label("As of", exact=True).fill(org.first_day.isoformat())
    form.get_by_role("button", name="View that day").click()

    banner = page.get_by_test_id("as-of-banner")
    expect(banner).to_contain_text(f"As of {org.first_day:%-d %b %Y}:")
    expect(headline).to_have_text("2 of 2 teams on time")
    assert f"as_of={org.first_day.isoformat()}" in page.url  # shareable

    banner.get_by_role("link", name="Back to the live dashboard").click()
    expect(headline).to_have_text("1 of 2 teams on time")
    assert "as_of" not in page.url
    assert page.console_errors == []


def test_leadership_follows_a_review_day_link(page, sign_in, org):
    sign_in(page, LeadershipFactory())
    page.get_by_role("link", name=f"As of the {org.first_day:%b %-d} review").click()
    expect(page.get_by_test_id("headline")).to_have_text("2 of 2 teams on time")
    expect(page.get_by_test_id("as-of-banner")).to_be_visible()
    # Sorting keeps the day: htmx swaps the table, the address keeps as_of.
    page.locator("table.dashboard-table").get_by_role("link", name="Verdict").click()
    expect(
        page.locator("table.dashboard-table").get_by_role("columnheader", name="Verdict")
    ).to_have_attribute("aria-sort", "ascending")
    assert f"as_of={org.first_day.isoformat()}" in page.url
    expect(page.get_by_test_id("headline")).to_have_text("2 of 2 teams on time")
    assert page.console_errors == []
