"""Milestones 0011 adds the ticket link: every milestone and historical record of a database
made before it is kept, with an empty link; going back drops the column and nothing else."""

import datetime

from django.utils import timezone

BEFORE = ("milestones", "0010_cross_team_dependencies")
AFTER = ("milestones", "0011_milestone_ticket_link")


def test_adding_the_ticket_link_keeps_every_milestone_and_record(migrator):
    old = migrator.apply_tested_migration(BEFORE)
    User = old.apps.get_model("teams", "User")
    Squad = old.apps.get_model("teams", "Squad")
    Team = old.apps.get_model("teams", "Team")
    Quarter = old.apps.get_model("milestones", "Quarter")
    Milestone = old.apps.get_model("milestones", "Milestone")
    HistoricalMilestone = old.apps.get_model("milestones", "HistoricalMilestone")
    lead = User.objects.create(username="mobrien")
    team = Team.objects.create(
        name="Platform", slug="platform", squad=Squad.objects.create(name="Payments")
    )
    quarter = Quarter.objects.create(
        year=2026, number=4, start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31)
    )
    made = [
        Milestone.objects.create(
            team=team,
            quarter=quarter,
            title=f"Milestone {n}",
            owner=lead,
            committed_date=datetime.date(2026, 12, 1),
            target_date=datetime.date(2026, 12, 8),
            notes="Kept as it was",
        ).pk
        for n in range(3)
    ]
    HistoricalMilestone.objects.create(
        id=made[0], team=team, quarter=quarter, title="Milestone 0",
        committed_date=datetime.date(2026, 12, 1), target_date=datetime.date(2026, 12, 8),
        status="planned", created_at=timezone.now(), history_date=timezone.now(),
        history_type="+", source="web",
    )  # fmt: skip

    new = migrator.apply_tested_migration(AFTER)
    Milestone = new.apps.get_model("milestones", "Milestone")
    rows = list(Milestone.objects.order_by("pk").values_list("pk", "title", "notes", "link"))
    assert rows == [(pk, f"Milestone {n}", "Kept as it was", "") for n, pk in enumerate(made)]
    records = new.apps.get_model("milestones", "HistoricalMilestone").objects.all()
    assert [(r.id, r.link) for r in records] == [(made[0], "")]
