"""The sheet sync's records (SPEC section 4): runs, last synced values, conflicts, the lock."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from sheets.parse import FIELDS, HEADERS

# The fields a conflict can be on: those the sheet carries, labelled by their column's header.
FIELD_CHOICES = [(name, HEADERS[name]) for name in FIELDS]


class SyncRun(models.Model):
    """One run of the sync, from the moment it was asked for to its end.

    A run still RUNNING while no sync holds the lock was interrupted (its process died): the
    next run marks it failed and takes over its journal (see `sheets.journal`).
    """

    class Trigger(models.TextChoices):
        COMMAND = "command", "command"
        WEB = "web", "Sync now"

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        OK = "ok", "ok"
        PARTIAL = "partial", "partial"
        FAILED = "failed", "failed"

    FINISHED = (Status.OK, Status.PARTIAL, Status.FAILED)

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team_slugs = models.JSONField(
        default=list, blank=True, help_text="The teams the run was limited to; empty: all."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # What a page polling the run shows while it runs.
    progress_label = models.CharField(max_length=200, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)

    created_in_app = models.PositiveIntegerField(default=0)
    updated_in_app = models.PositiveIntegerField(default=0)
    created_in_sheet = models.PositiveIntegerField(
        default=0, help_text="Rows added to the sheet, restored rows included."
    )
    updated_in_sheet = models.PositiveIntegerField(default=0)
    restored = models.PositiveIntegerField(default=0, help_text="Rows deleted from the sheet.")
    conflicts = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0, help_text="Cells that could not be read.")
    requests = models.PositiveIntegerField(default=0, help_text="Sheets API requests made.")

    teams = models.JSONField(default=list, blank=True, help_text="Counts per team.")
    messages = models.JSONField(default=list, blank=True, help_text="The run's log.")
    error = models.TextField(blank=True, help_text="Why the run failed.")
    # Written before the sheet write: what that write is about to overwrite in the sheet
    # (conflicting cells) and the rows it gives IDs to, so that a run interrupted between the
    # sheet write and its database commit loses nothing (see `sheets.journal`).
    journal = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Sync run {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def error_messages(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("level") == "error"]


class SyncState(models.Model):
    """The last synced value of each field of a milestone, and where its row was.

    A milestone has a state once its row and the app agreed at the end of a successful run:
    the state is what the next run's three-way merge compares both sides against.
    """

    milestone = models.OneToOneField(
        "milestones.Milestone", on_delete=models.CASCADE, related_name="sync_state"
    )
    tab = models.CharField(max_length=100)
    row = models.PositiveIntegerField(help_text="The sheet's row number (the header is row 1).")
    # Field name -> value as JSON (dates as ISO text, the owner as a user id).
    values = models.JSONField(default=dict)
    synced_at = models.DateTimeField()

    class Meta:
        verbose_name = "sync state"

    def __str__(self) -> str:
        return f"{self.tab}!{self.row} (milestone {self.milestone_id})"


class SyncConflict(models.Model):
    """A field both sides changed to different values: the app's value stayed, this keeps
    the sheet's until leadership or the team's lead decides."""

    class Status(models.TextChoices):
        OPEN = "open", "open"
        TOOK_SHEET = "took_sheet", "took the sheet's value"
        KEPT_APP = "kept_app", "kept the app's value"
        SUPERSEDED = "superseded", "superseded by a later edit"

    milestone = models.ForeignKey(
        "milestones.Milestone", on_delete=models.CASCADE, related_name="sync_conflicts"
    )
    field = models.CharField(max_length=20, choices=FIELD_CHOICES)
    sheet_value = models.JSONField(null=True, help_text="The sheet's value, as the app reads it.")
    sheet_text = models.TextField(blank=True, help_text="The cell as it was typed.")
    app_value = models.JSONField(null=True, help_text="The app's value when the sync met it.")
    base_value = models.JSONField(null=True, blank=True)
    has_base = models.BooleanField(
        default=True, help_text="False when the row was first seen: no earlier value to compare."
    )
    tab = models.CharField(max_length=100)
    row = models.PositiveIntegerField()
    column = models.CharField(max_length=3)
    run = models.ForeignKey(
        SyncRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detected_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "field"],
                condition=Q(status="open"),
                name="one_open_sync_conflict_per_field",
                violation_error_message="This field already has an open sync conflict.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()} of milestone {self.milestone_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class SyncLock(models.Model):
    """A named lease, so that one sync runs at a time across processes and servers.

    Claimed by a conditional UPDATE (free or expired -> ours), which every database runs
    atomically; no advisory locks, so it behaves the same on SQLite and PostgreSQL. A holder
    that dies leaves a lease that expires on its own.
    """

    name = models.CharField(max_length=50, unique=True)
    holder = models.CharField(max_length=64, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.holder or 'free'})"


class TabLink(models.Model):
    """The tab a team's rows live in, by its sheetId (stable across renames), once a run
    synced it: the next runs find the tab by this id first, then by the team's tab title, so a
    renamed tab keeps syncing and the team's stored tab title follows it."""

    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE, related_name="tab_link")
    sheet_id = models.BigIntegerField(help_text="The tab's sheetId in the spreadsheet.")
    title = models.CharField(max_length=100, help_text="The tab's title at the last run.")
    linked_at = models.DateTimeField()

    class Meta:
        verbose_name = "linked tab"

    def __str__(self) -> str:
        return f"{self.title} (sheetId {self.sheet_id})"


class ColumnMapping(models.Model):
    """Leadership's word on one header of a team's tab: the field its column carries, or
    none (an empty `field`: the column is the sheet's own, even if its header names a field).
    Used by every run in place of the header aliases for that header (`sheets.mapping`)."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    header = models.CharField(
        max_length=200, help_text="The header as compared: case and spaces aside."
    )
    field = models.CharField(max_length=20, blank=True, help_text="Empty: not mapped.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["team", "header"]
        constraints = [
            models.UniqueConstraint(fields=["team", "header"], name="one_mapping_per_header")
        ]

    def __str__(self) -> str:
        return f"{self.header!r} -> {self.field or 'not mapped'}"
