"""Writes to milestones.

Each service is one transaction, validates with `full_clean()` and leaves a historical record
carrying the user who made the change (the record's source, "web" under a request, comes from
`milestones.history`). Services enforce the data rules and optimistic concurrency; who may
call them is the caller's question, answered by `milestones.permissions`.

Every service counts its change in the quarter's change counter (`milestones.changes`), in
its transaction: what the dashboard's cache is keyed by.

Concurrency: every write to a milestone bumps its `version`. An edit names the version it
started from; the row is read again under `SELECT ... FOR UPDATE` (on SQLite the IMMEDIATE
transaction already holds the database's write lock) and a different version raises
`StaleMilestone` before anything is written. Writes that change the shape of a team's table
(adding, reordering) lock the team row, so two of them never interleave.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from milestones import dependencies, ontime
from milestones.changes import bump as count_change
from milestones.models import (
    Dependency,
    Milestone,
    Quarter,
    Restatement,
    SlipExplanation,
    SlipReason,
)
from teams.models import Team

if TYPE_CHECKING:
    from teams.models import User

Direction = Literal["up", "down"]
_ALL_BUT_POSITION = [f.name for f in Milestone._meta.fields if f.name != "position"]


class StaleMilestone(Exception):
    """Someone saved the milestone after the version the edit started from.

    `current` is the milestone as it is now, read under the lock: what the user should see.
    """

    def __init__(self, current: Milestone, version: int):
        self.current = current
        self.version = version
        super().__init__(f"Milestone {current.pk} is at version {current.version}, not {version}.")


@transaction.atomic
def create_milestone(
    *,
    team: Team,
    quarter: Quarter,
    user: User | None,
    title: str,
    committed_date: datetime.date | None,
    target_date: datetime.date | None = None,
    owner: User | None = None,
    description: str = "",
    notes: str = "",
    carried_from: Milestone | None = None,
    ask_past_target: bool = False,
    past_target_confirmed: bool = False,
) -> Milestone:
    """Add a planned milestone at the bottom of the team's table for the quarter.

    The target date starts as the committed date unless one is given: on day one the forecast
    is the promise. A closed quarter takes no new milestone.

    With `ask_past_target` (the add row in the browser), a target date before today is
    refused as an edit's is (`update_milestone`) unless `past_target_confirmed`.
    """
    _refuse_closed(quarter)
    _lock_team(team)
    last = Milestone.objects.filter(team=team, quarter=quarter).aggregate(Max("position"))
    milestone = Milestone(
        team=team,
        quarter=quarter,
        title=title,
        description=description,
        owner=owner,
        committed_date=committed_date,
        target_date=target_date or committed_date,
        status=Milestone.Status.PLANNED,
        notes=notes,
        position=0 if last["position__max"] is None else last["position__max"] + 1,
        carried_from=carried_from,
    )
    if ask_past_target and not past_target_confirmed:
        asked = _past_target_asked(milestone, moved_from=None)
        if asked:
            _refuse_with(milestone, asked)
    return _save(milestone, user, bump=False)


@transaction.atomic
def update_milestone(
    *,
    milestone: Milestone,
    version: int,
    changes: Mapping[str, Any],
    user: User | None,
    slip_reason: SlipReason | None = None,
    slip_note: str = "",
    ask_reason: bool = False,
    restatement_reason: str = "",
    ask_past_target: bool = False,
    past_target_confirmed: bool = False,
) -> Milestone:
    """Apply `changes` (field name to new value) to the milestone saved as `version`.

    Raises `StaleMilestone` when someone saved it since, and `ValidationError` (field by
    field) when the result breaks a rule; in both cases nothing is written. Leaving "done"
    clears the delivered date unless the change sets one, and leaving "dropped" clears
    leadership's excuse (`Milestone.follow_status`, the rule the sheet sync follows too).

    When the save moves the target date later, `slip_reason` (and `slip_note`) is recorded as
    the reason of that slip, on the historical record the save creates; it is ignored when
    the target date does not move later. With `ask_reason` (an edit in the browser) a move
    later without a reason is refused like a broken rule, beside the other errors, unless no
    reason is left to pick; the sheet sync and commands move dates without one.

    A milestone of a closed quarter changes only as a restatement: `restatement_reason` is
    required (refused like a broken rule without it) and kept, with who gave it, on the
    change's historical record (`Restatement`), for the ledger and the quarter's record.

    With `ask_past_target` (an edit in the browser), moving the target date of a milestone
    that stays open to a day before today is refused (a date typed wrong, as often as not)
    unless `past_target_confirmed`: the row then offers to confirm it. A restatement of a
    closed quarter, all of it in the past, is not asked.
    """
    unknown = set(changes) - set(Milestone.EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not fields an edit changes: {', '.join(sorted(unknown))}.")
    current = _lock(milestone, version)
    target_before = current.target_date
    for name, value in changes.items():
        setattr(current, name, value)
    current.follow_status(given=changes)
    slips = current.target_date > target_before
    asked: dict[str, list[ValidationError]] = {}
    if (
        ask_reason
        and slips
        and slip_reason is None
        and SlipReason.objects.filter(active=True).exists()
    ):
        asked["slip_reason"] = [ValidationError(REASON_NEEDED, code="slip_reason")]
    restating = current.quarter.is_closed
    if restating and not restatement_reason.strip():
        asked["restatement_reason"] = [
            ValidationError(RESTATEMENT_NEEDED, code="restatement_reason")
        ]
    if ask_past_target and not restating and not past_target_confirmed:
        asked |= _past_target_asked(current, moved_from=target_before)
    if asked:
        _refuse_with(current, asked)
    _save(current, user)
    if (slip_reason is not None and slips) or restating:
        record = current.history.order_by("-history_date", "-history_id").first()
        if slip_reason is not None and slips:
            SlipExplanation.objects.create(
                milestone=current,
                record=record,
                reason=slip_reason,
                note=slip_note,
                given_by=user,
            )
        if restating:
            restatement = Restatement(
                milestone=current,
                record=record,
                reason=restatement_reason.strip(),
                given_by=user,
            )
            restatement.full_clean()
            restatement.save()
    return current


REASON_NEEDED = "The target date moves later: pick the reason why."
RESTATEMENT_NEEDED = (
    "This quarter is closed: say why its recorded milestone changes (a restatement)."
)
CLOSED_QUARTER = "This quarter is closed: its milestones change only as restatements."
PAST_TARGET = "This date is in the past, and the milestone is still open: tick to confirm it."


def target_in_the_past(
    milestone: Milestone, *, moved_from: datetime.date | None, today: datetime.date | None = None
) -> bool:
    """Whether the edit moves the target date of a milestone that stays open to a day before
    today, or (`moved_from` None) a new milestone starts with one: the browser asks to
    confirm that."""
    today = today or timezone.localdate()
    return (
        milestone.is_open
        and milestone.target_date != moved_from
        and milestone.target_date is not None
        and milestone.target_date < today
    )


def _past_target_asked(
    milestone: Milestone, *, moved_from: datetime.date | None
) -> dict[str, list[ValidationError]]:
    """The confirmation a target date in the past needs, beside the field (none: {})."""
    if not target_in_the_past(milestone, moved_from=moved_from):
        return {}
    return {"target_date": [ValidationError(PAST_TARGET, code="past_target")]}


def _refuse_with(milestone: Milestone, asked: dict[str, list[ValidationError]]) -> None:
    """Raise what the edit still needs (a reason, a confirmation) together with whatever else
    it breaks, so the row says everything at once."""
    try:
        milestone.full_clean()
    except ValidationError as error:
        raise ValidationError({**error.error_dict, **asked}) from error
    raise ValidationError(asked)


def _refuse_closed(quarter: Quarter) -> None:
    """Adding, reordering, dropping and restoring carry no reason: not in a closed quarter."""
    if quarter.is_closed:
        raise ValidationError(CLOSED_QUARTER)


class NotASlip(Exception):
    """The historical record is not one of this milestone's moves of the target date later."""


