"""Builders the review tests share."""

import datetime

from milestones.models import Milestone
from reviews.diff import Snapshot
from reviews.models import Review
from reviews.services import start_review
from tests.factories import MilestoneFactory

D = datetime.date
TODAY = D(2026, 11, 25)
PREVIOUS = D(2026, 11, 11)
HTMX = {"HTTP_HX_REQUEST": "true"}


DEC_1 = D(2026, 12, 1)


def snap(pk, status="on_track", target=DEC_1, **fields) -> Snapshot:
    """A snapshot of milestone `pk`, committed for and targeting Dec 1, owned by Ada."""
    defaults = {
        "title": f"Milestone {pk}",
        "committed_date": DEC_1,
        "delivered_date": None,
        "owner_id": 7,
        "owner_name": "Ada Lovelace",
    }
    return Snapshot(milestone_id=pk, status=status, target_date=target, **(defaults | fields))


def milestone(team, quarter, **fields) -> Milestone:
    return MilestoneFactory(team=team, quarter=quarter, **fields)


def edit(milestone: Milestone, **fields) -> Milestone:
    """Change a milestone as an edit would (a historical record is kept)."""
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.version += 1
    milestone.save()
    return milestone


def hold(team, day: datetime.date, user=None) -> Review:
    """Start the team's review of `day`."""
    return start_review(team=team, held_on=day, user=user)
