"""The dashboard view: the page's headline against a hand-computed organisation, the forecast,
the trend, who may see what, and a constant number of queries whatever the size."""

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from milestones.models import Quarter
from tests.dashboard.conftest import grow_org, text
from tests.factories import QuarterFactory

URL = reverse("dashboard:index")


@pytest.fixture
def signed_in_vp(client, vp):
    client.force_login(vp)
    return client


def test_headline_counts_the_teams_on_time_against_the_goal(signed_in_vp, org, frozen_today):
    response = signed_in_vp.get(URL)
    figure = response.context["report"].headline.figure
    # Atlas, Dune (nothing due yet), Ember (its drop is excused) and Grove; not Beacon (late),
    # Comet (only dropped milestones), Flint (overdue); Haven (no milestones) and Ghost
    # (inactive) are not counted.
    assert (figure.on_time, figure.teams, figure.goal) == (4, 7, 5)
    assert "4 of 7 teams on time" in text(response)
    assert "against a goal of 5: 1 short" in text(response)


def test_milestone_rate_sits_beside_the_headline(signed_in_vp, org, frozen_today):
    response = signed_in_vp.get(URL)
    assert "50% of milestones on time (4 of 8 due)" in text(response)


def test_forecast_is_shown_apart_and_counts_at_risk_teams_as_not_on_time(
    signed_in_vp, org, frozen_today
):
    response = signed_in_vp.get(URL)
    assert response.context["report"].headline.figure.forecast == 3  # Grove's rollout is at risk
    assertContains(
        response,
        '<p class="headline" data-testid="forecast"><strong>3 of 7</strong> teams on time</p>',
        html=True,
    )
    assert "Forecast for Dec 31" in text(response)


def test_an_ended_quarter_not_closed_yet_never_says_final_and_shows_no_forecast(
    signed_in_vp, org, frozen_today
):
    response = signed_in_vp.get(URL, {"quarter": "2026-q3"})
    page = text(response)
    assert "Ended, not closed yet 2 of 3 teams on time against a goal of 4: 2 short" in page
    assert "Final" not in page
    assertNotContains(response, 'data-testid="forecast"')


def test_goal_met_is_said_so(signed_in_vp, org, frozen_today):
    Quarter.objects.filter(pk=org.quarter.pk).update(goal=4)
    assert "against a goal of 4: goal met" in text(signed_in_vp.get(URL))


def test_a_quarter_without_a_goal_invites_leadership_to_set_one(signed_in_vp, org, frozen_today):
    Quarter.objects.filter(pk=org.quarter.pk).update(goal=0)
    response = signed_in_vp.get(URL)
    assert "No goal set — set one" in text(response)
    assertContains(response, reverse("dashboard:quarter_settings", args=["2026-q4"]))


def test_a_quarter_nobody_has_planned_yet_says_so_rather_than_0_of_0(
    signed_in_vp, org, frozen_today
):
    response = signed_in_vp.get(URL, {"quarter": "2027-q1"})
    page = text(response)
    assert "Starts Jan 1 No team has milestones in 2027 Q1 yet. Goal: 6 teams on time." in page
    assert "0 of 0" not in page
    assertNotContains(response, 'data-testid="forecast"')


def test_the_current_quarter_is_shown_by_default_and_others_by_the_switcher(
    signed_in_vp, org, frozen_today
):
    assert signed_in_vp.get(URL).context["report"].quarter == org.quarter
    response = signed_in_vp.get(URL, {"quarter": "2026-q3"})
    assert response.context["report"].quarter == org.previous
    assertContains(
        response,
        '<a href="?quarter=2026-q3" aria-current="page">2026 Q3'
        ' <small class="quarter-state">· ended, not closed yet</small></a>',
        html=True,
    )


def test_an_unknown_quarter_falls_back_to_the_current_one(signed_in_vp, org, frozen_today):
    assert signed_in_vp.get(URL, {"quarter": "1999-q9"}).context["report"].quarter == org.quarter


def test_the_quarter_switcher_keeps_the_squad_filter(signed_in_vp, org, frozen_today):
    response = signed_in_vp.get(URL, {"squad": org.core.pk})
    assertContains(response, f'href="?quarter=2026-q3&amp;squad={org.core.pk}"')


def test_trend_shows_every_quarter_so_far_against_its_goal(signed_in_vp, org, frozen_today):
    response = signed_in_vp.get(URL)
    chart = response.context["report"].chart
    assert [(bar.label, bar.value_label) for bar in chart.bars] == [
        ("2026 Q3", "2/3"),
        ("2026 Q4", "4/7"),
    ]
    # Rendered on the server with a text alternative: no script needed to read it.
    assertContains(response, '<svg class="chart"')
    assertContains(
        response,
        '<desc id="trend-desc">2026 Q3: 2 of 3 teams on time, goal 4, missed; '
        "2026 Q4 (so far): 4 of 7 teams on time, goal 5, missed.</desc>",
    )
    assert "The trend as a table" in text(response)


