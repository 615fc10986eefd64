import datetime

import pytest
from django.utils import timezone

from tests.factories import MilestoneFactory, SlipReasonFactory

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """Views and model rules read `timezone.localdate()`: pin it to Nov 25, 2026 (2026 Q4)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def milestone(team, quarter, engineer):
    """A milestone of the Platform team in 2026 Q4, owned by `engineer`, committed Dec 10."""
    return MilestoneFactory(
        team=team,
        quarter=quarter,
        owner=engineer,
        title="Ship the importer",
        committed_date=datetime.date(2026, 12, 10),
        target_date=datetime.date(2026, 12, 10),
        position=0,
    )


@pytest.fixture
def scope_grew(db):
    """A reason to give when a test moves a target date later (the form asks for one)."""
    return SlipReasonFactory(name="Scope grew")
