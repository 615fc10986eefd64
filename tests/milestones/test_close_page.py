"""The close page, the quarter's record page and the 403 + unchanged figure after close
(issue 15): views over `milestones.closing`."""

import datetime

import pytest
from django.urls import reverse

from dashboard.report import build_dashboard
from milestones.models import Milestone, Quarter, QuarterRecord
from milestones.quarters import pick_quarter
from tests.factories import MilestoneFactory, QuarterFactory, trio
from tests.html import text

D = datetime.date
TODAY = D(2026, 11, 25)


@pytest.fixture
def q3(db):
    return QuarterFactory(year=2026, number=3, goal=1)


@pytest.fixture
def ended(q3, team, engineer):
    """Platform: one on time, one still open; 2026 Q3 has ended, Q4 exists."""
    QuarterFactory(year=2026, number=4, goal=0)
    done = MilestoneFactory(team=team, quarter=q3, done=True, committed_date=D(2026, 8, 1))
    still = MilestoneFactory(
        team=team, quarter=q3, owner=engineer, committed_date=D(2026, 9, 1), title="Importer"
    )
    return done, still


def close_url(quarter):
    return reverse("milestones:close_quarter", args=[quarter.slug])


def grow(quarter, teams: int) -> None:
    for n in range(teams):
        team, *_ = trio(name=f"Extra {n}", slug=f"extra-{n}")
        MilestoneFactory(team=team, quarter=quarter, committed_date=D(2026, 9, 1))


def test_the_close_page_lists_what_is_open_and_the_figure_to_record(client, vp, ended, q3):
    client.force_login(vp)
    response = client.get(close_url(q3))
    assert response.status_code == 200
    page = text(response)
    assert "Importer" in page
    assert "0 of 1 teams on time, against a goal of 1" in page
    assert "2026 Q3's goal was 1" in page


def test_closing_through_the_page_carries_one_and_records_the_figure(client, vp, ended, q3):
    _, still = ended
    client.force_login(vp)
    response = client.post(
        close_url(q3),
        {
            f"m{still.pk}-action": "carry",
            f"m{still.pk}-committed_date": "2026-11-20",
            f"m{still.pk}-reason": "Vendor late",
            "next_goal": "2",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("milestones:quarter_record", args=[q3.slug])
    record = QuarterRecord.objects.get(quarter=q3)
    assert (record.on_time, record.teams) == (0, 1)
    carried = Milestone.objects.get(carried_from=still)
    assert carried.quarter.goal == 2
    page = text(client.get(response["Location"]))
    assert "0 of 1 teams on time" in page
    assert "Carried into 2026 Q4" in page
    assert "Vendor late" in page


def test_a_missing_decision_comes_back_beside_its_milestone_and_nothing_closes(
    client, vp, ended, q3
):
    _, still = ended
    client.force_login(vp)
    response = client.post(close_url(q3), {f"m{still.pk}-action": "drop", "next_goal": "1"})
    assert response.status_code == 422
    assert "Say why." in text(response)
    q3.refresh_from_db()
    assert not q3.is_closed


def test_a_quarter_in_progress_cannot_be_closed_yet(client, vp, db):
    q4 = QuarterFactory(year=2026, number=4)
    client.force_login(vp)
    response = client.get(close_url(q4))
    assert "it can be closed from Jan 8, 2027" in text(response)
    assert client.post(close_url(q4), {"next_goal": "1"}).status_code == 422
    q4.refresh_from_db()
    assert not q4.is_closed


@pytest.mark.parametrize("extra", [0, 20])
def test_the_close_page_costs_the_same_queries_whatever_the_size(
    client, vp, ended, q3, extra, django_assert_max_num_queries
):
    grow(q3, extra)
    client.force_login(vp)
    client.get(close_url(q3))  # the session and the user, once
    # Session, user; the quarter, its open milestones, the next quarter; the figure to record
    # (teams, memberships, milestones, history).
    with django_assert_max_num_queries(9):
        response = client.get(close_url(q3))
    assert len(response.context["rows"]) == 1 + extra


@pytest.fixture
def closed(client, vp, ended, q3):
    _, still = ended
    client.force_login(vp)
    client.post(
        close_url(q3),
        {f"m{still.pk}-action": "drop", f"m{still.pk}-reason": "Cancelled", "next_goal": "1"},
    )
    client.logout()
    q3.refresh_from_db()
    return ended


def headline(quarter):
    found, quarters = pick_quarter(quarter.slug, TODAY)
    return build_dashboard(found, quarters, today=TODAY, query={}).headline


def test_lead_cannot_edit_a_closed_quarters_milestone_and_the_figure_is_unchanged(
    client, lead, closed, q3
):
    done, _ = closed
    before = headline(q3)
    client.force_login(lead)
    response = client.post(
        reverse("milestones:edit", args=[done.team.slug, done.pk]),
        {
            "version": done.version,
            "title": done.title,
            "committed_date": "2026-08-01",
            "target_date": "2026-08-01",
            "status": "done",
            "delivered_date": "2026-09-25",
        },
    )
    assert response.status_code == 403
    done.refresh_from_db()
    assert done.delivered_date == D(2026, 8, 1)
    after = headline(q3)
    assert (after.figure, after.restated) == (before.figure, None)
    assert after.label == "Recorded at close"


def test_leaderships_restatement_keeps_the_recorded_figure_and_shows_the_restated_one(
    client, vp, closed, q3, team
):
    done, _ = closed
    done.refresh_from_db()
    client.force_login(vp)
    data = {
        "version": done.version,
        "title": done.title,
        "description": "",
        "owner": "",
        "committed_date": "2026-08-01",
        "target_date": "2026-08-01",
        "status": "done",
        "delivered_date": "2026-09-25",
        "notes": "",
    }
    url = reverse("milestones:edit", args=[team.slug, done.pk])
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "say why its recorded milestone changes" in text(refused)
    response = client.post(url, {**data, "restatement_reason": "Released late, per audit"})
    assert response.status_code == 302
    shown = headline(q3)
    assert shown.figure.headline == "0 of 1 teams on time"  # recorded: Platform missed
    assert shown.restated.milestones_on_time == 0  # the on-time delivery became late
    dashboard = text(client.get(reverse("dashboard:index"), {"quarter": q3.slug}))
    assert "Recorded at close 0 of 1 teams on time" in dashboard
    assert "what changed" in dashboard
    ledger = text(client.get(reverse("milestones:detail", args=[team.slug, done.pk])))
    assert "Released late, per audit" in ledger
    record = text(client.get(reverse("milestones:quarter_record", args=[q3.slug])))
    assert "Released late, per audit" in record


@pytest.mark.parametrize("extra", [0, 20])
def test_the_record_page_costs_the_same_queries_whatever_the_size(
    client, vp, q3, team, extra, django_assert_max_num_queries
):
    QuarterFactory(year=2026, number=4)
    grow(q3, extra)
    client.force_login(vp)
    page = client.get(close_url(q3))
    data = {"next_goal": "1"}
    for milestone, *_ in page.context["rows"]:
        data |= {f"m{milestone.pk}-action": "carry", f"m{milestone.pk}-reason": "Next"}
        data[f"m{milestone.pk}-committed_date"] = "2026-11-20"
    assert client.post(close_url(q3), data).status_code == 302
    url = reverse("milestones:quarter_record", args=[q3.slug])
    client.get(url)
    # Session, user; the quarter, its record, the decisions with the carried milestones, the
    # restatements; the live figure (teams, memberships, milestones, history).
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert len(response.context["decisions"]) == extra


def test_the_trend_reads_the_recorded_figure_of_a_closed_quarter(closed, q3, team):
    Quarter.objects.filter(pk=q3.pk).update(goal=1)
    # A change made behind the app's back (no restatement) does not move the trend.
    Milestone.objects.filter(quarter=q3, status="done").update(delivered_date=D(2026, 9, 30))
    found, quarters = pick_quarter("2026-q4", TODAY)
    report = build_dashboard(found, quarters, today=TODAY, query={})
    [point] = [bar.point for bar in report.chart.bars if bar.point.quarter == q3]
    assert point.recorded
    assert (point.figure.on_time, point.figure.milestones_on_time) == (0, 1)


def test_a_restated_grace_is_listed_on_the_record_page_with_its_reason(client, vp, closed, q3):
    client.force_login(vp)
    settings_url = reverse("dashboard:quarter_settings", args=[q3.slug])
    data = {"goal": q3.goal, "grace_days": "30", "reason": "Grace agreed late"}
    assert client.post(settings_url, data).status_code == 302

    record = text(client.get(reverse("milestones:quarter_record", args=[q3.slug])))

    assert "the quarter's settings" in record
    assert "Grace days 7 → 30" in record
    assert "Grace agreed late" in record


def test_a_restated_goal_shows_beside_the_restated_figure_on_the_dashboard(client, vp, closed, q3):
    client.force_login(vp)
    settings_url = reverse("dashboard:quarter_settings", args=[q3.slug])
    data = {"goal": "4", "grace_days": q3.grace_days, "reason": "The board raised it"}
    assert client.post(settings_url, data).status_code == 302

    dashboard = text(client.get(reverse("dashboard:index"), {"quarter": q3.slug}))

    assert "Restated: 0 of 1 against a goal of 4 after changes since close" in dashboard
