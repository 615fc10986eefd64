"""Leadership runs the organisation in the app: adds a person and makes them tech lead."""

from playwright.sync_api import expect

from teams.models import Membership
from tests.factories import LeadershipFactory, trio


def test_leadership_adds_a_person_and_makes_them_tech_lead(page, sign_in):
    vp = LeadershipFactory(username="vp", display_name="Val Pereira")
    team, old_lead, *_ = trio(name="Platform", slug="platform")
    sign_in(page, vp)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Username:", exact=True).fill("nnewbie")
    page.get_by_label("Name:", exact=True).fill("Nia Newbie")
    page.get_by_label("Email address:").fill("nia@example.com")
    page.get_by_label("Team:").select_option(label="Platform")
    page.get_by_role("button", name="Add").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Newbie")
    expect(page.get_by_role("status")).to_contain_text("Added Nia Newbie")
    expect(page.get_by_text(f"{old_lead.name} stays on the team as an engineer")).to_be_visible()
    page.get_by_role("button", name="Make tech lead of Platform").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Nia Newbie is now the tech lead of Platform"
    )
    expect(
        page.get_by_role("main").get_by_text("Tech lead of Platform", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("Val Pereira (web): became tech lead of Platform")).to_be_visible()
    lead = Membership.objects.get(team=team, role="tech_lead", active=True)
    assert lead.user.username == "nnewbie"
    assert Membership.objects.get(user=old_lead, active=True).role == "engineer"

    page.goto(f"/teams/{team.slug}/")
    expect(page.get_by_text("Nia Newbie").first).to_be_visible()
