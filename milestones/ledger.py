"""The commitment ledger (issue 10): what was promised, and every move since, with why.

A milestone's ledger is read from its history, oldest first: the committed date it was
created with, then each change of its committed date and each move of its target date. A
move later is a slip (SPEC section 2); its reason is a `SlipExplanation` attached to the
historical record that made the move, given when the move was saved or afterwards. A slip
without one reads "Changed in the sheet" when the sheet sync made it, and "No reason given"
otherwise.

After its quarter is closed, a milestone changes only as a *restatement* (issue 15): a change
leadership made with a reason, kept on the change's historical record (`Restatement`). The
ledger lists each, with what it changed (`Ledger.restatements`).

A slip of a milestone others wait on lists the downstream milestones it put at risk, as
they stood when it was recorded (`put_at_risk_at_slips`, issue 16).

`days_by_reason` adds the days slipped up by reason, most first, with the cumulative share of
the days (a Pareto): what the dashboard charts for a quarter.

Plain functions over records and explanations: nothing here touches the database.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ObjectDoesNotExist

from milestones import dependencies, timeline
from milestones.history import Source

CHANGED_IN_THE_SHEET = "Changed in the sheet"
NO_REASON_GIVEN = "No reason given"

SLIP = "slip"  # the target date moved later
EARLIER = "earlier"  # the target date moved earlier
RECOMMITTED = "recommitted"  # the committed date itself changed (planning, or leadership)


class ExplanationLike(Protocol):
    reason: Any  # a SlipReason: its `name` is shown
    note: str
    given_by: Any
    given_at: datetime.datetime


class SlipLike(Protocol):
    record_id: int | None
    source: str

    @property
    def days(self) -> int: ...


def unexplained_label(source: str) -> str:
    """What a slip without a reason reads: the sheet's own, or nobody said."""
    return CHANGED_IN_THE_SHEET if source == Source.SYNC else NO_REASON_GIVEN


def reason_label(slip: SlipLike, explanations: Mapping[int, ExplanationLike]) -> str:
    explanation = explanations.get(slip.record_id) if slip.record_id is not None else None
    return explanation.reason.name if explanation else unexplained_label(slip.source)


@dataclass(frozen=True)
class LedgerEntry:
    """One line of the ledger after the commitment: a move of the target or committed date."""

    kind: str  # SLIP, EARLIER or RECOMMITTED
    record_id: int
    at: datetime.datetime
    by: Any  # the user, or None for changes nobody signed (commands, the sheet sync)
    source: str
    from_date: datetime.date
    to_date: datetime.date
    explanation: ExplanationLike | None = None

    @property
    def days(self) -> int:
        """Days later (negative: earlier)."""
        return (self.to_date - self.from_date).days

    @property
    def size(self) -> int:
        """Days moved, either way."""
        return abs(self.days)

    @property
    def is_slip(self) -> bool:
        return self.kind == SLIP

    @property
    def explained(self) -> bool:
        return self.explanation is not None

    @property
    def reason(self) -> str:
        """The reason's name; for a slip without one, what it reads instead; "" otherwise."""
        if not self.is_slip:
            return ""
        if self.explanation is not None:
            return self.explanation.reason.name
        return unexplained_label(self.source)

    @property
    def reason_id(self) -> int | None:
        return self.explanation.reason.pk if self.explanation is not None else None

    @property
    def note(self) -> str:
        return self.explanation.note if self.explanation is not None else ""

    @property
    def source_label(self) -> str:
        try:
            return str(Source(self.source).label)
        except ValueError:
            return self.source


class RestatementLike(Protocol):
    reason: str
    given_by: Any
    given_at: datetime.datetime


@dataclass(frozen=True)
class RestatementEntry:
    """A change to the milestone after its quarter was closed: who, when, why, and the fields
    it changed as (label, from, to)."""

    record_id: int
    at: datetime.datetime
    by: Any
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Ledger:
    committed_date: datetime.date | None  # as first promised; None for no history
    committed_at: datetime.datetime | None = None
    committed_by: Any = None
    committed_source: str = ""
    first_target: datetime.date | None = None  # the target the milestone was created with
    entries: list[LedgerEntry] = field(default_factory=list)  # oldest first
    restatements: list[RestatementEntry] = field(default_factory=list)  # oldest first

    @property
    def slips(self) -> list[LedgerEntry]:
        return [entry for entry in self.entries if entry.is_slip]

    @property
    def days_slipped(self) -> int:
        """Days of every later move added up (moves earlier do not take any back)."""
        return sum(entry.days for entry in self.slips)

    @property
    def unexplained(self) -> int:
        return sum(not entry.explained for entry in self.slips)

    def slip(self, record_id: int) -> LedgerEntry | None:
        """The slip made by this historical record, if it made one."""
        return next((entry for entry in self.slips if entry.record_id == record_id), None)


