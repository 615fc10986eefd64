import datetime

import pytest
from django.core.exceptions import ValidationError

from milestones.history import Source, history_source
from milestones.models import Milestone
from milestones.services import (
    NotASlip,
    StaleMilestone,
    create_milestone,
    drop_milestone,
    explain_slip,
    move_milestone,
    restore_milestone,
    target_in_the_past,
    update_milestone,
)
from tests.factories import MilestoneFactory, SlipReasonFactory

D = datetime.date


@pytest.fixture
def milestone(team, quarter, engineer):
    return MilestoneFactory(
        team=team,
        quarter=quarter,
        owner=engineer,
        committed_date=D(2026, 11, 10),
        target_date=D(2026, 11, 10),
    )


def fresh(milestone) -> Milestone:
    return Milestone.objects.get(pk=milestone.pk)


def latest_record(milestone):
    return milestone.history.order_by("-history_id").first()


# --- update_milestone ------------------------------------------------------------------------


def test_update_applies_the_changes_and_bumps_the_version(lead, milestone):
    saved = update_milestone(
        milestone=milestone, version=1, changes={"target_date": D(2026, 11, 20)}, user=lead
    )
    assert (saved.version, fresh(milestone).target_date) == (2, D(2026, 11, 20))


def test_update_records_the_user_and_the_source_of_the_change(lead, milestone):
    with history_source(Source.WEB):
        update_milestone(milestone=milestone, version=1, changes={"notes": "n"}, user=lead)
    record = latest_record(milestone)
    assert (record.history_user, record.source, record.notes, record.version) == (
        lead,
        "web",
        "n",
        2,
    )


def test_update_against_an_older_version_raises_stale_and_writes_nothing(lead, milestone):
    update_milestone(milestone=milestone, version=1, changes={"notes": "first"}, user=lead)
    with pytest.raises(StaleMilestone) as caught:
        update_milestone(milestone=milestone, version=1, changes={"notes": "second"}, user=lead)
    assert (caught.value.current.version, caught.value.current.notes) == (2, "first")
    assert fresh(milestone).notes == "first"
    assert milestone.history.count() == 2


def test_update_validates_with_the_model_rules_and_writes_nothing(lead, milestone):
    with pytest.raises(ValidationError) as caught:
        update_milestone(milestone=milestone, version=1, changes={"status": "done"}, user=lead)
    assert "delivered_date" in caught.value.message_dict
    assert fresh(milestone).version == 1


def test_update_refuses_fields_that_an_edit_does_not_change(lead, milestone):
    with pytest.raises(ValueError, match="position"):
        update_milestone(milestone=milestone, version=1, changes={"position": 9}, user=lead)


def test_leaving_done_clears_the_delivered_date(lead, team, quarter):
    done = MilestoneFactory(team=team, quarter=quarter, done=True)
    update_milestone(milestone=done, version=1, changes={"status": "at_risk"}, user=lead)
    assert fresh(done).delivered_date is None


def test_a_delivered_date_set_on_an_open_milestone_is_refused_not_cleared(lead, milestone):
    with pytest.raises(ValidationError):
        update_milestone(
            milestone=milestone, version=1, changes={"delivered_date": D(2026, 11, 2)}, user=lead
        )


