"""Planning the next quarter (issue 15): leads add its milestones once planning opens,
leadership locks planning, the next quarter's dashboard shows the planned commitments."""

import datetime

import pytest
from django.urls import reverse

from dashboard.report import build_dashboard
from milestones.models import Milestone, Quarter
from milestones.permissions import editable_fields
from milestones.quarters import pick_quarter
from tests.factories import MilestoneFactory, QuarterFactory, trio
from tests.html import text

D = datetime.date
TODAY = D(2026, 11, 25)


@pytest.fixture
def q1(db):
    """2027 Q1, planning open since Nov 20 (leadership opened it early), goal 16."""
    QuarterFactory(year=2026, number=4)
    return QuarterFactory(year=2027, number=1, goal=16, planning_opens=D(2026, 11, 20))


def add(client, quarter, title="Draft"):
    return client.post(
        reverse("milestones:create", args=["platform"]),
        {"quarter": quarter.slug, "title": title, "committed_date": "2027-02-10"},
    )


def test_a_lead_adds_milestones_once_planning_opens(client, lead, q1):
    client.force_login(lead)
    assert add(client, q1).status_code == 302
    assert Milestone.objects.get(title="Draft").quarter == q1


def test_a_lead_cannot_add_milestones_before_planning_opens(client, lead, q1):
    Quarter.objects.filter(pk=q1.pk).update(planning_opens=None)  # opens Dec 18
    client.force_login(lead)
    assert add(client, q1).status_code == 403
    assert not Milestone.objects.exists()


def test_the_team_page_says_the_quarter_is_in_planning_and_offers_the_add_row(client, lead, q1):
    client.force_login(lead)
    response = client.get(reverse("milestones:team", args=["platform"]), {"quarter": q1.slug})
    assert "Planning 2027 Q1: add the team's milestones" in text(response)
    assert response.context["add_form"] is not None
    assert "2027 Q1 · planning" in text(response)


def test_the_next_quarters_dashboard_shows_planned_commitments_and_the_goal(
    client, vp, q1, team, outsider_lead
):
    MilestoneFactory(team=team, quarter=q1, title="Kafka upgrade", committed_date=D(2027, 2, 3))
    client.force_login(vp)
    response = client.get(reverse("dashboard:index"), {"quarter": q1.slug})
    page = text(response)
    assert "Planned for 2027 Q1" in page
    assert "1 milestone from 1 of 2 teams, against a goal of 16 teams on time" in page
    assert "Kafka upgrade (Feb 3)" in page
    assert "nothing planned yet" in page
    assert "Lock planning of 2027 Q1" in page


def test_leadership_locks_planning_and_leads_lose_the_committed_date(client, vp, lead, q1, team):
    draft = MilestoneFactory(team=team, quarter=q1, committed_date=D(2027, 2, 3))
    client.force_login(vp)
    response = client.post(reverse("milestones:lock_planning", args=[q1.slug]))
    assert response.status_code == 302
    q1.refresh_from_db()
    assert q1.locked
    draft.refresh_from_db()
    assert "committed_date" not in editable_fields(lead, draft)
    page = text(client.get(reverse("dashboard:index"), {"quarter": q1.slug}))
    assert "Planning is locked: committed dates are frozen." in page


@pytest.mark.parametrize("teams", [3, 30])
def test_the_planning_dashboard_costs_the_same_queries_whatever_the_size(
    q1, teams, django_assert_max_num_queries
):
    for n in range(teams):
        team, *_ = trio(name=f"T{n}", slug=f"t{n}")
        MilestoneFactory(team=team, quarter=q1, committed_date=D(2027, 2, 3))
    found, quarters = pick_quarter(q1.slug, TODAY)
    # The dashboard's build (`dashboard.report`), the quarter's dependencies included.
    with django_assert_max_num_queries(10):
        report = build_dashboard(found, quarters, today=TODAY, query={})
    assert len(report.planning.planned) == teams
