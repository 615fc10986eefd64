"""The biweekly review's rules (SPEC section 3), as plain functions over snapshots.

A review snapshots its team's milestones of the quarter when it starts. What changed since the
previous review is computed from the two snapshots, never from the live rows, so a review reads
the same however the milestones move afterwards. The functions take anything shaped like a
snapshot (`SnapshotLike`): a `Snapshot`, a `ReviewItem`; `snapshot_of` makes one from a
milestone or one of its historical records.

Nothing here touches the database: the services (`reviews.services`) and the
selectors (`reviews.selectors`) do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

DONE = "done"
DROPPED = "dropped"
CLOSED_STATUSES = frozenset({DONE, DROPPED})

# What a snapshot copies, and what "changed since the previous review" compares.
SNAPSHOT_FIELDS = (
    "title",
    "status",
    "committed_date",
    "target_date",
    "delivered_date",
    "owner_id",
)


class SnapshotLike(Protocol):
    milestone_id: int
    title: str
    status: str
    committed_date: datetime.date
    target_date: datetime.date
    delivered_date: datetime.date | None
    owner_id: int | None
    owner_name: str


@dataclass(frozen=True)
class Snapshot:
    """A milestone as it stood when a review started."""

    milestone_id: int
    title: str
    status: str
    committed_date: datetime.date
    target_date: datetime.date
    delivered_date: datetime.date | None = None
    owner_id: int | None = None
    owner_name: str = ""
    position: int = 0


def snapshot_of(milestone: Any, owner_name: str = "") -> Snapshot:
    """Copy what a review keeps of a milestone (or of a historical record of one).

    The owner's name is passed in rather than read through the relation, so that copying a
    hundred milestones or historical records costs no query per row.
    """
    return Snapshot(
        milestone_id=milestone.id,
        title=milestone.title,
        status=milestone.status,
        committed_date=milestone.committed_date,
        target_date=milestone.target_date,
        delivered_date=milestone.delivered_date,
        owner_id=milestone.owner_id,
        owner_name=owner_name[:150],
        position=milestone.position,
    )


def is_open(snapshot: SnapshotLike) -> bool:
    return snapshot.status not in CLOSED_STATUSES


def differs(before: SnapshotLike, after: SnapshotLike) -> bool:
    """Did anything a review shows change between two snapshots of the same milestone?"""
    return any(getattr(before, name) != getattr(after, name) for name in SNAPSHOT_FIELDS)


def agenda(current: Iterable[SnapshotLike], previous: Iterable[SnapshotLike] | None) -> set[int]:
    """The milestones (ids) a review goes through: every open one, and every one that is new
    or changed since the previous review.

    `previous` is the previous review's snapshot, None on the first review of a quarter, when
    everything is new and so everything is on the agenda. The snapshot keeps the milestones
    off the agenda too (done or dropped before, unchanged since): the next review compares
    against a complete picture, so a milestone reopened or corrected after it closed is a
    change, not a mystery.
    """
    if previous is None:
        return {snapshot.milestone_id for snapshot in current}
    before = {snapshot.milestone_id: snapshot for snapshot in previous}
    return {
        snapshot.milestone_id
        for snapshot in current
        if is_open(snapshot)
        or snapshot.milestone_id not in before
        or differs(before[snapshot.milestone_id], snapshot)
    }


@dataclass(frozen=True)
class ItemChange:
    """What happened to one milestone between two snapshots.

    `before` is None for a milestone new since the previous review, `after` is None for one
    that is gone from the table (deleted) since.
    """

    before: Any
    after: Any

    @property
    def milestone_id(self) -> int:
        return (self.after or self.before).milestone_id

    @property
    def title(self) -> str:
        return (self.after or self.before).title

    @property
    def added(self) -> bool:
        return self.before is None

    @property
    def removed(self) -> bool:
        return self.after is None

    @property
    def _both(self) -> bool:
        return self.before is not None and self.after is not None

    @property
    def status_moved(self) -> bool:
        return self._both and self.before.status != self.after.status

    @property
    def newly_done(self) -> bool:
        return self._reached(DONE)

    @property
    def newly_dropped(self) -> bool:
        return self._reached(DROPPED)

    def _reached(self, status: str) -> bool:
        return (
            self.after is not None
            and self.after.status == status
            and (self.before is None or self.before.status != status)
        )

    @property
    def reopened(self) -> bool:
        """Done or dropped before, open again now."""
        return self._both and not is_open(self.before) and is_open(self.after)

    @property
    def target_days(self) -> int:
        """How far the target date moved: positive is a slip, negative pulled in."""
        if not self._both:
            return 0
        return (self.after.target_date - self.before.target_date).days

    @property
    def slipped(self) -> bool:
        return self.target_days > 0

    @property
    def pulled_in(self) -> bool:
        return self.target_days < 0

    @property
    def committed_days(self) -> int:
        """How far the committed date (the baseline) moved: leadership re-planned it."""
        if not self._both:
            return 0
        return (self.after.committed_date - self.before.committed_date).days

    @property
    def delivered_moved(self) -> bool:
        """Done on both snapshots, with a corrected delivered date."""
        return (
            self._both
            and self.before.status == DONE == self.after.status
            and self.before.delivered_date != self.after.delivered_date
        )

    @property
    def owner_changed(self) -> bool:
        return self._both and self.before.owner_id != self.after.owner_id

    @property
    def renamed(self) -> bool:
        return self._both and self.before.title != self.after.title

    @property
    def changed(self) -> bool:
        return self.added or self.removed or differs(self.before, self.after)

    @property
    def labels(self) -> list[str]:
        """Short tags for the item's line on the review page, most telling first."""
        tags = []
        if self.added:
            tags.append("new")
        if self.removed:
            tags.append("deleted")
        if self.newly_done:
            tags.append("done")
        if self.newly_dropped:
            tags.append("dropped")
        if self.reopened:
            tags.append("reopened")
        elif self.status_moved and not (self.newly_done or self.newly_dropped):
            tags.append("status moved")
        if self.slipped:
            tags.append(f"slipped {_days(self.target_days)}")
        if self.pulled_in:
            tags.append(f"pulled in {_days(-self.target_days)}")
        if self.committed_days:
            tags.append("re-committed")
        if self.delivered_moved:
            tags.append("delivery date corrected")
        if self.owner_changed:
            tags.append("new owner")
        if self.renamed:
            tags.append("renamed")
        return tags


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


