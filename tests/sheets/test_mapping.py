"""The column mapping's rules (sheets.mapping), and a mapped tab synced through gspread."""

import datetime

import pytest

from milestones.models import Milestone
from sheets.mapping import (
    NOT_MAPPED,
    columns_of,
    overrides_for,
    read_team_tab,
    save_mapping,
    tabs_to_map,
    why_unmappable,
)
from sheets.models import ColumnMapping
from sheets.run import sync_sheet
from tests.factories import TeamFactory, trio
from tests.sheets.conftest import TODAY

pytestmark = pytest.mark.django_db

UNKNOWN = ["Deliverable", "Owner", "Commit date", "Status", "Jira"]


@pytest.fixture
def platform(q4):
    team, lead, *_ = trio(TeamFactory(name="Platform", slug="platform"))
    return team, lead


@pytest.fixture
def load(settings, sheets_emulator):
    def load_tab(header, rows):
        settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
        settings.GOOGLE_APPLICATION_CREDENTIALS = ""
        settings.MILEPOST_SHEET_KEY = sheets_emulator.load(
            {
                "spreadsheetId": "mapped",
                "title": "Mapped",
                "sheets": [{"title": "Platform", "sheetId": 9, "values": [header, *rows]}],
            }
        )

    return load_tab


def test_a_header_the_aliases_do_not_know_carries_nothing_until_mapped():
    columns = columns_of(UNKNOWN, {})

    assert [(c.letter, c.field) for c in columns] == [
        ("A", NOT_MAPPED),
        ("B", "owner"),
        ("C", NOT_MAPPED),
        ("D", "status"),
        ("E", NOT_MAPPED),
    ]
    assert why_unmappable(UNKNOWN, {}).startswith("No column is mapped to Milestone")
    assert why_unmappable(UNKNOWN, {"deliverable": "title"}) == ""


def test_a_mapping_decides_for_its_header_and_can_unmap_a_known_one():
    columns = columns_of(UNKNOWN, {"deliverable": "title", "status": NOT_MAPPED})

    fields = {c.header: (c.field, c.mapped_here) for c in columns}
    assert fields["Deliverable"] == ("title", True)
    assert fields["Status"] == (NOT_MAPPED, True)
    assert fields["Owner"] == ("owner", False)


def test_saving_keeps_only_what_differs_from_the_headers(platform):
    team, lead = platform
    chosen = {0: "title", 1: "owner", 2: "target_date", 3: NOT_MAPPED, 4: NOT_MAPPED}

    outcome = save_mapping(team, UNKNOWN, chosen, user=lead)

    assert outcome.saved
    assert overrides_for([team]) == {
        team.pk: {"deliverable": "title", "commit date": "target_date", "status": NOT_MAPPED}
    }
    again = save_mapping(team, UNKNOWN, {3: "status"}, user=lead)
    assert again.changes == ("'status' is read by its header again",)
    assert set(ColumnMapping.objects.values_list("header", flat=True)) == {
        "deliverable",
        "commit date",
    }


def test_two_columns_for_one_field_are_refused_and_nothing_is_saved(platform):
    team, _lead = platform

    outcome = save_mapping(team, UNKNOWN, {0: "owner"}, user=None)

    assert outcome.errors == {0: "Owner is carried by column B already: unmap that one first."}
    assert not ColumnMapping.objects.exists()


def test_an_unknown_field_a_column_without_a_header_or_an_overlong_header_is_refused(platform):
    team, _lead = platform

    header = [*UNKNOWN, "x" * 201]

    outcome = save_mapping(team, header, {0: "budget", 5: "notes", 7: "notes"}, user=None)

    assert outcome.errors == {
        0: "'budget' is no field of a milestone.",
        5: "A header over 200 characters cannot be mapped.",
        7: "This column has no header in row 1.",
    }


def test_a_tab_with_an_unknown_title_header_is_skipped_then_synced_once_mapped(platform, load):
    team, lead = platform
    load(UNKNOWN, [["Ship webhooks", lead.name, "12/1/2026", "On track", "PLAT-1"]])

    skipped = sync_sheet(today=TODAY)

    assert not Milestone.objects.exists()
    assert [(t.team, t.skipped) for t in skipped.teams] == [("Platform", True)]
    assert [t.slug for t in tabs_to_map()] == ["platform"]
    header = [str(v) for v in read_team_tab(team).values[0]]
    assert save_mapping(team, header, {0: "title", 2: "target_date"}, user=None).saved
    assert tabs_to_map()[0].mapped_since

    result = sync_sheet(today=TODAY)

    milestone = Milestone.objects.get()
    assert (milestone.title, milestone.target_date) == ("Ship webhooks", datetime.date(2026, 12, 1))
    assert result.errors == []
    assert tabs_to_map() == []
    assert sync_sheet(today=TODAY).changes == []
