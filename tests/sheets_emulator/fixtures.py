"""Fixtures for anything that talks to the Sheets API: the emulator on a free loopback port,
settings pointing at it, and a fake clock for the client's retries.

A pytest plugin of tests/conftest.py, so every test folder has them.
"""

import copy
import json

import pytest
from django.conf import settings as django_settings

from sheets.client import SheetsHTTPClient, open_spreadsheet
from sheets_emulator.server import SheetsEmulator


@pytest.fixture
def sheets_emulator():
    """A running emulator with no spreadsheet yet; ``.url``, ``.load()``, ``.inject_faults()``,
    ``.set_quota()``, ``.stats()`` ... (see sheets_emulator/)."""
    with SheetsEmulator() as emulator:
        yield emulator


@pytest.fixture
def sample_sheet_data():
    """The shared sample leadership sheet (tests/data/sheet.json), as JSON."""
    path = django_settings.BASE_DIR / "tests" / "data" / "sheet.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def sample_sheet(sheets_emulator, sample_sheet_data):
    """The sample sheet loaded into the emulator; its spreadsheet id."""
    return sheets_emulator.load(sample_sheet_data)


@pytest.fixture
def sheets_settings(settings, sheets_emulator, sample_sheet):
    """Settings that send the app's Sheets requests to the emulator holding the sample."""
    settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
    settings.MILEPOST_SHEET_KEY = sample_sheet
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    return settings


@pytest.fixture
def spreadsheet(sheets_settings):
    """The sample spreadsheet opened through the project's client (a gspread.Spreadsheet)."""
    return open_spreadsheet()


# Edge cases in few cells: trailing blanks, a blank row inside the table and blank rows after it,
# an apostrophe and unicode in titles and values.
TEAM_SHEET = {
    "spreadsheetId": "team-sheet",
    "title": "Team sheet",
    "locale": "en_US",
    "timeZone": "Europe/Berlin",
    "sheets": [
        {
            "title": "Platform",
            "values": [
                ["Milestone", "Owner", "Target", "Status", "", ""],
                ["Ship CSV import", "Pedro", "12/1/2026", "done"],
                [],
                ["Cut latency", "Yuki", "", "at risk", "", "slipped"],
                ["", "", ""],
                [],
            ],
        },
        {"title": "It's a tab", "values": [["a", "b"], ["c", "d"]]},
        {"title": "Ünïcode tab", "values": [["Zoë", "Ærøskøbing", "日本語"]]},
    ],
}


@pytest.fixture
def team_sheet_data():
    """A small spreadsheet (id "team-sheet") of edge cases, as JSON."""
    return copy.deepcopy(TEAM_SHEET)


@pytest.fixture
def team_spreadsheet(settings, sheets_emulator, team_sheet_data):
    """The team sheet in the emulator, opened through the project's client."""
    settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
    settings.MILEPOST_SHEET_KEY = sheets_emulator.load(team_sheet_data)
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    return open_spreadsheet()


@pytest.fixture
def open_loaded(settings, sheets_emulator):
    """open_loaded(data): that spreadsheet (the fixture format) loaded into the emulator and
    opened through the project's client, as the sync opens it."""

    def load_and_open(data):
        settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
        settings.MILEPOST_SHEET_KEY = sheets_emulator.load(data)
        settings.GOOGLE_APPLICATION_CREDENTIALS = ""
        return open_spreadsheet()

    return load_and_open


class FakeClock:
    """Stands in for time.sleep and time.monotonic: sleeping is instant, recorded, and moves
    the clock on. ``jitter`` is the draw full-jitter backoff multiplies by."""

    def __init__(self, jitter: float = 0.5):
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.jitter = jitter

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def retry_clock(monkeypatch):
    """Makes the client's backoff instant; ``retry_clock.sleeps`` are the delays it chose."""
    clock = FakeClock()
    monkeypatch.setattr(SheetsHTTPClient, "sleep", staticmethod(clock.sleep))
    monkeypatch.setattr(SheetsHTTPClient, "clock", staticmethod(clock.monotonic))
    monkeypatch.setattr(SheetsHTTPClient, "jitter", staticmethod(lambda: clock.jitter))
    return clock
