"""A day as the pages write it in tables: what `{{ day|date:"M j" }}` writes ("Dec 7"), for
the rows written in Python (the team table's, `milestones.templatetags.team_rows`; the
dashboard's, `dashboard.row_html`).

Remembered per day and language: a quarter has some ninety days, and `dateformat.format`
parses its format on every call, which thousands of cells a page made a visible cost (issue
17). The language is in the key because "M" is a translated month.
"""

from __future__ import annotations

import datetime
import functools

from django.utils.dateformat import format as format_date
from django.utils.translation import get_language


def short_day(day: datetime.date | None) -> str:
    """`day` as `date:"M j"` writes it in the active language; "" for no day."""
    return _short_day_in(day, get_language()) if day else ""


@functools.lru_cache(maxsize=2048)
def _short_day_in(day: datetime.date, language: str | None) -> str:
    return format_date(day, "M j")
