"""Who gets which nudge on a day (`nudges.rules.plan_nudges`)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from milestones import ontime
from milestones.models import Milestone
from nudges import rules
from nudges.services import compose
from tests.factories import (
    LeadershipFactory,
    MembershipFactory,
    MilestoneFactory,
    NudgeFactory,
    QuarterFactory,
    TeamFactory,
    TechLeadFactory,
    UserFactory,
    trio,
)
from tests.nudges.conftest import MONDAY, NEW_YEAR_MONDAY, TUESDAY, change, created, reviewed

D = datetime.date


def planned(plan: rules.NudgePlan) -> dict[str, list[str]]:
    """username -> the kinds of their e-mail."""
    return {nudge.user.username: nudge.kinds for nudge in plan.nudges}


def skipped(plan: rules.NudgePlan) -> dict[str, str]:
    return {s.user.username: s.reason for s in plan.skipped}


def nudge_of(plan: rules.NudgePlan, user) -> rules.PlannedNudge:
    (nudge,) = [n for n in plan.nudges if n.user.pk == user.pk]
    return nudge


# --- Tech leads -------------------------------------------------------------------------------


def test_a_lead_whose_review_is_overdue_gets_a_reminder(team, lead, q4):
    reviewed(team, D(2026, 11, 1), q4)  # 22 days ago, cadence 14
    plan = rules.plan_nudges(TUESDAY)
    assert planned(plan) == {lead.username: [rules.REVIEW_OVERDUE]}
    review = nudge_of(plan, lead).team.review
    assert review.last_review_date == D(2026, 11, 1)
    assert review.next_review_date == D(2026, 11, 15)


def test_a_team_that_never_held_a_review_is_overdue(team, lead, q4):
    assert planned(rules.plan_nudges(TUESDAY)) == {lead.username: [rules.REVIEW_OVERDUE]}


def test_a_lead_with_a_recent_review_and_nothing_stale_gets_nothing(reviewed_recently, q4):
    MilestoneFactory(team=reviewed_recently.team, quarter=q4, target_date=D(2026, 12, 1))
    assert rules.plan_nudges(TUESDAY).nudges == []


def test_a_lead_hears_of_milestones_past_their_target_date_without_an_update(
    team, lead, engineer, q4, reviewed_recently
):
    stale = created(
        D(2026, 11, 1), team=team, quarter=q4, title="Search", target_date=D(2026, 11, 20)
    )
    on_the_day = created(
        D(2026, 11, 1), team=team, quarter=q4, title="Export", target_date=D(2026, 11, 10)
    )
    change(on_the_day, D(2026, 11, 10), notes="Nearly there")
    plan = rules.plan_nudges(TUESDAY)
    assert planned(plan) == {lead.username: [rules.STALE_MILESTONES]}
    items = nudge_of(plan, lead).team.stale
    assert [(i.milestone_id, i.days_past) for i in items] == [(on_the_day.pk, 14), (stale.pk, 4)]
    assert items[1].last_change == D(2026, 11, 1)


def test_a_milestone_updated_after_its_target_date_passed_is_not_stale(team, q4, reviewed_recently):
    milestone = created(D(2026, 11, 1), team=team, quarter=q4, target_date=D(2026, 11, 20))
    change(milestone, D(2026, 11, 21), status=Milestone.Status.AT_RISK)
    assert rules.plan_nudges(TUESDAY).nudges == []


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Milestone.Status.DONE, "delivered_date": D(2026, 11, 19)},
        {"status": Milestone.Status.DROPPED},
        {"target_date": TUESDAY},  # due today: not past yet
    ],
)
def test_done_dropped_and_not_yet_due_milestones_are_not_stale(team, q4, reviewed_recently, fields):
    created(D(2026, 11, 1), team=team, quarter=q4, **({"target_date": D(2026, 11, 20)} | fields))
    assert rules.plan_nudges(TUESDAY).nudges == []


def test_only_milestones_of_the_current_quarter_are_looked_at(team, q4, reviewed_recently):
    q3 = QuarterFactory(year=2026, number=3)
    created(D(2026, 8, 1), team=team, quarter=q3, target_date=D(2026, 9, 1))
    assert rules.plan_nudges(TUESDAY).nudges == []


def test_engineers_get_nothing(team, engineer, other_engineer, q4):
    MilestoneFactory(team=team, quarter=q4, owner=engineer, target_date=D(2026, 11, 2))
    users = set(planned(rules.plan_nudges(MONDAY)))
    assert engineer.username not in users
    assert other_engineer.username not in users


def test_inactive_teams_and_people_get_nothing(q4):
    TechLeadFactory(team=TeamFactory(active=False))
    TechLeadFactory(user=UserFactory(is_active=False))
    LeadershipFactory(is_active=False)
    plan = rules.plan_nudges(MONDAY)
    assert plan.nudges == []
    assert plan.skipped == []


def test_a_team_without_a_lead_nudges_nobody(q4):
    MembershipFactory()
    assert rules.plan_nudges(TUESDAY).nudges == []


# --- Leadership's digest ------------------------------------------------------------------------


def test_leadership_gets_the_digest_on_the_digest_weekday_only(vp, lead, q4):
    assert planned(rules.plan_nudges(MONDAY))[vp.username] == [rules.DIGEST]
    assert vp.username not in planned(rules.plan_nudges(TUESDAY))


def test_the_digest_can_be_forced_on_another_day(vp, q4):
    assert planned(rules.plan_nudges(TUESDAY, force_digest=True)) == {
        vp.username: [rules.DIGEST],
        **planned(rules.plan_nudges(TUESDAY)),
    }


def test_the_digest_weekday_is_a_setting(settings, vp, q4):
    settings.MILEPOST_DIGEST_WEEKDAY = 1
    assert vp.username in planned(rules.plan_nudges(TUESDAY))
    assert vp.username not in planned(rules.plan_nudges(MONDAY))


def test_the_digest_has_the_figure_the_weeks_slips_and_deliveries(vp, team, q4):
    other, *_ = trio(name="Billing", slug="billing")
    slipped = created(
        D(2026, 10, 1), team=team, quarter=q4, title="Search", committed_date=D(2026, 12, 1)
    )
    change(slipped, D(2026, 11, 10), target_date=D(2026, 12, 4))  # before the week
    change(slipped, D(2026, 11, 19), target_date=D(2026, 12, 11))  # this week: 7 days
    change(slipped, D(2026, 11, 20), target_date=D(2026, 12, 8))  # earlier: not a slip
    delivered = created(
        D(2026, 10, 1),
        team=other,
        quarter=q4,
        title="Invoices",
        committed_date=D(2026, 11, 10),
        status=Milestone.Status.DONE,
        delivered_date=D(2026, 11, 20),  # this week, 10 days after its date: late
    )
    created(  # delivered before the week
        D(2026, 10, 1), team=other, quarter=q4, done=True, committed_date=D(2026, 11, 1)
    )
    digest = nudge_of(rules.plan_nudges(MONDAY), vp).digest
    assert digest.quarter == q4
    assert digest.figure.headline == "1 of 2 teams on time"
    assert digest.figure.goal == 13
    assert digest.window == (D(2026, 11, 17), MONDAY)
    assert [(s.milestone_id, s.team, s.from_date, s.to_date, s.days) for s in digest.slipped] == [
        (slipped.pk, team, D(2026, 12, 4), D(2026, 12, 11), 7)
    ]
    assert [(d.milestone_id, d.team, d.delivery) for d in digest.delivered] == [
        (delivered.pk, other, ontime.Delivery.LATE)
    ]


def test_a_digest_of_a_week_across_two_quarters_has_the_slips_and_deliveries_of_both(
    vp, team, q4, new_year_week
):
    digest = nudge_of(rules.plan_nudges(NEW_YEAR_MONDAY), vp).digest
    q1 = new_year_week["q1"]
    assert digest.window == (D(2026, 12, 29), NEW_YEAR_MONDAY)
    # The figure is the current quarter's; the lines are each quarter's, oldest first.
    assert (digest.quarter, digest.figure.headline, digest.figure.goal) == (
        q1,
        "1 of 1 teams on time",
        3,
    )
    assert digest.quarters_label == "2026 Q4 and 2027 Q1"
    assert [
        (
            part.quarter,
            [(s.milestone_id, s.from_date, s.to_date, s.on) for s in part.slipped],
            [(d.milestone_id, d.delivered_date, d.delivery) for d in part.delivered],
        )
        for part in digest.by_quarter
    ] == [
        (
            q4,
            [(new_year_week["search"].pk, D(2026, 12, 22), D(2027, 1, 8), D(2026, 12, 30))],
            [(new_year_week["export"].pk, D(2026, 12, 29), ontime.Delivery.LATE)],
        ),
        (
            q1,
            [(new_year_week["billing"].pk, D(2027, 2, 1), D(2027, 2, 10), D(2027, 1, 2))],
            [],
        ),
    ]


def test_a_digest_of_a_week_in_one_quarter_covers_that_quarter_alone(vp, team, q4):
    QuarterFactory(year=2026, number=3)  # ended: none of the week's days are in it
    QuarterFactory(year=2027, number=1)  # in planning: nor in it
    digest = nudge_of(rules.plan_nudges(MONDAY), vp).digest
    assert [part.quarter for part in digest.by_quarter] == [q4]
    assert (digest.spans_quarters, digest.quarters_label) == (False, "2026 Q4")


def test_a_lead_who_is_leadership_gets_one_e_mail_with_both(team, q4):
    boss = TechLeadFactory(team=TeamFactory(), user=LeadershipFactory()).user
    plan = rules.plan_nudges(MONDAY)
    assert planned(plan)[boss.username] == [rules.REVIEW_OVERDUE, rules.DIGEST]
    assert len([n for n in plan.nudges if n.user.pk == boss.pk]) == 1


# --- Who is skipped -----------------------------------------------------------------------------


def test_people_who_opted_out_are_skipped(team, lead, vp, q4):
    lead.nudges_opt_out = vp.nudges_opt_out = True
    lead.save()
    vp.save()
    plan = rules.plan_nudges(MONDAY)
    assert plan.nudges == []
    assert skipped(plan) == {lead.username: rules.OPTED_OUT, vp.username: rules.OPTED_OUT}


def test_people_without_an_e_mail_address_are_skipped(team, lead, q4):
    lead.email = ""
    lead.save()
    plan = rules.plan_nudges(TUESDAY)
    assert plan.nudges == []
    assert skipped(plan) == {lead.username: rules.NO_ADDRESS}


def test_someone_already_nudged_today_is_skipped(team, lead, vp, q4):
    NudgeFactory(user=lead, sent_on=MONDAY)
    NudgeFactory(user=vp, sent_on=MONDAY - datetime.timedelta(days=1))  # yesterday's
    plan = rules.plan_nudges(MONDAY)
    assert planned(plan) == {vp.username: [rules.DIGEST]}
    assert skipped(plan) == {lead.username: rules.ALREADY_NUDGED}


# --- Cost ---------------------------------------------------------------------------------------


def organisation(size: int, quarter) -> None:
    """`size` teams, each with an overdue review, a stale milestone, a slip and a delivery this
    week, and a director for every team."""
    for _ in range(size):
        team, *_ = trio()
        created(D(2026, 11, 1), team=team, quarter=quarter, target_date=D(2026, 11, 20))
        slipped = created(D(2026, 11, 1), team=team, quarter=quarter)
        change(slipped, D(2026, 11, 20), target_date=slipped.target_date + datetime.timedelta(3))
        created(
            D(2026, 11, 1), team=team, quarter=quarter, done=True, committed_date=D(2026, 11, 18)
        )
        LeadershipFactory()


def queries_to_plan(size: int, quarter) -> tuple[int, int, int]:
    organisation(size, quarter)
    with CaptureQueriesContext(connection) as planning:
        plan = rules.plan_nudges(MONDAY)
    with CaptureQueriesContext(connection) as composing:
        for nudge in plan.nudges:
            compose(nudge)
    return len(planning), len(composing), len(plan.nudges)


def test_planning_costs_the_same_queries_whatever_the_number_of_teams(q4):
    small, small_compose, small_count = queries_to_plan(2, q4)
    large, large_compose, large_count = queries_to_plan(6, q4)  # 8 teams, 8 directors
    assert (small_count, large_count) == (4, 16)
    assert small == large
    assert small_compose == large_compose == 0


def test_a_digest_across_two_quarters_costs_the_same_queries_whatever_the_number_of_teams(q4):
    q1 = QuarterFactory(year=2027, number=1)

    def queries(size: int) -> tuple[int, int]:
        for _ in range(size):
            team, *_ = trio()
            for quarter, day in ((q4, D(2026, 12, 30)), (q1, D(2027, 1, 2))):
                slipped = created(D(2026, 12, 1), team=team, quarter=quarter)
                change(slipped, day, target_date=slipped.target_date + datetime.timedelta(3))
        with CaptureQueriesContext(connection) as planning:
            plan = rules.plan_nudges(NEW_YEAR_MONDAY, digest_for_slack=True)
        return len(planning), len(plan.digest.slipped)

    small, small_slips = queries(2)
    large, large_slips = queries(6)  # 8 teams
    assert (small_slips, large_slips) == (4, 16)
    assert small == large


# --- The quarter's life (issue 15) ------------------------------------------------------------

DEC_25 = D(2026, 12, 25)  # a week before 2027 Q1 starts


def test_a_week_before_a_quarter_starts_a_lead_with_nothing_planned_is_reminded(
    team, lead, q4, outsider_lead
):
    q1 = QuarterFactory(year=2027, number=1)
    reviewed(team, D(2026, 12, 20), q4)
    billing = outsider_lead.memberships.get().team
    reviewed(billing, D(2026, 12, 20), q4)
    MilestoneFactory(team=billing, quarter=q1, committed_date=D(2027, 2, 1))
    plan = rules.plan_nudges(DEC_25)
    assert planned(plan) == {lead.username: [rules.PLAN_NEXT_QUARTER]}
    nudge = nudge_of(plan, lead)
    assert nudge.team.plan == q1
    assert "Platform needs its 2027 Q1 milestones" in rules.subject(nudge)
    mail = compose(nudge)
    assert "2027 Q1 starts on Jan 1 and Platform has no milestone for it yet" in mail.text
    assert "/teams/platform/?quarter=2027-q1" in mail.text


def test_the_planning_reminder_comes_only_in_the_week_before_the_start(team, lead, q4):
    QuarterFactory(year=2027, number=1)
    reviewed(team, D(2026, 12, 20), q4)
    assert planned(rules.plan_nudges(D(2026, 12, 24))) == {}
    assert planned(rules.plan_nudges(D(2027, 1, 1))) == {}


def test_a_planning_reminder_missed_on_its_day_comes_on_the_next_run(team, lead, q4):
    QuarterFactory(year=2027, number=1)
    reviewed(team, D(2026, 12, 20), q4)
    # No run on Dec 25 (the cron missed it): the run of Dec 28 still reminds the lead.
    assert planned(rules.plan_nudges(D(2026, 12, 28))) == {lead.username: [rules.PLAN_NEXT_QUARTER]}


def test_a_lead_is_reminded_to_plan_once_per_quarter(team, lead, q4):
    QuarterFactory(year=2027, number=1)
    reviewed(team, D(2026, 12, 20), q4)
    NudgeFactory(user=lead, sent_on=DEC_25, kinds="stale_milestones,plan_next_quarter")
    for day in (D(2026, 12, 26), D(2026, 12, 31)):
        assert planned(rules.plan_nudges(day)) == {}


def test_a_nudge_of_another_kind_that_week_does_not_stand_for_the_planning_reminder(team, lead, q4):
    QuarterFactory(year=2027, number=1)
    reviewed(team, D(2026, 12, 20), q4)
    NudgeFactory(user=lead, sent_on=DEC_25, kinds="review_overdue")
    # And a planning reminder of last quarter's week is not this quarter's.
    NudgeFactory(user=lead, sent_on=D(2026, 9, 24), kinds="plan_next_quarter")
    assert planned(rules.plan_nudges(D(2026, 12, 26))) == {lead.username: [rules.PLAN_NEXT_QUARTER]}


def test_the_digest_lists_the_quarters_ended_but_not_closed(vp, q4, team):
    q2 = QuarterFactory(year=2026, number=2)
    q3 = QuarterFactory(year=2026, number=3)
    q3.closed_at = datetime.datetime(2026, 10, 9, tzinfo=datetime.UTC)
    q3.save()
    plan = rules.plan_nudges(MONDAY, force_digest=True)
    digest = nudge_of(plan, vp).digest
    assert digest.to_close == (q2,)
    mail = compose(nudge_of(plan, vp))
    assert "Ended, not closed yet:" in mail.text
    assert "2026 Q2 (ended Jun 30): close it here" in mail.text
    assert "/quarters/2026-q2/close/" in mail.text
