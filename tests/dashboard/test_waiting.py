"""The dashboard's dependencies (dashboard.waiting): waiting on another team, the teams at
risk through dependencies, and per squad who waits on whom."""

import datetime

import pytest
from django.urls import reverse

from dashboard.report import build_dashboard
from milestones.models import Quarter
from milestones.services import add_dependency
from tests.dashboard.conftest import TODAY
from tests.factories import (
    LeadershipFactory,
    MilestoneFactory,
    QuarterFactory,
    SquadFactory,
    TeamFactory,
)
from tests.html import by_id, text

D = datetime.date


@pytest.fixture
def linked(db):
    """Squad Core: Checkout waits on Payments (due after it: at risk) and on Search (due
    before it: fine); Payments waits on Ledger of squad Money (due before it: fine)."""
    quarter = QuarterFactory(year=2026, number=4, goal=3)
    core, money = SquadFactory(name="Core"), SquadFactory(name="Money")
    teams = {
        name: TeamFactory(name=name, squad=squad)
        for name, squad in [
            ("Checkout", core),
            ("Payments", core),
            ("Search", core),
            ("Ledger", money),
        ]
    }

    def milestone(team, title, target):
        return MilestoneFactory(
            team=teams[team],
            quarter=quarter,
            title=title,
            committed_date=target,
            target_date=target,
        )

    cart = milestone("Checkout", "One-click cart", D(2026, 12, 10))
    api = milestone("Payments", "Payments API", D(2026, 12, 15))
    index = milestone("Search", "Search index", D(2026, 12, 1))
    books = milestone("Ledger", "Books export", D(2026, 12, 2))
    add_dependency(downstream=cart, upstream=api, user=None)
    add_dependency(downstream=cart, upstream=index, user=None)
    add_dependency(downstream=api, upstream=books, user=None)
    return quarter


def report_of(quarter: Quarter, **query):
    return build_dashboard(quarter, [quarter], today=TODAY, query=query).dependencies


def test_a_milestone_at_risk_from_another_teams_milestone_is_waiting_on_another_team(linked):
    found = report_of(linked)
    (entry,) = found.waiting
    assert (entry.milestone.title, entry.team.name) == ("One-click cart", "Checkout")
    assert "Waits on “Payments API” (Payments): it is due Dec 15, 5 days after" in entry.reason


def test_the_teams_at_risk_through_dependencies_are_those_whose_verdict_a_slip_would_turn(linked):
    found = report_of(linked)
    assert found.teams_at_risk == 1
    assert found.cost.endangered_teams == ["Checkout"]
    assert (found.cost.forecast_before.forecast, found.cost.forecast_after.forecast) == (4, 3)


def test_each_squad_gets_a_teams_by_teams_table_with_a_text_alternative(linked):
    (core,) = report_of(linked).grids  # Money's team waits on nobody
    assert core.columns == ["Checkout", "Payments", "Search", "Other squads"]
    cells = {team.name: [cell.text for cell in row] for team, row in core.rows}
    assert cells == {
        "Checkout": ["", "1 (1 at risk)", "1", ""],
        "Payments": ["", "", "", "1"],
        "Search": ["", "", "", ""],
    }
    assert core.sentences == [
        "Checkout waits on Payments: 1 link, 1 at risk.",
        "Checkout waits on Search: 1 link.",
        "Payments waits on Other squads: 1 link.",
    ]


def test_the_dashboard_page_shows_the_watch_list_and_the_count(client, linked, frozen_today):
    client.force_login(LeadershipFactory())
    response = client.get(reverse("dashboard:index"))
    watch = text(by_id(response, "watch-waiting"))
    assert watch == "Waiting on another team 1"
    page = response.content.decode()
    assert "At risk through dependencies: 1 team</strong> (Checkout)" in page
    assert "Checkout waits on Payments: 1 link, 1 at risk." in page


def test_a_squad_filter_keeps_its_own_waiting_milestones_and_table(linked):
    money = SquadFactory(name="Money")
    found = report_of(linked, squad=str(money.pk))
    assert found.waiting == []
    assert found.grids == []
