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
    latest = Milestone.history.filter(id=milestone.pk).latest("history_date", "history_id")
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
