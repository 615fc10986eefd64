"""Writes to biweekly reviews (SPEC section 3).

Each service is one transaction and validates with `full_clean()`. Who may call them is the
caller's question, answered by `milestones.permissions` (`can_run_review`,
`can_reopen_review`). When a review may be written is answered here: a closed review refuses
notes and a summary with `ReviewClosed`, checked on the review row read under a lock, so that a
note and a close never interleave (on SQLite the IMMEDIATE transaction holds the database's
write lock instead).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from milestones.changes import bump_every_quarter
from milestones.models import Milestone, Quarter
from reviews import diff as reviews
from reviews.models import Review, ReviewItem
from teams.models import Team

if TYPE_CHECKING:
    from teams.models import User


class ReviewClosed(Exception):
    """The review is closed: its notes and summary are read-only until leadership reopens it.

    `review` is the review as it is now, read under the lock: who closed it, and when.
    """

    def __init__(self, review: Review):
        self.review = review
        super().__init__(f"Review {review.pk} is closed.")


@transaction.atomic
def start_review(*, team: Team, held_on: datetime.date, user: User | None) -> Review:
    """Start the team's review of `held_on`: snapshot its milestones of the quarter of that date.

    The date is today or earlier (a review records what was presented), and later than the
    team's latest review: the snapshot is taken now, so a review dated before another one would
    claim an older picture than the one after it. Raises `ValidationError` on `held_on`
    otherwise, or when no quarter contains the date. The previous review, which the changes are
    measured against, is the team's latest one if it is of the same quarter.
    """
    # Two leads' clicks on "Start" must not both see "no review yet today".
    Team.objects.select_for_update().filter(pk=team.pk).values_list("pk").get()
    today = timezone.localdate()
    if held_on > today:
        raise ValidationError(
            {"held_on": f"A review is dated today or earlier, not {held_on:%b %-d, %Y}."}
        )
    latest = Review.objects.filter(team=team).order_by("-held_on").first()
    if latest is not None and latest.held_on == held_on:
        raise ValidationError(
            {
                "held_on": ValidationError(
                    f"{team} already has a review on {held_on:%b %-d, %Y}.", code="exists"
                )
            }
        )
    if latest is not None and held_on < latest.held_on:
        raise ValidationError(
            {
                "held_on": f"{team}'s latest review is of {latest.held_on:%b %-d, %Y}: a new one "
                "comes after it."
            }
        )
    quarter = Quarter.objects.containing(held_on).first()
    if quarter is None:
        raise ValidationError(
            {"held_on": f"No quarter contains {held_on:%b %-d, %Y}: leadership adds it first."}
        )
    milestones = Milestone.objects.filter(team=team, quarter=quarter).select_related("owner")
    return _record_review(
        team=team,
        quarter=quarter,
        held_on=held_on,
        previous=latest if latest is not None and latest.quarter_id == quarter.pk else None,
        snapshots=[reviews.snapshot_of(m, m.owner.name if m.owner else "") for m in milestones],
        started_by=user,
    )


def _record_review(
    *,
    team: Team,
    quarter: Quarter,
    held_on: datetime.date,
    previous: Review | None,
    snapshots: Sequence[reviews.Snapshot],
    started_by: User | None,
) -> Review:
    """Save a review and its snapshot, marking the items on the agenda.

    The items are copies of rows that are valid already, so they are bulk-created without a
    `full_clean()` each (which would cost a query per foreign key per item).
    """
    review = Review(
        team=team,
        quarter=quarter,
        held_on=held_on,
        previous=previous,
        started_by=started_by,
    )
    review.full_clean()
    review.save()
    previous_items = list(previous.items.all()) if previous is not None else None
    on_agenda = reviews.agenda(snapshots, previous_items)
    ReviewItem.objects.bulk_create(
        ReviewItem.of_snapshot(review, snapshot, on_agenda=snapshot.milestone_id in on_agenda)
        for snapshot in snapshots
    )
    # A review shows on every dashboard from its quarter on (the teams' last review, the
    # review calls, the as-of days): every quarter's report is stale.
    bump_every_quarter()
    return review


@transaction.atomic
def set_item_note(*, item: ReviewItem, note: str) -> ReviewItem:
    """Write the note of one item of an open review (raises `ReviewClosed`)."""
    _lock_open(item.review)
    item.note = note
    # The milestone and owner are historical references (the rows may be gone): only the
    # fields the note touches are checked.
    item.full_clean(exclude=["review", "milestone", "owner"])
    item.save(update_fields=["note"])
    return item


@transaction.atomic
def set_summary(*, review: Review, summary: str) -> Review:
    """Write the summary of an open review (raises `ReviewClosed`)."""
    current = _lock_open(review)
    current.summary = summary
    current.full_clean()
    current.save(update_fields=["summary"])
    return current


@transaction.atomic
def close_review(*, review: Review, user: User | None) -> Review:
    """Close the review: notes and summary become read-only.

    Closing a closed review changes nothing (a second tab, a double click): it stays closed by
    whoever closed it first.
    """
    current = _lock(review)
    if current.is_closed:
        return current
    current.closed_at = timezone.now()
    current.closed_by = user
    current.full_clean()
    current.save(update_fields=["closed_at", "closed_by"])
    return current


@transaction.atomic
def reopen_review(*, review: Review, user: User | None) -> Review:
    """Open a closed review again for notes and summary; the snapshot stays as it was taken.

    The last reopening is recorded (who, when). Reopening an open review changes nothing.
    """
    current = _lock(review)
    if not current.is_closed:
        return current
    current.closed_at = None
    current.closed_by = None
    current.reopened_at = timezone.now()
    current.reopened_by = user
    current.full_clean()
    current.save(update_fields=["closed_at", "closed_by", "reopened_at", "reopened_by"])
    return current


def _lock(review: Review) -> Review:
    """The review as the database has it, locked for this transaction."""
    current = Review.objects.select_for_update().get(pk=review.pk)
    # Reuse the relations the caller loaded: full_clean() reads the quarter and the previous
    # review, and the caller renders the team.
    for name in ("team", "quarter", "previous"):
        field = Review._meta.get_field(name)
        if field.is_cached(review) and getattr(current, field.attname) == getattr(
            review, field.attname
        ):
            field.set_cached_value(current, field.get_cached_value(review))
    return current


def _lock_open(review: Review) -> Review:
    current = _lock(review)
    if current.is_closed:
        raise ReviewClosed(current)
    return current
