"""The sync's commit stage: a plan's database writes, in one transaction, after the sheet's.

Milestones created (with their history records, source "sync") and updated (what follows a
status change is `Milestone.follow_status`), the tab titles found, each tab's sheetId
(`TabLink`), each synced milestone's `SyncState` (the next run's base), conflicts recorded and
superseded, the journals the run took over cleared, the quarters' change counters bumped when
the app changed (`milestones.changes`: the dashboard's cache), and the run's outcome. Writes are
batched: one INSERT per model and one executemany UPDATE, whatever the number of rows.

The sheet is written first, outside any transaction (no network call holds database locks),
and the transaction commits only once the sheet write succeeded: a failed write leaves the
database as it was. For the sheet to carry the IDs of the milestones a run adopts before they
are saved, `give_new_ids` reserves them first, the way a sequence hands them out. A process
that dies between the two writes is the journal's business (`sheets.journal`).

Edits made in the app while a run plans are not overwritten. Before the sheet write,
`leave_for_next_run` takes out the milestones saved since the plan was made: neither their rows
nor their values are written. One saved during the sheet write (`moved_milestones`, re-read
under the transaction's lock) keeps its edit: `keep_app_edits` takes nothing from the sheet into
it and records as its base what the sheet now holds, so the next run pushes the edit.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import asdict, replace
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from milestones.changes import bump_every_quarter
from milestones.history import Source, history_source
from milestones.models import Milestone
from sheets.fields import app_values, to_json, values_to_json
from sheets.journal import clear_journals
from sheets.models import SyncConflict, SyncRun, SyncState, TabLink
from sheets.plan import SyncPlan
from sheets.report import SyncMessage, SyncResult, planned_counts, result_of
from teams.models import Team


def commit_plan(plan: SyncPlan, *, run: SyncRun, today: datetime.date, requests: int) -> SyncResult:
    """Carry out `plan` in the database and record the run's outcome (`requests`: what the
    run cost in Sheets API requests), in one transaction. Call it once the sheet is written."""
    with transaction.atomic():
        moved = moved_milestones(plan, lock=True)
        deleted = {pk for pk, version in moved.items() if version is None}
        plan = keep_app_edits(leave_for_next_run(plan, deleted), set(moved) - deleted)
        now = timezone.now()
        with history_source(Source.SYNC):
            _save_tab_titles(plan)
            _save_tab_links(plan, now)
            created = _create_milestones(plan)
            updated = _update_milestones(plan, today)
            _save_states(plan, now)
            _save_conflicts(plan, run, now)
        counts = replace(planned_counts(plan), created_in_app=created, updated_in_app=updated)
        if counts.created_in_app or counts.updated_in_app or counts.restored:
            # The dashboard's cache key (`milestones.changes`, issue 17), in this transaction;
            # a run that changed nothing in the app writes nothing.
            bump_every_quarter()
        clear_journals(plan.consumed_journals)
        result = result_of(plan, counts, dry_run=False, requests=requests)
        outcome = {
            **asdict(counts),
            "status": result.status,
            "finished_at": timezone.now(),
            "progress_label": "Finished",
            "progress_done": len(plan.tabs),
            "progress_total": len(plan.tabs),
            "teams": [asdict(report) for report in result.teams],
            "messages": [asdict(message) for message in result.messages],
            "journal": {},
            "requests": result.requests,
        }
        SyncRun.objects.filter(pk=run.pk).update(**outcome)
    for name, value in outcome.items():
        setattr(run, name, value)
    result.run = run
    return result


# --- Edits made in the app meanwhile --------------------------------------------------------


def moved_milestones(plan: SyncPlan, *, lock: bool = False) -> dict[int, int | None]:
    """The milestones the plan touches that were saved (or deleted) in the app since it was
    made: pk -> version now, None when deleted. `lock` their rows until the transaction ends."""
    planned = plan.touched()
    if not planned:
        return {}
    rows = Milestone.objects.filter(pk__in=list(planned))
    if lock:
        rows = rows.select_for_update()
    current = dict(rows.values_list("pk", "version"))
    return {pk: current.get(pk) for pk, version in planned.items() if current.get(pk) != version}


def leave_for_next_run(plan: SyncPlan, moved: Collection[int]) -> SyncPlan:
    """The plan without the `moved` milestones: their rows are neither written nor merged, so
    the edit is never overwritten, and the rows appended below them move up."""
    if not moved:
        return plan
    tabs = []
    messages = list(plan.messages)
    for tab in plan.tabs:
        for link in tab.links:
            if link.milestone.pk in moved:
                messages.append(
                    SyncMessage(
                        "info",
                        f"{link.milestone.title!r} was saved in the app during the sync: it "
                        "is left for the next run.",
                        team=tab.team.name,
                        tab=tab.title,
                        row=link.row.number,
                    )
                )
        kept = [a for a in tab.appends if a.milestone.pk not in moved]
        tabs.append(
            replace(
                tab,
                links=tuple(link for link in tab.links if link.milestone.pk not in moved),
                appends=tuple(
                    replace(append, row_number=tab.next_row + offset)
                    for offset, append in enumerate(kept)
                ),
            )
        )
    return replace(
        plan,
        tabs=tuple(tabs),
        conflicts=tuple(c for c in plan.conflicts if c.milestone.pk not in moved),
        superseded=tuple(c for c in plan.superseded if c.milestone_id not in moved),
        messages=tuple(messages),
    )


def keep_app_edits(plan: SyncPlan, moved: Collection[int]) -> SyncPlan:
    """The plan once the sheet is written, for `moved` milestones saved in the app during that
    write: the app keeps its edit. Nothing is taken from the sheet into them (an open conflict
    a sheet value would have answered stays open); their base keeps, for the fields the sheet
    changed, the last sync's value, so the next run takes those values or meets a conflict,
    and records the values the sheet now holds for the others, so the edit is pushed."""
    if not moved:
        return plan
    messages = list(plan.messages)
    not_taken: set[tuple[int, str]] = set()
    tabs = []
    for tab in plan.tabs:
        links = []
        for link in tab.links:
            pulled = link.merge.pull
            if link.milestone.pk not in moved or not pulled:
                links.append(link)
                continue
            not_taken.update((link.milestone.pk, name) for name in pulled)
            base = {name: value for name, value in link.merge.base.items() if name not in pulled}
            links.append(replace(link, merge=replace(link.merge, pull={}, base=base)))
            messages.append(
                SyncMessage(
                    "info",
                    f"{link.milestone.title!r} was saved in the app during the sync: what the "
                    "sheet changed in it is left for the next run.",
                    team=tab.team.name,
                    tab=tab.title,
                    row=link.row.number,
                )
            )
        tabs.append(replace(tab, links=tuple(links)))
    return replace(
        plan,
        tabs=tuple(tabs),
        superseded=tuple(c for c in plan.superseded if (c.milestone_id, c.field) not in not_taken),
        messages=tuple(messages),
    )


# --- IDs for the sheet ------------------------------------------------------------------------


def give_new_ids(plan: SyncPlan) -> None:
    """Set the pk of each milestone the plan creates, so the sheet write can carry its ID
    before the commit saves it. Reserved outside any transaction, as a sequence hands them out:
    nothing else will take them, even if the run fails and never uses them."""
    new = [row.milestone for tab in plan.tabs for row in tab.new_rows]
    if not new:
        return
    for milestone, pk in zip(new, _reserve_ids(Milestone, len(new)), strict=True):
        milestone.pk = pk


def _reserve_ids(model, count: int) -> list[int]:
    """`count` primary keys of `model` that no INSERT will be given, committed at once.

    PostgreSQL: the values of the table's identity sequence (never rolled back). SQLite: the
    AUTOINCREMENT counter in ``sqlite_sequence``, which new rows are numbered after, moved past
    them in a transaction of its own."""
    connection = transaction.get_connection()
    table, column = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return sorted(pk for (pk,) in cursor.fetchall())
    if connection.vendor == "sqlite":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            counter = cursor.fetchone()
            cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")
            last = max(counter[0] if counter else 0, cursor.fetchone()[0] or 0)
            if counter:
                sql = "UPDATE sqlite_sequence SET seq = %s WHERE name = %s"
            else:
                sql = "INSERT INTO sqlite_sequence (seq, name) VALUES (%s, %s)"
            cursor.execute(sql, [last + count, table])
        return list(range(last + 1, last + count + 1))
    raise NotImplementedError(f"Reserving IDs on {connection.vendor} is not implemented.")


# --- The writes -------------------------------------------------------------------------------


def _save_tab_titles(plan: SyncPlan) -> None:
    for team_pk, title in plan.tab_titles.items():
        Team.objects.filter(pk=team_pk).update(sheet_tab_title=title)


def _save_tab_links(plan: SyncPlan, now: datetime.datetime) -> None:
    """Each synced tab's sheetId and title on its team's link: one upsert for every team."""
    titles = {tab.team.pk: tab.title for tab in plan.tabs}
    links = [
        TabLink(team_id=team_pk, sheet_id=sheet_id, title=titles[team_pk], linked_at=now)
        for team_pk, sheet_id in plan.tab_links.items()
        if team_pk in titles
    ]
    if links:
        TabLink.objects.bulk_create(
            links,
            update_conflicts=True,
            unique_fields=["team"],
            update_fields=["sheet_id", "title", "linked_at"],
        )


def _create_milestones(plan: SyncPlan) -> int:
    """INSERT the new milestones, each at the bottom of its team's quarter."""
    new = [(tab, row) for tab in plan.tabs for row in tab.new_rows]
    if not new:
        return 0
    last = dict(
        Milestone.objects.filter(team__in={tab.team.pk for tab, _ in new}, quarter=plan.quarter)
        .order_by()
        .values_list("team")
        .annotate(last=Max("position"))
    )
    for tab, row in new:
        last[tab.team.pk] = last.get(tab.team.pk, -1) + 1
        row.milestone.position = last[tab.team.pk]
    # With the pks `give_new_ids` reserved: the IDs the sheet already carries.
    objects = [row.milestone for _, row in new]
    created = bulk_create_with_history(
        objects, Milestone, custom_historical_attrs={"source": Source.SYNC}
    )
    return len(created)


