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
dropped, restored or moved milestone, a slip's reason) says so: `bump(..., team_id=...)`
writes the team into the counter's token (`changed_team` reads it back), so that a dashboard
built at the count before can be brought up to date by re-reading that one team
(`dashboard.incremental`). The promise is that the transaction changed nothing else a report
shows; a writer that changes more in the same transaction bumps again without a team, and
the count then moves by more than one, which rebuilds the report whole.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr

from milestones.models import ChangeCounter, Quarter

Counters = dict[int, tuple[int, str]]


# A team's change writes "<12 hex>.<the first 8 characters of the token before>.t<team id>":
# the token before ties it to the very count it follows, so that a restored database (the
# same count, another history) is never taken for the state a report was built at.
_TEAM_MARK = ".t"
_BEFORE = 8


def bump(quarter_ids: Iterable[int], *, team_id: int | None = None) -> None:
    """Count one change of each of these quarters (in the caller's transaction); `team_id`:
    the change is of that team's milestones of one quarter and nothing else."""
    ids = sorted(set(quarter_ids))
    if not ids:
        return
    token: str | Concat = secrets.token_hex(8)
    if team_id is not None and len(ids) == 1:
        token = Concat(
            Value(f"{secrets.token_hex(6)}."),
            Substr("token", 1, _BEFORE),
            Value(f"{_TEAM_MARK}{team_id}"),
            output_field=CharField(),
        )
    if len(ids) > 1:
        # Lock the rows in one order, so that two writers of several quarters never deadlock.
        list(
            ChangeCounter.objects.select_for_update()
            .filter(quarter_id__in=ids)
            .order_by("quarter_id")
            .values_list("quarter_id", flat=True)
        )
    counters = ChangeCounter.objects.filter(quarter_id__in=ids)
    if counters.update(value=F("value") + 1, token=token) == len(ids):
        return
    # A quarter's first change: make its row, then count (a writer that made it at the same
    # moment is waited for by the update, which counts both changes).
    existing = set(counters.values_list("quarter_id", flat=True))
    missing = [pk for pk in ids if pk not in existing]
    ChangeCounter.objects.bulk_create(
        [ChangeCounter(quarter_id=pk) for pk in missing], ignore_conflicts=True
    )
    ChangeCounter.objects.filter(quarter_id__in=missing).update(value=F("value") + 1, token=token)


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


def changed_team(before: str, token: str) -> int | None:
    """The team whose milestones alone the change from the counter's token `before` to
    `token` was of (`bump(team_id=...)`), or None for any other change."""
    _, dot, rest = token.partition(".")
    previous, mark, team = rest.partition(_TEAM_MARK)
    if not (dot and mark and team.isdigit() and previous and previous == before[:_BEFORE]):
        return None
    return int(team)
