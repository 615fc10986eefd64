import pytest

from tests.factories import (
    MembershipFactory,
    MilestoneFactory,
    QuarterFactory,
    SquadFactory,
    TeamFactory,
    TechLeadFactory,
    trio,
)
from tests.html import text


def row_of(response, team_name: str) -> str:
    for line in response.content.decode().split("<tr>"):
        if f">{team_name}</a>" in line:
            return text(line)
    raise AssertionError(f"{team_name} is not listed")


def test_teams_list_shows_squad_lead_engineers_and_trio(client, loner, quarter):
    _, lead, first, second = trio(name="Atlas", slug="atlas", squad=SquadFactory(name="Growth"))
    client.force_login(loner)
    row = row_of(client.get("/teams/"), "Atlas")
    assert "Growth" in row
    assert lead.name in row
    assert f"{first.name}, {second.name}" in row or f"{second.name}, {first.name}" in row
    assert "trio" in row
    assert "not a trio" not in row


def test_a_team_that_is_not_a_trio_is_marked(client, loner, quarter):
    pair = TeamFactory(name="Pair")
    TechLeadFactory(team=pair)
    MembershipFactory(team=pair)
    client.force_login(loner)
    assert "not a trio" in row_of(client.get("/teams/"), "Pair")


def test_teams_list_counts_this_quarters_milestones_done_of_total(client, loner, quarter):
    team, *_ = trio(name="Atlas")
    MilestoneFactory(team=team, quarter=quarter, done=True)
    MilestoneFactory(team=team, quarter=quarter)
    MilestoneFactory(team=team, quarter=quarter, status="dropped")
    MilestoneFactory(team=team, quarter=QuarterFactory(year=2026, number=3))
    client.force_login(loner)
    assert "1 / 3" in row_of(client.get("/teams/"), "Atlas")


def test_a_team_without_milestones_says_none_yet(client, loner, quarter):
    trio(name="Atlas")
    client.force_login(loner)
    assert "none yet" in row_of(client.get("/teams/"), "Atlas")


def test_inactive_teams_are_not_listed(client, loner, quarter):
    trio(name="Atlas")
    trio(name="Ghost", active=False)
    client.force_login(loner)
    page = text(client.get("/teams/"))
    assert "Atlas" in page
    assert "Ghost" not in page


@pytest.mark.parametrize("size", [1, 12])
def test_teams_list_costs_the_same_queries_whatever_the_number_of_teams(
    client, loner, quarter, django_assert_num_queries, size
):
    for _ in range(size):
        team, *_ = trio()
        MilestoneFactory(team=team, quarter=quarter, done=True)
    client.force_login(loner)
    # session, user, quarters, teams + squads, members, milestone counts
    with django_assert_num_queries(6):
        response = client.get("/teams/")
    assert response.content.decode().count("1 / 1") == size
