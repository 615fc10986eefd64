import datetime

import pytest

from milestones.models import Milestone, Quarter
from sheets import parse
from sheets.parse import CellError, Member

Q4 = {"quarter_start": datetime.date(2026, 10, 1), "quarter_end": datetime.date(2026, 12, 31)}

PLATFORM = [
    Member(1, "Mateo O'Brien", "mobrien@example.com", "mateo"),
    Member(2, "Yuki Tanaka", "ytanaka@example.com", "yuki"),
    Member(3, "Pedro Okafor", "pokafor@example.com", "pedro"),
]


# --- Dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/14/2026", datetime.date(2026, 3, 14)),
        ("03/14/2026", datetime.date(2026, 3, 14)),
        ("3/14/26", datetime.date(2026, 3, 14)),
        ("2026-03-14", datetime.date(2026, 3, 14)),
        ("Mar 14, 2026", datetime.date(2026, 3, 14)),
        ("March 14 2026", datetime.date(2026, 3, 14)),
        ("Sept. 3, 2026", datetime.date(2026, 9, 3)),
        ("Nov 3rd", datetime.date(2026, 11, 3)),
        ("46357", datetime.date(2026, 12, 1)),
        ("46357.5", datetime.date(2026, 12, 1)),
        ("  12/1/2026 ", datetime.date(2026, 12, 1)),
    ],
)
def test_dates_are_read_in_the_formats_people_type_in_a_us_sheet(text, expected):
    assert parse.parse_date(text, **Q4) == expected


def test_a_date_without_a_year_is_in_the_quarters_year():
    assert parse.parse_date("Oct 23", **Q4) == datetime.date(2026, 10, 23)
    assert parse.parse_date("Mar 14", **Q4) == datetime.date(2026, 3, 14)


def test_a_date_without_a_year_lands_inside_a_quarter_that_spans_new_year():
    november_to_january = {
        "quarter_start": datetime.date(2026, 11, 1),
        "quarter_end": datetime.date(2027, 1, 31),
    }
    assert parse.parse_date("Jan 10", **november_to_january) == datetime.date(2027, 1, 10)
    assert parse.parse_date("Dec 10", **november_to_january) == datetime.date(2026, 12, 10)


def test_an_empty_date_cell_is_no_date():
    assert parse.parse_date("  ", **Q4) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("end of Q4", "not a date"),
        ("2/30/2026", "not a day of the calendar"),
        ("Smarch 3, 2026", "not a date"),
        ("12", "not a date"),
        ("TBD", "not a date"),
    ],
)
def test_text_that_is_not_a_date_is_a_bad_cell_with_a_reason(text, reason):
    with pytest.raises(CellError, match=reason):
        parse.parse_date(text, **Q4)


def test_dates_are_written_as_sheets_shows_a_typed_us_date():
    assert parse.format_date(datetime.date(2026, 3, 4)) == "3/4/2026"
    assert parse.format_date(None) == ""


# --- Statuses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Done", "done"),
        ("done ✅", "done"),
        ("Done ✅", "done"),
        ("Complete", "done"),
        ("Shipped", "done"),
        ("On track", "on_track"),
        ("on-track", "on_track"),
        ("In progress", "on_track"),
        ("At Risk", "at_risk"),
        ("at risk", "at_risk"),
        ("Blocked", "off_track"),
        ("Off track", "off_track"),
        ("Not started", "planned"),
        ("", "planned"),
        ("Dropped", "dropped"),
    ],
)
def test_statuses_are_read_in_their_everyday_spellings(text, status):
    assert parse.parse_status(text) == status


def test_an_unknown_status_is_a_bad_cell_listing_the_statuses():
    with pytest.raises(CellError, match=r"'Waiting' is not a status .*On track"):
        parse.parse_status("Waiting")


def test_every_status_the_app_writes_reads_back_as_itself():
    for status in parse.Milestone.Status:
        assert parse.parse_status(parse.format_status(status)) == status


# --- Owners --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Yuki",
        "yuki",
        "Yuki Tanaka",
        "  yuki   tanaka ",
        "ytanaka@example.com",
        "YTANAKA@example.com",
    ],
)
def test_an_owner_is_found_by_first_name_full_name_or_email(text):
    assert parse.resolve_owner(text, PLATFORM) == 2


def test_an_empty_owner_cell_is_no_owner():
    assert parse.resolve_owner("", PLATFORM) is None