@transaction.atomic
def explain_slip(
    *, milestone: Milestone, record_id: int, reason: SlipReason, note: str, user: User | None
) -> SlipExplanation:
    """Give (or change) the reason of the slip made by historical record `record_id`.

    Raises `NotASlip` when that record is not of this milestone or did not move its target
    date later than the record before it. The milestone itself is not changed: no new
    version, no historical record; the explanation keeps who gave it and when.
    """
    records = list(
        milestone.history.order_by("history_date", "history_id").values_list(
            "history_id", "target_date", "history_type"
        )
    )
    points = [
        ontime.TargetPoint(target, record_id=pk) for pk, target, kind in records if kind != "-"
    ]
    if all(slip.record_id != record_id for slip in ontime.find_slips(points)):
        raise NotASlip(f"Record {record_id} is not a slip of milestone {milestone.pk}.")
    explanation, _ = SlipExplanation.objects.update_or_create(
        record_id=record_id,
        defaults={
            "milestone": milestone,
            "reason": reason,
            "note": note,
            "given_by": user,
            "given_at": timezone.now(),
        },
    )
    count_change([milestone.quarter_id], team_id=milestone.team_id)  # days slipped by reason
    return explanation


@transaction.atomic
def drop_milestone(*, milestone: Milestone, version: int, user: User | None) -> Milestone:
    """Drop the milestone (it stays in the table, struck through, and can be restored)."""
    current = _lock(milestone, version)
    _refuse_closed(current.quarter)
    if current.status == Milestone.Status.DROPPED:
        return current
    current.status = Milestone.Status.DROPPED
    current.delivered_date = None
    return _save(current, user)


