from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from milestones.models import Milestone, Quarter
from teams.models import Team


class Review(models.Model):
    """A team's biweekly review: its milestones of the quarter as they stood on a date.

    The snapshot (the items) is taken once, when the review starts, and never changes; what
    changed since the previous review is computed from the two snapshots by
    `reviews.diff.diff`, so a review reads the same however the milestones move
    afterwards. Notes and the summary are filled in while it is open; closing it makes it
    read-only until leadership reopens it. The writes are in `reviews.services`.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="reviews")
    quarter = models.ForeignKey(Quarter, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField("date")
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The team's review before this one in the same quarter, which the changes are "
        "measured against. Empty on the first review of a quarter: everything is new.",
    )
    summary = models.TextField(blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["team", "-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "held_on"],
                name="one_review_per_team_per_date",
                violation_error_message="This team already has a review on that date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} review of {self.held_on:%b %-d, %Y}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.team.slug, self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.quarter_id and self.held_on:
            quarter = self.quarter
            if not quarter.start <= self.held_on <= quarter.end:
                errors.setdefault("held_on", []).append(
                    f"{self.held_on:%b %-d, %Y} is not in {quarter} "
                    f"({quarter.start:%b %-d} – {quarter.end:%b %-d, %Y})."
                )
        if self.previous_id and self.previous:
            previous = self.previous
            if (previous.team_id, previous.quarter_id) != (self.team_id, self.quarter_id):
                errors.setdefault("previous", []).append(
                    "The previous review is of the same team and quarter."
                )
            elif self.held_on and previous.held_on >= self.held_on:
                errors.setdefault("previous", []).append("The previous review is an earlier one.")
        if errors:
            raise ValidationError(errors)


class ReviewItem(models.Model):
    """One milestone as it stood when its review started: a copy, never updated but its note.

    `milestone` and `owner` are historical references, as in simple-history's records: no
    database constraint and nothing happens on delete, so a snapshot outlives the rows it
    copied and still matches them by id in later diffs. Pages read the copied fields.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.DO_NOTHING, db_constraint=False, related_name="review_items"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Milestone.Status.choices)
    committed_date = models.DateField()
    target_date = models.DateField()
    delivered_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    owner_name = models.CharField(max_length=150, blank=True)
    position = models.PositiveIntegerField(default=0)
    on_agenda = models.BooleanField(
        default=True,
        help_text="Open, new or changed since the previous review: what the meeting goes "
        "through. The others are kept so that the next review can tell what changed.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "milestone"], name="one_item_per_milestone_per_review"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def of_snapshot(
        cls, review: Review, snapshot: Any, *, on_agenda: bool, note: str = ""
    ) -> ReviewItem:
        """The unsaved item that keeps `snapshot` (a `reviews.diff.Snapshot`) in `review`."""
        return cls(
            review=review,
            milestone_id=snapshot.milestone_id,
            title=snapshot.title,
            status=snapshot.status,
            committed_date=snapshot.committed_date,
            target_date=snapshot.target_date,
            delivered_date=snapshot.delivered_date,
            owner_id=snapshot.owner_id,
            owner_name=snapshot.owner_name,
            position=snapshot.position,
            on_agenda=on_agenda,
            note=note,
        )

    @property
    def is_open(self) -> bool:
        return self.status in Milestone.OPEN_STATUSES
