import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheets.a1 import (
    A1Error,
    A1Range,
    cell_name,
    column_index,
    column_letters,
    format_range,
    parse_range,
    quote_sheet_title,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sheet1", A1Range("Sheet1")),
        ("A1", A1Range(None, 0, 0, 1, 1)),
        ("A1:B2", A1Range(None, 0, 0, 2, 2)),
        ("A:A", A1Range(None, 0, 0, None, 1)),
        ("B:D", A1Range(None, 0, 1, None, 4)),
        ("1:2", A1Range(None, 0, 0, 2, None)),
        ("A2:F", A1Range(None, 1, 0, None, 6)),
        ("A5:A", A1Range(None, 4, 0, None, 1)),
        ("A:B5", A1Range(None, 0, 0, 5, 2)),
        ("Sheet1!A1:B2", A1Range("Sheet1", 0, 0, 2, 2)),
        ("'It''s'!B3", A1Range("It's", 2, 1, 3, 2)),
        ("'Ünïcode tab'!A1:C", A1Range("Ünïcode tab", 0, 0, None, 3)),
        ("'Meetings team'", A1Range("Meetings team")),
        ("'Meetings team'!A:F", A1Range("Meetings team", 0, 0, None, 6)),
        ("Meetings team!A1", A1Range("Meetings team", 0, 0, 1, 1)),
        ("'a!b'!A1", A1Range("a!b", 0, 0, 1, 1)),
        ("'''quoted'''!A1", A1Range("'quoted'", 0, 0, 1, 1)),
        ("Summary", A1Range("Summary")),
        ("AB12", A1Range(None, 11, 27, 12, 28)),
        ("ZZZ1", A1Range(None, 0, 18277, 1, 18278)),
    ],
)
def test_parse_range_reads_google_forms(text, expected):
    assert parse_range(text) == expected


def test_parse_range_accepts_lower_case_and_absolute_markers():
    assert parse_range("$b$2:c3") == A1Range(None, 1, 1, 3, 3)


def test_parse_range_puts_reversed_corners_in_order():
    assert parse_range("C3:A1") == parse_range("A1:C3")


def test_a_bare_word_that_is_not_a_cell_names_a_tab():
    # As at Google: "A" alone, or a word, is a tab's title, whole.
    assert parse_range("A") == A1Range("A")
    assert parse_range("Data Pipeline") == A1Range("Data Pipeline")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "'unterminated!A1",
        "''!A1",
        "'Tab'A1",
        "!A1",
        "Sheet1!",
        "Sheet1!A0",
        "Sheet1!A1:B2:C3",
        "Sheet1!A1:5",
        "Sheet1!1:B2",
        "Sheet1!A:5",
        "Sheet1!AAAA1",
        "Sheet1!1A",
    ],
)
def test_parse_range_rejects_what_google_cannot_parse(text):
    with pytest.raises(A1Error):
        parse_range(text)


@pytest.mark.parametrize(
    ("letters", "index"), [("A", 0), ("Z", 25), ("AA", 26), ("AZ", 51), ("BA", 52), ("ZZZ", 18277)]
)
def test_column_letters_and_index_are_inverse(letters, index):
    assert column_index(letters) == index
    assert column_letters(index) == letters


def test_cell_name_is_one_based():
    assert cell_name(0, 0) == "A1"
    assert cell_name(9, 27) == "AB10"


@pytest.mark.parametrize(
    ("title", "quoted"),
    [
        ("Summary", "Summary"),
        ("Sheet_1", "Sheet_1"),
        ("Meetings team", "'Meetings team'"),
        ("It's", "'It''s'"),
        ("Archive 2026-Q3", "'Archive 2026-Q3'"),
        ("2026", "'2026'"),
        ("AB12", "'AB12'"),
        ("R1C1", "'R1C1'"),
    ],
)
def test_quote_sheet_title_quotes_only_where_google_does(title, quoted):
    assert quote_sheet_title(title) == quoted


def test_format_range_writes_a_single_cell_without_a_colon():
    assert format_range("It's", 2, 1, 3, 2) == "'It''s'!B3"
    assert format_range("Summary", 0, 0, 23, 5) == "Summary!A1:E23"


titles = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(str.strip)


@given(
    title=titles,
    start_row=st.integers(0, 5000),
    start_column=st.integers(0, 800),
    height=st.integers(1, 50),
    width=st.integers(1, 30),
)
def test_a_formatted_range_parses_back_to_itself(title, start_row, start_column, height, width):
    text = format_range(title, start_row, start_column, start_row + height, start_column + width)

    assert parse_range(text) == A1Range(
        title, start_row, start_column, start_row + height, start_column + width
    )
