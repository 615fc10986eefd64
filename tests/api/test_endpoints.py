"""The read-only API (`api/endpoints.py`): what each endpoint answers, to whom, page by page."""

import datetime

import pytest
from django.utils import timezone

from dashboard.table import dashboard_rows
from milestones.closing import close_quarter, save_quarter_settings
from milestones.models import Milestone, Quarter, QuarterRecord
from milestones.selectors import quarter_report
from milestones.services import update_milestone
from teams.models import Team
from tests.factories import (
    LeadershipFactory,
    MilestoneFactory,
    QuarterFactory,
    ReviewFactory,
    ReviewItemFactory,
    trio,
)

TODAY = datetime.date(2026, 11, 25)

ENDPOINTS = [
    "/api/v1/quarters",
    "/api/v1/quarters/2026-q4/figure",
    "/api/v1/teams",
    "/api/v1/milestones",
    "/api/v1/reviews",
    "/api/schema/",
]


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def org(teams: int, quarter, *, on_time: int) -> list[Team]:
    """`teams` trios with two milestones each in `quarter`; the first `on_time` delivered both
    on time, the others delivered one late."""
    made = []
    for n in range(teams):
        team, lead, *_ = trio(name=f"Team {n:02}", slug=f"team-{n:02}")
        MilestoneFactory(team=team, quarter=quarter, owner=lead, done=True)
        late = MilestoneFactory.build(quarter=quarter).committed_date + datetime.timedelta(days=30)
        MilestoneFactory(
            team=team,
            quarter=quarter,
            owner=lead,
            status=Milestone.Status.DONE,
            delivered_date=quarter.start if n < on_time else late,
        )
        made.append(team)
    return made


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_gets_401_from_every_endpoint(client, quarter, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_token_reads_every_endpoint(client, quarter, bearer, path):
    assert client.get(path, headers=bearer).status_code == 200


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_signed_in_session_reads_every_endpoint(client, quarter, outsider_lead, path):
    client.force_login(outsider_lead)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ENDPOINTS[:-1])
def test_the_api_changes_nothing(client, quarter, bearer, path):
    assert client.post(path, {}, headers=bearer).status_code == 405


def test_a_wrong_token_or_scheme_gets_401(client, quarter, bearer):
    secret = bearer["Authorization"].removeprefix("Bearer ")
    assert client.get(ENDPOINTS[0], headers={"Authorization": "Bearer mp_nope"}).status_code == 401
    assert client.get(ENDPOINTS[0], headers={"Authorization": f"Token {secret}"}).status_code == 401


def test_quarters_carry_their_state_and_live_figure(client, bearer):
    q4 = QuarterFactory(year=2026, number=4, goal=2)
    org(3, q4, on_time=2)
    QuarterFactory(year=2027, number=1)  # planning opens in mid December: upcoming
    items = client.get("/api/v1/quarters", headers=bearer).json()["items"]
    assert [(q["slug"], q["state"]) for q in items] == [
        ("2027-q1", "upcoming"),
        ("2026-q4", "in_progress"),
    ]
    figure = items[1]["figure"]
    assert figure["headline"] == "2 of 3 teams on time"
    assert (figure["goal"], figure["goal_met"], figure["milestones_due"]) == (2, True, 6)
    assert items[1]["figure_recorded"] is False


def test_a_closed_quarter_shows_its_recorded_figure_not_todays(client, bearer):
    q3 = QuarterFactory(year=2026, number=3, goal=5)
    org(2, q3, on_time=2)
    q3.closed_at = timezone.now()
    q3.save()
    QuarterRecord.objects.create(
        quarter=q3, on_time=1, teams=2, milestones_on_time=3, milestones_due=4, goal=5,
        grace_days=7,
    )  # fmt: skip
    (item,) = client.get("/api/v1/quarters", headers=bearer).json()["items"]
    assert (item["state"], item["figure_recorded"]) == ("closed", True)
    assert item["figure"]["headline"] == "1 of 2 teams on time"
    figure = client.get("/api/v1/quarters/2026-q3/figure", headers=bearer).json()
    assert (figure["recorded"], figure["figure"]["on_time"]) == (True, 1)


def test_the_quarter_list_figures_are_the_dashboards(client, bearer):
    q4 = QuarterFactory(year=2026, number=4, goal=3)
    teams = org(4, q4, on_time=1)
    MilestoneFactory(team=teams[0], quarter=q4, status=Milestone.Status.AT_RISK)
    dashboard = quarter_report(q4, TODAY).figure
    (item,) = client.get("/api/v1/quarters", headers=bearer).json()["items"]
    assert (item["figure"]["on_time"], item["figure"]["forecast"], item["figure"]["teams"]) == (
        dashboard.on_time,
        dashboard.forecast,
        dashboard.teams,
    )


