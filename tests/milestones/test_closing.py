"""Closing a quarter (issue 15): carry over or drop what is open, record the figure, set the
next goal; then restatements only, with a reason."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from milestones import closing
from milestones.closing import CARRY, DROP, Decision, close_quarter, lock_planning
from milestones.models import CloseDecision, Milestone, Quarter, QuarterRecord, Restatement
from milestones.selectors import quarter_report
from milestones.services import create_milestone, drop_milestone, update_milestone
from tests.factories import MilestoneFactory, QuarterFactory, trio

D = datetime.date
TODAY = D(2026, 11, 25)  # Q3 (Jul 1 - Sep 30, grace 7) has ended; Q4 is in progress


@pytest.fixture
def q3(db):
    return QuarterFactory(year=2026, number=3, goal=2)


@pytest.fixture
def org(q3, team, lead, engineer, vp):
    """Platform: one done on time, one still open. Billing: one done on time."""
    billing, *_ = trio(name="Billing", slug="billing")
    done = MilestoneFactory(team=team, quarter=q3, done=True, committed_date=D(2026, 8, 1))
    open_one = MilestoneFactory(
        team=team, quarter=q3, owner=engineer, committed_date=D(2026, 9, 1), title="Importer"
    )
    other = MilestoneFactory(team=billing, quarter=q3, done=True, committed_date=D(2026, 8, 1))
    return {"done": done, "open": open_one, "other": other, "billing": billing}


IN_Q4 = D(2026, 11, 15)


def carry(milestone, day=IN_Q4, reason="Vendor API late"):
    return Decision(milestone.pk, CARRY, reason, day)


def test_closing_records_the_figure_and_carries_an_open_milestone_into_the_next_quarter(
    org, q3, vp, engineer
):
    record = close_quarter(
        quarter=q3, user=vp, decisions=[carry(org["open"])], next_goal=2, today=TODAY
    )
    q3.refresh_from_db()
    assert q3.is_closed
    assert (record.on_time, record.teams, record.goal, record.grace_days) == (1, 2, 2, 7)
    assert (record.milestones_on_time, record.milestones_due) == (2, 3)
    assert record.recorded_by == vp
    carried = Milestone.objects.get(carried_from=org["open"])
    assert carried.quarter == Quarter.objects.get(year=2026, number=4)
    assert (carried.title, carried.owner, carried.committed_date) == (
        "Importer",
        engineer,
        D(2026, 11, 15),
    )
    assert carried.target_date == carried.committed_date
    decision = CloseDecision.objects.get()
    assert (decision.milestone, decision.action, decision.reason) == (
        org["open"],
        CARRY,
        "Vendor API late",
    )


def test_the_carried_original_counts_as_not_delivered_even_before_its_committed_date(q3, team, vp):
    # Committed after the quarter's grace: not due on the day of close, yet a miss on record.
    late_commit = MilestoneFactory(team=team, quarter=q3, committed_date=D(2026, 12, 20))
    record = close_quarter(
        quarter=q3, user=vp, decisions=[carry(late_commit)], next_goal=0, today=TODAY
    )
    assert (record.on_time, record.teams, record.milestones_due) == (0, 1, 1)


def test_a_dropped_milestone_is_dropped_with_its_reason(org, q3, vp):
    close_quarter(
        quarter=q3,
        user=vp,
        decisions=[Decision(org["open"].pk, DROP, "Customer cancelled")],
        next_goal=3,
        today=TODAY,
    )
    org["open"].refresh_from_db()
    assert org["open"].status == Milestone.Status.DROPPED
    assert CloseDecision.objects.get().reason == "Customer cancelled"
    assert not Milestone.objects.filter(carried_from__isnull=False).exists()


def test_closing_sets_the_next_quarters_goal_creating_the_quarter_if_needed(org, q3, vp):
    assert not Quarter.objects.filter(year=2026, number=4).exists()
    close_quarter(quarter=q3, user=vp, decisions=[carry(org["open"])], next_goal=5, today=TODAY)
    assert Quarter.objects.get(year=2026, number=4).goal == 5


@pytest.mark.parametrize(
    ("decisions", "key"),
    [
        ([], "action"),
        ([Decision(0, DROP, "  ")], "reason"),
        ([Decision(0, CARRY, "why", None)], "committed_date"),
        ([Decision(0, CARRY, "why", D(2027, 1, 5))], "committed_date"),  # outside Q4
    ],
)
def test_an_incomplete_decision_is_refused_and_nothing_is_written(org, q3, vp, decisions, key):
    pk = org["open"].pk
    decisions = [Decision(pk, d.action, d.reason, d.committed_date) for d in decisions]
    with pytest.raises(ValidationError) as refused:
        close_quarter(quarter=q3, user=vp, decisions=decisions, next_goal=2, today=TODAY)
    assert closing.decision_key(pk, key) in refused.value.error_dict
    q3.refresh_from_db()
    assert not q3.is_closed
    assert not QuarterRecord.objects.exists()
    assert Milestone.objects.count() == 3


def test_a_quarter_that_has_not_ended_cannot_be_closed(team, vp):
    q4 = QuarterFactory(year=2026, number=4)
    MilestoneFactory(team=team, quarter=q4)
    with pytest.raises(ValidationError, match="has not ended"):
        close_quarter(quarter=q4, user=vp, decisions=[], next_goal=1, today=TODAY)


def test_a_quarter_is_closed_once(org, q3, vp):
    close_quarter(quarter=q3, user=vp, decisions=[carry(org["open"])], next_goal=2, today=TODAY)
    with pytest.raises(ValidationError, match="already closed"):
        close_quarter(quarter=q3, user=vp, decisions=[], next_goal=2, today=TODAY)
    assert QuarterRecord.objects.count() == 1


def test_the_closing_figure_is_the_figure_closing_records(org, q3, vp):
    before = closing.closing_figure(q3, TODAY)
    record = close_quarter(
        quarter=q3, user=vp, decisions=[carry(org["open"])], next_goal=2, today=TODAY
    )
    assert closing.recorded_figure(record) == before


@pytest.fixture
def closed(org, q3, vp):
    close_quarter(quarter=q3, user=vp, decisions=[carry(org["open"])], next_goal=2, today=TODAY)
    q3.refresh_from_db()
    for milestone in org.values():
        if isinstance(milestone, Milestone):
            milestone.refresh_from_db()
    return org


def test_a_change_to_a_closed_quarter_needs_a_restatement_reason(closed, vp):
    done = closed["done"]
    with pytest.raises(ValidationError) as refused:
        update_milestone(milestone=done, version=done.version, changes={"notes": "x"}, user=vp)
    assert "restatement_reason" in refused.value.error_dict
    assert not Restatement.objects.exists()


def test_a_restatement_keeps_the_recorded_figure_and_changes_the_restated_one(closed, q3, vp):
    done = closed["other"]  # Billing's only milestone: Billing was on time
    update_milestone(
        milestone=done,
        version=done.version,
        changes={"delivered_date": D(2026, 9, 20)},  # after its grace: late after all
        user=vp,
        restatement_reason="Audit found the release was only on Sep 20",
    )
    record = QuarterRecord.objects.get(quarter=q3)
    assert (record.on_time, record.teams) == (1, 2)  # recorded: unchanged
    now = quarter_report(Quarter.objects.get(pk=q3.pk), TODAY).figure
    restated = closing.restated(closing.recorded_figure(record), now)
    assert restated is not None
    assert (restated.on_time, restated.teams) == (0, 2)
    [line] = closing.restatements(q3)
    assert line.reason == "Audit found the release was only on Sep 20"
    assert line.by == vp
    assert ("Delivered", "Aug 1", "Sep 20") in line.changes


def test_no_restatement_means_no_restated_figure(closed, q3):
    record = QuarterRecord.objects.get(quarter=q3)
    now = quarter_report(Quarter.objects.get(pk=q3.pk), TODAY).figure
    assert closing.restated(closing.recorded_figure(record), now) is None


def test_adding_dropping_or_moving_in_a_closed_quarter_is_refused(closed, q3, team, vp):
    done = closed["done"]
    with pytest.raises(ValidationError, match="closed"):
        drop_milestone(milestone=done, version=done.version, user=vp)
    with pytest.raises(ValidationError, match="closed"):
        create_milestone(team=team, quarter=q3, user=vp, title="Late", committed_date=D(2026, 9, 1))


def test_locking_planning_freezes_committed_dates(db, vp):
    q1 = QuarterFactory(year=2027, number=1)
    assert lock_planning(quarter=q1, user=vp).locked
    q1.refresh_from_db()
    assert q1.locked
    assert q1.history.first().history_user == vp


def test_closing_records_each_teams_verdict_and_a_restatement_does_not_move_it(closed, q3, vp):
    billing = closed["billing"]
    done = closed["other"]  # Billing's only milestone: Billing was on time
    update_milestone(
        milestone=done,
        version=done.version,
        changes={"delivered_date": D(2026, 9, 20)},  # after its grace: late after all
        user=vp,
        restatement_reason="Audit found the release was only on Sep 20",
    )

    report = quarter_report(Quarter.objects.with_record().get(pk=q3.pk), TODAY)
    recorded = closing.recorded_team_figures(report)

    live = {row.team.pk: row.figures for row in report.rows}
    assert live[billing.pk].verdict == "not on time"  # restated
    assert recorded[billing.pk].verdict == "on time"  # on record
    assert (recorded[billing.pk].total, recorded[billing.pk].on_time) == (1, 1)
    assert recorded[closed["done"].team_id].verdict == "not on time"  # its carried original


def test_a_quarter_closed_before_teams_were_recorded_judges_its_teams_live(closed, q3):
    QuarterRecord.objects.filter(quarter=q3).update(team_figures=None)
    report = quarter_report(Quarter.objects.with_record().get(pk=q3.pk), TODAY)

    assert closing.recorded_team_figures(report) == {}
    as_of = quarter_report(Quarter.objects.get(pk=q3.pk), TODAY, as_of=D(2026, 9, 30))
    assert closing.recorded_team_figures(as_of) == {}


# --- Restating a closed quarter's settings ------------------------------------------------------


def restate(quarter, vp, reason="", **settings):
    quarter = Quarter.objects.get(pk=quarter.pk)
    for name, value in settings.items():
        setattr(quarter, name, value)
    closing.save_quarter_settings(quarter=quarter, fields=list(settings), user=vp, reason=reason)


def test_a_change_to_a_closed_quarters_settings_needs_a_reason(closed, q3, vp):
    with pytest.raises(ValidationError) as refused:
        restate(q3, vp, grace_days=14)
    assert "reason" in refused.value.error_dict
    assert Quarter.objects.get(pk=q3.pk).grace_days == 7
    assert not Restatement.objects.exists()


def test_a_grace_restatement_changes_the_restated_figure_and_keeps_the_recorded_one(org, q3, vp):
    # Billing also delivered one 10 days after its committed date: late with 7 days of grace.
    MilestoneFactory(
        team=org["billing"], quarter=q3, done=True,
        committed_date=D(2026, 8, 1), delivered_date=D(2026, 8, 11),
    )  # fmt: skip
    record = close_quarter(
        quarter=q3, user=vp, decisions=[carry(org["open"])], next_goal=2, today=TODAY
    )
    assert (record.on_time, record.teams) == (0, 2)

    restate(q3, vp, reason="Leadership agreed two weeks for Q3", grace_days=14)

    record.refresh_from_db()
    assert (record.on_time, record.grace_days) == (0, 7)  # recorded: unchanged
    now = quarter_report(Quarter.objects.get(pk=q3.pk), TODAY).figure
    restated = closing.restated(closing.recorded_figure(record), now)
    assert (restated.on_time, restated.teams) == (1, 2)
    [line] = closing.restatements(q3)
    assert line.milestone is None
    assert (line.reason, line.by) == ("Leadership agreed two weeks for Q3", vp)
    assert line.changes == [("Grace days", "7", "14")]


def test_a_goal_restatement_is_listed_beside_the_milestones_and_restates_the_goal(closed, q3, vp):
    done = closed["other"]
    update_milestone(
        milestone=done,
        version=done.version,
        changes={"notes": "Checked"},
        user=vp,
        restatement_reason="Audit note",
    )
    restate(q3, vp, reason="The board asked for 3", goal=3)

    lines = closing.restatements(q3)
    assert [(line.milestone, line.reason) for line in lines] == [
        (done, "Audit note"),
        (None, "The board asked for 3"),
    ]
    assert lines[1].changes == [("On-time goal", "2", "3")]
    record = QuarterRecord.objects.get(quarter=q3)
    now = quarter_report(Quarter.objects.get(pk=q3.pk), TODAY).figure
    assert closing.restated(closing.recorded_figure(record), now).goal == 3


def test_the_settings_of_an_open_quarter_change_without_a_reason_or_restatement(db, vp):
    q4 = QuarterFactory(year=2026, number=4, goal=2)
    restate(q4, vp, goal=4)
    assert Quarter.objects.get(pk=q4.pk).goal == 4
    assert not Restatement.objects.exists()
