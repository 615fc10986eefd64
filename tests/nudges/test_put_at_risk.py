"""The nudge to a lead whose milestone another team's slip put at risk (issue 16), derived by
`nudges.rules.put_at_risk_by_slips` from the history, whatever wrote the slip."""

import datetime

import pytest

from milestones.models import Milestone
from milestones.services import add_dependency, update_milestone
from nudges import rules
from nudges.services import compose
from teams.models import Team
from tests.factories import MilestoneFactory, TeamFactory, trio
from tests.nudges.conftest import change, created
from tests.sheets.conftest import TODAY, roster, sheet, sync  # noqa: F401 (the sync's fixtures)
from tests.sheets.sheet import Tab

D = datetime.date
DEC_18 = D(2026, 12, 18)


def lead_nudge(plan: rules.NudgePlan, team: Team) -> rules.TeamNudge | None:
    found = [n.team for n in plan.nudges if n.team and n.team.team.pk == team.pk]
    return found[0] if found else None


@pytest.mark.django_db
def test_a_slip_made_in_the_sheet_nudges_the_lead_of_the_milestone_it_put_at_risk(
    request, sheets_settings, q4
):
    request.getfixturevalue("roster")
    run_sync, gsheet = request.getfixturevalue("sync"), request.getfixturevalue("sheet")
    run_sync()
    latency = Milestone.objects.get(title="Cut p95 latency of webhook retries")
    assert latency.target_date < D(2026, 12, 10)
    conversations = Team.objects.get(name="Conversations")
    waiting = MilestoneFactory(
        team=conversations,
        quarter=q4,
        title="Retry dashboard",
        committed_date=D(2026, 12, 10),
        target_date=D(2026, 12, 10),
    )
    add_dependency(downstream=waiting, upstream=latency, user=None)
    assert rules.put_at_risk_by_slips({conversations.pk}, TODAY) == {}  # not yet

    Tab(gsheet, "Platform").set(latency, "Target Date", "Dec 18")
    run_sync()

    plan = rules.plan_nudges(TODAY)
    nudge = lead_nudge(plan, conversations)
    (line,) = nudge.put_at_risk
    assert (line.title, line.upstream_team.name, line.to_date) == (
        "Retry dashboard",
        "Platform",
        DEC_18,
    )
    assert rules.PUT_AT_RISK in nudge.kinds
    platform = lead_nudge(plan, latency.team)
    assert platform is None or not platform.put_at_risk  # the upstream's own lead hears nothing
    (planned,) = [n for n in plan.nudges if n.team is nudge]
    mail = compose(planned)
    assert "Another team's slip put a milestone of Conversations at risk:" in mail.text
    assert "Platform moved what it waits on from" in mail.text
    assert "to Dec 18. Waits on “Cut p95 latency of webhook retries” (Platform)" in mail.text
    assert f"/teams/{conversations.slug}/milestones/{waiting.pk}/" in mail.text
    assert "Endangers the on-time verdict of Conversations: if what waits on it slips" in mail.text
    assert line.cost in mail.html


@pytest.fixture
def linked(team, lead, q4):
    """Billing's "Payments API" (target Nov 30, since Nov 1) and Platform's "Checkout",
    targeting Dec 4, waiting on it."""
    billing, *_ = trio(TeamFactory(name="Billing", slug="billing"))
    upstream = created(
        D(2026, 11, 1),
        team=billing,
        quarter=q4,
        title="Payments API",
        committed_date=D(2026, 11, 30),
        target_date=D(2026, 11, 30),
    )
    downstream = MilestoneFactory(
        team=team,
        quarter=q4,
        title="Checkout",
        committed_date=D(2026, 12, 4),
        target_date=D(2026, 12, 4),
    )
    add_dependency(downstream=downstream, upstream=upstream, user=None)
    return upstream, downstream


@pytest.mark.parametrize(
    ("slipped_on", "nudged"),
    [(D(2026, 11, 21), False), (D(2026, 11, 22), True), (D(2026, 11, 23), True)],
)
def test_only_a_slip_since_the_start_of_yesterday_nudges(team, linked, slipped_on, nudged):
    upstream, _ = linked
    change(upstream, slipped_on, target_date=D(2026, 12, 9))
    found = rules.put_at_risk_by_slips({team.pk}, D(2026, 11, 23))
    assert bool(found.get(team.pk)) is nudged


def test_a_slip_that_stays_before_the_downstream_target_nudges_nobody(team, linked):
    upstream, _ = linked
    change(upstream, D(2026, 11, 23), target_date=D(2026, 12, 4))
    assert rules.put_at_risk_by_slips({team.pk}, D(2026, 11, 23)) == {}


def test_a_slip_whose_risk_is_gone_by_the_morning_nudges_nobody(team, linked):
    upstream, downstream = linked
    change(upstream, D(2026, 11, 23), target_date=D(2026, 12, 9))
    update_milestone(
        milestone=downstream,
        version=downstream.version,
        changes={"target_date": D(2026, 12, 12)},
        user=None,
    )
    assert rules.put_at_risk_by_slips({team.pk}, D(2026, 11, 23)) == {}
