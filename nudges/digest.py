"""Leadership's weekly digest (`nudges.rules` says who gets it, and when): the current
quarter's org figure against its goal, what slipped and what was delivered in the seven days
ending on its day, and the quarters that have ended but are not closed yet.

The week's lines cover the milestones of every quarter one of its days falls in
(`digest_quarters`): most weeks the current quarter alone; a week that crosses into a new
quarter covers the old one too, so the slips and deliveries of its last days are not left out,
and lists them by quarter (`Digest.by_quarter`). Consecutive digests cover consecutive weeks
(`digest_window`): nothing is reported twice or missed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from milestones import ontime
from milestones.models import Milestone, Quarter
from milestones.selectors import QuarterReport, quarter_report, target_points
from teams.models import Team

DIGEST_DAYS = 7


def digest_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days a digest covers: the seven days ending today, first and last (inclusive).

    Consecutive weekly digests cover consecutive windows: nothing is reported twice or missed.
    """
    return today - datetime.timedelta(days=DIGEST_DAYS - 1), today


def in_window(day: datetime.date | None, window: tuple[datetime.date, datetime.date]) -> bool:
    return day is not None and window[0] <= day <= window[1]


def digest_quarters(
    quarters: Sequence[Quarter], current: Quarter, window: tuple[datetime.date, datetime.date]
) -> list[Quarter]:
    """The quarters whose milestones a digest covers, oldest first: every quarter one of the
    week's days falls in, and the current one (whose figure it gives). Most weeks that is the
    current quarter alone; a week that crosses into a new quarter covers the old one too, so
    the slips and deliveries of its last days are not left out."""
    covered = {q for q in quarters if q.start <= window[1] and window[0] <= q.end}
    covered.add(current)
    return sorted(covered, key=lambda q: q.start)


@dataclass(frozen=True)
class SlipLine:
    milestone_id: int
    title: str
    team: Team
    from_date: datetime.date
    to_date: datetime.date
    on: datetime.date  # the day the target date moved

    @property
    def days(self) -> int:
        return (self.to_date - self.from_date).days


@dataclass(frozen=True)
class DeliveredLine:
    milestone_id: int
    title: str
    team: Team
    delivered_date: datetime.date
    delivery: ontime.Delivery  # on time or late


@dataclass(frozen=True)
class DigestQuarter:
    """What slipped and what was delivered in the digest's week among one quarter's milestones."""

    quarter: Quarter
    slipped: tuple[SlipLine, ...]
    delivered: tuple[DeliveredLine, ...]


@dataclass(frozen=True)
class Digest:
    """Leadership's weekly digest, the same for every recipient."""

    quarter: Quarter  # the current quarter, whose figure it gives
    figure: ontime.OrgFigure
    window: tuple[datetime.date, datetime.date]
    # The week's slips and deliveries, by quarter (`digest_quarters`), oldest first: one quarter
    # most weeks, two in a week that crosses into a new quarter.
    by_quarter: tuple[DigestQuarter, ...]
    to_close: tuple[Quarter, ...] = ()  # ended, not closed yet: leadership's to close

    @property
    def spans_quarters(self) -> bool:
        """The week's days fall in more than one quarter: its lines say whose they are."""
        return len(self.by_quarter) > 1

    @property
    def quarters_label(self) -> str:
        """The quarters' names: "2026 Q4", or "2026 Q4 and 2027 Q1" in a week across two."""
        names = [str(part.quarter) for part in self.by_quarter] or [str(self.quarter)]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"

    @property
    def slipped(self) -> tuple[SlipLine, ...]:
        return tuple(line for part in self.by_quarter for line in part.slipped)

    @property
    def delivered(self) -> tuple[DeliveredLine, ...]:
        return tuple(line for part in self.by_quarter for line in part.delivered)


def build_digest(
    quarter: Quarter,
    today: datetime.date,
    *,
    quarters: Sequence[Quarter] = (),
    to_close: list[Quarter] | None = None,
) -> Digest:
    """The org figure of `quarter` (the current one); the week's slips and deliveries over the
    active teams' milestones of each quarter of `quarters` the week's days fall in, and of
    `quarter` (`digest_quarters`), by quarter; and the quarters `to_close` (ended, not closed
    yet). A quarter's report per quarter covered (`selectors.quarter_report`), and one query
    for the history of all their milestones."""
    window = digest_window(today)
    reports = [quarter_report(q, today) for q in digest_quarters(quarters, quarter, window)]
    milestones = [m for report in reports for row in report.rows for m in row.milestones]
    points = target_points([m.pk for m in milestones]) if milestones else {}
    by_quarter = tuple(_week_of(report, points, window, today) for report in reports)
    (figure,) = [report.figure for report in reports if report.quarter == quarter]
    return Digest(quarter, figure, window, by_quarter, tuple(to_close or ()))


def _week_of(
    report: QuarterReport,
    points: dict[int, list[ontime.TargetPoint]],
    window: tuple[datetime.date, datetime.date],
    today: datetime.date,
) -> DigestQuarter:
    """The slips recorded and the deliveries made in `window` among the report's milestones:
    the biggest slips first, the deliveries by day."""
    slipped = []
    for row in report.rows:
        for m in row.milestones:
            for slip in ontime.find_slips(points.get(m.pk, [])):
                on = timezone.localdate(slip.at) if slip.at else None
                if in_window(on, window):
                    slipped.append(
                        SlipLine(m.pk, m.title, row.team, slip.from_date, slip.to_date, on)
                    )
    slipped.sort(key=lambda s: (-s.days, s.team.name, s.title))
    rules = ontime.Rules.for_quarter(report.quarter)
    delivered = sorted(
        (
            DeliveredLine(
                m.pk, m.title, row.team, m.delivered_date, ontime.delivery_class(m, rules, today)
            )
            for row in report.rows
            for m in row.milestones
            if m.status == Milestone.Status.DONE and in_window(m.delivered_date, window)
        ),
        key=lambda d: (d.delivered_date, d.team.name, d.title),
    )
    return DigestQuarter(report.quarter, tuple(slipped), tuple(delivered))