def build_ledger(
    records: Sequence[Any],
    explanations: Mapping[int, ExplanationLike] | None = None,
    restatements: Mapping[int, RestatementLike] | None = None,
) -> Ledger:
    """The ledger from historical records, oldest first, and the explanations and restatements
    given, by the `history_id` of the record they explain.

    A deletion record (history_type "-") moves nothing; a record that changed neither date
    is not an entry.
    """
    explanations = explanations or {}
    restatements = restatements or {}
    kept = [record for record in records if record.history_type != "-"]
    if not kept:
        return Ledger(committed_date=None)
    first = kept[0]
    entries: list[LedgerEntry] = []
    restated: list[RestatementEntry] = []
    for before, after in itertools.pairwise(kept):
        if after.history_id in restatements:
            given = restatements[after.history_id]
            restated.append(
                RestatementEntry(
                    record_id=after.history_id,
                    at=given.given_at,
                    by=given.given_by,
                    reason=given.reason,
                    changes=restated_fields(before, after),
                )
            )

        def entry(kind: str, old: datetime.date, new: datetime.date, after=after) -> LedgerEntry:
            return LedgerEntry(
                kind=kind,
                record_id=after.history_id,
                at=after.history_date,
                by=after.history_user,
                source=after.source,
                from_date=old,
                to_date=new,
                explanation=explanations.get(after.history_id) if kind == SLIP else None,
            )

        if after.committed_date != before.committed_date:
            entries.append(entry(RECOMMITTED, before.committed_date, after.committed_date))
        if after.target_date > before.target_date:
            entries.append(entry(SLIP, before.target_date, after.target_date))
        elif after.target_date < before.target_date:
            entries.append(entry(EARLIER, before.target_date, after.target_date))
    return Ledger(
        committed_date=first.committed_date,
        committed_at=first.history_date,
        committed_by=first.history_user,
        committed_source=first.source,
        first_target=first.target_date,
        entries=entries,
        restatements=restated,
    )


def restated_fields(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(label, from, to) of each field a person tracks that a change (two historical records
    of the milestone, one after the other) moved."""
    year = after.history_date.year
    changes = []
    for name in timeline.TRACKED:
        if name == "owner":
            if before.owner_id != after.owner_id:
                changes.append((timeline.label(name), "", "another owner"))
            continue
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes.append(
                (
                    timeline.label(name),
                    timeline.show_value(name, old, year=year),
                    timeline.show_value(name, new, year=year),
                )
            )
    return changes


def restatements_of(records: Iterable[Any]) -> dict[int, RestatementLike]:
    """The restatements historical records carry (read with
    `select_related("restatement__given_by")`), by `history_id`."""
    found = {}
    for record in records:
        try:
            found[record.history_id] = record.restatement
        except ObjectDoesNotExist:  # an ordinary change
            continue
    return found


def explanations_of(records: Iterable[Any]) -> dict[int, ExplanationLike]:
    """The explanations historical records carry (read with
    `select_related("slip_explanation__reason")`), by `history_id`."""
    found = {}
    for record in records:
        try:
            found[record.history_id] = record.slip_explanation
        except ObjectDoesNotExist:  # no reason given for this record
            continue
    return found


# --- What a slip put at risk (issue 16) ---------------------------------------------------------


class DownstreamHistoryLike(Protocol):
    links: list[tuple[datetime.datetime, int, bool]]
    states: Mapping[int, Sequence[tuple[datetime.datetime, Any]]]


def put_at_risk_at_slips(
    slips: Iterable[LedgerEntry], history: DownstreamHistoryLike
) -> dict[int, list[Any]]:
    """For each slip of an upstream, the downstream milestones it put at risk
    (`dependencies.put_at_risk_by_slip`) as they stood when the slip was recorded: those that
    waited on it then, by their target dates and statuses then, not today's. By the slip's
    record id, each list by target date, team and title. `history`:
    `dependency_reads.downstream_history`."""
    found: dict[int, list[Any]] = {}
    for slip in slips:
        waiting: set[int] = set()
        for when, down, added in history.links:
            if when > slip.at:
                break
            (waiting.add if added else waiting.discard)(down)
        then = [
            state
            for down in waiting
            if (state := _state_at(history.states.get(down, ()), slip.at)) is not None
        ]
        hit = dependencies.put_at_risk_by_slip(slip.from_date, slip.to_date, then)
        if hit:
            found[slip.record_id] = sorted(
                hit, key=lambda m: (m.target_date, m.team.name.casefold(), m.title)
            )
    return found


def _state_at(states: Sequence[tuple[datetime.datetime, Any]], moment: datetime.datetime) -> Any:
    """The last state recorded at or before `moment` (None: none yet, or deleted)."""
    last = None
    for when, state in states:
        if when > moment:
            break
        last = state
    return last


# --- Days slipped by reason (the dashboard's Pareto) -----------------------------------------


@dataclass(frozen=True)
class ReasonTotal:
    label: str
    slips: int
    days: int
    share: float  # of all the days slipped
    cumulative_share: float  # of this reason and every one before it
    explained: bool  # a reason given, rather than "changed in the sheet" or "no reason given"

    @property
    def percent(self) -> int:
        return round(100 * self.share)

    @property
    def cumulative_percent(self) -> int:
        return round(100 * self.cumulative_share)


def days_by_reason(
    slips: Iterable[SlipLike], explanations: Mapping[int, ExplanationLike]
) -> list[ReasonTotal]:
    """Days slipped per reason, most days first (then most slips, then by name), each with its
    share of all the days and the cumulative share down the list. Empty for no slips."""
    days: dict[str, int] = {}
    counts: dict[str, int] = {}
    explained: dict[str, bool] = {}
    for slip in slips:
        label = reason_label(slip, explanations)
        days[label] = days.get(label, 0) + slip.days
        counts[label] = counts.get(label, 0) + 1
        explained[label] = slip.record_id in explanations
    total = sum(days.values())
    ordered = sorted(days, key=lambda label: (-days[label], -counts[label], label.casefold()))
    found = []
    running = 0
    for label in ordered:
        running += days[label]
        found.append(
            ReasonTotal(
                label=label,
                slips=counts[label],
                days=days[label],
                share=days[label] / total if total else 0.0,
                cumulative_share=running / total if total else 0.0,
                explained=explained[label],
            )
        )
    return found
