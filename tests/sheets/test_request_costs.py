"""A full sync costs the same number of Sheets API requests for 3 teams and for 100."""

import datetime

import pytest

from milestones.models import Milestone
from sheets.models import ColumnMapping
from sheets.run import sync_sheet
from teams.models import Team
from tests.factories import TeamFactory, trio
from tests.sheets.conftest import TODAY

pytestmark = pytest.mark.django_db


def organisation(count):
    """`count` teams; every one but the last has a tab of three rows to adopt."""
    tabs = [{"title": "Summary", "values": [["Team", "Rows"], ["x", "=COUNTA(A:A)"]]}]
    for number in range(count):
        name = f"Team {count}-{number:03}"
        team, lead, *_ = trio(TeamFactory(name=name, slug=f"team-{count}-{number:03}"))
        if number == count - 1:
            continue  # its tab is created
        rows = [["Milestone", "Owner", "Target date", "Status", "Jira"]]
        rows += [
            [f"Milestone {row}", lead.name, f"12/{row + 1}/2026", "On track", f"ENG-{row}"]
            for row in range(3)
        ]
        tabs.append({"title": team.name, "values": rows})
    return {"spreadsheetId": f"org-{count}", "title": "Org", "sheets": tabs}


def edit_both_sides(emulator, key):
    """One app edit and one sheet edit in every team with milestones."""
    for milestone in Milestone.objects.filter(title="Milestone 0"):
        milestone.status = Milestone.Status.AT_RISK
        milestone.version += 1
        milestone.save()
    data = emulator.dump(key)
    for tab in data["sheets"][1:]:
        if len(tab["values"]) > 2:
            tab["values"][2][3] = "Blocked"
    emulator.load(data)


def requests_of_full_syncs(settings, emulator, count, *, links=False):
    settings.MILEPOST_SHEETS_API_URL = emulator.url
    settings.MILEPOST_SHEET_KEY = key = emulator.load(organisation(count))
    if links:  # every tab's "Jira" column carries the ticket link (issue 20)
        settings.MILEPOST_TICKET_URL_TEMPLATE = "https://jira.example.com/browse/{key}"
        ColumnMapping.objects.bulk_create(
            ColumnMapping(team=team, header="jira", field="link")
            for team in Team.objects.filter(active=True)
        )
    emulator.reset_stats()
    adoption = sync_sheet(today=TODAY)
    assert adoption.counts.created_in_app == 3 * (count - 1)
    assert adoption.counts.created_in_sheet == 0
    first = emulator.stats()["by_kind"]

    edit_both_sides(emulator, key)
    emulator.reset_stats()
    steady = sync_sheet(today=TODAY)
    assert (steady.counts.updated_in_app, steady.counts.updated_in_sheet) == (count - 1,) * 2
    return first, emulator.stats()["by_kind"]


def test_a_full_sync_costs_the_same_requests_for_3_teams_and_for_100(settings, sheets_emulator, q4):
    small = requests_of_full_syncs(settings, sheets_emulator, 3)
    Team.objects.update(active=False)
    large = requests_of_full_syncs(settings, sheets_emulator, 100)

    assert small == large
    adoption, steady = large
    # One metadata read, one read of every tab, one request adding the missing tab, one write.
    assert adoption == {
        "spreadsheets.get": 2,
        "spreadsheets.batchUpdate": 1,
        "values.batchUpdate": 1,
    }
    assert steady == {"spreadsheets.get": 2, "values.batchUpdate": 1}


def test_a_column_mapped_to_the_ticket_link_costs_no_request_more(settings, sheets_emulator, q4):
    unmapped = requests_of_full_syncs(settings, sheets_emulator, 3)
    Team.objects.update(active=False)
    mapped = requests_of_full_syncs(settings, sheets_emulator, 4, links=True)

    assert mapped == unmapped
    assert Milestone.objects.filter(team__active=True).exclude(link="").count() == 3 * 3


def test_rows_beyond_the_grid_grow_it_in_the_same_structural_request(settings, sheets_emulator, q4):
    team = trio(TeamFactory(name="Tiny", slug="tiny"))[0]
    data = {
        "spreadsheetId": "tiny",
        "title": "Tiny",
        "sheets": [
            {
                "title": "Tiny",
                "rowCount": 2,
                "columnCount": 2,
                "values": [["Milestone", "Target"], ["Ship it", "12/1/2026"]],
            }
        ],
    }
    settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
    settings.MILEPOST_SHEET_KEY = sheets_emulator.load(data)
    Milestone.objects.create(
        team=team,
        quarter=q4,
        title="Added in the app",
        committed_date=datetime.date(2026, 12, 5),
        target_date=datetime.date(2026, 12, 5),
    )

    sync_sheet(today=TODAY)

    tab = sheets_emulator.dump("tiny")["sheets"][0]
    assert (tab["rowCount"], tab["columnCount"]) == (3, 3)
    assert tab["values"][2][:2] == ["Added in the app", "12/5/2026"]
    assert sheets_emulator.stats()["by_kind"]["spreadsheets.batchUpdate"] == 1
