from playwright.sync_api import expect

from tests.factories import LeadershipFactory, trio


def test_leadership_signs_in_and_lands_on_the_dashboard(page, sign_in):
    vp = LeadershipFactory()
    sign_in(page, vp)
    assert page.url.endswith("/dashboard/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_tech_lead_signs_in_and_lands_on_their_team(page, sign_in):
    _team, lead, *_ = trio(name="Platform", slug="platform")
    sign_in(page, lead)
    assert page.url.endswith("/teams/platform/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Platform")


def test_wrong_password_shows_a_clear_message(page, sign_in):
    vp = LeadershipFactory()
    sign_in(page, vp, password="not-it")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
