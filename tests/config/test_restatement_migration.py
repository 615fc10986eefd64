"""milestones 0013: a restatement may be of a quarter's settings (issue 15); the restatements of
milestones recorded before it are kept, as they were."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

BEFORE = [("milestones", "0012_record_team_figures")]
AFTER = [("milestones", "0013_restatement_of_quarter_settings")]


def _milestone_restatement(apps) -> int:
    User = apps.get_model("teams", "User")
    Team = apps.get_model("teams", "Team")
    Quarter = apps.get_model("milestones", "Quarter")
    Milestone = apps.get_model("milestones", "Milestone")
    HistoricalMilestone = apps.get_model("milestones", "HistoricalMilestone")
    Restatement = apps.get_model("milestones", "Restatement")
    vp = User.objects.create(username="vp", display_name="Vera", is_leadership=True)
    squad = apps.get_model("teams", "Squad").objects.create(name="Payments")
    team = Team.objects.create(name="Platform", slug="platform", squad=squad)
    quarter = Quarter.objects.create(
        year=2026, number=3, start=datetime.date(2026, 7, 1), end=datetime.date(2026, 9, 30)
    )
    milestone = Milestone.objects.create(
        team=team,
        quarter=quarter,
        title="Ship the importer",
        committed_date=datetime.date(2026, 8, 1),
        target_date=datetime.date(2026, 8, 1),
    )
    record = HistoricalMilestone.objects.create(
        id=milestone.pk,
        team=team,
        quarter=quarter,
        title=milestone.title,
        committed_date=milestone.committed_date,
        target_date=milestone.target_date,
        status=milestone.status,
        created_at=timezone.now(),
        history_date=timezone.now(),
        history_type="~",
        source="web",
    )
    return Restatement.objects.create(
        milestone=milestone, record=record, reason="Audit", given_by=vp
    ).pk


@pytest.mark.django_db(transaction=True)
def test_restatements_of_milestones_are_kept_and_one_of_a_quarter_needs_its_record(migrator):
    old = migrator.apply_tested_migration(BEFORE)
    pk = _milestone_restatement(old.apps)

    new = migrator.apply_tested_migration(AFTER)

    Restatement = new.apps.get_model("milestones", "Restatement")
    kept = Restatement.objects.get(pk=pk)
    assert (kept.reason, kept.quarter_id, kept.quarter_record_id) == ("Audit", None, None)
    assert kept.milestone_id is not None
    assert kept.record_id is not None
    quarter = new.apps.get_model("milestones", "Quarter").objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Restatement.objects.create(quarter=quarter, reason="No record of the change")
