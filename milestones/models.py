"""The milestones domain's tables: quarters, milestones, slips, the records of a close,
restatements, dependencies and the change counters.

Length: Django finds an app's models in one module; these nine share foreign keys and
constraints, and splitting them into a package would only scatter what a migration reads.
"""

import datetime
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from milestones.history import HistorySourceModel
from teams.models import Membership, Team

# Dates further than this outside their quarter are typos (2062 for 2026), not plans.
SANE_MARGIN = datetime.timedelta(days=366)
# A milestone's notes and description fit a page and a sheet cell: up to this many characters.
LONG_TEXT_MAX_LENGTH = 10_000


class QuarterQuerySet(models.QuerySet):
    def containing(self, day: datetime.date) -> "QuarterQuerySet":
        return self.filter(start__lte=day, end__gte=day)

    def with_record(self) -> "QuarterQuerySet":
        """With the figure recorded at close, in the same query (`closing.records_for`)."""
        return self.select_related("record")


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
    planning_opens = models.DateField(
        null=True,
        blank=True,
        help_text="The day teams start planning this quarter. Empty: two weeks before it starts.",
    )
    # The recorded act of closing (`milestones.closing.close_quarter`); the figure recorded
    # then is the quarter's `QuarterRecord`. Set only by that service.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(bases=[HistorySourceModel])

    # Leadership's rules (settings page); after close a change is a restatement (closing.py).
    SETTINGS_FIELDS = ("goal", "grace_days", "locked", "excuse_dropped", "planning_opens")

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

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    OPEN_STATUSES = (Status.PLANNED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)

    # The fields an edit may change, from the web, the sheet or a command, in the order the
    # edit row shows them. Team, quarter and position have services of their own; the
    # version only ever goes up.
    EDITABLE_FIELDS = (
        "title",
        "owner",
        "committed_date",
        "target_date",
        "status",
        "excused",
        "delivered_date",
        "notes",
        "description",
        "link",
    )

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
    # The ticket or epic behind the milestone (issue 20): a web address, nothing else.
    link = models.URLField(
        "ticket link",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The epic or ticket behind this milestone (https://…).",
    )
    excused = models.BooleanField(
        default=False, help_text="Leadership excused this drop: it does not count against the team."
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Carried over at the close of an earlier quarter: the milestone it continues.
    carried_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
        editable=False,
    )
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

    @classmethod
    def text_error(cls, name: str, value: str) -> str | None:
        """Why this title, description or notes text is refused (None: it is fine).

        The one rule for free text, for every writer: `clean()` (the web, commands) and the
        sheet sync's per-cell report.
        """
        if name == "title":
            max_length = cls._meta.get_field("title").max_length
            if "\n" in value or "\r" in value:
                return "A title is one line: put the rest in the description."
            if len(value) > max_length:
                return f"Keep the title to {max_length} characters; it has {len(value)}."
            return None
        if len(value) > LONG_TEXT_MAX_LENGTH:
            return (
                f"Keep this to {LONG_TEXT_MAX_LENGTH:,} characters; it has {len(value):,}. "
                "Link to a longer document instead."
            )
        return None

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for name in ("title", "description", "notes"):
            value = getattr(self, name) or ""
            too_long_title = name == "title" and len(value) > self._meta.get_field(name).max_length
            # An over-long title is already refused by the field's own max_length.
            if not too_long_title and (error := self.text_error(name, value)):
                errors.setdefault(name, []).append(error)
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

    def follow_status(
        self, *, given: Collection[str] = (), delivered_on: datetime.date | None = None
    ) -> None:
        """What follows a status change, for every writer (the web, the sheet sync, commands).

        SPEC: the delivered date is "required when done, cleared otherwise". Leaving "done"
        clears it and leaving "dropped" clears leadership's excuse, which only a drop carries,
        unless the change itself sets them (`given`: the fields the change names). A milestone
        done without a delivered date takes `delivered_on` when the writer knows the day (the
        sync does); otherwise `clean()` asks for it.
        """
        if self.status == self.Status.DONE:
            if self.delivered_date is None and delivered_on is not None:
                self.delivered_date = delivered_on
        elif "delivered_date" not in given:
            self.delivered_date = None
        if self.status != self.Status.DROPPED and "excused" not in given:
            self.excused = False

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


# --- Closing a quarter (issue 15) -------------------------------------------------------------


class QuarterRecord(models.Model):
    """The figure recorded when leadership closed a quarter: what the trend and every later
    page show for it, whatever changes afterwards (those are restatements, shown beside it)."""

    quarter = models.OneToOneField(Quarter, on_delete=models.PROTECT, related_name="record")
    on_time = models.PositiveSmallIntegerField("teams on time")
    teams = models.PositiveSmallIntegerField("teams counted")
    milestones_on_time = models.PositiveIntegerField()
    milestones_due = models.PositiveIntegerField()
    goal = models.PositiveSmallIntegerField("on-time goal")
    grace_days = models.PositiveSmallIntegerField()
    excuse_dropped = models.BooleanField("excuse dropped milestones", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # Each team's verdict and counts at close (`closing.team_counts`), by team id; null for a
    # quarter closed before they were recorded (milestones migration 0012): its teams are
    # then judged live, and say so (`closing.recorded_team_figures`).
    team_figures = models.JSONField(
        null=True,
        blank=True,
        help_text="Each team's counts at close, by team id; empty when closed before 0012.",
    )

    class Meta:
        ordering = ["-quarter__start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_time__lte=models.F("teams")),
                name="record_on_time_within_teams",
                violation_error_message="More teams on time than teams counted.",
            ),
            models.CheckConstraint(
                condition=Q(milestones_on_time__lte=models.F("milestones_due")),
                name="record_on_time_within_due",
                violation_error_message="More milestones on time than due.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quarter}: {self.on_time} of {self.teams} teams on time (recorded)"


class CloseDecision(models.Model):
    """What leadership decided, at close, for a milestone still open: carry it over into the
    next quarter (the new milestone's `carried_from` is this one) or drop it, and why."""

    class Action(models.TextChoices):
        CARRY = "carry", "Carry over"
        DROP = "drop", "Drop"

    record = models.ForeignKey(QuarterRecord, on_delete=models.CASCADE, related_name="decisions")
    milestone = models.OneToOneField(
        Milestone, on_delete=models.CASCADE, related_name="close_decision"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["milestone__team__name", "milestone__position", "milestone__pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.milestone}"


class Restatement(models.Model):
    """A change leadership made to a closed quarter, and why: to one of its milestones
    (`milestone` and the historical record of the change, `record`) or to its settings, goal,
    grace or excuses (`quarter` and the quarter's historical record, `quarter_record`). Shown
    in the milestone's ledger and on the quarter's record beside the recorded figure."""

    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="restatements"
    )
    record = models.OneToOneField(
        "milestones.HistoricalMilestone",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="restatement",
        help_text="The historical record of the change.",
    )
    quarter = models.ForeignKey(
        Quarter, null=True, blank=True, on_delete=models.CASCADE, related_name="restated"
    )
    quarter_record = models.OneToOneField(
        "milestones.HistoricalQuarter",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="restatement",
        help_text="The historical record of the change to the quarter's settings.",
    )
    reason = models.CharField(max_length=500)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["given_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(milestone__isnull=False, record__isnull=False)
                    & Q(quarter__isnull=True, quarter_record__isnull=True)
                )
                | (
                    Q(milestone__isnull=True, record__isnull=True)
                    & Q(quarter__isnull=False, quarter_record__isnull=False)
                ),
                name="restatement_of_a_milestone_or_a_quarter",
                violation_error_message="A restatement is of a milestone or of quarter settings.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone or self.quarter}: {self.reason}"


# --- Cross-team dependencies (issue 16) -------------------------------------------------------


class Dependency(models.Model):
    """The downstream milestone waits on the upstream one (of any team).

    Whether the downstream is at risk from it is computed (`milestones.dependencies`), never
    stored. Added and removed by `milestones.services.add_dependency`/`remove_dependency`;
    the history keeps each link's life, for the as-of views.
    """

    downstream = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="upstream_links"
    )
    upstream = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="downstream_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(bases=[HistorySourceModel])

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["downstream", "upstream"],
                name="unique_dependency",
                violation_error_message="This milestone already waits on that one.",
            ),
            models.CheckConstraint(
                condition=~Q(downstream=models.F("upstream")),
                name="dependency_not_on_itself",
                violation_error_message="A milestone cannot wait on itself.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.downstream} waits on {self.upstream}"


# --- What the reports' cache is keyed by -----------------------------------------------------


class ChangeCounter(models.Model):
    """How often anything a quarter's reports show has changed: bumped by every write, in the
    writer's transaction (`milestones.changes.bump`), read by the dashboard's cache
    (`dashboard.cache`) as part of its key, so that a report is never served after a change
    it does not show, on whichever server asks.

    `token` is new at each bump: a database restored from a backup, or a second database
    sharing the cache, never meets a key made for other data with the same count. `trail`
    says which teams the last changes were of (`milestones.changes.changed_teams`).
    """

    quarter = models.OneToOneField(
        Quarter, on_delete=models.CASCADE, primary_key=True, related_name="change_counter"
    )
    value = models.PositiveBigIntegerField(default=0)
    token = models.CharField(max_length=32, blank=True)
    # The last changes, newest first (`milestones.changes`: 64 entries of 18 characters).
    trail = models.CharField(max_length=1152, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.quarter}: {self.value}"
