"""Schemathesis against the live schema (`/api/schema/`): every operation, fed examples the
schema allows and some it forbids, answers no 5xx and nothing the schema does not describe.

The app is called in-process through WSGI, with a personal token; a bounded, derandomized
run, so CI (SQLite and PostgreSQL) runs the same examples every time, in seconds. The schema
is built when the module loads (there is no database to hold a token yet, and schemathesis's
`from_fixture` does not run under pytest 9), and a test checks it is exactly what
`/api/schema/` serves.
"""

import datetime
import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.endpoints import api_v1
from api.tokens import create_token
from milestones.models import Milestone, QuarterRecord
from tests.factories import (
    LeadershipFactory,
    MilestoneFactory,
    QuarterFactory,
    ReviewFactory,
    ReviewItemFactory,
    trio,
)


@pytest.fixture
def token(db):
    """A small organisation (a closed quarter on record, a live one, reviews), and a token."""
    q3, q4 = QuarterFactory(year=2026, number=3), QuarterFactory(year=2026, number=4)
    for n in range(2):
        team, lead, engineer, _ = trio(name=f"Team {n}", slug=f"team-{n}")
        MilestoneFactory(team=team, quarter=q3, owner=lead, done=True)
        milestone = MilestoneFactory(
            team=team, quarter=q4, owner=engineer, status=Milestone.Status.AT_RISK
        )
        ReviewItemFactory(milestone=milestone, review=ReviewFactory(team=team, quarter=q4))
    q3.closed_at = timezone.now()
    q3.save()
    QuarterRecord.objects.create(
        quarter=q3, on_time=2, teams=2, milestones_on_time=2, milestones_due=2, goal=2,
        grace_days=7,
    )  # fmt: skip
    return create_token(user=LeadershipFactory(username="robot"), name="Schemathesis").secret


@pytest.fixture
def connection_kept():
    """Django closes the database connection at the end of each request; the test's
    transaction lives on it, so (as Django's own test client does) it stays open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


SCHEMA = api_v1.get_openapi_schema(path_prefix=reverse("api-v1:api-root"))
schema = schemathesis.openapi.from_dict(SCHEMA)
schema.app = WSGIHandler()


def test_the_fuzzed_schema_is_the_one_served(client, token):
    served = client.get("/api/schema/", headers={"Authorization": f"Bearer {token}"})
    assert served.json() == json.loads(json.dumps(SCHEMA))


@schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema(case, token, connection_kept, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 11, 25))
    # A day outside the quarter is a date to the schema, and a documented 400 to the API (the
    # schema cannot say "within the quarter"): schemathesis's "valid data is accepted" check
    # does not apply. Every other check does, 5xx and the response schemas first.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
