"""For any edits on both sides between two syncs: after a sync every field reads the same on
both sides, each field both sides changed differently is a recorded conflict (the app's value
kept, the sheet's in the record), and a second sync changes nothing; in any of the modelled
locales, with a date column's number format and a formula kept as they were."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milestones.models import Milestone
from milestones.services import update_milestone
from sheets import parse
from sheets.client import open_spreadsheet
from sheets.dates import serial_of
from sheets.fields import app_values, from_json
from sheets.models import SyncConflict
from sheets.read import read_tabs
from sheets.run import sync_sheet
from tests.factories import TeamFactory, trio
from tests.sheets.conftest import TODAY

ROWS = 3
FIELDS = parse.NEW_TAB_FIELDS  # the tab's columns: no ticket link column is mapped here
TITLES = ["Ship webhooks", "Cut latency", "1e5 events", "TRUE north", "=not a formula", "Mar 4"]
NOTES = ["", "waiting on Platform", "3/4 done", "scope cut\nin half", "+1 from PM"]
DAYS = [datetime.date(2026, 10, 1) + datetime.timedelta(days=n) for n in (0, 20, 45, 70, 91)]
STATUSES = [s for s in Milestone.Status if s != Milestone.Status.DROPPED]
SPELLINGS = {
    status: [text for text, value in parse.STATUS_SPELLINGS.items() if value == status and text]
    for status in STATUSES
}
DATE_FORMATS = [
    lambda d: f"{d.month}/{d.day}/{d.year}",
    lambda d: f"{d.month:02}/{d.day:02}/{d.year}",
    lambda d: d.isoformat(),
    lambda d: f"{d:%b} {d.day}, {d.year}",
    lambda d: f"{d:%b} {d.day}",
]


@st.composite
def values(draw, field, members):
    """A field's new value, and how a person would type it into the sheet."""
    if field == "title":
        value = draw(
            st.sampled_from(TITLES)
            | st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
        )
        # What the app keeps: no surrounding spaces, never empty, no NUL (its forms refuse
        # it); a leading apostrophe is the sheet's "keep as text" mark, not part of a title.
        value = " ".join(value.split()).lstrip("'") or "Untitled"
        # Typed with "=" first, Sheets makes a formula of it: a person types "'=..." for text.
        return value, "'" + value if value.startswith("=") else value
    if field == "notes":
        value = draw(st.sampled_from(NOTES))
        return value, value
    if field == "target_date":
        value = draw(st.sampled_from(DAYS))
        return value, draw(st.sampled_from(DATE_FORMATS))(value)
    if field == "status":
        value = draw(st.sampled_from(STATUSES))
        return value, draw(st.sampled_from(SPELLINGS[value]))
    member = draw(st.sampled_from(members))
    return member.pk, draw(st.sampled_from(spellings_of(member, members)))


def spellings_of(member, members) -> list[str]:
    """How a person types who owns a row: the full name, the first name or the e-mail, each
    only when it names this member alone (the factory's names may share a first name, and a
    shared one is a bad cell asking for the full name: tests/sheets/test_parse.py)."""

    def first(user) -> str:
        return user.name.split()[0].casefold()

    spellings = [member.email.upper()]
    if sum(m.name.casefold() == member.name.casefold() for m in members) == 1:
        spellings.append(member.name)
        if sum(first(m) == first(member) for m in members) == 1:
            spellings.append(member.name.split()[0])
    return spellings


@st.composite
def edits(draw, members):
    """{(row, field): value} for the app and {(row, field): (value, typed)} for the sheet."""
    cells = [(row, field) for row in range(ROWS) for field in FIELDS]
    app_cells = draw(st.lists(st.sampled_from(cells), unique=True, max_size=6))
    sheet_cells = draw(st.lists(st.sampled_from(cells), unique=True, max_size=6))
    return (
        {cell: draw(values(cell[1], members))[0] for cell in app_cells},
        {cell: draw(values(cell[1], members)) for cell in sheet_cells},
    )


