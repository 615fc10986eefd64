"""The dashboard's dependencies and the milestones CSV as of a past day (issue 16): the links
recorded by then and not yet removed, and the risk their upstreams, as they stood then, put on
the milestones that day (`milestones.asof.links_as_of`)."""

import csv
import io

import pytest
from django.urls import reverse

from dashboard.report import build_dashboard
from milestones.models import Dependency, Milestone
from milestones.services import add_dependency, remove_dependency
from tests.dashboard.conftest import grow_org
from tests.dashboard.history import TODAY, D, at, milestone_on, quarter_on, save_on
from tests.factories import LeadershipFactory, SquadFactory, TeamFactory
from tests.html import by_id, text

URL = reverse("dashboard:index")
CSV_URL = reverse("dashboard:milestones_csv")


def link_on(day, downstream, upstream):
    add_dependency(downstream=downstream, upstream=upstream, user=None)
    _date_latest_link_record(day, downstream)


def unlink_on(day, downstream, upstream):
    remove_dependency(downstream=downstream, upstream_id=upstream.pk, user=None)
    _date_latest_link_record(day, downstream)


def _date_latest_link_record(day, downstream):
    latest = Dependency.history.filter(downstream_id=downstream.pk).latest("history_id")
    Dependency.history.filter(history_id=latest.history_id).update(history_date=at(day))


@pytest.fixture
def waited(db):
    """Squad Core, 2026 Q4 from Oct 1: Checkout's cart (target Nov 10) waits from Oct 5 on
    Payments' API (target Nov 5); the API slips to Nov 20 on Oct 20; the link is removed on
    Nov 1. Today (Nov 25) nothing waits on anything."""
    quarter = quarter_on(D(2026, 10, 1), goal=2)
    core = SquadFactory(name="Core")
    checkout = TeamFactory(name="Checkout", squad=core)
    payments = TeamFactory(name="Payments", squad=core)
    cart = milestone_on(
        D(2026, 10, 1),
        checkout,
        quarter,
        title="One-click cart",
        committed_date=D(2026, 11, 10),
        target_date=D(2026, 11, 10),
    )
    api = milestone_on(
        D(2026, 10, 1),
        payments,
        quarter,
        title="Payments API",
        committed_date=D(2026, 11, 5),
        target_date=D(2026, 11, 5),
    )
    link_on(D(2026, 10, 5), cart, api)
    save_on(api, D(2026, 10, 20), target_date=D(2026, 11, 20))
    unlink_on(D(2026, 11, 1), cart, api)
    return {"quarter": quarter, "cart": cart, "api": api}


def dependencies_on(waited, day):
    quarter = waited["quarter"]
    return build_dashboard(quarter, [quarter], today=TODAY, as_of=day, query={}).dependencies


def test_a_day_before_the_link_shows_nothing_waiting(waited):
    found = dependencies_on(waited, D(2026, 10, 3))
    assert (found.waiting_total, found.teams_at_risk, found.grids) == (0, 0, [])


def test_a_day_with_the_link_before_the_slip_counts_the_link_not_at_risk(waited):
    found = dependencies_on(waited, D(2026, 10, 10))
    assert found.waiting_total == 0
    (grid,) = found.grids
    assert grid.sentences == ["Checkout waits on Payments: 1 link."]


def test_a_day_after_the_slip_lists_the_waiting_milestone_with_that_days_dates(waited):
    found = dependencies_on(waited, D(2026, 10, 21))
    (entry,) = found.waiting
    assert entry.milestone.title == "One-click cart"
    assert entry.reason == (
        "Waits on “Payments API” (Payments): it is due Nov 20, 10 days after this milestone's "
        "target of Nov 10."
    )
    assert found.cost.endangered_teams == ["Checkout"]
    (grid,) = found.grids
    assert grid.sentences == ["Checkout waits on Payments: 1 link, 1 at risk."]


def test_the_live_dashboard_no_longer_shows_a_removed_link(waited):
    quarter = waited["quarter"]
    live = build_dashboard(quarter, [quarter], today=TODAY, query={}).dependencies
    assert (live.waiting_total, live.grids) == (0, [])


def test_the_page_as_of_a_day_shows_the_watch_list_and_the_teams_at_risk(
    client, waited, frozen_today
):
    client.force_login(LeadershipFactory())
    response = client.get(URL, {"as_of": "2026-10-21"})
    assert text(by_id(response, "watch-waiting")) == "Waiting on another team 1"
    page = response.content.decode()
    assert "At risk through dependencies: 1 team</strong> (Checkout)" in page
    assert "Checkout waits on Payments: 1 link, 1 at risk." in page


def csv_rows(client, **query):
    response = client.get(CSV_URL, query)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["Title"]: row for row in csv.DictReader(io.StringIO(body))}


def test_the_milestones_csv_as_of_a_day_lists_what_each_waited_on_then(
    client, waited, frozen_today
):
    client.force_login(LeadershipFactory())
    cart = csv_rows(client, as_of="2026-10-21")["One-click cart"]
    assert cart["Upstream IDs"] == str(waited["api"].pk)
    assert cart["At risk from a dependency"] == "yes"
    assert (
        "it is due Nov 20, 10 days after this milestone's target of Nov 10"
        in (cart["Dependency risk"])
    )
    before_slip = csv_rows(client, as_of="2026-10-10")["One-click cart"]
    assert (before_slip["Upstream IDs"], before_slip["At risk from a dependency"]) == (
        str(waited["api"].pk),
        "no",
    )
    assert csv_rows(client, as_of="2026-10-03")["One-click cart"]["Upstream IDs"] == ""
    assert csv_rows(client)["One-click cart"]["Upstream IDs"] == ""  # removed since


# Session, user, the quarter, teams, memberships, the quarter's history, the milestones'
# history, the links' history and the upstreams' history (with their teams and quarters).
AS_OF_CSV_QUERIES = 9


@pytest.mark.parametrize("teams", [5, 60])
def test_the_milestones_csv_as_of_a_day_costs_the_same_queries_whatever_the_size(
    client, vp, teams, frozen_today, django_assert_num_queries
):
    quarter = quarter_on(D(2026, 10, 1))
    grow_org(quarter, teams)  # each team's done milestone waits on the team before it
    Milestone.history.update(history_date=at(D(2026, 10, 5)))
    Dependency.history.update(history_date=at(D(2026, 10, 5)))
    client.force_login(vp)
    with django_assert_num_queries(AS_OF_CSV_QUERIES):
        rows = csv_rows(client, as_of="2026-11-03")
    assert sum(bool(row["Upstream IDs"]) for row in rows.values()) == teams - 1
