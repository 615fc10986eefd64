"""Field masks: Google's ``fields`` syntax read, and applied to an answer."""

import pytest

from sheets_emulator.errors import ApiError
from sheets_emulator.field_masks import apply_field_mask, mask_paths, parse_field_mask

METADATA = {
    "spreadsheetId": "s",
    "properties": {"title": "S", "locale": "en_US"},
    "sheets": [
        {"properties": {"sheetId": 0, "title": "A", "gridProperties": {"rowCount": 10}}},
        {"properties": {"sheetId": 1, "title": "B", "gridProperties": {"rowCount": 20}}},
    ],
}


def test_a_mask_selects_nested_fields_in_every_item_of_a_list():
    mask = parse_field_mask("spreadsheetId, sheets(properties(title,gridProperties/rowCount))")

    assert apply_field_mask(METADATA, mask) == {
        "spreadsheetId": "s",
        "sheets": [
            {"properties": {"title": "A", "gridProperties": {"rowCount": 10}}},
            {"properties": {"title": "B", "gridProperties": {"rowCount": 20}}},
        ],
    }


@pytest.mark.parametrize(
    ("text", "mask"),
    [
        ("a.b,a(c)", {"a": {"b": None, "c": None}}),
        ("a,a.b", {"a": None}),
        ("a.b,a", {"a": None}),
        ("a/b.c", {"a": {"b": {"c": None}}}),
    ],
)
def test_paths_into_the_same_field_merge(text, mask):
    assert parse_field_mask(text) == mask


def test_a_star_selects_the_whole_value():
    assert apply_field_mask(METADATA, parse_field_mask("*")) == METADATA


def test_a_field_the_answer_lacks_is_left_out():
    assert apply_field_mask(METADATA, parse_field_mask("properties(title,nope)")) == {
        "properties": {"title": "S"}
    }


@pytest.mark.parametrize("text", ["a(b", "a,,b", "a)", "(a)", ""])
def test_a_malformed_mask_is_a_400(text):
    with pytest.raises(ApiError) as caught:
        parse_field_mask(text)

    assert (caught.value.code, caught.value.message) == (400, f"Invalid field selection: {text}")


def test_mask_paths_lists_each_selected_leaf():
    mask = parse_field_mask("title,gridProperties(rowCount,frozenRowCount)")

    assert list(mask_paths(mask)) == [
        ("title",),
        ("gridProperties", "rowCount"),
        ("gridProperties", "frozenRowCount"),
    ]
