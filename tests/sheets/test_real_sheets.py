"""The sheet as it really is, end to end through gspread against the emulator: an en_GB sheet,
a custom date format, a formula, a vertical merge and a protected column."""

import datetime

import pytest
from gspread.utils import ValueRenderOption

from milestones.models import Milestone
from milestones.services import update_milestone
from sheets.client import open_spreadsheet
from sheets.models import SyncConflict, TabLink
from sheets.run import sync_sheet
from tests.factories import TeamFactory, trio
from tests.sheets.conftest import TODAY

pytestmark = pytest.mark.django_db

HEADER = ["Milestone", "Owner", "Target date", "Status", "Jira"]


@pytest.fixture
def platform(q4):
    team, lead, *_ = trio(TeamFactory(name="Platform", slug="platform"))
    return team, lead


@pytest.fixture
def load(settings, sheets_emulator):
    def load_tab(rows, *, locale="en_US", **tab):
        settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
        settings.GOOGLE_APPLICATION_CREDENTIALS = ""
        settings.MILEPOST_SHEET_KEY = sheets_emulator.load(
            {
                "spreadsheetId": "real",
                "title": "Real",
                "locale": locale,
                "sheets": [{"title": "Platform", "sheetId": 5, "values": [HEADER, *rows], **tab}],
            }
        )
        return open_spreadsheet().worksheet("Platform")

    return load_tab


def edit(milestone, **changes):
    milestone.refresh_from_db()
    update_milestone(milestone=milestone, version=milestone.version, changes=changes, user=None)


def test_an_en_gb_sheet_is_adopted_and_synced_both_ways_with_every_date_right(platform, load):
    _team, lead = platform
    worksheet = load(
        [
            ["Ship webhooks", lead.name, "04/11/2026", "On track"],
            ["Cut latency", lead.name, "2026-12-01", "On track"],
        ],
        locale="en_GB",
    )

    assert sync_sheet(today=TODAY).errors == []

    webhooks = Milestone.objects.get(title="Ship webhooks")
    latency = Milestone.objects.get(title="Cut latency")
    assert webhooks.target_date == datetime.date(2026, 11, 4)  # 4 November, not 11 April
    assert latency.target_date == datetime.date(2026, 12, 1)

    edit(webhooks, target_date=datetime.date(2026, 11, 3))
    worksheet.update([["09/12/2026"]], "C3", raw=False)  # 9 December, as a Brit types it
    result = sync_sheet(today=TODAY)

    latency.refresh_from_db()
    assert latency.target_date == datetime.date(2026, 12, 9)
    assert worksheet.get("C2:C3") == [["03/11/2026"], ["09/12/2026"]]
    assert result.counts.updated_in_app == result.counts.updated_in_sheet == 1
    assert sync_sheet(today=TODAY).changes == []


def test_a_date_column_with_a_custom_format_keeps_it(platform, load):
    _team, lead = platform
    date = {"value": 46357, "format": "d mmm yyyy"}  # 1 December 2026
    worksheet = load([["Ship webhooks", lead.name, date, "On track"]], locale="de_DE")

    sync_sheet(today=TODAY)
    milestone = Milestone.objects.get()
    assert milestone.target_date == datetime.date(2026, 12, 1)

    edit(milestone, target_date=datetime.date(2026, 12, 8))
    sync_sheet(today=TODAY)

    assert worksheet.get("C2") == [["8 Dez 2026"]]
    assert sync_sheet(today=TODAY).changes == []


def test_a_formula_in_a_mapped_column_is_kept_through_an_app_edit_as_a_conflict(platform, load):
    _team, lead = platform
    worksheet = load(
        [
            ["Ship webhooks", lead.name, "12/1/2026", "On track"],
            ["Cut latency", lead.name, "=C2+14", "On track"],
        ]
    )
    sync_sheet(today=TODAY)
    latency = Milestone.objects.get(title="Cut latency")
    assert latency.target_date == datetime.date(2026, 12, 15)

    edit(latency, target_date=datetime.date(2026, 12, 20))
    result = sync_sheet(today=TODAY)

    assert worksheet.get("C3", value_render_option=ValueRenderOption.formula) == [["=C2+14"]]
    [conflict] = SyncConflict.objects.filter(milestone=latency)
    assert conflict.sheet_value == "2026-12-15"
    [message] = [m for m in result.messages if "formula kept" in m.text]
    assert message.where == "Platform!C3"
    assert "C3 holds a formula (=C2+14)" in message.text
    again = sync_sheet(today=TODAY)
    assert again.counts.conflicts == 0
    assert SyncConflict.objects.filter(milestone=latency).count() == 1


