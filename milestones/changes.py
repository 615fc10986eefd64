"""The per-quarter change counters that the dashboard's cache is keyed by.

Every write of something a quarter's report shows calls `bump` (or `bump_every_quarter` when
it touches what every quarter shows: teams, people, reviews) inside its own transaction,
after its last write: the counter moves exactly when the change commits, and a reader on any
server that sees the new data sees the new counter, so a cached report is never served after
a change it does not show. The writers: `milestones.services` (restatements too; a
dependency counts a change of both its milestones' quarters), closing a quarter and locking
its planning (`milestones.closing`), the admin (`milestones.admin`, `teams.admin`), the
roster import, the People and Organisation pages' services
(`teams.services`), the quarter settings page, the reviews' services, the sheet sync's commit
(`sheets.commit`) and the demo seed.

Incrementing the row takes its lock until the commit, so writers of one quarter queue on it
for the rest of their transaction: bumping last keeps that short.

A change of one team's milestones of one quarter (`milestones.services`: an edit, an added,
dropped, restored or moved milestone, a slip's reason) says so: `bump(..., team_id=...)`. Each
bump also writes an entry at the head of the counter's `trail` (the last `TRAIL_ENTRIES`
changes, newest first): the team the change was of (or none) and the head of the token it
followed. `changed_teams` reads back which teams changed between a count a dashboard was built
at and the count now, so that a worker several changes behind (six workers on two servers
see a dashboard every few seconds while leads save several edits a second) brings its report
up to date by re-reading those teams only (`dashboard.incremental`). The promise is that each
such transaction changed nothing else a report shows; a writer that changes more in the same
transaction bumps again without a team, and every report from before it is then built whole.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, LPad, Substr

from milestones.models import ChangeCounter, Quarter

Counters = dict[int, tuple[int, str]]


# An entry of the trail: the team's id in ten digits ("-" x 10 for a change of anything else),
# then the first eight characters of the token the change followed ("0"-padded: a quarter's
# first change follows the empty token). Fixed width, so that the database itself prepends
# an entry and cuts the oldest in the UPDATE that counts the change (no read first, no race).
_TEAM_DIGITS = 10
_BEFORE = 8
ENTRY = _TEAM_DIGITS + _BEFORE
TRAIL_ENTRIES = 64
NOT_A_TEAM = "-" * _TEAM_DIGITS


def _followed(token: str) -> str:
    """The part of `token` an entry of the trail names it by."""
    return token[:_BEFORE].rjust(_BEFORE, "0")


def bump(quarter_ids: Iterable[int], *, team_id: int | None = None) -> None:
    """Count one change of each of these quarters (in the caller's transaction); `team_id`:
    the change is of that team's milestones of one quarter and nothing else."""
    ids = sorted(set(quarter_ids))
    if not ids:
        return
    team = f"{team_id:0{_TEAM_DIGITS}d}" if team_id is not None and len(ids) == 1 else NOT_A_TEAM
    # Both expressions read the row as it was before this UPDATE (SQL's rule for SET).
    trail = Concat(
        Value(team),
        LPad(Substr("token", 1, _BEFORE), _BEFORE, Value("0")),
        Substr("trail", 1, ENTRY * (TRAIL_ENTRIES - 1)),
        output_field=CharField(),
    )
    changes = {"value": F("value") + 1, "token": secrets.token_hex(8), "trail": trail}
    if len(ids) > 1:
        # Lock the rows in one order, so that two writers of several quarters never deadlock.
        list(
            ChangeCounter.objects.select_for_update()
            .filter(quarter_id__in=ids)
            .order_by("quarter_id")
            .values_list("quarter_id", flat=True)
        )
    counters = ChangeCounter.objects.filter(quarter_id__in=ids)
    if counters.update(**changes) == len(ids):
        return
    # A quarter's first change: make its row, then count (a writer that made it at the same
    # moment is waited for by the update, which counts both changes).
    existing = set(counters.values_list("quarter_id", flat=True))
    missing = [pk for pk in ids if pk not in existing]
    ChangeCounter.objects.bulk_create(
        [ChangeCounter(quarter_id=pk) for pk in missing], ignore_conflicts=True
    )
    ChangeCounter.objects.filter(quarter_id__in=missing).update(**changes)


def bump_every_quarter() -> None:
    """Count a change that every quarter's report shows (a team's name, a tech lead, a
    review): one query for the quarters, then `bump`."""
    bump(Quarter.objects.values_list("pk", flat=True))


def read_counters() -> Counters:
    """Every quarter's counter and token (a quarter never changed has none): one query."""
    return {
        pk: (value, token)
        for pk, value, token in ChangeCounter.objects.values_list("quarter_id", "value", "token")
    }


def read_trail(quarter_id: int) -> str:
    """The trail of `quarter_id`'s counter (its last changes, newest first): one query."""
    found = ChangeCounter.objects.filter(quarter_id=quarter_id).values_list("trail", flat=True)
    return next(iter(found), "")


def changed_teams(before: tuple[int, str], now: tuple[int, str], trail: str) -> set[int] | None:
    """The teams whose milestones alone changed from the counter `before` (value, token) to
    the counter `now`, read from `now`'s `trail`; None when something else changed between
    them, when they are further apart than the trail reaches, or when `before` is not a state
    this trail passed through (a restored database: the same count, another history)."""
    steps = now[0] - before[0]
    if steps < 1 or len(trail) < steps * ENTRY:
        return None
    entries = [trail[i * ENTRY : (i + 1) * ENTRY] for i in range(steps)]
    if entries[-1][_TEAM_DIGITS:] != _followed(before[1]):
        return None
    teams = {entry[:_TEAM_DIGITS] for entry in entries}
    if NOT_A_TEAM in teams or not all(team.isdigit() for team in teams):
        return None
    return {int(team) for team in teams}
