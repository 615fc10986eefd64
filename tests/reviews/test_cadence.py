"""When a team's review is overdue (reviews.diff.review_status_on, SPEC section 3)."""

import datetime

import pytest

from reviews.diff import ReviewStatus, review_status_on

D = datetime.date
LAST = D(2026, 11, 11)


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (D(2026, 11, 11), False),  # the day of the review
        (D(2026, 11, 25), False),  # exactly 14 days: due today, not late yet
        (D(2026, 11, 26), True),  # 15 days: more than 14 days old
        (D(2027, 1, 30), True),
    ],
)
def test_a_review_more_than_the_cadence_old_is_overdue(today, overdue):
    status = review_status_on(LAST, today, cadence_days=14)

    assert status == ReviewStatus(LAST, D(2026, 11, 25), overdue)


def test_the_next_review_date_follows_the_cadence():
    assert review_status_on(LAST, LAST, cadence_days=7).next_review_date == D(2026, 11, 18)


def test_a_team_that_never_held_a_review_is_overdue_with_no_dates():
    status = review_status_on(None, D(2026, 11, 25), cadence_days=14)

    assert status == ReviewStatus(None, None, overdue=True)
    assert status.never_reviewed
