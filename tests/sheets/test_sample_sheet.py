"""The shared sample leadership sheet (tests/data/sheet.json) served by the emulator reads
back through gspread exactly as Google would answer it."""

from gspread.utils import ValueRenderOption, absolute_range_name, fill_gaps


def as_google_answers(rows: list[list[str]]) -> list[list[str]]:
    """What Google answers for stored rows: no trailing empty cells, no trailing empty rows."""
    trimmed = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] == "":
            end -= 1
        trimmed.append(row[:end])
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def as_shown(rows: list[list[str]]) -> list[list[str]]:
    """Stored rows as Google shows them: the Summary's ``=IF(Dn=Cn,"yes","no")`` formulas
    answer their result."""
    return [
        [("yes" if row[3] == row[2] else "no") if cell.startswith("=IF(") else cell for cell in row]
        for row in as_google_answers(rows)
    ]


def test_the_sample_lists_every_tab_in_order(spreadsheet, sample_sheet_data):
    assert spreadsheet.title == "Eng Milestones FY26"
    assert spreadsheet.timezone == "America/New_York"
    assert [worksheet.title for worksheet in spreadsheet.worksheets()] == [
        tab["title"] for tab in sample_sheet_data["sheets"]
    ]


def test_every_tab_reads_back_as_stored_in_one_batch_get(spreadsheet, sample_sheet_data):
    tabs = sample_sheet_data["sheets"]

    response = spreadsheet.values_batch_get([absolute_range_name(tab["title"]) for tab in tabs])

    for tab, value_range in zip(tabs, response["valueRanges"], strict=True):
        assert value_range["values"] == as_shown(tab["values"]), tab["title"]


def test_the_trailing_blank_rows_of_the_sample_are_not_answered(spreadsheet, sample_sheet_data):
    infra = next(tab for tab in sample_sheet_data["sheets"] if tab["title"] == "Infra")
    assert infra["values"][-1] == []

    response = spreadsheet.values_get("Infra")

    assert response["values"] == infra["values"][:-1]
    assert response["range"] == "Infra!A1:Z1000"


def test_blank_rows_inside_a_tab_are_answered_empty(spreadsheet):
    values = spreadsheet.values_get("Email!A1:E5")["values"]

    assert values[3] == []
    assert values[4] == ["Done", "GA for the billing ledger", "10/20/2026", "Oscar"]


def test_get_all_values_of_each_team_tab_is_the_sample_padded(spreadsheet, sample_sheet_data):
    for tab in sample_sheet_data["sheets"]:
        rows = spreadsheet.worksheet(tab["title"]).get_all_values()

        assert rows == fill_gaps(as_shown(tab["values"])), tab["title"]


def test_quoted_tab_titles_of_the_sample_answer_quoted(spreadsheet):
    assert spreadsheet.values_get("'Meetings team'!A1:F1") == {
        "range": "'Meetings team'!A1:F1",
        "majorDimension": "ROWS",
        "values": [["Milestone", "Owner", "Target", "Status", "", "Notes"]],
    }


def test_dates_people_typed_are_serial_numbers_unformatted(spreadsheet):
    platform = spreadsheet.worksheet("Platform")
    billing = spreadsheet.worksheet("Billing")

    assert platform.get("C2:C5", value_render_option=ValueRenderOption.unformatted) == [
        [46357],  # 12/1/2026
        [46330],  # 11/4/2026
        [46329],  # Nov 3, 2026
        [46306],  # 2026-10-11
    ]
    # Shown as typed, whatever the format.
    assert platform.get("C4:C5") == [["Nov 3, 2026"], ["2026-10-11"]]
    # Neither a month and day without a year nor words are dates.
    assert billing.get("C2:C4", value_render_option=ValueRenderOption.unformatted) == [
        ["Nov 8"],
        [46344],
        ["end of Q4"],
    ]


def test_the_summary_formulas_answer_their_result_and_their_text_as_formula(spreadsheet):
    summary = spreadsheet.worksheet("Summary")

    assert summary.get("C2:E2", value_render_option=ValueRenderOption.unformatted) == [[5, 4, "no"]]
    assert summary.get("C2:E2", value_render_option=ValueRenderOption.formula) == [
        [5, 4, '=IF(D2=C2,"yes","no")']
    ]


def test_the_sample_dumps_as_loaded(sheets_emulator, sample_sheet, sample_sheet_data):
    dump = sheets_emulator.dump(sample_sheet)

    assert {key: dump[key] for key in ("spreadsheetId", "title", "locale", "timeZone")} == {
        key: sample_sheet_data[key] for key in ("spreadsheetId", "title", "locale", "timeZone")
    }
    assert [(tab["title"], tab["values"], tab.get("note")) for tab in dump["sheets"]] == [
        (tab["title"], as_google_answers(tab["values"]), tab.get("note"))
        for tab in sample_sheet_data["sheets"]
    ]
