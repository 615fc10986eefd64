"""A column mapped to the ticket link (issue 20): read and written like any field, a bad link
reported per cell, ticket keys expanded with MILEPOST_TICKET_URL_TEMPLATE, and a "Jira" column
nobody mapped left exactly as it is."""

import pytest

from milestones.models import Milestone
from milestones.services import update_milestone
from sheets import parse
from sheets.client import open_spreadsheet
from sheets.conflicts import resolve_conflict
from sheets.dates import CellError
from sheets.mapping import MAPPABLE, overrides_for, save_mapping
from sheets.models import ColumnMapping, SyncConflict
from sheets.run import sync_sheet
from teams.models import Team
from tests.factories import TeamFactory, trio
from tests.sheets.conftest import TODAY
from tests.sheets.sheet import Tab

pytestmark = pytest.mark.django_db

TEMPLATE = "https://jira.example.com/browse/{key}"
# A tracker the template does not name: a link read from it cannot come from the template.
TRACKER_42 = "https://tracker.example.org/issues/PLAT-42"
TRACKER_7 = "https://tracker.example.org/issues/PLAT-7"
LINK_FORMULA = f'=HYPERLINK("{TRACKER_42}","PLAT-42")'
LINKED_KEY = {"value": "PLAT-7", "link": TRACKER_7}  # a key pasted as a link (rich text)
HEADER = ["Milestone", "Owner", "Target date", "Status", "Jira", "Comments"]


# --- Reading a cell ---------------------------------------------------------------------------


def test_a_link_cell_reads_as_typed_and_a_blank_one_as_no_link():
    assert parse.parse_link("  https://jira.example.com/browse/ENG-1 ") == (
        "https://jira.example.com/browse/ENG-1"
    )
    assert parse.parse_link("") == ""


def test_a_bare_ticket_key_is_refused_without_a_template_and_expanded_with_one():
    with pytest.raises(CellError, match="MILEPOST_TICKET_URL_TEMPLATE"):
        parse.parse_link("ENG-5185")

    assert parse.parse_link("ENG-5185", template=TEMPLATE) == (
        "https://jira.example.com/browse/ENG-5185"
    )


def test_a_cell_whose_text_names_a_link_reads_as_the_address_it_links_to():
    # =HYPERLINK("https://tracker.example.org/issues/PLAT-42","PLAT-42"), or the key pasted
    # as a link: the address, not the key, with or without a template.
    assert parse.parse_link("PLAT-42", hyperlink=TRACKER_42) == TRACKER_42
    assert parse.parse_link("PLAT-42", hyperlink=TRACKER_42, template=TEMPLATE) == TRACKER_42
    assert parse.parse_link("the epic", hyperlink=TRACKER_42) == TRACKER_42
    assert parse.parse_link("", hyperlink=TRACKER_42) == TRACKER_42


def test_an_address_typed_in_a_linked_cell_wins_and_a_link_off_the_web_is_not_taken():
    # What the sync writes over a linked cell reads back as written, whatever link it kept.
    typed = "https://jira.example.com/browse/ENG-2"
    assert parse.parse_link(typed, hyperlink="https://jira.example.com/browse/ENG-1") == typed
    # A mail or in-sheet link is no ticket: the cell reads as it does without one.
    assert parse.parse_link("ENG-5185", hyperlink="#gid=0", template=TEMPLATE) == (
        "https://jira.example.com/browse/ENG-5185"
    )
    with pytest.raises(CellError, match="MILEPOST_TICKET_URL_TEMPLATE"):
        parse.parse_link("ENG-5185", hyperlink="mailto:lead@example.com")


def test_the_ticket_link_is_read_only_from_a_mapped_column():
    assert "link" not in parse.find_layout(HEADER).columns
    assert parse.find_layout(HEADER, overrides={"jira": "link"}).columns["link"] == 4
    assert "link" not in parse.new_tab_layout().columns


def test_leadership_may_map_a_jira_column_to_the_ticket_link(platform):
    team, _lead = platform

    outcome = save_mapping(team, HEADER, {4: "link"}, user=None)

    assert outcome.saved
    assert overrides_for([team])[team.pk] == {"jira": "link"}
    assert ("link", "Ticket link") in MAPPABLE


