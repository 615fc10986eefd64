"""The risk a dependency puts on a milestone, and what a slip costs (milestones.dependencies)."""

import datetime
from dataclasses import dataclass

import pytest

from milestones import dependencies, ontime

D = datetime.date
TODAY = D(2026, 11, 25)
RULES = ontime.Rules(grace_days=7)
DEC_10 = D(2026, 12, 10)


@dataclass
class Row:
    pk: int
    title: str = "Row"
    status: str = "on_track"
    committed_date: datetime.date = DEC_10
    target_date: datetime.date = DEC_10
    delivered_date: datetime.date | None = None
    excused: bool = False


def risk(down, up, rules=RULES, today=TODAY):
    return dependencies.dependency_risk(
        down, up, upstream_team="Billing", upstream_rules=rules, today=today
    )


def test_an_upstream_due_on_the_same_day_puts_nothing_at_risk():
    assert risk(Row(1), Row(2, target_date=D(2026, 12, 10))) is None


def test_an_upstream_due_a_day_later_puts_the_downstream_at_risk_naming_it_its_team_and_dates():
    found = risk(Row(1), Row(2, title="Payments API", target_date=D(2026, 12, 11)))
    assert found.upstream_id == 2
    assert found.downstream_id == 1
    assert found.reason == (
        "Waits on “Payments API” (Billing): it is due Dec 11, 1 day after this milestone's "
        "target of Dec 10."
    )


def test_a_dropped_upstream_puts_the_downstream_at_risk_even_when_excused():
    up = Row(2, status="dropped", target_date=D(2026, 12, 1), excused=True)
    assert "it was dropped" in risk(Row(1), up).reason


def test_an_upstream_done_late_puts_nothing_at_risk_any_more():
    up = Row(2, status="done", committed_date=D(2026, 11, 1), delivered_date=D(2026, 11, 20))
    assert ontime.delivery_class(up, RULES, TODAY) is ontime.Delivery.LATE
    assert risk(Row(1), up) is None


def test_an_off_track_upstream_due_earlier_puts_the_downstream_at_risk():
    up = Row(2, status="off_track", target_date=D(2026, 12, 1))
    assert risk(Row(1), up).reason.endswith("it is off track.")


def test_an_upstream_its_team_marks_at_risk_due_earlier_puts_nothing_at_risk_by_that_alone():
    assert risk(Row(1), Row(2, status="at_risk", target_date=D(2026, 12, 1))) is None


def test_an_overdue_upstream_puts_the_downstream_at_risk_by_its_own_quarters_grace():
    up = Row(2, committed_date=D(2026, 11, 15), target_date=D(2026, 11, 20))
    assert "it is overdue (committed Nov 15, on time until Nov 22)" in risk(Row(1), up).reason
    # A quarter with more grace: not overdue yet, and due before the downstream.
    assert risk(Row(1), up, rules=ontime.Rules(grace_days=14)) is None


def test_an_upstream_in_the_next_quarter_due_later_puts_the_downstream_at_risk_with_its_year():
    up = Row(2, committed_date=D(2027, 1, 15), target_date=D(2027, 1, 15))
    assert (
        "due Jan 15, 2027, 36 days after this milestone's target of Dec 10"
        in risk(Row(1), up).reason
    )


def test_a_downstream_done_or_dropped_is_not_at_risk_from_anything():
    up = Row(2, status="off_track", target_date=D(2027, 1, 1))
    assert risk(Row(1, status="done", delivered_date=D(2026, 11, 20)), up) is None
    assert risk(Row(1, status="dropped"), up) is None


def test_several_reasons_are_given_together():
    up = Row(2, status="off_track", committed_date=D(2026, 11, 1), target_date=D(2026, 12, 20))
    reason = risk(Row(1), up).reason
    assert "overdue" in reason
    assert "off track" in reason
    assert "10 days after" in reason


@pytest.mark.parametrize(
    ("target", "at_risk"),
    [
        (D(2026, 12, 1), True),
        (D(2026, 12, 4), True),
        (D(2026, 12, 5), False),
        (D(2026, 11, 30), False),
    ],
)
def test_a_slip_puts_at_risk_the_downstreams_whose_target_it_moved_past(target, at_risk):
    down = Row(1, target_date=target)
    found = dependencies.put_at_risk_by_slip(D(2026, 12, 1), D(2026, 12, 5), [down])
    assert (found == [down]) is at_risk


def test_a_slip_does_not_put_a_done_downstream_at_risk():
    down = Row(1, status="done", target_date=D(2026, 12, 2), delivered_date=D(2026, 11, 20))
    assert dependencies.put_at_risk_by_slip(D(2026, 12, 1), D(2026, 12, 5), [down]) == []


def test_following_links_upstream_finds_a_cycle_through_several_milestones():
    edges = [(1, 2), (2, 3), (3, 4)]
    assert dependencies.reaches(edges, 2, 4)
    assert not dependencies.reaches(edges, 4, 1)


def test_the_cost_of_a_slip_names_the_teams_whose_verdict_it_endangers_and_the_new_forecast():
    teams = {
        "Checkout": [Row(1, committed_date=D(2026, 12, 10))],
        "Search": [Row(2, committed_date=D(2026, 12, 10)), Row(3, status="at_risk")],
        "Ledger": [Row(4)],
    }
    cost = dependencies.slip_cost(teams, {1, 3}, RULES, goal=3, today=TODAY)
    assert cost.endangered_teams == ["Checkout", "Search"]
    assert (cost.forecast_before.forecast, cost.forecast_before.teams) == (2, 3)
    assert (cost.forecast_after.on_time, cost.forecast_after.forecast) == (1, 1)
    assert cost.summary == (
        "Endangers the on-time verdict of Checkout, Search: if each slips past committed + "
        "grace, the forecast is 1 of 3 teams on time (now 2 of 3)."
    )


def test_a_slip_endangering_no_verdict_says_so():
    cost = dependencies.slip_cost({"Ledger": [Row(4)]}, set(), RULES, goal=1, today=TODAY)
    assert cost.endangered_teams == []
    assert cost.summary == "No team's on-time verdict depends on it."
