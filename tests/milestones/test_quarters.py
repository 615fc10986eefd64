import datetime

import pytest

from milestones.quarters import current_quarter, quarter_bounds, quarter_of
from tests.factories import QuarterFactory

D = datetime.date


@pytest.mark.parametrize(
    ("year", "number", "start_month", "bounds"),
    [
        (2026, 1, 1, (D(2026, 1, 1), D(2026, 3, 31))),
        (2026, 4, 1, (D(2026, 10, 1), D(2026, 12, 31))),
        (2026, 1, 2, (D(2026, 2, 1), D(2026, 4, 30))),
        (2026, 4, 2, (D(2026, 11, 1), D(2027, 1, 31))),
    ],
)
def test_quarter_bounds_follow_the_fiscal_year_start(year, number, start_month, bounds):
    assert quarter_bounds(year, number, start_month) == bounds


def test_quarter_of_a_january_day_with_a_february_fiscal_year_is_last_years_q4():
    assert quarter_of(D(2027, 1, 15), 2) == (2026, 4)


def test_current_quarter_is_the_one_containing_today(db):
    QuarterFactory(year=2026, number=3)
    q4 = QuarterFactory(year=2026, number=4)
    assert current_quarter(D(2026, 11, 25)) == q4


def test_after_the_last_quarter_the_latest_started_is_current(db):
    q4 = QuarterFactory(year=2026, number=4)
    assert current_quarter(D(2027, 2, 1)) == q4


def test_no_quarters_means_no_current_quarter(db):
    assert current_quarter(D(2026, 11, 25)) is None