def test_an_email_shared_by_two_people_resolves_within_the_team():
    routing = [Member(7, "Anya Berg", "aberg@example.com"), Member(8, "Maya Mensah", "m@x.com")]
    meetings = [Member(9, "Aisha Berg", "aberg@example.com")]
    assert parse.resolve_owner("aberg@example.com", routing) == 7
    assert parse.resolve_owner("aberg@example.com", meetings) == 9


def test_a_first_name_two_members_share_is_a_bad_cell_asking_for_the_full_name():
    members = [*PLATFORM, Member(4, "Yuki Sato", "ysato@example.com")]
    with pytest.raises(CellError, match="could be Yuki Sato and Yuki Tanaka"):
        parse.resolve_owner("Yuki", members)
    assert parse.resolve_owner("Yuki Sato", members) == 4


def test_someone_outside_the_team_is_a_bad_cell():
    with pytest.raises(CellError, match="'Hana Cohen' is not a member of Platform"):
        parse.resolve_owner("Hana Cohen", PLATFORM, team="Platform")


# --- Headers -------------------------------------------------------------------------------


def test_columns_are_found_by_header_name_in_any_order_and_case():
    layout = parse.find_layout(["Status", "milestone", "Target Date", "OWNER", "Notes"])
    assert layout.columns == {
        "status": 0,
        "title": 1,
        "target_date": 2,
        "owner": 3,
        "notes": 4,
    }


@pytest.mark.parametrize("header", ["Target", "Target date", "Target Date", "due", "Due date"])
def test_the_target_date_column_has_aliases(header):
    assert parse.find_layout(["Milestone", header]).columns["target_date"] == 1


def test_the_sheets_own_columns_and_empty_headers_are_not_mapped():
    layout = parse.find_layout(["Milestone", "Owner", "Target", "Status", "", "Jira", "Comments"])
    assert set(layout.columns) == {"title", "owner", "target_date", "status"}


def test_a_repeated_header_is_ignored_and_reported():
    layout = parse.find_layout(["Milestone", "Status", "Status"])
    assert layout.columns["status"] == 1
    assert layout.ignored == ((2, "Status", "a second Status column"),)


def test_an_added_id_column_goes_after_the_widest_row():
    layout = parse.find_layout(["Milestone", "Owner"], width=4).with_id_column()
    assert layout.id_column == 4
    assert layout.width == 5


# --- Rows ----------------------------------------------------------------------------------


def parse_platform(values):
    return parse.parse_tab("Platform", values, members=PLATFORM, team_name="Platform", **Q4)


def test_rows_are_read_with_their_sheet_row_numbers_skipping_blank_rows():
    tab = parse_platform(
        [
            ["Milestone", "Owner", "Target Date", "Status", "Jira"],
            ["Ship CSV import", "Pedro", "2026-10-11", "Complete"],
            [],
            ["", "", "", "", "ENG-1"],
            ["Cut latency", "Mateo", "Dec 1, 2026", "at risk", "ENG-2"],
        ]
    )
    assert [row.number for row in tab.rows] == [2, 5]
    assert tab.rows[1].values == {
        "title": "Cut latency",
        "owner": 1,
        "target_date": datetime.date(2026, 12, 1),
        "status": "at_risk",
    }
    assert tab.height == 5


def test_a_bad_cell_is_recorded_with_its_column_and_the_rest_of_the_row_reads():
    tab = parse_platform(
        [["Milestone", "Owner", "Target", "Status"], ["Harden", "Zed", "end of Q4", "Done"]]
    )
    [row] = tab.rows
    assert row.values == {"title": "Harden", "status": "done"}
    assert [(error.column, error.field, error.value) for error in row.errors] == [
        (1, "owner", "Zed"),
        (2, "target_date", "end of Q4"),
    ]


def test_free_text_the_model_refuses_is_a_bad_cell_with_the_models_message():
    tab = parse_platform(
        [
            ["Milestone", "Target", "Notes"],
            ["Harden\nthe importer", "Dec 1, 2026", "fine"],
            ["Ship", "Dec 1, 2026", "n" * 10_001],
        ]
    )
    quarter = Quarter(year=2026, number=4)
    first, second = (
        parse.check_row(row, tab.layout, milestone=None, quarter=quarter) for row in tab.rows
    )
    assert "title" not in first.values
    assert [(e.column, e.field, e.reason) for e in first.errors] == [
        (0, "title", "A title is one line: put the rest in the description.")
    ]
    assert second.values["title"] == "Ship"
    assert "notes" not in second.values
    [error] = second.errors
    assert (error.column, error.field) == (2, "notes")
    assert error.reason.startswith("Keep this to 10,000 characters")


