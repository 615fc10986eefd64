"""As-of views: the quarter rebuilt from the milestones' history for a past day gives the figures
the live page showed that day; the dashboard shows them with a banner, read from `?as_of=`."""

import csv
import datetime
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from dashboard.report import REVIEW_LINKS
from milestones import asof
from milestones.models import Dependency, Milestone
from milestones.quarters import ensure_quarter, quarter_of
from milestones.selectors import quarter_report
from tests.dashboard.conftest import grow_org, slip, text
from tests.dashboard.history import (
    TODAY,
    D,
    at,
    milestone_on,
    quarter_on,
    save_on,
)
from tests.factories import QuarterFactory, ReviewFactory, trio

URL = reverse("dashboard:index")


def figure_on(org, day):
    return quarter_report(org.quarter, TODAY, as_of=day).figure


def verdicts(report) -> dict[str, str]:
    return {row.team.name: row.figures.verdict for row in report.rows}


# --- Parsing ?as_of= ---------------------------------------------------------------------------


@pytest.fixture
def q4(db):
    return QuarterFactory(year=2026, number=4)


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_no_as_of_is_the_live_page_without_a_message(q4, raw):
    assert asof.parse_as_of(raw, q4, TODAY) == asof.AsOf()


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("yesterday", "is not a date"),
        ("2026-13-01", "is not a date"),
        ("2026-11-26", "is in the future"),
        ("2026-09-30", "is not in 2026 Q4"),
    ],
)
def test_a_day_the_page_cannot_show_is_the_live_page_with_a_reason(q4, raw, says):
    wanted = asof.parse_as_of(raw, q4, TODAY)
    assert wanted.day is None
    assert says in wanted.error


@pytest.mark.parametrize("day", [D(2026, 10, 1), D(2026, 11, 3), TODAY])
def test_any_day_of_the_quarter_up_to_today_is_shown(q4, day):
    assert asof.parse_as_of(day.isoformat(), q4, TODAY) == asof.AsOf(day)


def test_a_day_counts_up_to_its_end_in_the_organisations_time_zone():
    with override_settings(TIME_ZONE="America/New_York"):
        end = asof.end_of(D(2026, 11, 3))
        assert end == at(D(2026, 11, 4), datetime.time(0))
        assert end.astimezone(datetime.UTC) == datetime.datetime(
            2026, 11, 4, 5, tzinfo=datetime.UTC
        )


# --- The rebuilt quarter ------------------------------------------------------------------------


def test_a_milestone_changed_on_a_day_is_pinned_before_and_after_its_change(dated_org):
    before = quarter_report(dated_org.quarter, TODAY, as_of=D(2026, 11, 9))
    after = quarter_report(dated_org.quarter, TODAY, as_of=D(2026, 11, 10))
    assert before.figure.headline == "3 of 3 teams on time"
    assert after.figure.headline == "2 of 3 teams on time"
    assert verdicts(before)["Beacon"] == "on time"  # billing not due yet, on track
    assert verdicts(after)["Beacon"] == "not on time"  # dropped on Nov 10
    billing = next(r for r in before.rows if r.team.name == "Beacon").milestones[0]
    assert (billing.title, billing.status) == ("Beacon billing", "on_track")


def test_the_rebuilt_day_is_judged_on_that_day(dated_org):
    # As of Oct 10 Atlas's search (committed Oct 15) was open and not due: nothing due yet.
    report = quarter_report(dated_org.quarter, TODAY, as_of=D(2026, 10, 10))
    atlas = next(r for r in report.rows if r.team.name == "Atlas").figures
    assert (atlas.not_due, atlas.done, atlas.verdict) == (1, 0, "on time")
    assert report.today == report.as_of == D(2026, 10, 10)


def test_a_milestone_created_after_the_day_is_absent(dated_org):
    assert figure_on(dated_org, D(2026, 11, 11)).teams == 3  # Comet had no milestone yet
    assert figure_on(dated_org, D(2026, 11, 12)).headline == "3 of 4 teams on time"
    assert quarter_report(dated_org.quarter, TODAY).figure.headline == "3 of 4 teams on time"


