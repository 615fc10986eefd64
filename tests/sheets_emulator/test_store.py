"""Tabs and ranges: which tab and block a range names, as Google answers it; and the store
alone."""

import pytest
from gspread.exceptions import APIError
from gspread.utils import GridRangeType

from tests.sheets_emulator.helpers import api_error


@pytest.mark.parametrize(
    ("requested", "answered"),
    [
        ("Platform!A2:F", "Platform!A2:F1000"),
        ("Platform!A:A", "Platform!A1:A1000"),
        ("Platform!2:3", "Platform!A2:Z3"),
        ("'Platform'!B2", "Platform!B2"),
        ("Platform!A1:ZZ2000", "Platform!A1:Z1000"),
        ("A1:B2", "Platform!A1:B2"),
    ],
)
def test_values_get_answers_the_range_held_to_the_grid(team_spreadsheet, requested, answered):
    assert team_spreadsheet.values_get(requested)["range"] == answered


def test_a_quoted_title_with_an_apostrophe_is_answered_doubled(team_spreadsheet):
    worksheet = team_spreadsheet.worksheet("It's a tab")

    value_range = worksheet.get("B2", return_type=GridRangeType.ValueRange)

    assert value_range.range == "'It''s a tab'!B2"
    assert value_range == [["d"]]


def test_unicode_titles_and_values_read_back_unchanged(team_spreadsheet):
    response = team_spreadsheet.values_get("'Ünïcode tab'!A1:C")

    assert response["range"] == "'Ünïcode tab'!A1:C1000"
    assert response["values"] == [["Zoë", "Ærøskøbing", "日本語"]]


def test_titles_match_regardless_of_case_and_answer_as_titled(team_spreadsheet):
    assert team_spreadsheet.values_get("'platform'!A1")["range"] == "Platform!A1"


def test_an_unknown_tab_is_a_400_unable_to_parse_range(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.values_get("'Nope'!A1")

    assert api_error(caught) == {
        "status_code": 400,
        "code": 400,
        "message": "Unable to parse range: 'Nope'!A1",
        "status": "INVALID_ARGUMENT",
    }


def test_a_range_google_cannot_parse_is_a_400(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.values_get("Platform!A0:B")

    assert api_error(caught)["message"] == "Unable to parse range: Platform!A0:B"


def test_a_range_starting_beyond_the_grid_is_a_400(team_spreadsheet):
    with pytest.raises(APIError) as caught:
        team_spreadsheet.values_get("Platform!A1001")

    assert api_error(caught)["message"] == (
        "Range (Platform!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )
