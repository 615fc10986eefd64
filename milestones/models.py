import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from milestones.history import HistorySourceModel
from teams.models import Membership, Team

# Dates further than this outside their quarter are typos (2062 for 2026), not plans.
SANE_MARGIN = datetime.timedelta(days=366)


class QuarterQuerySet(models.QuerySet):
    def containing(self, day: datetime.date) -> "QuarterQuerySet":
        return self.filter(start__lte=day, end__gte=day)


class Quarter(models.Model):
    year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(choices=[(n, f"Q{n}") for n in range(1, 5)])
    start = models.DateField()
    end = models.DateField()
    goal = models.PositiveSmallIntegerField(
        "on-time goal", default=0, help_text="How many teams leadership wants on time."
    )
    grace_days = models.PositiveSmallIntegerField(
        default=7, help_text="Days after the committed date that still count as on time."
    )
    locked = models.BooleanField(
        default=False, help_text="Once locked, only leadership changes committed dates."
    )
    excuse_dropped = models.BooleanField(
        "excuse dropped milestones",
        default=False,
        help_text="When set, dropped milestones do not count against their team.",
    )
    history = HistoricalRecords(bases=[HistorySourceModel])

    objects = QuarterQuerySet.as_manager()

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="unique_quarter"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="quarter_ends_after_it_starts",
                violation_error_message="A quarter ends after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"

    @property
    def slug(self) -> str:
        return f"{self.year}-q{self.number}"

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": "A quarter ends after it starts."})

    def is_finished(self, today: datetime.date) -> bool:
        return self.end < today


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN_STATUSES = (Status.PLANNED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="milestones")
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_milestones",
    )
    committed_date = models.DateField(help_text="The date promised at planning (the baseline).")
    target_date = models.DateField(help_text="Today's forecast.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    delivered_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    excused = models.BooleanField(
        default=False, help_text="Leadership excused this drop: it does not count against the team."
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(bases=[HistorySourceModel], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["quarter", "team", "position"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(delivered_date__isnull=False))
                | (~Q(status="done") & Q(delivered_date__isnull=True)),
                name="delivered_date_iff_done",
                violation_error_message="A done milestone has a delivered date; others have none.",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="version_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("milestones:detail", args=[self.team.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.status == self.Status.DONE and not self.delivered_date:
            errors.setdefault("delivered_date", []).append(
                "A done milestone needs the date it was delivered."
            )
        if self.status != self.Status.DONE and self.delivered_date:
            errors.setdefault("delivered_date", []).append(
                "Only a done milestone has a delivered date: clear it or set the status to done."
            )
        if self.owner_id and self.team_id and not self._owner_in_team():
            errors.setdefault("owner", []).append("The owner must be a member of this team.")
        if self.quarter_id:
            low, high = self.quarter.start - SANE_MARGIN, self.quarter.end + SANE_MARGIN
            for field in ("committed_date", "target_date", "delivered_date"):
                value = getattr(self, field)
                if value and not low <= value <= high:
                    label = self._meta.get_field(field).verbose_name
                    errors.setdefault(field, []).append(
                        f"The {label} {value:%b %-d, %Y} is too far from {self.quarter} "
                        f"({self.quarter.start:%b %-d} – {self.quarter.end:%b %-d, %Y})."
                    )
        if self.delivered_date and self.delivered_date > timezone.localdate():
            errors.setdefault("delivered_date", []).append(
                "The delivered date cannot be in the future."
            )
        if errors:
            raise ValidationError(errors)

    def _owner_in_team(self) -> bool:
        return Membership.objects.filter(
            team_id=self.team_id, user_id=self.owner_id, active=True
        ).exists()


# --- Slip reasons (the commitment ledger) -----------------------------------------------------


class SlipReason(models.Model):
    """Why a target date moved later: a short list leadership keeps in the admin."""

    name = models.CharField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the list.")
    active = models.BooleanField(
        default=True, help_text="Offered when a date moves later. Past slips keep their reason."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class SlipExplanation(models.Model):
    """The reason given for one slip: the historical record that moved a target date later.

    Slips themselves are read from the milestone's history (`milestones.ledger`); this only
    says why. A slip without one reads "changed in the sheet" when the sheet sync made it and
    "no reason given" otherwise, until someone who may edit the milestone gives a reason.
    """

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="slip_explanations"
    )
    record = models.OneToOneField(
        "milestones.HistoricalMilestone",
        on_delete=models.CASCADE,
        related_name="slip_explanation",
        help_text="The historical record of the move.",
    )
    reason = models.ForeignKey(SlipReason, on_delete=models.PROTECT, related_name="explanations")
    note = models.CharField(max_length=500, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.milestone}: {self.reason}"


# --- Nudges -------------------------------------------------------------------------------------


class Nudge(models.Model):
    """An e-mail the daily nudges sent someone: at most one per person per day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges"
    )
    sent_on = models.DateField()
    kinds = models.CharField(
        max_length=100, help_text="What it was about, comma-separated (review_overdue, …)."
    )
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "sent_on"], name="one_nudge_per_person_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.sent_on})"


# --- Reviews (SPEC section 3) ---------------------------------------------------------------


class Review(models.Model):
    """A team's biweekly review: its milestones of the quarter as they stood on a date.

    The snapshot (the items) is taken once, when the review starts, and never changes; what
    changed since the previous review is computed from the two snapshots by
    `milestones.reviews.diff`, so a review reads the same however the milestones move
    afterwards. Notes and the summary are filled in while it is open; closing it makes it
    read-only until leadership reopens it. The writes are in `milestones.services_reviews`.
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
        return reverse("milestones:review", args=[self.team.slug, self.pk])

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

    @property
    def is_open(self) -> bool:
        return self.status in Milestone.OPEN_STATUSES


# --- End of reviews --------------------------------------------------------------------------


# --- Sheet sync -------------------------------------------------------------------------------
# The sync's records live in milestones/sheets/models.py; importing them here makes them models
# of this app.
from milestones.sheets.models import SyncConflict, SyncLock, SyncRun, SyncState  # noqa: E402, F401
# --- End of sheet sync ------------------------------------------------------------------------