def test_a_deleted_milestone_is_present_before_its_deletion(dated_org):
    def dune(day):
        report = quarter_report(dated_org.quarter, TODAY, as_of=day)
        row = next(r for r in report.rows if r.team.name == "Dune")
        return sorted(m.title for m in row.milestones)

    assert dune(D(2026, 11, 14)) == ["Dune maps", "Dune spike"]
    assert dune(D(2026, 11, 15)) == ["Dune maps"]


def test_a_milestone_nobody_had_created_yet_on_the_first_day_leaves_the_quarter_empty(dated_org):
    Milestone.history.filter(history_date__lt=at(D(2026, 10, 2))).update(
        history_date=at(D(2026, 10, 2))
    )
    figure = figure_on(dated_org, D(2026, 10, 1))
    assert (figure.teams, figure.on_time) == (0, 0)


def test_the_rules_are_those_of_the_day_when_the_grace_changed_later(db, team):
    quarter = quarter_on(D(2026, 10, 1), grace_days=7, goal=1)
    # Committed Oct 30, delivered Nov 8: 9 days after, late with 7 days of grace.
    milestone = milestone_on(D(2026, 10, 1), team, quarter, committed_date=D(2026, 10, 30))
    save_on(milestone, D(2026, 11, 8), status="done", delivered_date=D(2026, 11, 8))
    save_on(quarter, D(2026, 11, 20), grace_days=14, goal=2)  # leadership relents

    then = quarter_report(quarter, TODAY, as_of=D(2026, 11, 19))
    assert (then.quarter.grace_days, then.quarter.goal) == (7, 1)
    assert then.figure.headline == "0 of 1 teams on time"
    now = quarter_report(quarter, TODAY, as_of=D(2026, 11, 20))
    assert (now.quarter.grace_days, now.figure.headline) == (14, "1 of 1 teams on time")
    assert quarter_report(quarter, TODAY).figure.headline == "1 of 1 teams on time"
    assert quarter.grace_days == 14  # the live quarter is left as it is


def test_a_quarter_whose_history_starts_later_keeps_its_current_rules(dated_org):
    dated_org.quarter.history.update(history_date=at(D(2026, 11, 1)))
    assert asof.quarter_as_of(dated_org.quarter, D(2026, 10, 20)).grace_days == 7


def test_slips_are_counted_up_to_the_day(db, team):
    quarter = quarter_on(D(2026, 10, 1))
    milestone = milestone_on(D(2026, 10, 1), team, quarter, committed_date=D(2026, 11, 1))
    save_on(milestone, D(2026, 10, 20), target_date=D(2026, 11, 10))
    save_on(milestone, D(2026, 11, 5), target_date=D(2026, 11, 20))

    def slips(day):
        return quarter_report(quarter, TODAY, as_of=day).rows[0].figures.slips

    assert (slips(D(2026, 10, 19)), slips(D(2026, 10, 20)), slips(D(2026, 11, 5))) == (0, 1, 2)


def test_a_milestone_moved_to_another_quarter_later_is_in_its_old_quarter_until_then(db, team):
    quarter = quarter_on(D(2026, 10, 1))
    next_quarter = QuarterFactory(year=2027, number=1)
    milestone = milestone_on(D(2026, 10, 1), team, quarter)
    save_on(milestone, D(2026, 11, 2), quarter=next_quarter)
    assert quarter_report(quarter, TODAY, as_of=D(2026, 11, 1)).figure.teams == 1
    assert quarter_report(quarter, TODAY, as_of=D(2026, 11, 2)).figure.teams == 0


def test_as_of_today_gives_the_live_figures(db):
    """The rebuild and the live read agree when nothing is left to rebuild: history up to now."""
    today = timezone.localdate()
    quarter = ensure_quarter(*quarter_of(today), goal=3)
    grow_org(quarter, 6)
    flint = trio(name="Flint", slug="flint")[0]
    late = Milestone.objects.create(
        team=flint,
        quarter=quarter,
        title="Flint ledger",
        committed_date=quarter.start,
        target_date=quarter.start,
    )
    slip(late, quarter.start + datetime.timedelta(days=3))
    live = quarter_report(quarter, today)
    rebuilt = quarter_report(quarter, today, as_of=today)
    assert rebuilt.figure == live.figure
    assert rebuilt.slips == live.slips
    assert [r.figures for r in rebuilt.rows] == [r.figures for r in live.rows]