def test_an_id_that_is_not_a_number_is_a_bad_cell():
    tab = parse_platform([["ID", "Milestone"], ["abc", "Harden"], ["12", "Ship"]])
    assert tab.rows[0].id_error.value == "abc"
    assert tab.rows[1].id == 12


def test_text_cells_lose_surrounding_spaces_windows_newlines_and_nul():
    assert parse.parse_text("  scope\r\ncut\x00 ") == "scope\ncut"


# --- Writing text --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=SUM(A1)", "+1 from PM", "3/4", "2026", "TRUE", "1e5", "Mar 4", "Ship CSV import"]
)
def test_text_is_written_with_the_apostrophe_that_keeps_it_text(text):
    assert parse.format_text(text) == "'" + text


def test_empty_text_clears_the_cell():
    assert parse.format_text("") == ""


# --- Checking rows against the milestone model ------------------------------------------------

# Unsaved, with a pk: what the model's validation reads of a quarter, without a database.
QUARTER = Quarter(pk=1, year=2026, number=4, start=Q4["quarter_start"], end=Q4["quarter_end"])
LAYOUT_HEADER = ["Milestone", "Owner", "Target date", "Status", "Notes", "ID"]
LAYOUT = parse.find_layout(LAYOUT_HEADER)


def read_row(*cells):
    [row] = parse.parse_tab(
        "Platform", [LAYOUT_HEADER, list(cells)], members=PLATFORM, team_name="Platform", **Q4
    ).rows
    return row


def test_a_row_the_model_accepts_is_left_as_it_is():
    row = read_row("Ship webhooks", "Yuki", "12/1/2026", "On track", "", "")

    assert parse.check_row(row, LAYOUT, milestone=None, quarter=QUARTER) is row


def test_a_date_too_far_from_the_quarter_is_a_bad_cell_in_the_models_words():
    row = read_row("Ship webhooks", "Yuki", "12/1/2028", "On track", "", "")

    checked = parse.check_row(row, LAYOUT, milestone=None, quarter=QUARTER)

    [error] = checked.errors
    assert (error.column, error.field, error.value) == (2, "target_date", "12/1/2028")
    assert error.reason.startswith("The target date Dec 1, 2028 is too far from 2026 Q4")
    assert "target_date" not in checked.values
    assert checked.values["title"] == "Ship webhooks"  # the rest of the row syncs


def test_an_empty_title_and_an_empty_date_are_bad_cells():
    row = read_row("", "Yuki", "", "On track", "waiting on legal", "")

    checked = parse.check_row(row, LAYOUT, milestone=None, quarter=QUARTER)

    assert [(e.field, e.reason) for e in checked.errors] == [
        ("title", "This field cannot be blank."),
        ("target_date", "This field cannot be null."),
    ]
    assert checked.values == {"owner": 2, "status": "on_track", "notes": "waiting on legal"}


def test_a_title_longer_than_the_model_allows_is_a_bad_cell():
    row = read_row("x" * 201, "", "12/1/2026", "", "", "")

    [error] = parse.check_row(row, LAYOUT, milestone=None, quarter=QUARTER).errors

    assert error.field == "title"
    assert "at most 200 characters" in error.reason


def test_a_row_is_checked_against_the_quarter_of_the_milestone_its_id_names():
    last_year = Quarter(
        pk=2, year=2025, number=4, start=datetime.date(2025, 10, 1), end=datetime.date(2025, 12, 31)
    )
    milestone = Milestone(
        pk=7,
        quarter=last_year,
        title="Ship webhooks",
        committed_date=datetime.date(2025, 11, 1),
        target_date=datetime.date(2025, 11, 1),
    )
    row = read_row("Ship webhooks", "", "2/1/2025", "", "", "7")

    assert parse.check_row(row, LAYOUT, milestone=milestone, quarter=QUARTER).errors == []
    assert parse.check_row(row, LAYOUT, milestone=None, quarter=QUARTER).errors != []


def test_a_done_status_is_not_refused_for_want_of_a_delivered_date_the_sync_sets():
    row = read_row("Ship webhooks", "", "12/1/2026", "Done", "", "")

    assert parse.check_row(row, LAYOUT, milestone=None, quarter=QUARTER).errors == []
