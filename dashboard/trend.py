"""The on-time trend across quarters: the org figure of every quarter so far (SPEC section 5),
which `dashboard.charts.trend_chart` lays out. A closed quarter shows the figure recorded at
its close (`milestones.closing`), whatever changed since; the others are judged by
`milestones.ontime.org_trend`'s rules over facts read in one query.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from milestones import closing, ontime
from milestones.models import Milestone, Quarter
from milestones.selectors import QuarterReport


@dataclass(frozen=True, slots=True)
class _MilestoneFacts:
    """The fields the rules read, without building model instances for every quarter."""

    quarter_id: int
    team_id: int
    status: str
    committed_date: datetime.date
    target_date: datetime.date
    delivered_date: datetime.date | None
    excused: bool


def on_time_trend(
    quarters: Sequence[Quarter], today: datetime.date, report: QuarterReport | None = None
) -> list[ontime.TrendPoint]:
    """The org figure of every quarter so far, oldest first (one query).

    The quarter of `report`, when given, takes its figure from it rather than from the
    database a second time: the same rules over the same milestones give the same figure.
    Closed quarters take their recorded figure (read with the quarters, `with_record()`, or
    in one more query).
    """
    started = [q for q in quarters if q.start <= today]
    records = closing.records_for(started)
    recorded = [
        ontime.TrendPoint(q, closing.recorded_figure(records[q.pk]), True, recorded=True)
        for q in started
        if q.pk in records and records[q.pk].teams
    ]
    started = [q for q in started if q.pk not in records]
    known = report if report is not None and report.quarter in started else None
    others = [q for q in started if known is None or q != known.quarter]
    points = []
    if others:
        facts = Milestone.objects.filter(quarter__in=others, team__active=True).values_list(
            "quarter_id",
            "team_id",
            "status",
            "committed_date",
            "target_date",
            "delivered_date",
            "excused",
        )
        points = ontime.org_trend(others, (_MilestoneFacts(*row) for row in facts), today)
    if known is not None and known.figure.teams:
        quarter = known.quarter
        points.append(ontime.TrendPoint(quarter, known.figure, quarter.is_finished(today)))
    return sorted([*points, *recorded], key=lambda point: point.quarter.start)