@pytest.mark.parametrize("teams", [3, 60])
def test_the_rebuilt_report_costs_four_queries_whatever_the_size(
    db, teams, django_assert_num_queries
):
    quarter = quarter_on(D(2026, 10, 1))
    grow_org(quarter, teams)
    # Teams, memberships, the quarter's history and the milestones' history (with owners).
    with django_assert_num_queries(4):
        report = quarter_report(quarter, TODAY, as_of=TODAY)
    assert len(report.rows) == teams


# --- The dashboard as of a day ------------------------------------------------------------------


@pytest.fixture
def as_vp(client, vp, frozen_today):
    client.force_login(vp)
    return client


def test_the_dashboard_as_of_a_day_shows_that_days_figure_and_a_way_back(as_vp, dated_org):
    response = as_vp.get(URL, {"as_of": "2026-11-09"})
    assert response.context["report"].headline.figure.headline == "3 of 3 teams on time"
    words = text(response)
    assert "As of 9 Nov 2026: the figures as they stood at the end of that day" in words
    assert "Actual, as of Nov 9 3 of 3 teams on time" in words
    assertContains(response, 'href="/dashboard/?quarter=2026-q4">Back to the live dashboard</a>')
    live = as_vp.get(URL)
    assert live.context["report"].headline.figure.headline == "3 of 4 teams on time"
    assertNotContains(live, 'data-testid="as-of-banner"')


def test_the_figure_before_and_after_the_change_on_the_page(as_vp, dated_org):
    def beacon_verdict(day):
        rows = as_vp.get(URL, {"as_of": day}).context["report"].table.rows
        return next(r for r in rows if r.team.name == "Beacon").figures.verdict

    assert (beacon_verdict("2026-11-09"), beacon_verdict("2026-11-10")) == (
        "on time",
        "not on time",
    )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("2026-12-01", "1 Dec 2026 is in the future: showing the live figures."),
        ("2026-07-01", "1 Jul 2026 is not in 2026 Q4"),
        ("soon", "“soon” is not a date (YYYY-MM-DD): showing the live figures."),
    ],
)
def test_a_bad_as_of_shows_the_live_page_with_a_clear_message(as_vp, dated_org, raw, says):
    response = as_vp.get(URL, {"as_of": raw})
    assert response.status_code == 200
    assert response.context["report"].as_of is None
    assert response.context["report"].headline.figure.headline == "3 of 4 teams on time"
    assert says in text(response)


def test_a_bad_as_of_in_the_swapped_table_leaves_no_message_for_the_next_page(as_vp, dated_org):
    as_vp.get(URL, {"as_of": "soon"}, headers={"HX-Request": "true", "HX-Target": "dashboard-body"})
    assert "is not a date" not in text(as_vp.get(URL))


def test_sorting_filtering_and_exports_stay_on_the_day(as_vp, dated_org):
    response = as_vp.get(URL, {"as_of": "2026-11-09", "sort": "-slips"})
    headers = {h.column.key: h for h in response.context["report"].table.headers}
    assert headers["slips"].href == "?quarter=2026-q4&as_of=2026-11-09&sort=slips"
    assertContains(response, '<input type="hidden" name="as_of" value="2026-11-09">')
    assertContains(response, 'href="/dashboard/teams.csv?quarter=2026-q4&amp;as_of=2026-11-09')
    export = as_vp.get(reverse("dashboard:teams_csv"), {"as_of": "2026-11-09"})
    assert export["Content-Disposition"] == (
        'attachment; filename="milepost-2026-q4-teams-as-of-2026-11-09.csv"'
    )
    rows = csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")))
    beacon = next(row for row in rows if row["Team"] == "Beacon")
    assert (beacon["Dropped"], beacon["Not due yet"], beacon["Team on time"]) == ("0", "1", "yes")
    assert as_vp.get(reverse("dashboard:teams_csv"), {"as_of": "x"}).status_code == 400


