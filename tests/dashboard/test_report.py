"""The dashboard's report (dashboard/report.py): every part of the page from one call, each
computed once, in a constant number of queries whatever the size of the organisation."""

import pytest
from django.urls import reverse

from dashboard import report as report_module
from dashboard.report import build_dashboard
from milestones.models import Dependency, Milestone, Quarter
from tests.dashboard.conftest import TODAY, grow_org
from tests.dashboard.history import D, at, quarter_on
from tests.factories import QuarterFactory, ReviewFactory


def quarters() -> list[Quarter]:
    return list(Quarter.objects.order_by("start"))


def titles(watch_list) -> list[str]:
    return [entry.milestone.title for entry in watch_list.entries]


def test_the_report_holds_every_part_of_the_page(org):
    report = build_dashboard(org.quarter, quarters(), today=TODAY, query={})
    assert report.quarter == org.quarter
    assert report.as_of is None
    assert report.headline.figure.headline == "4 of 7 teams on time"
    assert [row.team.name for row in report.table.rows] == [
        "Atlas",
        "Beacon",
        "Comet",
        "Dune",
        "Ember",
        "Flint",
        "Grove",
        "Haven",
    ]
    assert titles(report.lists.at_risk) == ["Flint ledger", "Grove rollout"]


def test_the_next_quarter_is_offered_in_planning_once_its_planning_opens(org):
    Quarter.objects.filter(year=2027, number=1).update(planning_opens=TODAY)
    report = build_dashboard(org.quarter, quarters(), today=TODAY, query={})
    assert [(link.quarter.slug, link.note) for link in report.quarter_links] == [
        ("2026-q3", "ended, not closed yet"),
        ("2026-q4", ""),
        ("2027-q1", "planning"),
    ]
    assert [(bar.label, bar.value_label) for bar in report.chart.bars] == [
        ("2026 Q3", "2/3"),
        ("2026 Q4", "4/7"),
    ]
    assert (report.slip_reasons.slips, report.slip_reasons.days) == (3, 31)
    assert report.calls.calls == 0  # no review yet
    assert (report.live_href, report.as_of_max, report.review_links) == (
        "?quarter=2026-q4",
        TODAY,
        [],
    )


def test_the_quarter_links_keep_the_table_state_and_mark_the_quarter_shown(org):
    query = {"squad": str(org.core.pk), "sort": "-slips"}
    # 2027 Q1's planning opens on Dec 18 (two weeks before it starts): not offered yet.
    report = build_dashboard(org.quarter, quarters(), today=TODAY, query=query)
    assert [(link.quarter.slug, link.href, link.current) for link in report.quarter_links] == [
        ("2026-q3", f"?quarter=2026-q3&squad={org.core.pk}&sort=-slips", False),
        ("2026-q4", f"?quarter=2026-q4&squad={org.core.pk}&sort=-slips", True),
    ]
    # The filter narrows the table and the lists, never the headline.
    assert report.state.squad == org.core
    assert report.table.figure.headline == "2 of 4 teams on time"
    assert report.headline.figure.headline == "4 of 7 teams on time"
    assert titles(report.lists.at_risk) == ["Flint ledger", "Grove rollout"]


def test_the_swapped_body_has_the_table_and_lists_and_leaves_out_the_rest(org):
    whole = build_dashboard(org.quarter, quarters(), today=TODAY, query={"sort": "verdict"})
    body = build_dashboard(
        org.quarter, quarters(), today=TODAY, query={"sort": "verdict"}, body_only=True
    )
    assert [r.team.name for r in body.table.rows] == [r.team.name for r in whole.table.rows]
    assert body.lists == whole.lists
    assert body.headline == whole.headline
    assert (body.quarter_links, body.chart, body.slip_reasons, body.review_links) == (
        [],
        None,
        None,
        [],
    )


def test_a_report_as_of_a_day_is_judged_on_that_day_and_leaves_the_trend_live(dated_org):
    ReviewFactory(team=dated_org.teams["Atlas"], quarter=dated_org.quarter, held_on=D(2026, 11, 4))
    report = build_dashboard(
        dated_org.quarter, quarters(), today=TODAY, as_of=D(2026, 11, 9), query={}
    )
    assert report.as_of == report.headline.today == D(2026, 11, 9)
    assert report.headline.figure.headline == "3 of 3 teams on time"
    assert (report.chart, report.slip_reasons) == (None, None)
    assert report.live_href == "?quarter=2026-q4"
    # The picker still offers every review day up to today, kept on the day asked for.
    assert report.review_links == [(D(2026, 11, 4), "?quarter=2026-q4&as_of=2026-11-04")]


def test_the_dashboard_view_computes_each_part_once(client, vp, org, frozen_today, monkeypatch):
    calls: dict[str, int] = {}
    for name in (
        "quarter_report",
        "quarter_calibration",
        "quarter_review_status",
        "on_time_trend",
        "slip_explanations",
        "review_dates",
        "watch_lists",
    ):
        real = getattr(report_module, name)

        def counted(*args, _name=name, _real=real, **kwargs):
            calls[_name] = calls.get(_name, 0) + 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(report_module, name, counted)
    client.force_login(vp)
    assert client.get(reverse("dashboard:index"), {"group": "squad"}).status_code == 200
    assert calls == dict.fromkeys(calls, 1)
    assert len(calls) == 7


# The change counters, the quarter report's four (teams, memberships, milestones, their
# history), the review status, the calibration, the quarter's dependencies, the trend, the
# reasons given for slips and the review days.
REPORT_QUERIES = 11
# The swapped body, once the report is cached: the change counters only.
BODY_QUERIES = 1
# As of a day: the quarter report's four (teams, memberships, the quarter's and the milestones'
# history), the review status, the calibration, the links' history, the upstreams' history
# (with their teams and quarters) and the review days.
AS_OF_QUERIES = 9


@pytest.mark.parametrize("teams", [3, 30])
def test_the_report_costs_the_same_queries_for_3_and_30_teams(db, teams, django_assert_num_queries):
    quarter = QuarterFactory(year=2026, number=4)
    QuarterFactory(year=2026, number=3)
    grow_org(quarter, teams)
    found = quarters()
    with django_assert_num_queries(REPORT_QUERIES):
        report = build_dashboard(quarter, found, today=TODAY, query={"group": "squad"})
    assert report.headline.figure.teams == teams
    with django_assert_num_queries(BODY_QUERIES):
        body = build_dashboard(quarter, found, today=TODAY, query={}, body_only=True)
    assert len(body.table.rows) == teams


@pytest.mark.parametrize("teams", [3, 30])
def test_the_report_as_of_a_day_costs_the_same_queries_for_3_and_30_teams(
    db, teams, django_assert_num_queries
):
    quarter = quarter_on(D(2026, 10, 1))
    grow_org(quarter, teams)
    Milestone.history.update(history_date=at(D(2026, 10, 5)))
    Dependency.history.update(history_date=at(D(2026, 10, 5)))  # each team waits on another
    found = quarters()
    with django_assert_num_queries(AS_OF_QUERIES):
        report = build_dashboard(quarter, found, today=TODAY, as_of=D(2026, 11, 3), query={})
    assert report.headline.figure.teams == teams