def test_the_chart_uses_no_inline_styles_or_scripts(signed_in_vp, org, frozen_today):
    html = signed_in_vp.get(URL).content.decode()
    assert "style=" not in html
    # The only script is htmx, loaded from our own static files.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/vendor/htmx.min.js" defer>']


def test_every_signed_in_user_may_read_the_dashboard(client, org, frozen_today):
    client.force_login(org.engineer)
    response = client.get(URL)
    assert response.status_code == 200
    assert "4 of 7 teams on time" in text(response)


def test_only_leadership_sees_the_quarter_settings_link(client, vp, org, frozen_today):
    settings_url = reverse("dashboard:quarter_settings", args=["2026-q4"])
    client.force_login(org.engineer)
    assertNotContains(client.get(URL), settings_url)
    client.force_login(vp)
    assertContains(client.get(URL), settings_url)


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_only_answers_reads(signed_in_vp, org):
    assert signed_in_vp.post(URL).status_code == 405


def test_without_quarters_the_dashboard_says_how_to_start(signed_in_vp):
    response = signed_in_vp.get(URL)
    assert response.status_code == 200
    assert "No quarters yet" in text(response)


def test_each_row_links_to_the_team_page_of_the_quarter(signed_in_vp, org, frozen_today):
    response = signed_in_vp.get(URL, {"quarter": "2026-q3"})
    assertContains(response, '<a href="/teams/atlas/?quarter=2026-q3">Atlas</a>', html=True)


def test_a_team_that_is_not_a_trio_is_marked(signed_in_vp, org, frozen_today):
    org.teams["Dune"].memberships.filter(role="engineer").first().delete()
    response = signed_in_vp.get(URL)
    rows = {row.team.name: row for row in response.context["report"].table.rows}
    assert not rows["Dune"].team.is_trio
    assert text(response).count("not a trio") == 1


def test_teams_that_never_held_a_review_are_overdue_with_no_date(signed_in_vp, org, frozen_today):
    rows = signed_in_vp.get(URL).context["report"].table.rows
    assert {(row.last_review, row.review_overdue) for row in rows} == {(None, True)}


def test_the_vary_header_keeps_the_partial_and_the_page_apart_in_caches(
    signed_in_vp, org, frozen_today
):
    assert "HX-Request" in signed_in_vp.get(URL)["Vary"]


# Session, user, quarters, teams, memberships, milestones, their history, the teams' last
# reviews, their review calls (forecast calibration), the trend, and the quarter's review dates
# (the as-of quick links), and the reasons given for the quarter's slips (days slipped by reason).
# Plus the change counters the cache is keyed by (`milestones.changes`).
PAGE_QUERIES = 13
# The swapped table and lists show no trend and no review dates, but a report built for them
# is built whole, for the cache the page shares.
PARTIAL_QUERIES = 12
# From the cache: session, user, quarters and the change counters.
CACHED_QUERIES = 4


@pytest.mark.parametrize("teams", [5, 200])
def test_the_page_costs_the_same_queries_for_5_and_200_teams(
    client, vp, teams, frozen_today, django_assert_num_queries
):
    quarter = QuarterFactory(year=2026, number=4)
    QuarterFactory(year=2026, number=3)
    grow_org(quarter, teams)
    client.force_login(vp)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(URL, {"group": "squad", "sort": "-slips"})
    assert len(response.context["report"].table.rows) == teams
    assert response.context["report"].headline.figure.teams == teams
    with django_assert_num_queries(CACHED_QUERIES):
        again = client.get(URL, {"sort": "verdict"})
    assert len(again.context["report"].table.rows) == teams


@pytest.mark.parametrize("teams", [5, 200])
def test_the_swapped_table_costs_the_same_queries_for_5_and_200_teams(
    client, vp, teams, frozen_today, django_assert_num_queries
):
    grow_org(QuarterFactory(year=2026, number=4), teams)
    client.force_login(vp)
    with django_assert_num_queries(PARTIAL_QUERIES):
        client.get(
            URL, {"sort": "verdict"}, headers={"HX-Request": "true", "HX-Target": "dashboard-body"}
        )
    with django_assert_num_queries(CACHED_QUERIES):
        client.get(
            URL, {"sort": "-slips"}, headers={"HX-Request": "true", "HX-Target": "dashboard-body"}
        )