def test_the_as_of_page_has_no_trend_and_the_quarter_links_go_live(as_vp, dated_org):
    QuarterFactory(year=2026, number=3)
    response = as_vp.get(URL, {"as_of": "2026-11-09"})
    assert response.context["report"].chart is None
    assert "The trend across quarters is on the live dashboard" in text(response)
    assertContains(response, 'href="?quarter=2026-q3"')


def test_the_date_form_works_without_javascript_and_offers_the_review_days(as_vp, dated_org):
    for day in (D(2026, 11, 4), D(2026, 11, 18)):
        ReviewFactory(team=dated_org.teams["Atlas"], quarter=dated_org.quarter, held_on=day)
    ReviewFactory(team=dated_org.teams["Beacon"], quarter=dated_org.quarter, held_on=D(2026, 11, 4))
    response = as_vp.get(URL)
    assertContains(response, '<form class="as-of" method="get" action=""')
    assertContains(
        response,
        '<input type="date" id="as-of-date" name="as_of" value="" min="2026-10-01" '
        'max="2026-11-25" required>',
    )
    assert response.context["report"].review_links == [
        (D(2026, 11, 4), "?quarter=2026-q4&as_of=2026-11-04"),
        (D(2026, 11, 18), "?quarter=2026-q4&as_of=2026-11-18"),
    ]
    # Its accessible name, "As of the Nov 4 review", holds the text it shows.
    assertContains(
        response,
        '<span class="visually-hidden">As of the </span>Nov 4'
        '<span class="visually-hidden"> review</span>',
    )


def test_the_dashboard_offers_only_the_latest_review_days_as_quick_links(as_vp, dated_org):
    atlas = dated_org.teams["Atlas"]
    days = [D(2026, 10, 1) + datetime.timedelta(days=3 * n) for n in range(12)]
    for day in days:
        ReviewFactory(team=atlas, quarter=dated_org.quarter, held_on=day)
    links = as_vp.get(URL).context["report"].review_links
    assert [day for day, _ in links] == days[-REVIEW_LINKS:]


# Session, user, quarters, teams, memberships, the quarter's history, the milestones' history,
# the teams' last reviews, their review calls, the links' history, the upstreams' history (with
# their teams and quarters) and the quarter's review dates: no trend.
AS_OF_PAGE_QUERIES = 12
# The swapped table and lists: no review dates either.
AS_OF_PARTIAL_QUERIES = 11


@pytest.mark.parametrize("teams", [5, 120])
def test_the_as_of_page_costs_the_same_queries_for_5_and_120_teams(
    client, vp, teams, frozen_today, django_assert_num_queries
):
    quarter = quarter_on(D(2026, 10, 1))
    grow_org(quarter, teams)
    Milestone.history.update(history_date=at(D(2026, 10, 5)))
    Dependency.history.update(history_date=at(D(2026, 10, 5)))  # each team waits on another
    client.force_login(vp)
    with django_assert_num_queries(AS_OF_PAGE_QUERIES):
        response = client.get(URL, {"as_of": "2026-11-03", "group": "squad", "sort": "-slips"})
    assert response.context["report"].headline.figure.teams == teams
    grids = response.context["report"].dependencies.grids
    assert sum(grid.links for grid in grids) == teams - 1
    with django_assert_num_queries(AS_OF_PARTIAL_QUERIES):
        client.get(
            URL,
            {"as_of": "2026-11-03", "sort": "verdict"},
            headers={"HX-Request": "true", "HX-Target": "dashboard-body"},
        )


def test_the_milestones_export_as_of_a_day_lists_the_milestones_of_that_day(as_vp, dated_org):
    url = reverse("dashboard:milestones_csv")
    export = as_vp.get(url, {"as_of": "2026-11-14"})
    assert export["Content-Disposition"] == (
        'attachment; filename="milepost-2026-q4-milestones-as-of-2026-11-14.csv"'
    )
    rows = {
        r["Title"]: r
        for r in csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig")))
    }
    assert set(rows) == {
        "Atlas search",
        "Beacon billing",
        "Comet import",
        "Dune maps",
        "Dune spike",
    }
    assert (rows["Beacon billing"]["Status"], rows["Beacon billing"]["On time"]) == (
        "Dropped",
        "dropped",
    )
    live = as_vp.get(url)
    assert "Dune spike" not in b"".join(live.streaming_content).decode()