def _update_milestones(plan: SyncPlan, today: datetime.date) -> int:
    """UPDATE the milestones that take values from the sheet; returns how many."""
    changed: list[Milestone] = []
    fields: set[str] = {"version", "updated_at"}
    now = timezone.now()
    for tab in plan.tabs:
        for link in tab.links:
            if not link.merge.pull:
                continue
            milestone = link.milestone
            for name, value in link.merge.pull.items():
                setattr(milestone, "owner_id" if name == "owner" else name, value)
                fields.add(name)
            if "status" in link.merge.pull:
                # Done in the sheet since the last sync: delivered today. A row new to the
                # sync: on its target date if that has passed.
                had_base = link.state is not None and "status" in link.state.values
                milestone.follow_status(
                    delivered_on=today if had_base else min(milestone.target_date, today)
                )
                fields.update({"delivered_date", "excused"})
            milestone.version += 1
            milestone.updated_at = now
            changed.append(milestone)
    if changed:
        _update_rows(Milestone, changed, sorted(fields))
        Milestone.history.bulk_history_create(
            changed, update=True, custom_historical_attrs={"source": Source.SYNC}
        )
    return len(changed)


def _save_states(plan: SyncPlan, now: datetime.datetime) -> None:
    """The next run's base: only the states that change are written."""
    create: list[SyncState] = []
    update: list[SyncState] = []

    def stage(milestone, state, tab, row, values) -> None:
        if state is None:
            create.append(
                SyncState(milestone=milestone, tab=tab, row=row, values=values, synced_at=now)
            )
        elif (state.tab, state.row, state.values) != (tab, row, values):
            state.tab, state.row, state.values, state.synced_at = tab, row, values, now
            update.append(state)

    for tab in plan.tabs:
        fields = tab.layout.fields
        for link in tab.links:
            base = {**(link.state.values if link.state else {}), **values_to_json(link.merge.base)}
            stage(link.milestone, link.state, tab.title, link.row.number, base)
        for new in tab.new_rows:
            values = app_values(new.milestone)
            base = values_to_json({n: values[n] for n in fields if n in new.row.values})
            stage(new.milestone, None, tab.title, new.row.number, base)
        for append in tab.appends:
            values = app_values(append.milestone)
            state = append.milestone.sync_state if append.restored else None
            base = {
                **(state.values if state else {}),
                **values_to_json({n: values[n] for n in fields}),
            }
            stage(append.milestone, state, tab.title, append.row_number, base)
    if create:
        SyncState.objects.bulk_create(create)
    if update:
        _update_rows(SyncState, update, ["tab", "row", "values", "synced_at"])