def test_the_org_figure_as_of_a_past_day(client, bearer):
    q4 = QuarterFactory(year=2026, number=4, goal=1)
    with with_time_at(datetime.datetime(2026, 10, 5, 12, tzinfo=datetime.UTC)):
        team, lead, *_ = trio(name="Early", slug="early")
        MilestoneFactory(team=team, quarter=q4, owner=lead, done=True)
    org(2, q4, on_time=0)  # made today: absent on 10 October
    live = client.get("/api/v1/quarters/current/figure", headers=bearer).json()
    then = client.get("/api/v1/quarters/2026-q4/figure?as_of=2026-10-10", headers=bearer).json()
    assert live["figure"]["headline"] == "1 of 3 teams on time"
    assert (then["as_of"], then["figure"]["headline"]) == ("2026-10-10", "1 of 1 teams on time")


def with_time_at(moment):
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2026-12-20", 400), ("2026-09-01", 400), ("yesterday", 422), ("2026-02-30", 422)],
)
def test_an_as_of_day_outside_the_quarter_or_not_a_date_is_refused(
    client, bearer, quarter, as_of, status
):
    response = client.get(f"/api/v1/quarters/2026-q4/figure?as_of={as_of}", headers=bearer)
    assert response.status_code == status


def test_an_unknown_quarter_is_not_found(client, bearer, quarter):
    assert client.get("/api/v1/quarters/2031-q2/figure", headers=bearer).status_code == 404
    assert client.get("/api/v1/milestones?quarter=2031-q2", headers=bearer).status_code == 404
    assert client.get("/api/v1/quarters/next/figure", headers=bearer).status_code == 422


def test_teams_carry_their_verdict_lead_and_counts(client, bearer):
    q4 = QuarterFactory(year=2026, number=4, goal=1)
    good, bad = org(2, q4, on_time=1)
    MilestoneFactory(team=bad, quarter=q4, status=Milestone.Status.AT_RISK)
    items = client.get("/api/v1/teams?quarter=2026-q4", headers=bearer).json()["items"]
    by_slug = {item["slug"]: item for item in items}
    assert by_slug[good.slug]["verdict"] == "on time"
    assert by_slug[bad.slug]["verdict"] == "not on time"
    assert (by_slug[bad.slug]["total"], by_slug[bad.slug]["late"]) == (3, 1)
    assert by_slug[bad.slug]["at_risk"] == 1
    assert (
        by_slug[good.slug]["lead"]["username"]
        == good.memberships.get(role="tech_lead").user.username
    )
    assert by_slug[good.slug]["members"] == 3


def close_q3(teams: int, *, on_time: int) -> tuple[list[Team], object]:
    """2026 Q3 (ended by TODAY) with `org(teams)`, closed by leadership."""
    q3 = QuarterFactory(year=2026, number=3, goal=1)
    made = org(teams, q3, on_time=on_time)
    close_quarter(quarter=q3, user=LeadershipFactory(), decisions=[], next_goal=1, today=TODAY)
    return made, q3


def test_a_closed_quarters_teams_are_those_recorded_and_a_restatement_does_not_move_them(
    client, bearer, vp
):
    (good, bad), q3 = close_q3(2, on_time=1)
    late = bad.milestones.order_by("pk").last()  # delivered a month late
    update_milestone(
        milestone=late,
        version=late.version,
        changes={"delivered_date": q3.start},  # restated: on time after all
        user=vp,
        restatement_reason="The release notes show it shipped on day one",
    )

    items = client.get("/api/v1/teams?quarter=2026-q3", headers=bearer).json()["items"]

    by_slug = {item["slug"]: item for item in items}
    assert (by_slug[bad.slug]["verdict"], by_slug[bad.slug]["recorded"]) == ("not on time", True)
    assert (by_slug[bad.slug]["late"], by_slug[bad.slug]["on_time"]) == (1, 1)
    assert by_slug[good.slug]["verdict"] == "on time"
    # Today's milestones say otherwise: that is the restated figure, not the record.
    report = quarter_report(Quarter.objects.with_record().get(pk=q3.pk), TODAY)
    assert {row.team.slug: row.figures.verdict for row in report.rows}[bad.slug] == "on time"
    # The dashboard's team table shows what the API answers (`closing.recorded_team_figures`).
    table = {row.team.slug: row.figures.verdict for row in dashboard_rows(report)}
    assert table == {slug: item["verdict"] for slug, item in by_slug.items()}
    # As of a day, the teams are judged as they stood then, not recorded.
    then = client.get("/api/v1/teams?quarter=2026-q3&as_of=2026-09-30", headers=bearer).json()
    assert {item["recorded"] for item in then["items"]} == {False}