@dataclass(frozen=True)
class ReviewDiff:
    """What changed since the previous review, grouped the way the meeting talks about it.

    Each group keeps the current snapshot's order; a milestone can sit in several groups (new
    and done, say). On the first review of a quarter (`first`) everything is new.
    """

    first: bool
    changes: tuple[ItemChange, ...]
    _by_id: dict[int, ItemChange] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.milestone_id: c for c in self.changes})

    def for_milestone(self, milestone_id: int) -> ItemChange | None:
        return self._by_id.get(milestone_id)

    @property
    def added(self) -> list[ItemChange]:
        return [c for c in self.changes if c.added]

    @property
    def newly_done(self) -> list[ItemChange]:
        return [c for c in self.changes if c.newly_done]

    @property
    def newly_dropped(self) -> list[ItemChange]:
        return [c for c in self.changes if c.newly_dropped]

    @property
    def slips(self) -> list[ItemChange]:
        return [c for c in self.changes if c.slipped]

    @property
    def pulled_in(self) -> list[ItemChange]:
        return [c for c in self.changes if c.pulled_in]

    @property
    def status_moves(self) -> list[ItemChange]:
        """Every status move of a milestone that was already there, done and dropped included."""
        return [c for c in self.changes if c.status_moved]

    @property
    def other_status_moves(self) -> list[ItemChange]:
        """Status moves that are not to done or dropped (at risk, back on track, reopened…)."""
        return [c for c in self.changes if c.status_moved and not (c.newly_done or c.newly_dropped)]

    @property
    def owner_changes(self) -> list[ItemChange]:
        return [c for c in self.changes if c.owner_changed]

    @property
    def removed(self) -> list[ItemChange]:
        return [c for c in self.changes if c.removed]

    @property
    def days_slipped(self) -> int:
        """Days of slip since the previous review, added up over the milestones that slipped."""
        return sum(c.target_days for c in self.slips)

    @property
    def is_empty(self) -> bool:
        return not self.changes


def diff(previous: Iterable[SnapshotLike] | None, current: Sequence[SnapshotLike]) -> ReviewDiff:
    """What changed from the previous review's snapshot to this one's.

    `previous` is None on the first review of a quarter: every milestone is new. Milestones are
    matched by id; one in `previous` and not in `current` was deleted since (a dropped one is
    still in the snapshot, with its status). Moves are net: a target date pulled in and then
    pushed out between two reviews is one slip of the difference, or nothing if it came back.
    """
    if previous is None:
        return ReviewDiff(first=True, changes=tuple(ItemChange(None, s) for s in current))
    before = {snapshot.milestone_id: snapshot for snapshot in previous}
    changes = []
    for snapshot in current:
        change = ItemChange(before.pop(snapshot.milestone_id, None), snapshot)
        if change.changed:
            changes.append(change)
    changes.extend(ItemChange(snapshot, None) for snapshot in before.values())
    return ReviewDiff(first=False, changes=tuple(changes))


# --- Cadence ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewStatus:
    """Where a team stands with its biweekly review on a day.

    `next_review_date` is the last day the next review is on time (the last review plus the
    cadence); a team is `overdue` the day after. A team that has never held a review has
    neither date and is overdue: the cadence applies from day one.
    """

    last_review_date: datetime.date | None
    next_review_date: datetime.date | None
    overdue: bool

    @property
    def never_reviewed(self) -> bool:
        return self.last_review_date is None


def review_status_on(
    last_review_date: datetime.date | None, today: datetime.date, cadence_days: int
) -> ReviewStatus:
    """Overdue when the last review is more than `cadence_days` old (SPEC section 3: 14)."""
    if last_review_date is None:
        return ReviewStatus(None, None, overdue=True)
    next_date = last_review_date + datetime.timedelta(days=cadence_days)
    return ReviewStatus(last_review_date, next_date, overdue=today > next_date)
