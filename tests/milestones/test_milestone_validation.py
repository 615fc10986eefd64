import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from milestones.models import Milestone
from tests.factories import MilestoneFactory, UserFactory


def errors_of(milestone) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        milestone.full_clean()
    return caught.value.message_dict


def test_done_without_delivered_date_is_refused_with_a_clear_message(team, lead, quarter):
    milestone = MilestoneFactory.build(team=team, quarter=quarter, owner=lead, status="done")
    assert errors_of(milestone)["delivered_date"] == [
        "A done milestone needs the date it was delivered."
    ]


def test_delivered_date_on_an_open_milestone_is_refused(team, lead, quarter):
    milestone = MilestoneFactory.build(
        team=team, quarter=quarter, owner=lead, delivered_date=datetime.date(2026, 11, 1)
    )
    assert "Only a done milestone has a delivered date" in errors_of(milestone)["delivered_date"][0]


def test_database_refuses_done_without_delivered_date(team, quarter):
    with pytest.raises(IntegrityError), transaction.atomic():
        MilestoneFactory(team=team, quarter=quarter, status="done", delivered_date=None)


def test_owner_must_belong_to_the_team(team, quarter):
    stranger = UserFactory()
    milestone = MilestoneFactory.build(team=team, quarter=quarter, owner=stranger)
    assert errors_of(milestone)["owner"] == ["The owner must be a member of this team."]


def test_owner_from_the_team_is_accepted(team, engineer, quarter):
    MilestoneFactory.build(team=team, quarter=quarter, owner=engineer).full_clean()


def test_a_date_years_away_from_its_quarter_is_refused(team, lead, quarter):
    milestone = MilestoneFactory.build(
        team=team, quarter=quarter, owner=lead, target_date=datetime.date(2062, 11, 1)
    )
    message = errors_of(milestone)["target_date"][0]
    assert "Nov 1, 2062" in message
    assert "too far from 2026 Q4" in message


def test_delivered_in_the_future_is_refused(team, lead, quarter):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    milestone = MilestoneFactory.build(
        team=team,
        quarter=quarter,
        owner=lead,
        status="done",
        delivered_date=tomorrow,
        committed_date=tomorrow,
        target_date=tomorrow,
    )
    assert "cannot be in the future" in " ".join(errors_of(milestone)["delivered_date"])


def test_new_milestone_starts_at_version_one(team, quarter):
    assert MilestoneFactory(team=team, quarter=quarter).version == 1


def test_milestone_status_labels_are_human():
    assert Milestone.Status.OFF_TRACK.label == "Off track"


# --- Free text: a one-line title, notes and descriptions that fit --------------------------------


def test_a_title_of_two_lines_is_refused_with_a_clear_message(team, lead, quarter):
    milestone = MilestoneFactory.build(
        team=team, quarter=quarter, owner=lead, title="Ship it\nand more"
    )
    assert errors_of(milestone)["title"] == [
        "A title is one line: put the rest in the description."
    ]


def test_a_title_longer_than_200_characters_is_refused_once(team, lead, quarter):
    milestone = MilestoneFactory.build(team=team, quarter=quarter, owner=lead, title="x" * 201)
    assert len(errors_of(milestone)["title"]) == 1


@pytest.mark.parametrize("field", ["notes", "description"])
def test_notes_and_descriptions_over_ten_thousand_characters_are_refused(
    team, lead, quarter, field
):
    milestone = MilestoneFactory.build(
        team=team, quarter=quarter, owner=lead, **{field: "n" * 10_001}
    )
    assert errors_of(milestone)[field] == [
        "Keep this to 10,000 characters; it has 10,001. Link to a longer document instead."
    ]


def test_notes_of_exactly_ten_thousand_characters_are_accepted(team, lead, quarter):
    MilestoneFactory.build(
        team=team, quarter=quarter, owner=lead, notes="n" * 10_000, description="d" * 10_000
    ).full_clean()
