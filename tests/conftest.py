import datetime

import pytest

from tests.factories import LeadershipFactory, QuarterFactory, UserFactory, trio

# The Sheets emulator on loopback, for every test that talks to the Sheets API; the OpenID
# Connect provider on loopback, for Sign in with Google; the Slack webhook receiver on loopback.
pytest_plugins = [
    "tests.sheets_emulator.fixtures",
    "tests.oidc_provider",
    "tests.nudges.slack_receiver",
]


@pytest.fixture
def quarter(db):
    return QuarterFactory(year=2026, number=4, goal=13)


@pytest.fixture
def team_trio(db):
    """(team, lead, engineer, other_engineer)"""
    return trio(name="Platform", slug="platform")


@pytest.fixture
def team(team_trio):
    return team_trio[0]


@pytest.fixture
def lead(team_trio):
    return team_trio[1]


@pytest.fixture
def engineer(team_trio):
    return team_trio[2]


@pytest.fixture
def other_engineer(team_trio):
    return team_trio[3]


@pytest.fixture
def vp(db):
    return LeadershipFactory(username="vp", display_name="Val Pereira")


@pytest.fixture
def outsider_lead(db):
    """The tech lead of another team."""
    return trio(name="Billing", slug="billing")[1]


@pytest.fixture
def loner(db):
    """A signed-in user on no team."""
    return UserFactory(username="loner")


@pytest.fixture
def today():
    return datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _fresh_report_cache():
    """Every test starts without cached reports: the test databases reuse primary keys and
    change counters, which a report cached by an earlier test would match."""
    from django.core.cache import cache

    from dashboard.cache import clear_process_cache
    from dashboard.incremental import forget_all

    cache.clear()
    clear_process_cache()
    forget_all()
