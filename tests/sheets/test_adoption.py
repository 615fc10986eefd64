"""The first sync adopts the leadership sheet as it is (tests/data/sheet.json)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from milestones.history import Source
from milestones.models import Milestone
from sheets.models import SyncRun, SyncState
from teams.models import Team
from tests.factories import MilestoneFactory, TeamFactory, trio
from tests.sheets.sheet import Tab

pytestmark = pytest.mark.django_db

TEAM_TABS = 22  # the sample's tabs, Summary and the archive aside


def non_empty_rows(sample_sheet_data):
    return sum(
        1
        for tab in sample_sheet_data["sheets"]
        if tab["title"] not in ("Summary", "Archive 2026-Q3")
        for row in tab["values"][1:]
        if any(cell.strip() for cell in row)
    )


def test_every_non_empty_row_becomes_a_milestone_or_a_reported_bad_cell(
    sheets_settings, roster, sync, sample_sheet_data
):
    result = sync()

    rows = non_empty_rows(sample_sheet_data)
    assert rows == 89
    assert Milestone.objects.count() + len(result.errors) == rows
    assert [(m.tab, m.row, m.column, m.value) for m in result.errors] == [
        ("Billing", 4, "C", "end of Q4"),
        ("Design System", 2, "C", "end of Q4"),
        ("Playbooks", 4, "C", "end of Q4"),
    ]
    assert all("is not a date" in m.text for m in result.errors)
    assert result.status == SyncRun.Status.PARTIAL
    assert result.run.created_in_app == 86


def test_adopted_rows_get_their_ids_in_a_new_column_after_the_used_ones(
    sheets_settings, roster, sync, sheet
):
    sync()

    conversations = Tab(sheet, "Conversations").values()
    assert conversations[0] == [
        "Milestone",
        "Owner",
        "Target date",
        "Status",
        "Jira",
        "Comments",
        "ID",
    ]
    team = Team.objects.get(name="Conversations")
    for row in conversations[1:]:
        milestone = Milestone.objects.get(pk=int(row[6]))
        assert (milestone.team, milestone.title) == (team, row[0])


def test_adoption_changes_no_cell_but_the_new_id_column(
    sheets_settings, roster, sync, sheets_emulator, sample_sheet, sample_sheet_data
):
    sync()

    after = {tab["title"]: tab["values"] for tab in sheets_emulator.dump(sample_sheet)["sheets"]}
    for tab in sample_sheet_data["sheets"]:
        before = tab["values"]
        width = max(len(row) for row in before)
        # Every cell as it was; only the column after the widest row is new.
        assert grid(after[tab["title"]], width, len(before)) == grid(before, width, len(before))


def grid(rows, width, height):
    """Rows cut or padded to width x height, as a person sees the cells."""
    rows = [list(row[:width]) + [""] * (width - len(row[:width])) for row in rows[:height]]
    return rows + [[""] * width] * (height - len(rows))


def test_the_summary_and_the_archive_are_byte_for_byte_unchanged(
    sheets_settings, roster, sync, sheets_emulator, sample_sheet, sample_sheet_data
):
    sync()

    after = {tab["title"]: tab for tab in sheets_emulator.dump(sample_sheet)["sheets"]}
    for tab in sample_sheet_data["sheets"]:
        if tab["title"] in ("Summary", "Archive 2026-Q3"):
            assert after[tab["title"]]["values"] == tab["values"]


def test_tabs_named_after_a_team_with_team_appended_are_that_teams_tabs(
    sheets_settings, roster, sync
):
    result = sync()

    meetings = Team.objects.get(name="Meetings")
    assert meetings.sheet_tab_title == "Meetings team"
    assert Milestone.objects.filter(team=meetings).count() == 3
    assert Team.objects.get(name="Security").tab_title == "Security team"
    assert any("'Meetings team' is the tab of Meetings" in m.text for m in result.messages)


def test_tabs_of_no_team_are_reported(sheets_settings, roster, sync):
    result = sync()

    texts = [m.text for m in result.messages if m.tab in ("Summary", "Archive 2026-Q3")]
    assert texts == [
        "Tab 'Summary' is not a team's tab: left untouched.",
        "Tab 'Archive 2026-Q3' is a closed quarter's archive, not a team's tab.",
    ]


def test_owners_named_by_email_first_or_full_name_resolve_within_the_team(
    sheets_settings, roster, sync
):
    sync()

    def owner(title, team):
        return Milestone.objects.get(title=title, team__name=team).owner.name

    # ladeyemi@ and aberg@ are each shared by two people of different teams.
    assert owner("Deprecate the billing ledger", "Playbooks") == "Lena Adeyemi"
    assert owner("Cut p95 latency of bot builder templates", "Routing") == "Anya Berg"
    assert owner("Cut p95 latency of webhook retries", "Platform") == "Mateo O'Brien"
    assert owner("Beta of the design token pipeline", "Conversations") == "Will Khan"


def test_adopted_milestones_carry_the_sheets_values_and_their_history_says_sync(
    sheets_settings, roster, sync, q4, today
):
    sync()

    milestone = Milestone.objects.get(title="Roll out multi-region failover", team__name="Bots")
    assert milestone.quarter == q4
    assert milestone.target_date == milestone.committed_date == datetime.date(2026, 10, 23)
    assert milestone.status == Milestone.Status.DONE
    assert milestone.delivered_date == datetime.date(2026, 10, 23)
    assert milestone.history.get().source == Source.SYNC
    blocked = Milestone.objects.get(title="Deprecate GDPR delete flow", team__name="Bots")
    assert (blocked.status, blocked.notes) == (
        Milestone.Status.OFF_TRACK,
        "Slipped from 12/10/2026",
    )
    for milestone in Milestone.objects.all():
        milestone.full_clean()


def test_a_row_matching_a_milestone_of_the_quarter_by_title_adopts_it(
    sheets_settings, roster, sync, q4, sheet
):
    platform = Team.objects.get(name="Platform")
    existing = MilestoneFactory(
        team=platform,
        quarter=q4,
        title="Ship CSV import",
        committed_date=datetime.date(2026, 10, 11),
        status=Milestone.Status.DONE,
        delivered_date=datetime.date(2026, 10, 11),
    )

    sync()

    assert Milestone.objects.filter(team=platform, title="Ship CSV import").count() == 1
    assert Tab(sheet, "Platform").cell(existing, "Status") == "Complete"
    assert SyncState.objects.get(milestone=existing).row == 5


def test_a_team_without_a_tab_gets_one_with_its_milestones(
    sheets_settings, roster, sync, q4, sheet, sheets_emulator
):
    team, lead, *_ = trio(TeamFactory(name="Payments", slug="payments"))
    milestone = MilestoneFactory(team=team, quarter=q4, title="Ship payouts", owner=lead)

    result = sync()

    assert Tab(sheet, "Payments").values() == [
        ["ID", "Milestone", "Owner", "Target date", "Status", "Notes"],
        [str(milestone.pk), "Ship payouts", lead.name, "11/15/2026", "On track"],
    ]
    assert "Payments had no tab in the sheet: tab 'Payments' is created." in [
        m.text for m in result.messages
    ]


def test_a_second_sync_with_no_changes_writes_nothing_anywhere(
    sheets_settings, roster, sync, sheets_emulator
):
    sync()
    sheets_emulator.reset_stats()

    with CaptureQueriesContext(connection) as queries:
        result = sync()

    assert result.changes == []
    assert sheets_emulator.stats()["by_kind"] == {"spreadsheets.get": 2}
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    # Only the run's own record and the lock are written.
    assert writes
    assert all('"sheets_syncrun"' in sql or '"sheets_synclock"' in sql for sql in writes), writes