def test_a_quarter_closed_before_teams_were_recorded_answers_them_live_and_says_so(client, bearer):
    _teams, q3 = close_q3(2, on_time=1)
    QuarterRecord.objects.filter(quarter=q3).update(team_figures=None)

    items = client.get("/api/v1/teams?quarter=2026-q3", headers=bearer).json()["items"]

    assert {item["recorded"] for item in items} == {False}
    assert sorted(item["verdict"] for item in items) == ["no milestones", "not on time", "on time"]


# The token, then: the count, the page, the page's milestones (of the quarters not closed).
PAGES_QUARTERS = 4
# The token, the quarters, `quarter_report` (teams, members, milestones, history), then the
# members with their people (the report's rows carry figures, not people).
PAGES_TEAMS = 7


def correct_in_the_database(team: Team) -> None:
    """A later correction straight to the database (no restatement, no change counted): the
    team's late milestone was delivered on the quarter's first day after all."""
    late = team.milestones.order_by("pk").last()
    Milestone.objects.filter(pk=late.pk).update(delivered_date=late.quarter.start)


def widen_the_grace(quarter: Quarter, vp) -> None:
    """Leadership restates the quarter's grace to 60 days: every late delivery is on time."""
    quarter.grace_days = 60
    save_quarter_settings(
        quarter=quarter, fields=["grace_days"], user=vp, reason="The grace we agreed in July"
    )


def correct(how: str, team: Team, vp) -> None:
    if how == "in the database":
        correct_in_the_database(team)
    else:
        widen_the_grace(Quarter.objects.get(pk=team.milestones.first().quarter_id), vp)


@pytest.mark.parametrize("how", ["in the database", "by restating the grace"])
def test_a_closed_quarter_answers_its_recorded_figures_after_a_later_correction(
    client, bearer, vp, how
):
    (good, bad), q3 = close_q3(2, on_time=1)
    correct(how, bad, vp)
    # Judged from today's milestones, both teams are on time now: that is not what closed.
    live = quarter_report(Quarter.objects.get(pk=q3.pk), TODAY)
    assert (live.figure.on_time, live.figure.milestones_on_time) == (2, 4)

    teams = client.get("/api/v1/teams?quarter=2026-q3", headers=bearer).json()["items"]
    figure = client.get("/api/v1/quarters/2026-q3/figure", headers=bearer).json()
    (quarter,) = [
        q
        for q in client.get("/api/v1/quarters", headers=bearer).json()["items"]
        if q["slug"] == q3.slug
    ]

    by_slug = {item["slug"]: item for item in teams}
    assert (by_slug[bad.slug]["verdict"], by_slug[bad.slug]["recorded"]) == ("not on time", True)
    assert (by_slug[bad.slug]["on_time"], by_slug[bad.slug]["late"]) == (1, 1)
    assert (by_slug[good.slug]["verdict"], by_slug[good.slug]["recorded"]) == ("on time", True)
    assert (figure["recorded"], figure["figure"]["headline"]) == (True, "1 of 2 teams on time")
    assert figure["figure"]["milestones_on_time"] == 3
    assert (quarter["figure_recorded"], quarter["figure"]["headline"]) == (
        True,
        "1 of 2 teams on time",
    )


@pytest.mark.parametrize("how", ["in the database", "by restating the grace"])
def test_an_open_quarter_answers_live_after_the_same_correction(client, bearer, vp, how):
    q4 = QuarterFactory(year=2026, number=4, goal=1)
    _good, bad = org(2, q4, on_time=1)
    before = client.get("/api/v1/teams?quarter=2026-q4", headers=bearer).json()["items"]
    assert {item["slug"]: item["verdict"] for item in before}[bad.slug] == "not on time"
    correct(how, bad, vp)

    teams = client.get("/api/v1/teams?quarter=2026-q4", headers=bearer).json()["items"]
    figure = client.get("/api/v1/quarters/2026-q4/figure", headers=bearer).json()
    (quarter,) = client.get("/api/v1/quarters", headers=bearer).json()["items"]

    by_slug = {item["slug"]: item for item in teams}
    assert (by_slug[bad.slug]["verdict"], by_slug[bad.slug]["recorded"]) == ("on time", False)
    assert (figure["recorded"], figure["figure"]["headline"]) == (False, "2 of 2 teams on time")
    assert (quarter["figure_recorded"], quarter["figure"]["headline"]) == (
        False,
        "2 of 2 teams on time",
    )


def test_the_schema_says_which_figures_of_a_closed_quarter_are_recorded(client, bearer):
    schema = client.get("/api/schema/", headers=bearer).json()
    description = schema["info"]["description"]
    assert "A closed quarter answers from its record" in description
    for field in ("`figure_recorded: true`", "`recorded: true`", "`as_of`"):
        assert field in description
    assert "restatements" in schema["paths"]["/api/v1/milestones"]["get"]["description"]


