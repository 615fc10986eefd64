"""The adoption preview (sheets.preview): what a first sync would do, with nothing written."""

import pytest

from milestones.models import Milestone
from sheets.client import open_spreadsheet
from sheets.models import SyncRun, TabLink
from sheets.preview import preview_sync
from sheets.run import sync_sheet
from tests.factories import MilestoneFactory, TeamFactory, trio
from tests.sheets.conftest import TODAY

pytestmark = pytest.mark.django_db

HEADER = ["Milestone", "Owner", "Target date", "Status", "Jira"]


@pytest.fixture
def platform(q4, settings, sheets_emulator):
    team, lead, *_ = trio(TeamFactory(name="Platform", slug="platform"))
    latency = MilestoneFactory(team=team, quarter=q4, title="Cut latency", owner=lead)
    docs = MilestoneFactory(team=team, quarter=q4, title="Write the docs", owner=lead)
    rows = [
        ["Ship webhooks", lead.name, "12/1/2026", "On track", "PLAT-1"],
        ["cut  latency", lead.name, "12/2/2026", "At risk"],
        ["Migrate billing", "Nobody Known", "soon", "On track"],
    ]
    settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    settings.MILEPOST_SHEET_KEY = sheets_emulator.load(
        {
            "spreadsheetId": "preview",
            "title": "Preview",
            "sheets": [{"title": "Platform", "sheetId": 4, "values": [HEADER, *rows]}],
        }
    )
    return team, latency, docs


def test_the_preview_lists_adopted_matched_refused_and_added_rows_per_tab(platform):
    _team, latency, docs = platform

    [tab] = preview_sync(today=TODAY)

    assert (tab.team, tab.tab, tab.first_sync, tab.id_column) == ("Platform", "Platform", True, "F")
    assert [(r.number, r.title) for r in tab.adopted] == [(2, "Ship webhooks")]
    assert tab.adopted[0].detail == "target Dec 1, 2026, On track"
    [matched] = tab.matched
    assert matched.number == 3
    assert f"milestone 'Cut latency' (ID {latency.pk})" in matched.detail
    assert "differ, kept as conflicts" in matched.detail
    [refused] = tab.refused
    assert (refused.number, refused.title) == (4, "Migrate billing")
    assert "B4: " in refused.detail
    assert "C4: " in refused.detail
    assert [(r.title, r.detail) for r in tab.appended] == [("Write the docs", f"ID {docs.pk}")]


def test_previewing_writes_nothing_on_either_side(platform, sheets_emulator):
    sheets_emulator.reset_stats()

    preview_sync(today=TODAY)

    assert set(sheets_emulator.stats()["by_kind"]) == {"spreadsheets.get"}
    assert Milestone.objects.count() == 2
    assert not SyncRun.objects.exists()
    assert not TabLink.objects.exists()
    assert open_spreadsheet().worksheet("Platform").get("A1:F1") == [HEADER]


def test_a_sync_does_what_the_preview_said(platform):
    [tab] = preview_sync(today=TODAY)

    result = sync_sheet(today=TODAY)

    assert result.counts.created_in_app == len(tab.adopted)
    assert result.counts.created_in_sheet == len(tab.appended)
    assert {m.row for m in result.errors} == {row.number for row in tab.refused}
    [after] = preview_sync(today=TODAY)
    assert not after.first_sync
    assert after.adopted == after.matched == after.appended == ()


def test_a_tab_synced_before_tabs_were_linked_is_not_a_first_sync(platform):
    sync_sheet(today=TODAY)
    TabLink.objects.all().delete()  # as a database of before the links has it

    [tab] = preview_sync(today=TODAY)

    assert not tab.first_sync