@pytest.fixture
def world(db, settings, sheets_emulator, q4):
    team, lead, *engineers = trio(TeamFactory(name="Platform", slug="platform"))
    settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url
    settings.MILEPOST_SHEET_KEY = "property"
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    return SimpleNamespace(
        team=team, quarter=q4, members=[lead, *engineers], emulator=sheets_emulator
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_after_a_sync_both_sides_agree_conflicts_are_recorded_and_a_second_sync_is_a_no_op(
    world, data
):
    app_edits, sheet_edits = data.draw(edits(world.members))
    with transaction.atomic():
        try:
            check_example(world, app_edits, sheet_edits)
        finally:
            transaction.set_rollback(True)


def check_example(world, app_edits, sheet_edits):
    world.emulator.load(
        {
            "spreadsheetId": "property",
            "title": "Property",
            "sheets": [
                {"title": "Summary", "values": [["=1+1"]]},
                {"title": "Platform", "values": [["Milestone", "Owner", "Due", "Status", "Notes"]]},
            ],
        }
    )
    milestones = [
        Milestone.objects.create(
            team=world.team,
            quarter=world.quarter,
            title=f"Milestone {row}",
            owner=world.members[row],
            committed_date=DAYS[1],
            target_date=DAYS[1],
            status=Milestone.Status.ON_TRACK,
            position=row,
        )
        for row in range(ROWS)
    ]
    assert sync_sheet(today=TODAY).counts.created_in_sheet == ROWS  # the synced start
    base = {m.pk: app_values(m) for m in milestones}

    for (row, field), value in app_edits.items():
        milestone = Milestone.objects.get(pk=milestones[row].pk)
        changes = {field: value}
        if field == "owner":
            changes = {"owner": next(u for u in world.members if u.pk == value)}
        if field == "status" and value == Milestone.Status.DONE:
            changes["delivered_date"] = TODAY
        update_milestone(milestone=milestone, version=milestone.version, changes=changes, user=None)
    worksheet = open_spreadsheet().worksheet("Platform")
    layout = parse.find_layout(worksheet.get_all_values()[0])
    if sheet_edits:
        worksheet.spreadsheet.values_batch_update(
            {
                "valueInputOption": "USER_ENTERED",
                "data": [
                    {
                        "range": f"Platform!{chr(65 + layout.columns[field])}{row + 2}",
                        "values": [[typed]],
                    }
                    for (row, field), (_, typed) in sheet_edits.items()
                ],
            }
        )
    shown = worksheet.get_all_values()
    typed_values = read_sheet(worksheet, layout, world)

    result = sync_sheet(today=TODAY)

    assert result.errors == []
    read_back = read_sheet(worksheet, layout, world)
    conflicts = {(c.milestone_id, c.field): c for c in SyncConflict.objects.filter(run=result.run)}
    for row, milestone in enumerate(milestones):
        milestone.refresh_from_db()
        app = app_values(milestone)
        for field in FIELDS:
            before = base[milestone.pk][field]
            app_edit = app_edits.get((row, field), before)
            sheet_edit = typed_values[row][field]
            both_changed = app_edit != before and sheet_edit != before and app_edit != sheet_edit
            # Both sides agree after the sync, whoever changed the field.
            assert read_back[row][field] == app[field], (row, field)
            if both_changed:
                assert app[field] == app_edit
                conflict = conflicts.pop((milestone.pk, field))
                assert from_json(field, conflict.sheet_value) == sheet_edit
                assert conflict.sheet_text == shown[row + 1][layout.columns[field]]
            elif sheet_edit != before:
                assert app[field] == sheet_edit
            else:
                assert app[field] == app_edit
    assert conflicts == {}, "a conflict was recorded for a field only one side changed"

    again = sync_sheet(today=TODAY)
    assert again.changes == []
    assert again.counts.updated_in_app == again.counts.updated_in_sheet == 0


def read_sheet(worksheet, layout, world):
    """Each row's fields as the sync reads them."""
    members = [parse.Member(u.pk, u.name, u.email, u.username) for u in world.members]
    tab = parse.parse_tab(
        "Platform",
        worksheet.get_all_values(pad_values=False),
        members=members,
        team_name="Platform",
        quarter_start=world.quarter.start,
        quarter_end=world.quarter.end,
    )
    assert all(not row.errors for row in tab.rows)
    return [row.values for row in tab.rows]


# --- Real sheets: any locale, a date format, a formula ------------------------------------

LOCALES = {
    "en_US": lambda d: f"{d.month}/{d.day}/{d.year}",
    "en_GB": lambda d: f"{d.day}/{d.month}/{d.year}",
    "de_DE": lambda d: f"{d.day}.{d.month}.{d.year}",
    "fr_FR": lambda d: f"{d.day:02}/{d.month:02}/{d.year}",
}
PATTERNS = [None, "d mmm yyyy", "dd/mm/yyyy", "yyyy-mm-dd", "dddd d mmmm yy"]
FORMULA_DAY = datetime.date(2026, 11, 15)


@st.composite
def real_sheets(draw, members):
    """A locale, a date column's number format, whether row 1's date is a formula, and edits
    (never typed over the formula: a person who does that has replaced it themselves)."""
    locale = draw(st.sampled_from(sorted(LOCALES)))
    pattern = draw(st.sampled_from(PATTERNS))
    formula = draw(st.booleans())
    app_edits, sheet_edits = draw(edits(members))
    for (row, field), (value, _typed) in list(sheet_edits.items()):
        if field == "target_date":
            sheet_edits[(row, field)] = (value, LOCALES[locale](value))
        if formula and (row, field) == (0, "target_date"):
            del sheet_edits[(row, field)]
    return locale, pattern, formula, app_edits, sheet_edits


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_in_any_locale_and_date_format_both_sides_agree_and_formulas_and_formats_are_kept(
    world, data
):
    example = data.draw(real_sheets(world.members))
    with transaction.atomic():
        try:
            check_real_sheet(world, *example)
        finally:
            transaction.set_rollback(True)


def check_real_sheet(world, locale, pattern, formula, app_edits, sheet_edits):
    def date_cell(day, row):
        cell = {"value": serial_of(day)}
        if formula and row == 0:
            cell = {"formula": "=DATE(2026,11,15)", "value": serial_of(FORMULA_DAY)}
        return {**cell, "format": pattern} if pattern else cell

    start = [FORMULA_DAY if formula and row == 0 else DAYS[1] for row in range(ROWS)]
    header = ["Milestone", "Owner", "Due", "Status", "Notes"]
    rows = [
        [f"Milestone {row}", world.members[row].name, date_cell(start[row], row), "On track", ""]
        for row in range(ROWS)
    ]
    world.emulator.load(
        {
            "spreadsheetId": "property",
            "title": "Property",
            "locale": locale,
            "sheets": [{"title": "Platform", "values": [header, *rows]}],
        }
    )
    assert sync_sheet(today=TODAY).counts.created_in_app == ROWS  # adopted: the synced start
    milestones = list(Milestone.objects.filter(team=world.team).order_by("position", "pk"))
    base = {m.pk: app_values(m) for m in milestones}
    for (row, field), value in app_edits.items():
        milestone = Milestone.objects.get(pk=milestones[row].pk)
        changes = {field: value}
        if field == "owner":
            changes = {"owner": next(u for u in world.members if u.pk == value)}
        if field == "status" and value == Milestone.Status.DONE:
            changes["delivered_date"] = TODAY
        update_milestone(milestone=milestone, version=milestone.version, changes=changes, user=None)
    worksheet = open_spreadsheet().worksheet("Platform")
    layout = parse.find_layout(header)
    if sheet_edits:
        worksheet.spreadsheet.values_batch_update(
            {
                "valueInputOption": "USER_ENTERED",
                "data": [
                    {
                        "range": f"Platform!{chr(65 + layout.columns[field])}{row + 2}",
                        "values": [[typed]],
                    }
                    for (row, field), (_, typed) in sheet_edits.items()
                ],
            }
        )
    typed_values = read_real_sheet(world)

    result = sync_sheet(today=TODAY)

    assert result.errors == []
    read_back = read_real_sheet(world)
    held = (0, "target_date") if formula else None
    conflicts = {(c.milestone_id, c.field): c for c in SyncConflict.objects.filter(run=result.run)}
    for row, milestone in enumerate(milestones):
        milestone.refresh_from_db()
        app = app_values(milestone)
        for field in FIELDS:
            before = base[milestone.pk][field]
            app_edit = app_edits.get((row, field), before)
            sheet_edit = typed_values[row][field]
            if (row, field) == held:
                # The formula is never written: an app edit is a conflict, the formula stays.
                assert read_back[row][field] == FORMULA_DAY
                assert app[field] == app_edit
                if app_edit != before:
                    assert from_json(field, conflicts.pop((milestone.pk, field)).sheet_value) == (
                        FORMULA_DAY
                    )
                continue
            both_changed = app_edit != before and sheet_edit != before and app_edit != sheet_edit
            assert read_back[row][field] == app[field], (row, field)
            if both_changed:
                assert app[field] == app_edit
                conflict = conflicts.pop((milestone.pk, field))
                assert from_json(field, conflict.sheet_value) == sheet_edit
            elif sheet_edit != before:
                assert app[field] == sheet_edit
            else:
                assert app[field] == app_edit
    assert conflicts == {}, "a conflict was recorded for a field only one side changed"
    tab = read_tabs(open_spreadsheet())["Platform"]
    if formula:
        assert tab.formulas == {(1, layout.columns["target_date"]): "=DATE(2026,11,15)"}
    if pattern:
        for row in range(ROWS):
            if (row, "target_date") not in sheet_edits:
                assert tab.date_formats[(row + 1, layout.columns["target_date"])] == pattern

    again = sync_sheet(today=TODAY)
    assert again.changes == []
    assert again.counts.updated_in_app == again.counts.updated_in_sheet == 0


def read_real_sheet(world):
    """Each row's fields as the sync reads them: typed values in the sheet's locale."""
    members = [parse.Member(u.pk, u.name, u.email, u.username) for u in world.members]
    data = read_tabs(open_spreadsheet())["Platform"]
    tab = parse.parse_tab(
        "Platform",
        data.values,
        members=members,
        team_name="Platform",
        quarter_start=world.quarter.start,
        quarter_end=world.quarter.end,
        locale=data.locale,
        numbers=data.numbers,
    )
    assert all(not row.errors for row in tab.rows)
    return [row.values for row in tab.rows]
