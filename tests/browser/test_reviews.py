"""A tech lead runs the biweekly review in the browser, htmx and all."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Review
from reviews.services import close_review, start_review
from tests.factories import MilestoneFactory, QuarterFactory, trio

D = datetime.date
TODAY = D(2026, 11, 25)


@pytest.fixture
def platform(monkeypatch):
    """Platform reviewed Search (due Dec 1) on Nov 11; its target has slipped to Dec 10 since."""
    # The live server runs in this process: its views read the same pinned date.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    quarter = QuarterFactory(year=2026, number=4)
    team, lead, engineer, _ = trio(name="Platform", slug="platform")
    search = MilestoneFactory(
        team=team,
        quarter=quarter,
        title="Search",
        owner=engineer,
        committed_date=D(2026, 12, 1),
        target_date=D(2026, 12, 1),
    )
    MilestoneFactory(team=team, quarter=quarter, title="Export", owner=lead)
    close_review(review=start_review(team=team, held_on=D(2026, 11, 11), user=lead), user=lead)
    search.target_date = D(2026, 12, 10)
    search.save()
    return team, lead


def test_a_lead_reviews_a_slip_writes_a_note_closes_the_review_and_cannot_edit_it(
    page, sign_in, platform
):
    team, lead = platform
    # Milepost has no favicon yet; the browser's request for one is not this test's business.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    sign_in(page, lead)

    page.goto(f"/teams/{team.slug}/reviews/")
    expect(page.get_by_label("Date")).to_have_value("2026-11-25")
    page.get_by_role("button", name="Start review").click()

    expect(page).to_have_url(re.compile(r"/teams/platform/reviews/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wednesday, November 25, 2026")
    # Started by htmx (an HX-Redirect), confirmed as after a plain POST.
    expect(page.locator(".messages")).to_have_text("Started the review of Nov 25, 2026.")
    slipped = page.get_by_role("region", name="Slipped")
    expect(slipped).to_contain_text("Search: Dec 1 → Dec 10 +9 days")

    search = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Search", exact=True)
    )
    search.get_by_label("Note on Search").fill("Vendor sandbox is late; new date agreed.")
    search.get_by_role("button", name="Save note").click()
    expect(search.get_by_role("status")).to_have_text("Saved")

    page.get_by_role("button", name="Close review").click()

    expect(page.get_by_test_id("review-state")).to_contain_text("Closed")
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Save note")).to_have_count(0)
    expect(page.locator("#review")).to_contain_text("Vendor sandbox is late; new date agreed.")

    # A tab still holding the open review is refused too: the server says it is closed.
    review = Review.objects.get(held_on=TODAY)
    item = review.items.get(title="Search")
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"/teams/{team.slug}/reviews/{review.pk}/items/{item.pk}/note/",
        form={"note": "Edited after closing"},
        headers={"X-CSRFToken": csrf, "HX-Request": "true"},
    )
    assert response.status == 409
    item.refresh_from_db()
    assert item.note == "Vendor sandbox is late; new date agreed."

    page.reload()
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.locator("#review")).to_contain_text("Vendor sandbox is late; new date agreed.")
    assert page.console_errors == []


def test_a_note_typed_but_not_saved_is_kept_when_the_lead_closes_the_review(
    page, sign_in, platform
):
    team, lead = platform
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    review = start_review(team=team, held_on=TODAY, user=lead)
    sign_in(page, lead)
    page.goto(review.get_absolute_url())

    page.get_by_label("Note on Export").fill("Waiting on design")
    page.get_by_role("button", name="Close review").click()

    expect(page.get_by_test_id("review-state")).to_contain_text("Closed")
    expect(page.locator("#review")).to_contain_text("Waiting on design")
    assert review.items.get(title="Export").note == "Waiting on design"
    assert page.console_errors == []