def test_leaving_dropped_clears_the_excuse(vp, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(status="dropped", excused=True)
    update_milestone(milestone=fresh(milestone), version=1, changes={"status": "planned"}, user=vp)
    assert fresh(milestone).excused is False


def test_a_browser_edit_moving_an_open_target_into_the_past_is_refused_unless_confirmed(
    lead, milestone
):
    # Today is Nov 25 (tests/milestones/conftest.py); the target moves from Nov 10 to Nov 12.
    with pytest.raises(ValidationError) as refused:
        update_milestone(
            milestone=milestone,
            version=1,
            changes={"target_date": D(2026, 11, 12), "title": ""},
            user=lead,
            ask_past_target=True,
        )
    errors = refused.value.error_dict
    assert [e.code for e in errors["target_date"]] == ["past_target"]
    assert "title" in errors  # said together with the rest
    assert fresh(milestone).version == 1

    saved = update_milestone(
        milestone=fresh(milestone),
        version=1,
        changes={"target_date": D(2026, 11, 12)},
        user=lead,
        ask_past_target=True,
        past_target_confirmed=True,
    )
    assert (saved.target_date, saved.version) == (D(2026, 11, 12), 2)


def test_the_sync_and_commands_move_a_target_into_the_past_without_asking(lead, milestone):
    saved = update_milestone(
        milestone=milestone, version=1, changes={"target_date": D(2026, 11, 12)}, user=None
    )
    assert saved.target_date == D(2026, 11, 12)


@pytest.mark.parametrize(
    ("status", "target", "expected"),
    [
        ("on_track", D(2026, 11, 24), True),
        ("at_risk", D(2026, 11, 24), True),
        ("on_track", D(2026, 11, 25), False),  # today
        ("on_track", D(2026, 12, 1), False),
        ("done", D(2026, 11, 24), False),
        ("dropped", D(2026, 11, 24), False),
        ("on_track", D(2026, 11, 10), False),  # not moved
    ],
)
def test_a_target_in_the_past_is_a_moved_target_before_today_of_an_open_milestone(
    milestone, status, target, expected
):
    milestone.status, milestone.target_date = status, target
    moved_from = D(2026, 11, 10)
    assert target_in_the_past(milestone, moved_from=moved_from, today=D(2026, 11, 25)) is expected


# --- create_milestone ------------------------------------------------------------------------


def test_create_puts_the_milestone_last_planned_at_version_one(lead, team, quarter, milestone):
    created = create_milestone(
        team=team, quarter=quarter, user=lead, title="New", committed_date=D(2026, 12, 1)
    )
    assert (created.status, created.version, created.target_date) == (
        "planned",
        1,
        D(2026, 12, 1),
    )
    assert created.position == milestone.position + 1
    assert created.history.get().history_user == lead


def test_create_validates_and_writes_nothing_when_invalid(lead, team, quarter):
    with pytest.raises(ValidationError) as caught:
        create_milestone(team=team, quarter=quarter, user=lead, title="", committed_date=None)
    assert {"title", "committed_date"} <= caught.value.message_dict.keys()
    assert not Milestone.objects.exists()


def test_adding_a_past_target_from_the_browser_is_refused_unless_confirmed(lead, team, quarter):
    # Today is Nov 25 (tests/milestones/conftest.py).
    past = {"title": "Late", "committed_date": D(2026, 12, 1), "target_date": D(2026, 11, 12)}
    with pytest.raises(ValidationError) as refused:
        create_milestone(team=team, quarter=quarter, user=lead, ask_past_target=True, **past)
    assert [e.code for e in refused.value.error_dict["target_date"]] == ["past_target"]
    assert not Milestone.objects.exists()

    created = create_milestone(
        team=team,
        quarter=quarter,
        user=lead,
        ask_past_target=True,
        past_target_confirmed=True,
        **past,
    )
    assert created.target_date == D(2026, 11, 12)


def test_a_past_target_is_said_together_with_the_other_errors_of_a_new_milestone(
    lead, team, quarter
):
    with pytest.raises(ValidationError) as refused:
        create_milestone(
            team=team,
            quarter=quarter,
            user=lead,
            title="",
            committed_date=D(2026, 11, 12),
            ask_past_target=True,
        )
    assert {"title", "target_date"} <= refused.value.error_dict.keys()


def test_carrying_over_or_a_command_adds_a_past_target_without_asking(lead, team, quarter):
    created = create_milestone(
        team=team, quarter=quarter, user=lead, title="Late", committed_date=D(2026, 11, 12)
    )
    assert created.target_date == D(2026, 11, 12)


# --- drop_milestone and restore_milestone ----------------------------------------------------


def test_drop_and_restore_round_trip_to_the_status_before(lead, milestone):
    update_milestone(milestone=milestone, version=1, changes={"status": "off_track"}, user=lead)
    dropped = drop_milestone(milestone=milestone, version=2, user=lead)
    assert (dropped.status, dropped.version) == ("dropped", 3)
    restored = restore_milestone(milestone=milestone, version=3, user=lead)
    assert (restored.status, restored.version) == ("off_track", 4)


def test_restoring_a_milestone_created_dropped_makes_it_planned(lead, team, quarter):
    dropped = MilestoneFactory(team=team, quarter=quarter, status="dropped")
    assert restore_milestone(milestone=dropped, version=1, user=lead).status == "planned"


def test_dropping_a_dropped_milestone_changes_nothing(lead, team, quarter):
    dropped = MilestoneFactory(team=team, quarter=quarter, status="dropped")
    assert drop_milestone(milestone=dropped, version=1, user=lead).version == 1


def test_a_stale_drop_raises_stale(lead, milestone):
    update_milestone(milestone=milestone, version=1, changes={"notes": "x"}, user=lead)
    with pytest.raises(StaleMilestone):
        drop_milestone(milestone=milestone, version=1, user=lead)
    assert fresh(milestone).status == "on_track"


# --- move_milestone --------------------------------------------------------------------------


def test_move_swaps_positions_with_the_neighbour(lead, team, quarter):
    MilestoneFactory(team=team, quarter=quarter, position=10, title="first")
    second = MilestoneFactory(team=team, quarter=quarter, position=20, title="second")
    moved = move_milestone(milestone=second, direction="up", user=lead)
    assert moved.pk == second.pk
    assert [m.title for m in Milestone.objects.filter(team=team)] == ["second", "first"]
    assert {m.title: m.position for m in Milestone.objects.all()} == {"second": 10, "first": 20}
    assert latest_record(second).history_user == lead


def test_move_refuses_a_direction_that_is_not_up_or_down(lead, milestone):
    with pytest.raises(ValueError, match="up or down"):
        move_milestone(milestone=milestone, direction="left", user=lead)


def test_moving_the_last_milestone_down_changes_nothing(lead, milestone):
    move_milestone(milestone=milestone, direction="down", user=lead)
    assert fresh(milestone).version == 1


# --- explain_slip ----------------------------------------------------------------------------


def test_a_reason_is_given_only_to_a_record_that_moved_the_target_later(lead, milestone):
    reason = SlipReasonFactory(name="Scope grew")
    created = latest_record(milestone)
    later = update_milestone(
        milestone=milestone, version=1, changes={"target_date": D(2026, 11, 20)}, user=lead
    )
    slip = latest_record(later)
    update_milestone(
        milestone=later, version=2, changes={"target_date": D(2026, 11, 15)}, user=lead
    )
    earlier = latest_record(fresh(milestone))
    for record in (created, earlier):
        with pytest.raises(NotASlip):
            explain_slip(
                milestone=milestone, record_id=record.pk, reason=reason, note="", user=lead
            )
    explanation = explain_slip(
        milestone=milestone, record_id=slip.pk, reason=reason, note="Two more endpoints", user=lead
    )
    assert (explanation.record_id, explanation.note) == (slip.pk, "Two more endpoints")
    assert fresh(milestone).version == 3  # giving a reason is not an edit of the milestone
