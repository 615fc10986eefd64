"""Closing a quarter and locking planning (issue 15): the writes, and the reads the close page,
the quarter's record and the dashboard share.

`close_quarter` is one transaction: every milestone still open is carried over into the next
quarter (a new milestone linked to it by `carried_from`, committed on the day leadership
gives) or dropped, each with a reason; the quarter is marked closed, its figure and each
team's verdict and counts recorded (`QuarterRecord`: what the trend, the dashboard's team table,
the API and every later page show) and the next quarter's goal set.
The carried original stays open in the closed quarter, where the on-time rules count it as not
delivered (`ontime.Rules.closed`).

After close, changes to the quarter's milestones are restatements (`services.update_milestone`
with a reason); `restatements` lists them beside the recorded figure.

Closing and locking count their change in the quarters' change counters (`milestones.changes`),
in their transaction: the dashboard's cache shows the new state and figures at once.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from milestones import ledger, lifecycle, ontime
from milestones.changes import bump as count_change
from milestones.models import CloseDecision, Milestone, Quarter, QuarterRecord, Restatement
from milestones.quarters import ensure_quarter
from milestones.selectors import QuarterReport, quarter_report
from milestones.services import create_milestone, drop_milestone
from teams.models import Membership

if TYPE_CHECKING:
    from teams.models import User

CARRY = CloseDecision.Action.CARRY
DROP = CloseDecision.Action.DROP


@dataclass(frozen=True)
class Decision:
    """Leadership's decision for one open milestone at close."""

    milestone_id: int
    action: str  # CARRY or DROP
    reason: str
    committed_date: datetime.date | None = None  # a carried milestone's, in the next quarter


def decision_key(milestone_id: int, name: str) -> str:
    """The error key (and form field name) of one milestone's decision: "m12-reason"."""
    return f"m{milestone_id}-{name}"


def open_milestones(quarter: Quarter) -> list[Milestone]:
    """The quarter's milestones still open, of active teams, by team and table order (one
    query): what closing must decide."""
    return list(
        Milestone.objects.filter(
            quarter=quarter, team__active=True, status__in=Milestone.OPEN_STATUSES
        )
        .select_related("team", "owner", "quarter")
        .order_by("team__name", "position", "pk")
    )


def next_quarter(quarter: Quarter) -> Quarter | None:
    """The quarter after `quarter`, if it exists (one query)."""
    year, number = lifecycle.next_quarter_key(quarter.year, quarter.number)
    return Quarter.objects.filter(year=year, number=number).first()


def closing_figure(quarter: Quarter, today: datetime.date) -> ontime.OrgFigure:
    """The figure closing would record now: every open milestone counted as not delivered
    (carried or dropped, it is a miss; a drop the quarter excuses counts for nothing)."""
    as_closed = copy.copy(quarter)
    as_closed.closed_at = timezone.now()
    return quarter_report(as_closed, today).figure


@transaction.atomic
def close_quarter(
    *,
    quarter: Quarter,
    user: User | None,
    decisions: Sequence[Decision],
    next_goal: int,
    today: datetime.date,
) -> QuarterRecord:
    """Close `quarter` (ended, not closed yet) with a decision for each open milestone, record
    its figure and set the next quarter's goal (creating the next quarter if it does not exist).

    Raises ValidationError, keyed by `decision_key` for a milestone's decision, "next_goal"
    and "__all__", and writes nothing, when a decision is missing or incomplete, a carried
    milestone's committed date is outside the next quarter, or the quarter may not be closed.
    """
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    if quarter.is_closed:
        raise ValidationError(f"{quarter} is already closed.")
    if not lifecycle.may_close(quarter, today):
        opens = lifecycle.last_day_of_grace(quarter) + datetime.timedelta(days=1)
        raise ValidationError(
            f"{quarter} has not ended: it can be closed from {opens:%b %-d, %Y}, once its "
            "last day and grace have passed."
        )
    target = _next_quarter_for_close(quarter)
    pending = open_milestones(quarter)
    chosen = {decision.milestone_id: decision for decision in decisions}
    _check_decisions(pending, chosen, target, next_goal)

    members = _members(pending) if any(d.action == CARRY for d in chosen.values()) else set()
    for milestone in pending:
        decision = chosen[milestone.pk]
        if decision.action == DROP:
            drop_milestone(milestone=milestone, version=milestone.version, user=user)
        else:
            create_milestone(
                team=milestone.team,
                quarter=target,
                user=user,
                title=milestone.title,
                description=milestone.description,
                owner=milestone.owner if milestone.owner_id in members else None,
                committed_date=decision.committed_date,
                carried_from=milestone,
            )

    quarter.closed_at = timezone.now()
    quarter._history_user = user
    quarter.save(update_fields=["closed_at"])
    report = quarter_report(quarter, today)
    figure = report.figure
    record = QuarterRecord(
        quarter=quarter,
        on_time=figure.on_time,
        teams=figure.teams,
        milestones_on_time=figure.milestones_on_time,
        milestones_due=figure.milestones_due,
        goal=quarter.goal,
        grace_days=quarter.grace_days,
        excuse_dropped=quarter.excuse_dropped,
        team_figures={str(row.team.pk): team_counts(row.figures) for row in report.rows},
        recorded_by=user,
        recorded_at=quarter.closed_at,
    )
    record.full_clean()
    record.save()
    rows = [
        CloseDecision(
            record=record,
            milestone=milestone,
            action=chosen[milestone.pk].action,
            reason=chosen[milestone.pk].reason.strip(),
        )
        for milestone in pending
    ]
    for row in rows:
        row.full_clean(exclude=["record", "milestone"])
    CloseDecision.objects.bulk_create(rows)

    if target.goal != next_goal:
        target.goal = next_goal
        target._history_user = user
        target.full_clean()
        target.save(update_fields=["goal"])
    # Its figure, state and record, and the next quarter's goal and carried milestones.
    count_change([quarter.pk, target.pk])
    return record


