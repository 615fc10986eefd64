"""Fixtures of the sync's tests: the sample roster, the quarter the sample sheet is about,
and a gspread view of the sheet to edit and read it as a person (or a script) would."""

import datetime

import pytest
from django.conf import settings as django_settings

from sheets.client import open_spreadsheet
from sheets.run import sync_sheet
from teams.roster import import_roster
from tests.factories import QuarterFactory

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def q4(db):
    return QuarterFactory(year=2026, number=4)


@pytest.fixture
def roster(db):
    path = django_settings.BASE_DIR / "tests" / "data" / "roster.csv"
    report = import_roster(path.read_text(encoding="utf-8"))
    assert not report.errors, report.errors
    return report


@pytest.fixture
def sheet(sheets_settings):
    """The sample sheet as gspread sees it, through the project's client."""
    return open_spreadsheet()


@pytest.fixture
def sync(q4):
    """sync(**options): one run of the sync as of TODAY."""

    def _sync(**options):
        options.setdefault("today", TODAY)
        return sync_sheet(**options)

    return _sync
