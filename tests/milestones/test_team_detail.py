import datetime

import pytest

from tests.factories import MilestoneFactory, QuarterFactory, TeamFactory, TechLeadFactory
from tests.html import by_id, text
from tests.milestones.helpers import HTMX

D = datetime.date


def test_team_page_shows_members_with_their_roles(client, engineer, team, lead, quarter):
    client.force_login(engineer)
    members = text(client.get("/teams/platform/")).split("Milestones of")[0]
    assert f"{lead.name} Tech lead" in members
    assert f"{engineer.name} Engineer" in members
    assert "not a trio" not in members


def test_a_team_that_is_not_a_trio_says_so(client, loner, quarter):
    pair = TeamFactory(name="Pair", slug="pair")
    TechLeadFactory(team=pair)
    client.force_login(loner)
    assert "not a trio" in text(client.get("/teams/pair/"))


def test_team_page_shows_the_current_quarter_by_default(client, engineer, team, quarter):
    QuarterFactory(year=2026, number=3)
    MilestoneFactory(team=team, quarter=quarter, title="Now")
    client.force_login(engineer)
    response = client.get("/teams/platform/")
    assert "Milestones of 2026 Q4" in text(response)
    assert "Now" in text(by_id(response, "milestone-table"))
    assert '<a href="?quarter=2026-q4" aria-current="page">2026 Q4</a>' in response.content.decode()


def test_quarter_switcher_shows_another_quarter(client, engineer, team, quarter):
    earlier = QuarterFactory(year=2026, number=3)
    MilestoneFactory(team=team, quarter=quarter, title="Now")
    MilestoneFactory(
        team=team,
        quarter=earlier,
        title="Then",
        committed_date=D(2026, 8, 1),
        target_date=D(2026, 8, 1),
    )
    client.force_login(engineer)
    response = client.get("/teams/platform/?quarter=2026-q3")
    rows = text(by_id(response, "milestone-table"))
    assert "Then" in rows
    assert "Now" not in rows
    assert 'aria-current="page">2026 Q3</a>' in response.content.decode()


def test_milestone_table_shows_dates_for_humans_and_status_badges(client, engineer, team, quarter):
    MilestoneFactory(
        team=team,
        quarter=quarter,
        title="Importer",
        committed_date=D(2026, 11, 20),
        target_date=D(2026, 11, 27),
        status="at_risk",
        owner=engineer,
    )
    client.force_login(engineer)
    row = text(by_id(client.get("/teams/platform/"), "milestone-table"))
    assert "Importer" in row
    assert engineer.name in row
    assert "Nov 20 Nov 27 +7d At risk" in row


def test_team_figures_sum_up_the_quarter(client, engineer, team, quarter):
    MilestoneFactory(team=team, quarter=quarter, done=True, committed_date=D(2026, 10, 20))
    MilestoneFactory(team=team, quarter=quarter, status="at_risk", committed_date=D(2026, 12, 20))
    client.force_login(engineer)
    figures = text(by_id(client.get("/teams/platform/"), "team-figures"))
    assert figures == "1 of 2 done · on time · 1 at risk"


def test_lead_sees_the_add_row_and_the_controls_of_every_row(
    client, lead, team, quarter, milestone
):
    client.force_login(lead)
    response = client.get("/teams/platform/")
    assert by_id(response, "add-milestone")
    for control in ("edit", "up", "down", "drop"):
        assert by_id(response, f"m{milestone.pk}-{control}")


def test_owner_sees_edit_on_their_milestone_only(
    client, engineer, other_engineer, team, quarter, milestone
):
    theirs = MilestoneFactory(team=team, quarter=quarter, owner=other_engineer)
    client.force_login(engineer)
    page = client.get("/teams/platform/").content.decode()
    assert f'id="m{milestone.pk}-edit"' in page
    assert f'id="m{theirs.pk}-edit"' not in page
    assert 'id="add-milestone"' not in page
    assert f'id="m{milestone.pk}-drop"' not in page
    assert f'id="m{milestone.pk}-up"' not in page


def test_someone_from_another_team_reads_but_changes_nothing(
    client, outsider_lead, team, quarter, milestone
):
    client.force_login(outsider_lead)
    page = client.get("/teams/platform/")
    assert "Ship the importer" in text(by_id(page, "milestone-table"))
    assert f'id="m{milestone.pk}-edit"' not in page.content.decode()
    assert 'id="add-milestone"' not in page.content.decode()


def test_every_link_and_action_works_without_javascript(client, lead, team, quarter, milestone):
    client.force_login(lead)
    row = by_id(client.get("/teams/platform/"), f"milestone-{milestone.pk}")
    assert f'href="/teams/platform/milestones/{milestone.pk}/edit/"' in row
    for action in ("move", "drop"):
        assert f'method="post" action="/teams/platform/milestones/{milestone.pk}/{action}/"' in row
    assert row.count('name="csrfmiddlewaretoken"') == 2


def test_a_locked_quarter_says_committed_dates_are_leaderships(client, lead, team, quarter):
    quarter.locked = True
    quarter.save()
    client.force_login(lead)
    assert "only leadership changes committed dates" in text(client.get("/teams/platform/"))


def test_team_page_of_an_unknown_team_is_not_found(client, engineer):
    client.force_login(engineer)
    assert client.get("/teams/nobody/").status_code == 404


def test_team_page_loads_the_page_script_from_a_file(client, engineer, team, quarter):
    client.force_login(engineer)
    page = client.get("/teams/platform/").content.decode()
    assert '<script src="/static/js/milepost.js" defer></script>' in page
    assert "<script>" not in page


@pytest.mark.parametrize("size", [1, 15])
def test_team_page_costs_the_same_queries_whatever_the_number_of_milestones(
    client, lead, engineer, team, quarter, django_assert_num_queries, size
):
    for _ in range(size):
        milestone = MilestoneFactory(team=team, quarter=quarter, owner=engineer)
        milestone.target_date += datetime.timedelta(days=3)
        milestone.save()  # a slip, so the history has more than one row each
    client.force_login(lead)
    # session, user, team + squad, members, quarters, milestones + owners, their history,
    # the user's membership, the add row's owners, the last review, the review calls (forecast
    # calibration) and the team's review dates (the as-of quick links)
    with django_assert_num_queries(12):
        response = client.get("/teams/platform/")
    assert text(by_id(response, "team-figures")).startswith(f"0 of {size} done")


@pytest.mark.parametrize("size", [1, 15])
def test_htmx_row_answer_costs_the_same_queries_whatever_the_size_of_the_table(
    client, engineer, team, quarter, milestone, django_assert_max_num_queries, size
):
    for _ in range(size):
        MilestoneFactory(team=team, quarter=quarter, owner=engineer)
    client.force_login(engineer)
    with django_assert_max_num_queries(8):
        client.get(f"/teams/platform/milestones/{milestone.pk}/row/", **HTMX)


def test_team_page_without_any_quarter_says_so(client, engineer, team):
    client.force_login(engineer)
    response = client.get("/teams/platform/")
    assert response.status_code == 200
    assert "No quarters yet" in text(response)