def _next_quarter_for_close(quarter: Quarter) -> Quarter:
    year, number = lifecycle.next_quarter_key(quarter.year, quarter.number)
    return ensure_quarter(year, number, goal=quarter.goal, grace_days=quarter.grace_days)


def _members(milestones: list[Milestone]) -> set[int]:
    """The active members of the milestones' teams (one query): a carried milestone keeps its
    owner only if they are still on the team."""
    teams = {m.team_id for m in milestones}
    return set(
        Membership.objects.filter(team_id__in=teams, active=True).values_list("user_id", flat=True)
    )


def _check_decisions(
    pending: list[Milestone],
    chosen: dict[int, Decision],
    target: Quarter,
    next_goal: Any,
) -> None:
    errors: dict[str, list[str]] = defaultdict(list)
    open_ids = {milestone.pk for milestone in pending}
    stray = set(chosen) - open_ids
    if stray:
        errors["__all__"].append(
            "Some decisions are for milestones that are no longer open in this quarter: "
            "reload the page."
        )
    for milestone in pending:
        decision = chosen.get(milestone.pk)
        if decision is None or decision.action not in (CARRY, DROP):
            errors[decision_key(milestone.pk, "action")].append(
                f"Carry “{milestone.title}” over or drop it."
            )
            continue
        if not decision.reason.strip():
            errors[decision_key(milestone.pk, "reason")].append("Say why.")
        elif len(decision.reason.strip()) > CloseDecision._meta.get_field("reason").max_length:
            errors[decision_key(milestone.pk, "reason")].append("Keep the reason shorter.")
        if decision.action == CARRY:
            day = decision.committed_date
            if day is None:
                errors[decision_key(milestone.pk, "committed_date")].append(
                    f"Give its committed date in {target}."
                )
            elif not target.start <= day <= target.end:
                errors[decision_key(milestone.pk, "committed_date")].append(
                    f"A carried milestone is committed within {target} "
                    f"({target.start:%b %-d} – {target.end:%b %-d, %Y})."
                )
    if not isinstance(next_goal, int) or next_goal < 0:
        errors["next_goal"].append("The next quarter's goal is a number of teams, 0 or more.")
    if errors:
        raise ValidationError(dict(errors))


@transaction.atomic
def lock_planning(*, quarter: Quarter, user: User | None) -> Quarter:
    """Lock planning: from now on only leadership moves the quarter's committed dates."""
    quarter = Quarter.objects.select_for_update().get(pk=quarter.pk)
    if quarter.is_closed:
        raise ValidationError(f"{quarter} is closed.")
    if quarter.locked:
        return quarter
    quarter.locked = True
    quarter._history_user = user
    quarter.full_clean()
    quarter.save(update_fields=["locked"])
    count_change([quarter.pk])  # the planning section's state
    return quarter


@transaction.atomic
def save_quarter_settings(
    *, quarter: Quarter, fields: Sequence[str], user: User | None, reason: str = ""
) -> None:
    """Save leadership's change to a quarter's settings (`fields`, already set on `quarter`).
    Once the quarter is closed the change is a restatement, like a change to its milestones:
    it needs a reason (ValidationError keyed "reason", nothing saved), is recorded with the
    quarter's historical record of the change, and the restated figure follows (the report
    reads the quarter's settings as they are now; the recorded figure keeps its own)."""
    closed_at = (
        Quarter.objects.select_for_update()
        .filter(pk=quarter.pk)
        .values_list("closed_at", flat=True)
    ).get()
    reason = reason.strip()
    if closed_at is not None and not reason:
        raise ValidationError(
            {"reason": f"{quarter} is closed: say why its settings change (a restatement)."}
        )
    if not fields:
        return
    quarter._history_user = user
    quarter.full_clean()
    quarter.save(update_fields=list(fields))
    if closed_at is not None:
        record = quarter.history.order_by("-history_date", "-history_id").first()
        restatement = Restatement(
            quarter=quarter, quarter_record=record, reason=reason, given_by=user
        )
        restatement.full_clean()
        restatement.save()
    count_change([quarter.pk])  # its rules: the figures, and the restated one


# --- What the record and the dashboard read ---------------------------------------------------


