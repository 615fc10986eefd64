"""The dashboard's cache (`dashboard.cache`) never serves a report older than a change: each
write path bumps the quarter's change counter in its transaction, and the next dashboard
shows the change: web edits, restatements, closing a quarter, planning, quarter settings, the
admin, reviews, the roster command, the People and Organisation pages and the demo seed.
(The sheet sync's own test is in tests/sheets/test_sync_refreshes_dashboard.)
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

from dashboard import cache
from milestones.changes import bump
from milestones.models import ChangeCounter, Milestone, Quarter
from tests.dashboard.conftest import TODAY, text
from tests.milestones.helpers import row_data

URL = reverse("dashboard:index")


@pytest.fixture
def as_vp(client, vp, org, frozen_today):
    client.force_login(vp)
    return client


def watched(response) -> str:
    """The words of the at-risk watch list."""
    words = text(response)
    start = words.index("At risk or off track")
    return words[start : words.index("Overdue", start)]


def test_a_second_dashboard_is_served_from_the_cache(as_vp, org, django_assert_num_queries):
    as_vp.get(URL)
    # Session, user, quarters, change counters: no report query.
    with django_assert_num_queries(4):
        response = as_vp.get(URL, {"sort": "-slips"})
    assert "4 of 7 teams on time" in text(response)


def test_a_change_made_behind_the_services_back_is_not_seen_until_a_write_path_bumps(as_vp, org):
    """What the counter is for: the cache really serves the report it built."""
    as_vp.get(URL)
    Milestone.objects.filter(title="Dune maps").update(status=Milestone.Status.AT_RISK)
    assert "Dune maps" not in watched(as_vp.get(URL))
    bump([org.quarter.pk])
    assert "Dune maps" in watched(as_vp.get(URL))


def test_a_web_edit_changes_the_next_dashboard(client, as_vp, org, vp):
    assert "Dune maps" not in watched(as_vp.get(URL))
    milestone = org.milestones["Dune maps"]
    response = client.post(
        reverse("milestones:edit", args=[milestone.team.slug, milestone.pk]),
        row_data(milestone, status=Milestone.Status.AT_RISK),
    )
    assert response.status_code in (200, 302)
    assert "Dune maps" in watched(as_vp.get(URL))


def test_an_admin_edit_changes_the_next_dashboard(client, as_vp, org, vp):
    vp.is_staff = vp.is_superuser = True
    vp.save()
    assert "against a goal of 5" in text(as_vp.get(URL))
    quarter = org.quarter
    response = client.post(
        reverse("admin:milestones_quarter_change", args=[quarter.pk]),
        {
            "year": quarter.year,
            "number": quarter.number,
            "start": quarter.start.isoformat(),
            "end": quarter.end.isoformat(),
            "goal": "3",
            "grace_days": quarter.grace_days,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "against a goal of 3" in text(as_vp.get(URL))


def test_the_quarter_settings_page_changes_the_next_dashboard(as_vp, org):
    assert "against a goal of 5" in text(as_vp.get(URL))
    url = reverse("dashboard:quarter_settings", args=[org.quarter.slug])
    assert as_vp.post(url, {"goal": "2", "grace_days": "7"}).status_code == 302
    assert "against a goal of 2" in text(as_vp.get(URL))


def test_a_review_changes_the_next_dashboard(as_vp, org, vp):
    rows = {row.team.name: row for row in as_vp.get(URL).context["report"].table.rows}
    assert rows["Dune"].last_review is None
    response = as_vp.post(reverse("reviews:start", args=["dune"]), {"held_on": TODAY.isoformat()})
    assert response.status_code in (200, 302)
    rows = {row.team.name: row for row in as_vp.get(URL).context["report"].table.rows}
    assert rows["Dune"].last_review == TODAY


def test_the_roster_command_changes_the_next_dashboard(as_vp, org, tmp_path):
    assert "Zora Quill" not in text(as_vp.get(URL))
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "team,squad,role,name,email\nDune,Core,tech_lead,Zora Quill,zora@example.com\n"
    )
    call_command("import_roster", str(roster), "--partial", verbosity=0)
    assert "Zora Quill" in text(as_vp.get(URL))


def quarter_page(client, quarter) -> str:
    return text(client.get(URL, {"quarter": quarter.slug}))


def close_q3(client, org) -> None:
    """Leadership closes 2026 Q3 (nothing in it is open) through the close page."""
    url = reverse("milestones:close_quarter", args=[org.previous.slug])
    response = client.post(url, {"next_goal": "5"})
    assert response.status_code == 302, text(response)[:2000]


def test_closing_a_quarter_changes_the_next_dashboard(as_vp, org):
    before = quarter_page(as_vp, org.previous)
    assert "Ended, not closed yet 2 of 3 teams on time" in before
    close_q3(as_vp, org)
    after = quarter_page(as_vp, org.previous)
    assert "Recorded at close 2 of 3 teams on time" in after
    # The trend on the quarter in progress shows Q3's recorded point.
    [point] = [
        bar.point
        for bar in as_vp.get(URL).context["report"].chart.bars
        if bar.point.quarter == org.previous
    ]
    assert point.recorded


def test_a_restatement_changes_the_next_dashboard(client, as_vp, org):
    close_q3(as_vp, org)
    assert "Restated" not in quarter_page(as_vp, org.previous)  # cached, as recorded
    atlas = Milestone.objects.get(title="Atlas Q3")
    response = client.post(
        reverse("milestones:edit", args=[atlas.team.slug, atlas.pk]),
        row_data(atlas, delivered_date="2026-09-25", restatement_reason="Shipped late, per audit"),
    )
    assert response.status_code in (200, 302), text(response)[:2000]
    after = quarter_page(as_vp, org.previous)
    assert "Recorded at close 2 of 3 teams on time" in after
    assert "Restated: 1 of 3 after changes since close" in after


def test_setting_the_day_planning_opens_and_locking_planning_change_the_next_dashboard(as_vp, org):
    q1 = Quarter.objects.get(year=2027, number=1)
    before = quarter_page(as_vp, q1)
    assert "Planning opens" in before
    assert "Lock planning of 2027 Q1" not in before
    settings_url = reverse("dashboard:quarter_settings", args=[q1.slug])
    data = {"goal": "6", "grace_days": "7", "planning_opens": TODAY.isoformat()}
    assert as_vp.post(settings_url, data).status_code == 302
    page = quarter_page(as_vp, q1)
    assert "Planning opened Nov 25" in page
    assert "Lock planning of 2027 Q1" in page
    assert as_vp.post(reverse("milestones:lock_planning", args=[q1.slug])).status_code == 302
    page = quarter_page(as_vp, q1)
    assert "Planning is locked" in page
    assert "Lock planning of 2027 Q1" not in page


def team_names(client) -> set[str]:
    """The teams of the dashboard's table (not the page's words: the flash message after a
    save names the team too)."""
    return {row.team.name for row in client.get(URL).context["report"].table.rows}


def test_the_organisation_page_changes_the_next_dashboard(as_vp, org):
    atlas = org.teams["Atlas"]
    assert "Atlas" in team_names(as_vp)
    prefix = f"team-{atlas.pk}"
    response = as_vp.post(
        reverse("people:team_edit", args=[atlas.pk]),
        {f"{prefix}-name": "Atlantis", f"{prefix}-squad": atlas.squad_id, f"{prefix}-active": "on"},
    )
    assert response.status_code == 302
    names = team_names(as_vp)
    assert "Atlantis" in names
    assert "Atlas" not in names


def test_the_people_pages_change_the_next_dashboard(as_vp, org):
    def atlas_lead() -> str:
        rows = as_vp.get(URL).context["report"].table.rows
        [atlas] = [row for row in rows if row.team.name == "Atlas"]
        return atlas.team.tech_lead_name

    engineer = org.engineer
    assert atlas_lead() != engineer.name
    response = as_vp.post(reverse("people:make_lead", args=[engineer.pk]))
    assert response.status_code == 302
    assert atlas_lead() == engineer.name
    response = as_vp.post(
        reverse("people:edit", args=[engineer.pk]),
        {
            "username": engineer.username,
            "display_name": "Ada Renamed",
            "email": engineer.email,
        },
    )
    assert response.status_code == 302, text(response)[:2000]
    assert atlas_lead() == "Ada Renamed"


def test_the_demo_seed_counts_a_change_of_every_quarter(db):
    call_command("seed_demo", "--today", "2026-11-25", verbosity=0)
    counters = ChangeCounter.objects.all()
    assert counters.count() == Quarter.objects.count() == 5  # with the quarter in planning
    assert all(counter.value >= 1 and counter.token for counter in counters)


def test_keys_differ_by_counter_token_day_and_quarter():
    day = TODAY
    base = cache.key("dashboard", day, {1: (3, "a")}, [1])
    assert base != cache.key("dashboard", day, {1: (4, "b")}, [1])
    assert base != cache.key("dashboard", day, {1: (3, "c")}, [1])  # a restored database
    assert base != cache.key("dashboard", TODAY.replace(day=26), {1: (3, "a")}, [1])
    assert base != cache.key("dashboard", day, {1: (3, "a")}, [1, 2])
