import pytest

from milestones.permissions import (
    ENGINEER_FIELDS,
    LEAD_FIELDS,
    LEADERSHIP_FIELDS,
    can_apply_changes,
    can_edit_milestone,
    can_manage_milestones,
    can_set_status,
    editable_fields,
)
from tests.factories import MilestoneFactory, QuarterFactory


@pytest.fixture
def milestone(team, quarter, engineer):
    return MilestoneFactory(team=team, quarter=quarter, owner=engineer)


def test_leadership_may_change_every_field_of_any_milestone(vp, milestone):
    assert editable_fields(vp, milestone) == LEADERSHIP_FIELDS
    assert "excused" in LEADERSHIP_FIELDS


def test_lead_may_change_every_field_but_the_excuse_of_their_teams_milestones(lead, milestone):
    assert editable_fields(lead, milestone) == LEAD_FIELDS
    assert "excused" not in LEAD_FIELDS


def test_lead_loses_the_committed_date_once_the_quarter_is_locked(lead, team, engineer):
    locked = QuarterFactory(year=2026, number=3, locked=True)
    milestone = MilestoneFactory(team=team, quarter=locked, owner=engineer)
    assert "committed_date" not in editable_fields(lead, milestone)
    assert "target_date" in editable_fields(lead, milestone)


def test_leadership_keeps_the_committed_date_of_a_locked_quarter(vp, team):
    milestone = MilestoneFactory(
        team=team, quarter=QuarterFactory(year=2026, number=3, locked=True)
    )
    assert can_edit_milestone(vp, milestone, ["committed_date"])


def test_owner_may_change_status_target_delivered_date_and_notes(engineer, milestone):
    assert (
        editable_fields(engineer, milestone)
        == ENGINEER_FIELDS
        == {
            "status",
            "target_date",
            "delivered_date",
            "notes",
        }
    )


def test_an_engineer_may_not_change_a_milestone_they_do_not_own(other_engineer, milestone):
    assert editable_fields(other_engineer, milestone) == frozenset()


def test_the_lead_of_another_team_may_change_nothing(outsider_lead, milestone):
    assert not can_edit_milestone(outsider_lead, milestone)


def test_an_owner_who_left_the_team_may_change_nothing(engineer, milestone):
    engineer.memberships.update(active=False)
    assert not can_edit_milestone(engineer, milestone)


def test_asking_about_no_fields_is_asking_about_the_milestone(outsider_lead, engineer, milestone):
    assert not can_edit_milestone(outsider_lead, milestone, [])
    assert can_edit_milestone(engineer, milestone, [])


def test_a_field_outside_the_users_set_is_refused(engineer, milestone):
    assert not can_edit_milestone(engineer, milestone, ["notes", "title"])


def test_only_those_who_manage_the_table_drop_or_restore(lead, engineer, vp, milestone):
    assert can_set_status(lead, milestone, "dropped")
    assert can_set_status(vp, milestone, "dropped")
    assert not can_set_status(engineer, milestone, "dropped")
    assert can_set_status(engineer, milestone, "at_risk")


def test_a_dropped_milestone_is_out_of_its_owners_hands(engineer, lead, milestone):
    milestone.status = "dropped"
    assert editable_fields(engineer, milestone) == frozenset()
    assert can_set_status(lead, milestone, "planned")


def test_can_apply_changes_checks_fields_and_status_together(engineer, milestone):
    assert can_apply_changes(engineer, milestone, {"status": "done", "notes": "x"})
    assert not can_apply_changes(engineer, milestone, {"status": "dropped"})
    assert not can_apply_changes(engineer, milestone, {"owner": None})


def test_managing_the_table_is_for_the_lead_and_leadership(lead, engineer, vp, outsider_lead, team):
    assert can_manage_milestones(lead, team)
    assert can_manage_milestones(vp, team)
    assert not can_manage_milestones(engineer, team)
    assert not can_manage_milestones(outsider_lead, team)


def test_the_membership_is_read_once_per_request(engineer, milestone, django_assert_num_queries):
    with django_assert_num_queries(1):
        for _ in range(5):
            editable_fields(engineer, milestone)
