import pytest
from django.template import Context, Template

from milestones.models import Milestone
from milestones.selectors import teams_with_members
from teams.models import Team
from tests.factories import (
    MembershipFactory,
    MilestoneFactory,
    QuarterFactory,
    SquadFactory,
    TeamFactory,
    TechLeadFactory,
    UserFactory,
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


# The rows are written in Python (`teams.selectors`); this is the template they replaced, over
# model instances, to check them against byte for byte.
REFERENCE_ROWS = Template(
    """{% for team in teams %}
    <tr>
      <th scope="row"><a href="{{ team.get_absolute_url }}">{{ team.name }}</a></th>
      <td>{{ team.squad }}</td>
      <td>{{ team.tech_lead|default:"—" }}</td>
      <td>{{ team.engineers|join:", "|default:"—" }}</td>
      <td>{% if team.is_trio %}<span class="badge ok">trio</span>{% else %}<span class="badge warn">not a trio</span>{% endif %}</td>
      <td class="num">{% if team.total %}{{ team.done }} / {{ team.total }}{% else %}<span class="muted">none yet</span>{% endif %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501
)


def test_rows_are_what_the_template_wrote(client, loner, quarter):
    odd, *_ = trio(name='R&D <"Ops">', slug="r-d-ops", squad=SquadFactory(name="<Growth> & 'co'"))
    MilestoneFactory(team=odd, quarter=quarter, done=True)
    MilestoneFactory(team=odd, quarter=quarter)
    lonely = TeamFactory(name="Lonely")
    MembershipFactory(
        team=lonely, user=UserFactory(display_name="", first_name="Zoë", last_name="<Z>")
    )
    MembershipFactory(team=lonely, user=UserFactory(display_name="", username="ann"))
    MembershipFactory(team=lonely, user=UserFactory(display_name="Gone"), active=False)
    TeamFactory(name="Empty")
    client.force_login(loner)

    page = client.get("/teams/").content.decode()

    teams = list(teams_with_members(Team.objects.filter(active=True)))
    for team in teams:
        milestones = list(team.milestones.filter(quarter=quarter))
        team.total = len(milestones)
        team.done = sum(m.status == Milestone.Status.DONE for m in milestones)
    expected = REFERENCE_ROWS.render(Context({"teams": teams}))
    assert f"<tbody>\n  {expected}\n  </tbody>" in page
    assert "<td>Zoë &lt;Z&gt;, ann</td>" in expected  # by name, escaped, without the inactive


def test_no_teams_says_how_to_import_a_roster(client, loner, quarter):
    client.force_login(loner)
    assert "No teams yet" in text(client.get("/teams/"))


def test_without_quarters_the_list_still_shows_the_teams(client, loner):
    trio(name="Atlas")
    client.force_login(loner)
    row = row_of(client.get("/teams/"), "Atlas")
    assert "none yet" in row