def records_for(quarters: Sequence[Quarter]) -> dict[int, QuarterRecord]:
    """The recorded figures of the closed quarters among `quarters`, by quarter id: none
    when none is closed, read with the quarters when they were (`with_record()`), else one
    query."""
    closed = [q for q in quarters if q.is_closed]
    if not closed:
        return {}
    if all(Quarter.record.is_cached(q) for q in closed):
        found = {}
        for quarter in closed:
            try:
                found[quarter.pk] = quarter.record
            except QuarterRecord.DoesNotExist:  # closed by hand, without a record
                continue
        return found
    return {r.quarter_id: r for r in QuarterRecord.objects.filter(quarter__in=closed)}


def recorded_figure(record: QuarterRecord) -> ontime.OrgFigure:
    """The figure as recorded at close (its forecast is the figure: nothing is left open)."""
    return ontime.OrgFigure(
        on_time=record.on_time,
        teams=record.teams,
        goal=record.goal,
        forecast=record.on_time,
        milestones_on_time=record.milestones_on_time,
        milestones_due=record.milestones_due,
    )


# The counts of `ontime.TeamQuarter` a record keeps per team (its verdict follows from them).
TEAM_COUNTS = tuple(f.name for f in dataclasses.fields(ontime.TeamQuarter) if f.name != "classes")


def team_counts(figures: ontime.TeamQuarter) -> dict[str, int]:
    """A team's figures as a record keeps them (JSON)."""
    return {name: getattr(figures, name) for name in TEAM_COUNTS}


def recorded_team_figures(report: QuarterReport) -> dict[int, ontime.TeamQuarter]:
    """Each team's figures recorded at the close of the report's quarter, by team id: what the
    dashboard's team table and the API's teams show for a closed quarter, whatever
    restatements changed since (the live ones are the report's). Empty for a quarter not
    closed, a report as of a day (judged as it stood then), or a quarter closed before teams
    were recorded (milestones migration 0012: its teams are judged live). No query when the
    quarter was read `with_record()`, else one."""
    if report.as_of is not None:
        return {}
    record = records_for([report.quarter]).get(report.quarter.pk)
    if record is None or record.team_figures is None:
        return {}
    return {
        int(pk): ontime.TeamQuarter(**{name: counts.get(name, 0) for name in TEAM_COUNTS})
        for pk, counts in record.team_figures.items()
    }


def restated(recorded: ontime.OrgFigure, now: ontime.OrgFigure) -> ontime.OrgFigure | None:
    """The figure as later changes make it, when it differs from the recorded one."""
    keys = ("on_time", "teams", "milestones_on_time", "milestones_due", "goal")
    if all(getattr(recorded, key) == getattr(now, key) for key in keys):
        return None
    return now


@dataclass(frozen=True)
class RestatementLine:
    """One change to a closed quarter, to a milestone (`milestone`) or to the quarter's
    settings (`milestone` None): who, when, why, and what it changed."""

    milestone: Milestone | None
    at: datetime.datetime
    by: Any
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # label, from, to


def restatements(quarter: Quarter) -> list[RestatementLine]:
    """The restatements of the quarter, of its milestones and of its settings, oldest first,
    each with the fields it changed: two queries (the restatements, the restated milestones'
    history), and one more (the quarter's history) when its settings were restated."""
    found = list(
        Restatement.objects.filter(Q(milestone__quarter=quarter) | Q(quarter=quarter))
        .select_related("milestone__team", "given_by")
        .order_by("given_at", "pk")
    )
    if not found:
        return []
    pairs: dict[tuple[str, int], tuple[Any, Any]] = {}
    ids = {r.milestone_id for r in found if r.milestone_id is not None}
    if ids:
        records = Milestone.history.filter(id__in=ids).order_by("id", "history_date", "history_id")
        pairs.update(_with_previous("m", records))
    if any(r.quarter_record_id is not None for r in found):
        records = quarter.history.order_by("history_date", "history_id")
        pairs.update(_with_previous("q", records))
    lines = []
    for restatement in found:
        if restatement.milestone_id is not None:
            previous, record = pairs.get(("m", restatement.record_id), (None, None))
            changed = ledger.restated_fields(previous, record) if previous is not None else []
        else:
            previous, record = pairs.get(("q", restatement.quarter_record_id), (None, None))
            changed = _settings_changed(previous, record) if previous is not None else []
        lines.append(
            RestatementLine(
                restatement.milestone,
                restatement.given_at,
                restatement.given_by,
                restatement.reason,
                changed,
            )
        )
    return lines


def _with_previous(kind: str, records) -> dict[tuple[str, int], tuple[Any, Any]]:
    """Each historical record, by (kind, history_id), with the one before it of the same
    object (records ordered by object, then time)."""
    pairs, last = {}, {}
    for record in records:
        pairs[(kind, record.history_id)] = (last.get(record.id), record)
        last[record.id] = record
    return pairs


def _settings_changed(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(label, from, to) of each quarter setting a change moved."""

    def shown(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return [
        (str(Quarter._meta.get_field(name).verbose_name).capitalize(), shown(old), shown(new))
        for name in Quarter.SETTINGS_FIELDS
        if (old := getattr(before, name)) != (new := getattr(after, name))
    ]
