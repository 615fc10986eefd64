"""Milestones 0014 adds the change counters' trail: every counter of a database made before it
keeps its count and token, with an empty trail (the next change starts it); going back drops
the column and nothing else."""

import datetime

BEFORE = ("milestones", "0013_restatement_of_quarter_settings")
AFTER = ("milestones", "0014_change_counter_trail")


def test_adding_the_trail_keeps_every_counter(migrator):
    old = migrator.apply_tested_migration(BEFORE)
    Quarter = old.apps.get_model("milestones", "Quarter")
    ChangeCounter = old.apps.get_model("milestones", "ChangeCounter")
    for number in (3, 4):
        quarter = Quarter.objects.create(
            year=2026,
            number=number,
            start=datetime.date(2026, 3 * number - 2, 1),
            end=datetime.date(2026, 3 * number, 28),
        )
        ChangeCounter.objects.create(quarter=quarter, value=40 + number, token=f"{number}" * 16)

    new = migrator.apply_tested_migration(AFTER)
    counters = new.apps.get_model("milestones", "ChangeCounter").objects.order_by("value")
    assert list(counters.values_list("value", "token", "trail")) == [
        (43, "3" * 16, ""),
        (44, "4" * 16, ""),
    ]

    back = migrator.apply_tested_migration(BEFORE)
    counters = back.apps.get_model("milestones", "ChangeCounter").objects.order_by("value")
    assert list(counters.values_list("value", "token")) == [(43, "3" * 16), (44, "4" * 16)]
