"""Which milestones a review goes through (reviews.diff.agenda)."""

import dataclasses
import datetime

from reviews.diff import agenda
from tests.reviews.helpers import snap

D = datetime.date
DONE_IN_OCTOBER = {"status": "done", "delivered_date": D(2026, 10, 20)}


def test_on_the_first_review_of_a_quarter_every_milestone_is_on_the_agenda():
    current = [snap(1), snap(2, **DONE_IN_OCTOBER), snap(3, status="dropped")]

    assert agenda(current, None) == {1, 2, 3}


def test_an_open_milestone_is_on_the_agenda_even_when_nothing_changed():
    assert agenda([snap(1, status="planned")], [snap(1, status="planned")]) == {1}


def test_a_milestone_closed_before_and_unchanged_since_is_off_the_agenda():
    done, dropped = snap(1, **DONE_IN_OCTOBER), snap(2, status="dropped")

    assert agenda([done, dropped], [done, dropped]) == set()


def test_a_milestone_done_or_dropped_since_the_previous_review_is_on_the_agenda():
    before = [snap(1, status="at_risk"), snap(2, status="on_track")]
    after = [
        snap(1, status="done", delivered_date=D(2026, 11, 20)),
        snap(2, status="dropped"),
    ]

    assert agenda(after, before) == {1, 2}


def test_a_closed_milestone_new_since_the_previous_review_is_on_the_agenda():
    assert agenda([snap(5, **DONE_IN_OCTOBER)], []) == {5}


def test_a_closed_milestone_edited_since_the_previous_review_is_on_the_agenda():
    done = snap(1, **DONE_IN_OCTOBER)

    assert agenda([dataclasses.replace(done, owner_id=9)], [done]) == {1}
