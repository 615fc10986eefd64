"""The nudge tests' world: Platform (a trio) in 2026 Q4, judged on Monday Nov 23, 2026."""

import datetime

import pytest
from django.utils import timezone

from milestones.models import Milestone
from tests.factories import MilestoneFactory, QuarterFactory, ReviewFactory

D = datetime.date
MONDAY = D(2026, 11, 23)  # the default digest weekday
TUESDAY = D(2026, 11, 24)


def at(day: datetime.date) -> datetime.datetime:
    """Noon of `day` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def created(day: datetime.date, **fields) -> Milestone:
    """A milestone whose history starts on `day` (its creation record is dated then)."""
    milestone = MilestoneFactory(**fields)
    Milestone.history.filter(id=milestone.pk).update(history_date=at(day))
    return milestone


def change(milestone: Milestone, day: datetime.date, **fields) -> Milestone:
    """Save a change on `day`: one more historical record, dated then."""
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.save()
    # The record just saved: the newest by id (by date, an earlier one dated after the real
    # clock would be taken for it).
    latest = Milestone.history.filter(id=milestone.pk).latest("history_id")
    Milestone.history.filter(history_id=latest.history_id).update(history_date=at(day))
    return milestone


def reviewed(team, day: datetime.date, quarter):
    return ReviewFactory(team=team, quarter=quarter, held_on=day)


@pytest.fixture
def q4(db):
    return QuarterFactory(year=2026, number=4, goal=13)


@pytest.fixture
def reviewed_recently(team, q4):
    """Platform held its review last week: not overdue."""
    return reviewed(team, D(2026, 11, 18), q4)


NEW_YEAR_MONDAY = D(2027, 1, 4)  # its digest's week, Dec 29 – Jan 4, crosses into 2027 Q1


@pytest.fixture
def new_year_week(team, q4) -> dict[str, Milestone]:
    """Platform's slips and deliveries around a week that crosses from 2026 Q4 into 2027 Q1
    (goal 3): in Q4's last days of it (Dec 29-31), in Q1's first (Jan 1-4), and before it."""
    q1 = QuarterFactory(year=2027, number=1, goal=3)
    search = created(
        D(2026, 10, 1), team=team, quarter=q4, title="Search", committed_date=D(2026, 12, 15)
    )
    change(search, D(2026, 12, 20), target_date=D(2026, 12, 22))  # the week before: not in it
    change(search, D(2026, 12, 30), target_date=D(2027, 1, 8))  # Q4's last days: 17 days
    export = created(
        D(2026, 10, 1),
        team=team,
        quarter=q4,
        title="Export",
        committed_date=D(2026, 12, 18),
        status=Milestone.Status.DONE,
        delivered_date=D(2026, 12, 29),  # Q4's last days, past Dec 18 + 7 days of grace: late
    )
    billing = created(
        D(2026, 12, 10), team=team, quarter=q1, title="Billing", committed_date=D(2027, 2, 1)
    )
    change(billing, D(2027, 1, 2), target_date=D(2027, 2, 10))  # Q1's first days: 9 days
    return {"search": search, "export": export, "billing": billing, "q1": q1}