def test_a_vertical_merge_gives_its_status_to_every_row_and_is_never_written(platform, load):
    _team, lead = platform
    worksheet = load(
        [
            ["Ship webhooks", lead.name, "12/1/2026", "At risk"],
            ["Cut latency", lead.name, "12/2/2026", ""],
            ["Test it", lead.name, "12/3/2026", ""],
        ],
        merges=["D2:D4"],
    )

    sync_sheet(today=TODAY)

    assert set(Milestone.objects.values_list("status", flat=True)) == {Milestone.Status.AT_RISK}
    latency = Milestone.objects.get(title="Cut latency")
    edit(latency, status=Milestone.Status.DONE, delivered_date=TODAY)
    result = sync_sheet(today=TODAY)

    assert worksheet.get("D2:D4") == [["At risk"]]
    assert any("D3 is part of the merged cells D2:D4" in m.text for m in result.messages)
    assert sync_sheet(today=TODAY).changes == []


def test_a_protected_column_is_read_only_and_the_run_goes_on(platform, load):
    _team, lead = platform
    worksheet = load(
        [["Ship webhooks", lead.name, "12/1/2026", "On track"]],
        protected=[{"range": "C1:C1000", "editable": False}],
    )
    sync_sheet(today=TODAY)
    milestone = Milestone.objects.get()

    edit(milestone, target_date=datetime.date(2026, 12, 9), status=Milestone.Status.AT_RISK)
    result = sync_sheet(today=TODAY)

    assert result.status == "partial"
    assert worksheet.get("C2:D2") == [["12/1/2026", "At risk"]]
    assert any(
        "protected cell kept" in m.text and m.where == "Platform!C2" for m in result.messages
    )
    assert sync_sheet(today=TODAY).changes == []


def test_an_ambiguous_text_date_is_reported_not_guessed(platform, load):
    _team, lead = platform
    load([["Ship webhooks", lead.name, "13/11/2026", "On track"]])  # text in an en_US sheet

    result = sync_sheet(today=TODAY)

    [error] = result.errors
    assert error.where == "Platform!C2"
    assert "not a date in this sheet's locale (en_US, month first)" in error.text
    assert "2026-11-13" in error.text


def test_a_renamed_tab_keeps_syncing_and_the_teams_tab_title_follows_it(platform, load):
    team, lead = platform
    worksheet = load([["Ship webhooks", lead.name, "12/1/2026", "On track"]])
    sync_sheet(today=TODAY)
    assert TabLink.objects.get(team=team).sheet_id == 5

    worksheet.update_title("Platform (2027)")
    worksheet.update([["At risk"]], "D2", raw=False)
    result = sync_sheet(today=TODAY)

    assert Milestone.objects.get().status == Milestone.Status.AT_RISK
    assert [ws.title for ws in open_spreadsheet().worksheets()] == ["Platform (2027)"]
    [renamed] = [m for m in result.messages if "renamed" in m.text]
    assert renamed.text.startswith("Platform's tab was renamed to 'Platform (2027)': following it")
    team.refresh_from_db()
    assert team.tab_title == "Platform (2027)"
    assert TabLink.objects.get(team=team).title == "Platform (2027)"
    again = sync_sheet(today=TODAY)
    assert again.changes == []
    assert not any("renamed" in m.text for m in again.messages)


def test_a_deleted_linked_tab_is_created_again_with_the_teams_rows(platform, load):
    team, lead = platform
    load([["Ship webhooks", lead.name, "12/1/2026", "On track"]])
    sync_sheet(today=TODAY)
    spreadsheet = open_spreadsheet()
    spreadsheet.add_worksheet("Summary", rows=10, cols=5)
    spreadsheet.del_worksheet(spreadsheet.worksheet("Platform"))

    sync_sheet(today=TODAY)

    worksheet = open_spreadsheet().worksheet("Platform")
    assert worksheet.col_values(2)[1:] == ["Ship webhooks"]
    assert TabLink.objects.get(team=team).sheet_id == worksheet.id != 5
    assert sync_sheet(today=TODAY).changes == []
