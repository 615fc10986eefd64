"""Resolving a sync conflict (SPEC section 4): take the sheet's value, or keep the app's.

Either way the next sync writes the outcome to the sheet: the conflicting cell shows the app's
value since the run that met the conflict, and the merge's base is that value, so taking the
sheet's value is an app-side change the next run pushes, and keeping the app's leaves both
sides as they are. Who may resolve is the view's question (`permissions.can_resolve_conflict`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.db import transaction
from django.utils import timezone

from milestones.history import Source, history_source
from milestones.models import Milestone
from milestones.services import update_milestone
from sheets.fields import from_json
from sheets.models import SyncConflict
from teams.models import User

if TYPE_CHECKING:
    import datetime

Choice = Literal["sheet", "app"]


class ConflictClosed(Exception):
    """Someone resolved the conflict first, or a later sync superseded it."""

    def __init__(self, conflict: SyncConflict):
        self.conflict = conflict
        super().__init__(f"The conflict is already {conflict.get_status_display()}.")


@transaction.atomic
def resolve_conflict(
    *,
    conflict: SyncConflict,
    take: Choice,
    user: User,
    today: datetime.date | None = None,
) -> SyncConflict:
    """Close the conflict. Taking the sheet's value saves it on the milestone through
    `update_milestone` (validated, versioned, in the milestone's history as coming from the
    sheet sync, by the user who took it, so its ledger reads "Changed in the sheet"); a value
    that no longer fits (an owner who left the team) raises ValidationError and leaves the
    conflict open."""
    if take not in ("sheet", "app"):
        raise ValueError(f"Take the sheet's value or keep the app's, not {take!r}.")
    conflict = (
        SyncConflict.objects.select_for_update().select_related("milestone").get(pk=conflict.pk)
    )
    if not conflict.is_open:
        raise ConflictClosed(conflict)
    if take == "sheet":
        milestone = conflict.milestone
        value = from_json(conflict.field, conflict.sheet_value)
        changes: dict = {conflict.field: value}
        if conflict.field == "owner":
            changes["owner"] = User.objects.get(pk=value) if value else None
        becomes_done = value == Milestone.Status.DONE != milestone.status
        if conflict.field == "status" and becomes_done:
            changes["delivered_date"] = today or timezone.localdate()
        with history_source(Source.SYNC):
            update_milestone(
                milestone=milestone, version=milestone.version, changes=changes, user=user
            )
        conflict.status = SyncConflict.Status.TOOK_SHEET
    else:
        conflict.status = SyncConflict.Status.KEPT_APP
    conflict.resolved_by = user
    conflict.resolved_at = timezone.now()
    conflict.save(update_fields=["status", "resolved_by", "resolved_at"])
    return conflict
