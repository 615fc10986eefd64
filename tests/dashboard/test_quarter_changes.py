"""The history of a quarter's settings (dashboard/quarter_changes.py): what changed, from what to
what, newest first, in one query. The settings page that shows it is test_quarter_settings.py."""

import pytest

from dashboard.quarter_changes import quarter_changes
from milestones.history import Source, history_source
from tests.factories import QuarterFactory


@pytest.fixture
def quarter(db):
    return QuarterFactory(year=2026, number=4, goal=5, grace_days=7)


def change(quarter, **fields):
    for name, value in fields.items():
        setattr(quarter, name, value)
    quarter.save()


def shown(found) -> list[list[tuple[str, str, str]]]:
    return [[(c.label, c.old, c.new) for c in entry.changes] for entry in found]


def test_a_new_quarter_lists_its_creation_with_every_value(quarter):
    [created] = quarter_changes(quarter)
    assert created.created
    assert (created.by, created.source) == (None, "command")
    assert shown([created]) == [
        [
            ("start", "", "2026-10-01"),
            ("end", "", "2026-12-31"),
            ("on-time goal", "", "5"),
            ("grace days", "", "7"),
            ("locked", "", "no"),
            ("excuse dropped milestones", "", "no"),
            ("planning opens", "", "—"),
        ]
    ]


def test_each_change_lists_only_the_fields_it_changed_newest_first(quarter):
    change(quarter, goal=6)
    with history_source(Source.WEB):
        change(quarter, grace_days=10, locked=True)
    newest, older, created = quarter_changes(quarter)
    assert shown([newest, older]) == [
        [("grace days", "7", "10"), ("locked", "no", "yes")],
        [("on-time goal", "5", "6")],
    ]
    assert (newest.source, newest.created, created.created) == ("web", False, True)


def test_a_save_without_a_change_is_left_out(quarter):
    change(quarter, goal=6)
    change(quarter)  # saved as it was
    assert len(quarter.history.all()) == 3
    assert shown(quarter_changes(quarter)[:1]) == [[("on-time goal", "5", "6")]]
    assert len(quarter_changes(quarter)) == 2


def test_only_the_latest_changes_are_listed_each_against_the_one_before(quarter):
    for goal in (6, 7, 8):
        change(quarter, goal=goal)
    found = quarter_changes(quarter, limit=2)
    assert shown(found) == [[("on-time goal", "7", "8")], [("on-time goal", "6", "7")]]
    assert not any(entry.created for entry in found)


@pytest.mark.parametrize("changes", [3, 30])
def test_the_history_costs_one_query_whatever_its_length(
    quarter, changes, django_assert_num_queries
):
    for goal in range(6, 6 + changes):
        change(quarter, goal=goal)
    with django_assert_num_queries(1):
        found = quarter_changes(quarter)
    assert len(found) == min(changes + 1, 20)
