"""Sign in with Google in the browser, against the tests' own OpenID Connect provider on
loopback (tests/oidc_provider.py): the button, the provider's redirect back, the landing page."""

from playwright.sync_api import expect

from tests.factories import LeadershipFactory, trio


def test_a_tech_lead_signs_in_with_google_and_lands_on_their_team(page, oidc_provider):
    _team, lead, *_ = trio(name="Platform", slug="platform")
    lead.email = "erin.chang@example.com"
    lead.save()
    oidc_provider.sign_in_as("erin.chang@example.com")

    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Google").click()

    page.wait_for_url("**/teams/platform/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Platform")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert ("POST", "/token") in oidc_provider.requests
    assert page.console_errors == []


def test_someone_leadership_has_not_listed_is_told_to_ask_leadership(page, oidc_provider):
    LeadershipFactory(email="vp@example.com")
    oidc_provider.sign_in_as("new.hire@example.com")

    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Google").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Milepost cannot sign you in")
    expect(page.get_by_role("alert")).to_contain_text("Nobody in Milepost has the address")
    expect(page.get_by_text("Ask leadership")).to_be_visible()
    page.get_by_role("link", name="Back to sign in").click()
    expect(page.get_by_role("button", name="Sign in with Google")).to_be_visible()
