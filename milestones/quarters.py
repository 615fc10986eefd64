"""Fiscal quarters: their bounds and which one is current."""

import datetime

from django.conf import settings

from milestones.models import Quarter


def quarter_bounds(
    year: int, number: int, start_month: int | None = None
) -> tuple[datetime.date, datetime.date]:
    """First and last day of fiscal quarter `number` of fiscal year `year`.

    Fiscal year Y starts on the first day of `start_month` in calendar year Y.
    """
    if start_month is None:
        start_month = settings.MILEPOST_FISCAL_YEAR_START_MONTH
    if number not in (1, 2, 3, 4):
        raise ValueError(f"A quarter number is 1 to 4, not {number}.")
    months = start_month - 1 + (number - 1) * 3
    first = datetime.date(year + months // 12, months % 12 + 1, 1)
    months += 3
    after = datetime.date(year + months // 12, months % 12 + 1, 1)
    return first, after - datetime.timedelta(days=1)


def quarter_of(day: datetime.date, start_month: int | None = None) -> tuple[int, int]:
    """The (fiscal year, quarter number) that contains `day`."""
    if start_month is None:
        start_month = settings.MILEPOST_FISCAL_YEAR_START_MONTH
    months_into_year = (day.month - start_month) % 12
    year = day.year if day.month >= start_month else day.year - 1
    return year, months_into_year // 3 + 1


def ensure_quarter(year: int, number: int, **defaults) -> Quarter:
    start, end = quarter_bounds(year, number)
    quarter, _ = Quarter.objects.get_or_create(
        year=year, number=number, defaults={"start": start, "end": end, **defaults}
    )
    return quarter


def current_quarter(today: datetime.date, quarters: list[Quarter] | None = None) -> Quarter | None:
    """The quarter containing today, else the latest that has started, else the earliest."""
    if quarters is None:
        quarters = list(Quarter.objects.order_by("start"))
    if not quarters:
        return None
    started = [q for q in sorted(quarters, key=lambda q: q.start) if q.start <= today]
    return started[-1] if started else min(quarters, key=lambda q: q.start)


def pick_quarter(slug: str | None, today: datetime.date) -> tuple[Quarter | None, list[Quarter]]:
    """The quarter a page asked for with ?quarter=2026-q3 (or the current one), and all of them.

    One query (with each quarter's recorded figure); an unknown or malformed slug falls back
    to the current quarter.
    """
    quarters = list(Quarter.objects.with_record().order_by("start"))
    if slug:
        for quarter in quarters:
            if quarter.slug == slug:
                return quarter, quarters
    return current_quarter(today, quarters), quarters