CLOSED_PAGES = {
    # path: queries at most for a closed quarter's answer, whatever the number of teams
    "/api/v1/quarters": PAGES_QUARTERS,
    # the token, the quarter with its record: nothing else (the figure is the recorded one)
    "/api/v1/quarters/2026-q3/figure": 2,
    "/api/v1/teams?quarter=2026-q3": PAGES_TEAMS,
    # the token, the quarter, the count, the page
    "/api/v1/milestones?quarter=2026-q3": 4,
}


@pytest.mark.parametrize("path", sorted(CLOSED_PAGES))
@pytest.mark.parametrize("teams", [2, 12])
def test_a_closed_quarters_answers_cost_the_same_queries_whatever_the_size(
    client, bearer, django_assert_max_num_queries, path, teams
):
    close_q3(teams, on_time=1)
    QuarterFactory(year=2026, number=2, goal=1, closed_at=timezone.now())  # closed by hand
    client.get(path, headers=bearer)  # the token's first use
    with django_assert_max_num_queries(CLOSED_PAGES[path]):
        response = client.get(path, headers=bearer)
    assert response.status_code == 200
    if path.startswith("/api/v1/teams"):
        items = response.json()["items"]
        assert len(items) == teams + 1  # and the engineer's, without milestones
        assert {item["recorded"] for item in items} == {True}


def test_milestones_filter_by_team_quarter_and_status(client, bearer):
    q3, q4 = QuarterFactory(year=2026, number=3), QuarterFactory(year=2026, number=4)
    one, two = org(2, q4, on_time=2)
    MilestoneFactory(team=one, quarter=q3, status=Milestone.Status.DROPPED)
    at_risk = MilestoneFactory(team=two, quarter=q4, status=Milestone.Status.AT_RISK)

    def ids(query: str) -> set[int]:
        body = client.get(f"/api/v1/milestones?{query}", headers=bearer).json()
        return {item["id"] for item in body["items"]}

    assert ids(f"team={one.slug}") == set(one.milestones.values_list("pk", flat=True))
    assert ids("quarter=2026-q3") == set(q3.milestones.values_list("pk", flat=True))
    assert ids(f"team={two.slug}&quarter=2026-q4&status=at_risk") == {at_risk.pk}
    assert ids("team=nobody") == set()
    Milestone.objects.filter(pk=at_risk.pk).update(link="https://jira.example.com/X-1")
    detail = client.get(f"/api/v1/milestones/{at_risk.pk}", headers=bearer).json()
    assert detail["url"].endswith(at_risk.get_absolute_url())
    assert detail["link"] == "https://jira.example.com/X-1"
    assert client.get("/api/v1/milestones/999999", headers=bearer).status_code == 404


def test_reviews_carry_their_items(client, bearer):
    item = ReviewItemFactory(note="Ahead of plan")
    body = client.get(f"/api/v1/reviews?team={item.review.team.slug}", headers=bearer).json()
    (review,) = body["items"]
    assert (review["id"], review["closed"]) == (item.review.pk, False)
    assert review["items"][0]["note"] == "Ahead of plan"


def test_lists_come_in_pages(client, bearer, quarter):
    org(3, quarter, on_time=1)  # six milestones
    first = client.get("/api/v1/milestones?page_size=4", headers=bearer).json()
    second = client.get("/api/v1/milestones?page_size=4&page=2", headers=bearer).json()
    past = client.get("/api/v1/milestones?page_size=4&page=3", headers=bearer).json()
    assert (first["count"], first["pages"], len(first["items"]), len(second["items"])) == (
        6,
        2,
        4,
        2,
    )
    assert {m["id"] for m in first["items"]}.isdisjoint({m["id"] for m in second["items"]})
    assert past["items"] == []
    assert client.get("/api/v1/milestones?page_size=101", headers=bearer).status_code == 422


PAGES = {
    # path: queries for one page at most, whatever the number of teams
    "/api/v1/quarters": PAGES_QUARTERS,
    "/api/v1/teams": PAGES_TEAMS,
    # the token, the count, the page
    "/api/v1/milestones": 3,
    # the token, the count, the page, its items
    "/api/v1/reviews": 4,
}


@pytest.mark.parametrize("path", sorted(PAGES))
@pytest.mark.parametrize("teams", [2, 12])
def test_a_page_costs_the_same_queries_whatever_the_size(
    client, bearer, django_assert_max_num_queries, path, teams
):
    for year in (2025, 2026):
        quarter = QuarterFactory(year=year, number=4)
        for team in org(teams, quarter, on_time=1) if year == 2026 else []:
            review = ReviewFactory(team=team, quarter=quarter)
            for milestone in team.milestones.all():
                ReviewItemFactory(milestone=milestone, review=review)
    client.get(path, headers=bearer)  # the token's first use today is noted once
    with django_assert_max_num_queries(PAGES[path]):
        response = client.get(path, headers=bearer)
    assert response.status_code == 200