@transaction.atomic
def restore_milestone(*, milestone: Milestone, version: int, user: User | None) -> Milestone:
    """Bring a dropped milestone back to the status it had before it was dropped.

    The status (and, for a milestone that was done, its delivered date) comes from the latest
    historical record that was not dropped; a milestone with no such record becomes planned.
    """
    current = _lock(milestone, version)
    _refuse_closed(current.quarter)
    if current.status != Milestone.Status.DROPPED:
        raise ValidationError({"status": "Only a dropped milestone can be restored."})
    before = (
        current.history.exclude(status=Milestone.Status.DROPPED)
        .order_by("-history_date", "-history_id")
        .values_list("status", "delivered_date")
        .first()
    )
    status, delivered = before or (Milestone.Status.PLANNED, None)
    if status == Milestone.Status.DONE and delivered is None:
        status = Milestone.Status.PLANNED
    current.status = status
    current.delivered_date = delivered if status == Milestone.Status.DONE else None
    current.excused = False
    return _save(current, user)


@transaction.atomic
def move_milestone(*, milestone: Milestone, direction: Direction, user: User | None) -> Milestone:
    """Swap the milestone with its neighbour above or below in the team's table.

    Moving the first row up or the last row down changes nothing. Only the rows whose
    position changes are written (each bumps its version and gets a historical record);
    positions that are not strictly increasing (ties from an import) are renumbered first.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"A milestone moves up or down, not {direction!r}.")
    _refuse_closed(milestone.quarter)
    _lock_team(milestone.team)
    rows = list(
        Milestone.objects.filter(team_id=milestone.team_id, quarter_id=milestone.quarter_id)
    )
    index = next(i for i, row in enumerate(rows) if row.pk == milestone.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return rows[index]
    slots = [row.position for row in rows]
    if any(a >= b for a, b in itertools.pairwise(slots)):
        slots = list(range(len(rows)))
    rows[index], rows[other] = rows[other], rows[index]
    for row, position in zip(rows, slots, strict=True):
        if row.position != position:
            row.position = position
            # Only the position changes: the rest of the row is as the database has it, and a
            # rule it breaks (an owner who has left, say) is the business of its next edit.
            row.clean_fields(exclude=_ALL_BUT_POSITION)
            row.version += 1
            row._history_user = user
            row.save(update_fields=["position", "version", "updated_at"])
    count_change([milestone.quarter_id], team_id=milestone.team_id)  # the milestones CSV's order
    return rows[other]


def _lock_team(team: Team) -> None:
    Team.objects.select_for_update().filter(pk=team.pk).values_list("pk").get()


# The foreign keys `_save` checks only when the save changes them. One the row held when it was
# locked points at a row the database keeps (its foreign key constraint says so), so Django's
# existence query for it (one per key, on every edit) would prove nothing new.
_KEYS = ("team", "quarter", "owner", "carried_from")


def _lock(milestone: Milestone, version: int) -> Milestone:
    """The milestone as the database has it, locked for this transaction, at `version`."""
    current = Milestone.objects.select_for_update().get(pk=milestone.pk)
    current._stored_keys = {name: getattr(current, f"{name}_id") for name in _KEYS}
    # Reuse the relations the caller already loaded: full_clean() reads the quarter.
    for name in ("team", "quarter", "owner"):
        field = Milestone._meta.get_field(name)
        if field.is_cached(milestone) and getattr(current, field.attname) == getattr(
            milestone, field.attname
        ):
            field.set_cached_value(current, field.get_cached_value(milestone))
    if current.version != version:
        raise StaleMilestone(current, version)
    return current


def _save(milestone: Milestone, user: User | None, *, bump: bool = True) -> Milestone:
    stored = getattr(milestone, "_stored_keys", {})
    unchanged = [
        name
        for name in _KEYS
        if name in stored and stored[name] == getattr(milestone, f"{name}_id")
    ]
    # Not the model's check constraints: `clean()` states delivered_date_iff_done field by field,
    # and version_positive only ever holds (versions start at 1 and go up); Django would check
    # each again with a query in a savepoint, and the database enforces both anyway.
    milestone.full_clean(exclude=unchanged, validate_constraints=False)
    if bump:
        milestone.version += 1
    milestone._history_user = user
    milestone.save()
    count_change([milestone.quarter_id], team_id=milestone.team_id)
    return milestone


# --- Dependencies (issue 16) ------------------------------------------------------------------

SELF_DEPENDENCY = "A milestone cannot wait on itself."
DUPLICATE_DEPENDENCY = "This milestone already waits on “{title}”."
CYCLE = "“{title}” already waits, through its own dependencies, on this milestone: that is a cycle."
FAR_QUARTER = (
    "“{title}” is in {quarter}: a milestone waits only on milestones of its own quarter "
    "or the one before or after it."
)


@transaction.atomic
def add_dependency(*, downstream: Milestone, upstream: Milestone, user: User | None) -> Dependency:
    """Record that `downstream` waits on `upstream`.

    Refused (`ValidationError` on "upstream", nothing written) for the milestone itself, a
    link already there, a cycle (the upstream already waits on the downstream, directly or
    not) and a milestone more than one quarter away. The links are read under the lock of
    both milestones' quarters, so two additions between them never close a cycle together.
    """
    if upstream.pk == downstream.pk:
        raise ValidationError({"upstream": SELF_DEPENDENCY})
    _refuse_closed(downstream.quarter)
    if dependencies.quarter_distance(downstream.quarter, upstream.quarter) > 1:
        raise ValidationError(
            {"upstream": FAR_QUARTER.format(title=upstream.title, quarter=upstream.quarter)}
        )
    quarters = sorted({downstream.quarter_id, upstream.quarter_id})
    list(Quarter.objects.select_for_update().filter(pk__in=quarters).order_by("pk").values("pk"))
    edges = list(Dependency.objects.values_list("downstream_id", "upstream_id"))
    if (downstream.pk, upstream.pk) in edges:
        raise ValidationError({"upstream": DUPLICATE_DEPENDENCY.format(title=upstream.title)})
    if dependencies.reaches(edges, upstream.pk, downstream.pk):
        raise ValidationError({"upstream": CYCLE.format(title=upstream.title)})
    link = Dependency(downstream=downstream, upstream=upstream, created_by=user)
    link.full_clean()
    link._history_user = user
    link.save()
    count_change(quarters)  # the dashboard's waiting list and risks, in both quarters
    return link


@transaction.atomic
def remove_dependency(*, downstream: Milestone, upstream_id: int, user: User | None) -> bool:
    """Forget that `downstream` waits on `upstream_id` (False: it did not). The history
    keeps the link and its removal, for the as-of views."""
    _refuse_closed(downstream.quarter)
    link = (
        Dependency.objects.filter(downstream=downstream, upstream_id=upstream_id)
        .select_related("upstream")
        .first()
    )
    if link is None:
        return False
    link._history_user = user
    link.delete()
    count_change([downstream.quarter_id, link.upstream.quarter_id])
    return True
