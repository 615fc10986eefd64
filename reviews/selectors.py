"""Reads of biweekly reviews, each in a constant number of queries whatever the size."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from milestones import ontime
from milestones.models import Milestone
from reviews import calibration
from reviews import diff as reviews
from reviews.models import Review, ReviewItem
from teams.models import Team

if TYPE_CHECKING:
    from milestones.models import Quarter
    from milestones.selectors import QuarterReport


def review_status(
    teams: Iterable[Team | int] | QuerySet[Team],
    today: datetime.date,
    *,
    cadence_days: int | None = None,
) -> dict[int, reviews.ReviewStatus]:
    """Each team's last and next review dates, and whether its review is overdue: one query.

    `teams` are teams, team ids or a queryset of teams; every one of them is in the answer
    (a team that never held a review is overdue, with no dates). Reviews dated after `today`
    do not count. The cadence is `MILEPOST_REVIEW_CADENCE_DAYS` unless given.
    """
    cadence = cadence_days or settings.MILEPOST_REVIEW_CADENCE_DAYS
    if not isinstance(teams, QuerySet):
        teams = [team if isinstance(team, int) else team.pk for team in teams]
        if not teams:
            return {}
    last_dates = (
        Team.objects.filter(pk__in=teams)
        .annotate(last=Max("reviews__held_on", filter=Q(reviews__held_on__lte=today)))
        .order_by()
        .values_list("pk", "last")
    )
    return {pk: reviews.review_status_on(last, today, cadence) for pk, last in last_dates}


def quarter_review_status(
    teams: Iterable[Team | int], quarter, today: datetime.date
) -> dict[int, reviews.ReviewStatus]:
    """The review status the dashboard shows for a quarter: one query.

    For the quarter in progress, each team's status today. For a finished quarter, the last
    review held by its end and nothing flagged (a cadence missed back then is not today's
    business). A quarter yet to start has no status at all.
    """
    if today < quarter.start:
        return {}
    if today <= quarter.end:
        return review_status(teams, today)
    return {
        pk: reviews.ReviewStatus(status.last_review_date, None, overdue=False)
        for pk, status in review_status(teams, quarter.end).items()
    }


@dataclass(frozen=True)
class AgendaRow:
    """One item on the review's agenda as the page shows it.

    `change` is what changed since the previous review (or None), `delivery` its on-time class
    on the review's date; `note` is the note shown, which is what was typed when a save was
    refused (`errors` says why) and the saved note otherwise.
    """

    item: ReviewItem
    note: str
    change: reviews.ItemChange | None = None
    delivery: ontime.Delivery | None = None
    days_vs_committed: int = 0
    errors: tuple[str, ...] = ()
    link: str = ""  # the milestone's ticket link, as it is now (not part of the snapshot)


@dataclass
class ReviewPage:
    """Everything the review page shows.

    `items` are on the agenda (open, new or changed); `unchanged` are the others, done or
    dropped before and untouched since.
    """

    review: Review
    items: list[AgendaRow]
    unchanged: list[ReviewItem]
    diff: reviews.ReviewDiff
    next_review: Review | None

    @property
    def notes(self) -> int:
        return sum(bool(row.item.note) for row in self.items)


def review_page(review: Review) -> ReviewPage:
    """The review's snapshot and what changed since the previous one: two queries.

    `review` comes with its team, quarter and previous review loaded (see the views' access
    helper). The diff reads the two snapshots only, never the live milestones.
    """
    by_review: dict[int, list[ReviewItem]] = defaultdict(list)
    for item in (
        ReviewItem.objects.filter(
            review_id__in=[pk for pk in (review.pk, review.previous_id) if pk]
        )
        # The milestone's ticket link as it is now; a subquery, not a join: the snapshot
        # outlives a deleted milestone (no foreign-key constraint).
        .annotate(
            ticket_link=Subquery(
                Milestone.objects.filter(pk=OuterRef("milestone_id")).values("link")[:1]
            )
        )
        .order_by("position", "pk")
    ):
        by_review[item.review_id].append(item)
    current = by_review[review.pk]
    previous = by_review[review.previous_id] if review.previous_id else None
    diff = reviews.diff(previous, current)
    rules = ontime.Rules.for_quarter(review.quarter)
    items, unchanged = [], []
    for item in current:
        item.review = review  # the loaded review, not a query per item
        if item.on_agenda:
            items.append(
                AgendaRow(
                    item=item,
                    note=item.note,
                    change=diff.for_milestone(item.milestone_id),
                    delivery=ontime.delivery_class(item, rules, review.held_on),
                    days_vs_committed=ontime.days_slipped(item),
                    link=item.ticket_link or "",
                )
            )
        else:
            unchanged.append(item)
    next_review = (
        Review.objects.filter(team_id=review.team_id, held_on__gt=review.held_on)
        .order_by("held_on")
        .only("pk", "held_on")
        .first()
    )
    return ReviewPage(review, items, unchanged, diff, next_review)


@dataclass
class ReviewRow:
    review: Review
    diff: reviews.ReviewDiff
    agenda: int
    notes: int


def team_reviews(team: Team) -> list[ReviewRow]:
    """The team's reviews, newest first, each with what changed since its previous one.

    Two queries: the reviews, and the items of all of them (a review's previous one is the
    team's, so it is among them).
    """
    team_reviews = list(
        Review.objects.filter(team=team).select_related("quarter").order_by("-held_on")
    )
    by_review: dict[int, list[ReviewItem]] = defaultdict(list)
    for item in (
        ReviewItem.objects.filter(review__team=team)
        .defer("note")
        .annotate(has_note=~Q(note=""))
        .order_by("position", "pk")
    ):
        by_review[item.review_id].append(item)
    rows = []
    for review in team_reviews:
        current = by_review[review.pk]
        previous = by_review[review.previous_id] if review.previous_id else None
        rows.append(
            ReviewRow(
                review,
                reviews.diff(previous, current),
                agenda=sum(item.on_agenda for item in current),
                notes=sum(item.has_note for item in current),
            )
        )
    return rows


# --- Forecast calibration and review dates ----------------------------------------------------


def review_calls(
    quarter: Quarter,
    today: datetime.date,
    *,
    teams: Iterable[int] | None = None,
) -> dict[int, list[calibration.Call]]:
    """What every review of the quarter held by `today` said of each milestone, by team (of
    the teams `teams`, else of all): one query (the snapshots joined with their review's
    date)."""
    items = ReviewItem.objects.filter(review__quarter=quarter, review__held_on__lte=today)
    if teams is not None:
        items = items.filter(review__team_id__in=list(teams))
    by_team: dict[int, list[calibration.Call]] = defaultdict(list)
    for team_id, milestone_id, status, held_on in items.order_by().values_list(
        "review__team_id", "milestone_id", "status", "review__held_on"
    ):
        by_team[team_id].append(calibration.Call(milestone_id, status, held_on))
    return by_team


def quarter_calibration(report: QuarterReport) -> dict[int, calibration.Calibration]:
    """Each team's forecast calibration for the report's quarter, judged on the report's day
    against the report's milestones (live, or as of a day): one query."""
    today = report.today
    assert today is not None, "quarter_report sets the day it judges on"
    calls = review_calls(report.quarter, today)
    rules = ontime.Rules.for_quarter(report.quarter)
    return {
        row.team.pk: calibration.calibrate(calls.get(row.team.pk, ()), row.milestones, rules, today)
        for row in report.rows
    }


def team_calibration(
    team: Team, quarter: Quarter, milestones: Iterable[Milestone], today: datetime.date
) -> calibration.Calibration:
    """One team's forecast calibration for a quarter (`quarter` carrying the rules of the day
    judged on): one query."""
    calls = review_calls(quarter, today, teams=[team.pk]).get(team.pk, ())
    return calibration.calibrate(calls, milestones, ontime.Rules.for_quarter(quarter), today)


def review_dates(quarter: Quarter, today: datetime.date) -> list[datetime.date]:
    """The days reviews were held in the quarter up to `today`, oldest first: the dashboard's
    as-of quick links. One query. (One team's are `review_days`.)"""
    found = Review.objects.filter(quarter=quarter, held_on__lte=today)
    return list(found.order_by("held_on").values_list("held_on", flat=True).distinct())


@dataclass(frozen=True)
class ReviewDays:
    """One team's review status on a day, and the days it held reviews in a quarter."""

    status: reviews.ReviewStatus
    days: list[datetime.date]  # of the quarter, up to today, oldest first


def review_days(
    team: Team,
    quarter: Quarter | None,
    today: datetime.date,
    *,
    status_on: datetime.date | None = None,
    cadence_days: int | None = None,
) -> ReviewDays:
    """The team page's reviews, one query: the team's review status on `status_on` (today
    unless given, an as-of day of the quarter otherwise; the rule is `review_status`'s) and
    the days of `quarter` the team held reviews up to `today` (the as-of quick links).

    A team holds a review every two weeks or so, a few dozen a year: its own review days are
    fewer rows than the two queries this reads them in place of would cost.
    """
    cadence = cadence_days or settings.MILEPOST_REVIEW_CADENCE_DAYS
    status_on = today if status_on is None else status_on
    held = list(
        Review.objects.filter(team=team, held_on__lte=max(today, status_on))
        .order_by("held_on")
        .values_list("held_on", "quarter_id")
    )
    last = max((day for day, _ in held if day <= status_on), default=None)
    days = []
    if quarter is not None:
        days = sorted({day for day, held_in in held if held_in == quarter.pk and day <= today})
    return ReviewDays(reviews.review_status_on(last, status_on, cadence), days)