def _save_conflicts(plan: SyncPlan, run: SyncRun, now: datetime.datetime) -> None:
    if plan.superseded:
        SyncConflict.objects.filter(
            pk__in=[c.pk for c in plan.superseded], status=SyncConflict.Status.OPEN
        ).update(status=SyncConflict.Status.SUPERSEDED, resolved_at=now)
    if plan.conflicts:
        SyncConflict.objects.bulk_create(
            SyncConflict(
                milestone=c.milestone,
                field=c.field,
                sheet_value=to_json(c.field, c.sheet_value),
                sheet_text=c.sheet_text,
                app_value=to_json(c.field, c.app_value),
                base_value=to_json(c.field, c.base_value) if c.has_base else None,
                has_base=c.has_base,
                tab=c.tab,
                row=c.row,
                column=c.column,
                run=run,
                detected_at=now,
            )
            for c in plan.conflicts
        )


def _update_rows(model, objects: Sequence[Any], fields: Sequence[str]) -> None:
    """UPDATE each object's `fields`, in one executemany.

    What `QuerySet.bulk_update` does, without the CASE expression per row and field that
    makes it cost a second per thousand rows; values are prepared by the fields themselves,
    so it holds on SQLite and PostgreSQL alike."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [column.get_db_prep_save(getattr(obj, column.attname), connection) for column in columns]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
