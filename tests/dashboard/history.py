"""Builders for as-of tests: rows whose history is dated on chosen days.

simple-history stamps a record with `instance._history_date` when it is set, so a test can say
"created on Oct 1, dropped on Nov 10" and then look at the quarter as of any day between.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from milestones.models import Milestone, Quarter
from teams.models import Team
from tests.factories import MilestoneFactory, QuarterFactory, trio

D = datetime.date
NOON = datetime.time(12)
TODAY = D(2026, 11, 25)


def at(day: datetime.date, time: datetime.time = NOON) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def save_on(obj, day: datetime.date, time: datetime.time = NOON, **fields):
    """Change `fields` and save, the historical record dated `day` at `time`."""
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_date = at(day, time)
    obj.save()
    return obj


def delete_on(obj, day: datetime.date) -> None:
    obj._history_date = at(day)
    obj.delete()


def quarter_on(day: datetime.date, **fields) -> Quarter:
    """2026 Q4 (grace 7), created on `day`."""
    return save_on(QuarterFactory.build(**({"year": 2026, "number": 4} | fields)), day)


def milestone_on(day: datetime.date, team: Team, quarter: Quarter, **fields) -> Milestone:
    return save_on(MilestoneFactory.build(team=team, quarter=quarter, **fields), day)


@dataclass
class DatedOrg:
    quarter: Quarter
    teams: dict[str, Team]
    milestones: dict[str, Milestone]


@pytest.fixture
def dated_org(db) -> DatedOrg:
    """2026 Q4 (goal 3, grace 7), created Oct 1; four teams whose milestones changed on known
    days (today is Nov 25):

    | team   | history                                                                  |
    |--------|--------------------------------------------------------------------------|
    | Atlas  | "Atlas search" committed Oct 15, created Oct 1, done on time Oct 16      |
    | Beacon | "Beacon billing" committed Nov 20, created Oct 1, dropped Nov 10         |
    | Comet  | "Comet import" committed Dec 10, created Nov 12                          |
    | Dune   | "Dune maps" committed Dec 5 (Oct 1); "Dune spike" Nov 30 (Oct 1), deleted Nov 15 |

    Teams on time: as of Nov 9, Atlas, Beacon and Dune: 3 of 3; as of Nov 10 (Beacon dropped)
    2 of 3; as of Nov 12 (Comet counts) 3 of 4, and so today.
    """
    oct_1 = D(2026, 10, 1)
    quarter = quarter_on(oct_1, goal=3, grace_days=7)
    teams = {
        name: trio(name=name, slug=name.lower())[0] for name in ("Atlas", "Beacon", "Comet", "Dune")
    }
    on_track = Milestone.Status.ON_TRACK
    milestones = {
        "Atlas search": milestone_on(
            oct_1, teams["Atlas"], quarter, title="Atlas search", committed_date=D(2026, 10, 15)
        ),
        "Beacon billing": milestone_on(
            oct_1, teams["Beacon"], quarter, title="Beacon billing", committed_date=D(2026, 11, 20)
        ),
        "Comet import": milestone_on(
            D(2026, 11, 12),
            teams["Comet"],
            quarter,
            title="Comet import",
            committed_date=D(2026, 12, 10),
        ),
        "Dune maps": milestone_on(
            oct_1, teams["Dune"], quarter, title="Dune maps", committed_date=D(2026, 12, 5)
        ),
        "Dune spike": milestone_on(
            oct_1, teams["Dune"], quarter, title="Dune spike", committed_date=D(2026, 11, 30)
        ),
    }
    for milestone in milestones.values():
        assert milestone.status == on_track
    save_on(
        milestones["Atlas search"],
        D(2026, 10, 16),
        status=Milestone.Status.DONE,
        delivered_date=D(2026, 10, 16),
    )
    save_on(milestones["Beacon billing"], D(2026, 11, 10), status=Milestone.Status.DROPPED)
    delete_on(milestones["Dune spike"], D(2026, 11, 15))
    return DatedOrg(quarter, teams, milestones)