def test_the_template_setting_must_be_a_web_address_with_the_key(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings.base as base

    monkeypatch.setenv("DJANGO_DEBUG", "1")
    monkeypatch.setenv("MILEPOST_TICKET_URL_TEMPLATE", "jira.example.com/browse/")
    try:
        with pytest.raises(ImproperlyConfigured, match="MILEPOST_TICKET_URL_TEMPLATE"):
            importlib.reload(base)
    finally:
        monkeypatch.delenv("MILEPOST_TICKET_URL_TEMPLATE")
        importlib.reload(base)


# --- Syncing a mapped column ------------------------------------------------------------------


@pytest.fixture
def platform(q4):
    team, lead, *_ = trio(TeamFactory(name="Platform", slug="platform"))
    return team, lead


@pytest.fixture
def load(settings, sheets_emulator):
    def load_tab(rows, *, mapped=True):
        settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
        settings.GOOGLE_APPLICATION_CREDENTIALS = ""
        settings.MILEPOST_SHEET_KEY = sheets_emulator.load(
            {
                "spreadsheetId": "links",
                "title": "Links",
                "sheets": [{"title": "Platform", "sheetId": 9, "values": [HEADER, *rows]}],
            }
        )
        if mapped:
            team = Team.objects.get(slug="platform")
            ColumnMapping.objects.create(team=team, header="jira", field="link")

    return load_tab


def row(lead, title, jira, comment="keep me"):
    return [title, lead.name, "12/1/2026", "On track", jira, comment]


def edit_in_app(milestone, **changes):
    milestone.refresh_from_db()
    return update_milestone(
        milestone=milestone, version=milestone.version, changes=changes, user=None
    )


def test_a_mapped_link_column_reaches_the_app_and_the_apps_link_reaches_the_sheet(
    platform, load, sheets_emulator
):
    _team, lead = platform
    load([row(lead, "Ship webhooks", "https://jira.example.com/browse/ENG-1")])

    adoption = sync_sheet(today=TODAY)

    milestone = Milestone.objects.get()
    assert milestone.link == "https://jira.example.com/browse/ENG-1"
    assert adoption.errors == []

    # The app's edit is written as plain text, and the Comments column keeps its cell.
    edit_in_app(milestone, link="https://jira.example.com/browse/ENG-2")
    sheets_emulator.reset_stats()
    pushed = sync_sheet(today=TODAY)
    requests = sheets_emulator.stats()["by_kind"]

    platform_tab = Tab(_open(), "Platform")
    assert platform_tab.cell(milestone, "Jira") == "https://jira.example.com/browse/ENG-2"
    assert platform_tab.cell(milestone, "Comments") == "keep me"
    assert pushed.counts.updated_in_sheet == 1
    assert requests == {"spreadsheets.get": 2, "values.batchUpdate": 1}
    # Text, not a formula: what a person typing the address would have.
    entered = platform_tab.worksheet.get("E2", value_render_option="FORMULA")
    assert entered == [["https://jira.example.com/browse/ENG-2"]]

    # The sheet's edit reaches the app; the run after it changes nothing.
    platform_tab.set(milestone, "Jira", "https://jira.example.com/browse/ENG-3")
    pulled = sync_sheet(today=TODAY)

    milestone.refresh_from_db()
    assert milestone.link == "https://jira.example.com/browse/ENG-3"
    assert pulled.counts.updated_in_app == 1
    assert sync_sheet(today=TODAY).changes == []


def test_a_bad_link_is_reported_per_cell_and_loses_nothing(platform, load):
    _team, lead = platform
    load([row(lead, "Ship webhooks", "https://jira.example.com/browse/ENG-1")])
    sync_sheet(today=TODAY)
    milestone = Milestone.objects.get()
    platform_tab = Tab(_open(), "Platform")
    platform_tab.set(milestone, "Jira", "see the epic")
    platform_tab.set(milestone, "Status", "At risk")

    result = sync_sheet(today=TODAY)

    [error] = result.errors
    assert (error.tab, error.row, error.column, error.value) == ("Platform", 2, "E", "see the epic")
    milestone.refresh_from_db()
    # The rest of the row syncs; the app keeps its link, the sheet keeps what was typed.
    assert milestone.status == Milestone.Status.AT_RISK
    assert milestone.link == "https://jira.example.com/browse/ENG-1"
    assert platform_tab.cell(milestone, "Jira") == "see the epic"


def test_a_ticket_key_is_reported_without_a_template_and_read_through_one(platform, load, settings):
    _team, lead = platform
    load([row(lead, "Ship webhooks", "ENG-5185")])
    settings.MILEPOST_TICKET_URL_TEMPLATE = ""

    refused = sync_sheet(today=TODAY)

    [error] = refused.errors
    assert "ticket key" in error.text
    assert error.value == "ENG-5185"
    assert Milestone.objects.get().link == ""

    settings.MILEPOST_TICKET_URL_TEMPLATE = TEMPLATE
    taken = sync_sheet(today=TODAY)

    milestone = Milestone.objects.get()
    assert taken.errors == []
    assert milestone.link == "https://jira.example.com/browse/ENG-5185"
    # The sheet keeps the key its editor typed: it reads as the app's link.
    assert Tab(_open(), "Platform").cell(milestone, "Jira") == "ENG-5185"
    assert sync_sheet(today=TODAY).changes == []


def test_both_sides_changing_the_link_is_a_conflict_like_any_field(platform, load, vp):
    _team, lead = platform
    load([row(lead, "Ship webhooks", "https://jira.example.com/browse/ENG-1")])
    sync_sheet(today=TODAY)
    milestone = Milestone.objects.get()
    edit_in_app(milestone, link="https://jira.example.com/browse/ENG-2")
    platform_tab = Tab(_open(), "Platform")
    platform_tab.set(milestone, "Jira", "https://jira.example.com/browse/ENG-3")

    sync_sheet(today=TODAY)

    milestone.refresh_from_db()
    assert milestone.link == "https://jira.example.com/browse/ENG-2"
    assert platform_tab.cell(milestone, "Jira") == "https://jira.example.com/browse/ENG-2"
    conflict = SyncConflict.objects.get()
    assert (conflict.field, conflict.sheet_value, conflict.column) == (
        "link",
        "https://jira.example.com/browse/ENG-3",
        "E",
    )

    resolve_conflict(conflict=conflict, take="sheet", user=vp)
    sync_sheet(today=TODAY)

    milestone.refresh_from_db()
    assert milestone.link == "https://jira.example.com/browse/ENG-3"
    assert platform_tab.cell(milestone, "Jira") == "https://jira.example.com/browse/ENG-3"


def test_an_unmapped_jira_column_is_neither_read_nor_written(platform, load, settings):
    _team, lead = platform
    settings.MILEPOST_TICKET_URL_TEMPLATE = TEMPLATE
    load([row(lead, "Ship webhooks", "ENG-1")], mapped=False)
    sync_sheet(today=TODAY)
    milestone = Milestone.objects.get()
    assert milestone.link == ""

    edit_in_app(milestone, link="https://jira.example.com/browse/ENG-2")
    sync_sheet(today=TODAY)

    assert Tab(_open(), "Platform").cell(milestone, "Jira") == "ENG-1"
    milestone.refresh_from_db()
    assert milestone.link == "https://jira.example.com/browse/ENG-2"


def test_the_sample_sheets_jira_column_mapped_with_a_template_gives_its_keys_links(
    sheets_settings, roster, q4, sheets_emulator, sample_sheet
):
    sheets_settings.MILEPOST_TICKET_URL_TEMPLATE = TEMPLATE
    conversations = Team.objects.get(name="Conversations")
    ColumnMapping.objects.create(team=conversations, header="jira", field="link")
    before = sheets_emulator.dump(sample_sheet)

    sync_sheet(today=TODAY)

    first = Milestone.objects.get(team=conversations, title="Beta of the design token pipeline")
    assert first.link == "https://jira.example.com/browse/ENG-5185"
    assert not Milestone.objects.exclude(team=conversations).exclude(link="").exists()
    after = {tab["title"]: tab for tab in sheets_emulator.dump(sample_sheet)["sheets"]}
    old = next(tab for tab in before["sheets"] if tab["title"] == "Conversations")
    # Jira and Comments as they were: the keys read as links, nothing written back.
    for was, now in zip(old["values"][1:], after["Conversations"]["values"][1:], strict=True):
        assert was[4:6] == now[4:6]


# --- Cells that link somewhere ----------------------------------------------------------------


def stored(sheets_emulator, column=4):
    """The link column's cells as the emulator keeps them (a formula's text, a link)."""
    rows = sheets_emulator.dump("links")["sheets"][0]["values"][1:]
    return [row[column] for row in rows]


def test_a_hyperlink_formula_and_a_linked_key_import_their_address_beside_typed_cells(
    platform, load, settings, sheets_emulator
):
    _team, lead = platform
    settings.MILEPOST_TICKET_URL_TEMPLATE = TEMPLATE
    load(
        [
            row(lead, "Ship webhooks", LINK_FORMULA),
            row(lead, "Cut latency", LINKED_KEY),
            row(lead, "Test it", "https://jira.example.com/browse/ENG-1"),
            row(lead, "Launch", "ENG-5185"),
        ]
    )

    result = sync_sheet(today=TODAY)

    assert result.errors == []
    assert dict(Milestone.objects.values_list("title", "link")) == {
        "Ship webhooks": TRACKER_42,
        "Cut latency": TRACKER_7,
        "Test it": "https://jira.example.com/browse/ENG-1",
        "Launch": "https://jira.example.com/browse/ENG-5185",
    }
    # Nothing is written to the link column, and the next run changes nothing.
    assert sync_sheet(today=TODAY).changes == []
    assert stored(sheets_emulator) == [
        LINK_FORMULA,
        LINKED_KEY,
        "https://jira.example.com/browse/ENG-1",
        "ENG-5185",
    ]


def test_a_linked_key_needs_no_template(platform, load, settings):
    _team, lead = platform
    settings.MILEPOST_TICKET_URL_TEMPLATE = ""
    load([row(lead, "Ship webhooks", LINK_FORMULA), row(lead, "Cut latency", LINKED_KEY)])

    result = sync_sheet(today=TODAY)

    assert result.errors == []
    assert set(Milestone.objects.values_list("link", flat=True)) == {TRACKER_42, TRACKER_7}


def test_the_apps_new_link_never_changes_a_hyperlink_formula_it_is_a_conflict_said_per_cell(
    platform, load, sheets_emulator, vp
):
    _team, lead = platform
    load([row(lead, "Ship webhooks", LINK_FORMULA)])
    sync_sheet(today=TODAY)
    milestone = Milestone.objects.get()
    edit_in_app(milestone, link="https://tracker.example.org/issues/PLAT-43")

    result = sync_sheet(today=TODAY)

    assert stored(sheets_emulator) == [LINK_FORMULA]
    milestone.refresh_from_db()
    assert milestone.link == "https://tracker.example.org/issues/PLAT-43"
    [message] = [m for m in result.messages if "formula kept" in m.text]
    assert message.where == "Platform!E2"
    assert message.text == (
        f"E2 holds a formula ({LINK_FORMULA}): formula kept. The app's Ticket link "
        "('https://tracker.example.org/issues/PLAT-43') differs, so it is recorded as a "
        "conflict: resolve it in the app, or change the cell."
    )
    conflict = SyncConflict.objects.get()
    assert (conflict.field, conflict.sheet_value, conflict.sheet_text) == (
        "link",
        TRACKER_42,
        "PLAT-42",
    )
    # Said once; the formula is still never written, and taking the sheet's side takes the
    # address the formula links to.
    again = sync_sheet(today=TODAY)
    assert not [m for m in again.messages if "formula kept" in m.text]
    resolve_conflict(conflict=conflict, take="sheet", user=vp)
    sync_sheet(today=TODAY)
    milestone.refresh_from_db()
    assert milestone.link == TRACKER_42
    assert stored(sheets_emulator) == [LINK_FORMULA]


def test_the_apps_new_link_is_written_over_a_linked_key_as_plain_text_as_over_any_cell(
    platform, load, sheets_emulator
):
    _team, lead = platform
    load([row(lead, "Cut latency", LINKED_KEY)])
    sync_sheet(today=TODAY)
    milestone = Milestone.objects.get()
    edit_in_app(milestone, link="https://tracker.example.org/issues/PLAT-8")

    pushed = sync_sheet(today=TODAY)

    assert pushed.counts.updated_in_sheet == 1
    assert stored(sheets_emulator) == ["https://tracker.example.org/issues/PLAT-8"]
    assert sync_sheet(today=TODAY).changes == []
    milestone.refresh_from_db()
    assert milestone.link == "https://tracker.example.org/issues/PLAT-8"


def _open():
    return open_spreadsheet()
