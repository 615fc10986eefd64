"""The Sync page (SPEC section 5): the sheet sync's runs and logs, open conflicts, "Sync now".

Everyone signed in reads it (transparency); leadership runs the sync
(`permissions.can_run_sync`), and leadership or the team's lead resolves a conflict
(`permissions.can_resolve_conflict`). "Sync now" records a queued run and enqueues the
sync as a task, so the request returns at once; the page polls the run with htmx and
reloads itself when the run has finished.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from milestones import permissions
from milestones.models import Milestone
from sheets import parse
from sheets.client import uses_emulator
from sheets.conflicts import ConflictClosed, resolve_conflict
from sheets.fields import app_values, display_value, from_json, to_json
from sheets.mapping import tabs_to_map
from sheets.models import SyncConflict, SyncRun
from sheets.tasks import run_queued_sync
from teams.http import MilepostRequest
from teams.models import User

PAGE = "sheets/sync.html"
RUNS_SHOWN = 15
# A run still queued after this long was never picked up (no `db_worker` running).
QUEUE_PATIENCE = datetime.timedelta(minutes=10)


@dataclass
class ConflictView:
    """A conflict as the pages show it: both values side by side, in words."""

    conflict: SyncConflict
    sheet: str
    app: str
    base: str
    can_resolve: bool

    @property
    def field_label(self) -> str:
        return parse.HEADERS[self.conflict.field]


@dataclass(frozen=True)
class BadCellRow:
    """A cell the last run could not read, as its log recorded it."""

    team: str
    where: str  # Tab!C4
    value: str
    text: str


# --- Pages ----------------------------------------------------------------------------------


@require_GET
def sync_page(request: MilepostRequest):
    runs = list(
        SyncRun.objects.select_related("requested_by").defer("messages", "journal", "teams")[
            :RUNS_SHOWN
        ]
    )
    conflicts = (
        SyncConflict.objects.filter(status=SyncConflict.Status.OPEN)
        .select_related("milestone__team", "milestone__owner", "milestone__quarter")
        .order_by("milestone__team__name", "milestone__position", "field")
    )
    active = _active_run()
    last_finished = next((r for r in runs if r.is_finished), None)
    conflict_views = _conflict_views(request.user, conflicts)
    return render(
        request,
        PAGE,
        {
            "runs": runs,
            "run": active or (runs[0] if runs else None),
            "last_finished": last_finished,
            "bad_cells": _bad_cells(last_finished),
            "conflicts": conflict_views,
            "open_count": len(conflict_views),
            "can_run": permissions.can_run_sync(request.user),
            "configured": bool(settings.MILEPOST_SHEET_KEY),
            "emulated": uses_emulator(),
            "to_map": tabs_to_map(),
        },
    )


@require_GET
def sync_run_detail(request: MilepostRequest, pk: int):
    run = get_object_or_404(SyncRun.objects.select_related("requested_by"), pk=pk)
    levels = {"error": 0, "warning": 1, "info": 2}
    log = sorted(run.messages, key=lambda m: levels.get(m.get("level"), 3))
    return render(request, "sheets/run.html", {"run": run, "log": log})


@require_GET
def sync_run_status(request: MilepostRequest, pk: int):
    """What a page polls while a run is queued or running; once it has finished, an htmx
    poll reloads the page, which then lists the run and the conflicts it met."""
    run = get_object_or_404(SyncRun.objects.defer("messages", "journal"), pk=pk)
    if request.htmx and run.is_finished and request.GET.get("polling"):
        return HttpResponseClientRefresh()
    if not request.htmx:
        return redirect("sheets:run", pk=run.pk)
    return render(request, f"{PAGE}#run-status", {"run": run})


@require_GET
def sync_conflict(request: MilepostRequest, pk: int):
    conflict = _get_conflict(pk)
    [view] = _conflict_views(request.user, [conflict])
    return render(request, "sheets/conflict.html", {"item": view})


# --- Actions --------------------------------------------------------------------------------


@require_POST
def sync_now(request: MilepostRequest):
    if not permissions.can_run_sync(request.user):
        raise PermissionDenied("Only leadership runs the sheet sync.")
    run = _active_run()
    if run is not None:
        if not request.htmx:  # htmx gets the run's progress in place: nothing for the next page
            messages.info(request, "A sync is already running: its progress is below.")
    else:
        _give_up_on_stuck_runs()
        run = SyncRun.objects.create(
            trigger=SyncRun.Trigger.WEB,
            requested_by=request.user,
            progress_label="Waiting for a worker",
        )
        run_queued_sync.enqueue(run.pk)
        run.refresh_from_db()
    if request.htmx:
        if run.is_finished:
            # Done already (an immediate task backend): show the run and its conflicts.
            return HttpResponseClientRefresh()
        return render(request, f"{PAGE}#run-status", {"run": run})
    return redirect("sheets:sync")


@require_POST
def sync_conflict_resolve(request: MilepostRequest, pk: int):
    conflict = _get_conflict(pk)
    if not permissions.can_resolve_conflict(request.user, conflict.milestone.team):
        raise PermissionDenied("Leadership or the team's tech lead resolves its conflicts.")
    take = request.POST.get("take")
    if take not in ("sheet", "app"):
        raise BadRequest("Take the sheet's value (take=sheet) or keep the app's (take=app).")
    status, level = 200, messages.SUCCESS
    try:
        conflict = resolve_conflict(conflict=conflict, take=take, user=request.user)
    except ConflictClosed as exc:
        conflict = exc.conflict
        text = f"Nothing to do: this conflict is {conflict.get_status_display()}."
        status, level = 409, messages.INFO
    except ValidationError as exc:
        text = f"The sheet's value cannot be taken: {' '.join(exc.messages)}"
        status, level = 422, messages.ERROR
    else:
        label = parse.HEADERS[conflict.field]
        outcome = "took the sheet's value" if take == "sheet" else "kept the app's value"
        text = (
            f"{conflict.milestone.title}: {label} {outcome}. The next sync writes it to the sheet."
        )
    if request.htmx:
        # The outcome is said in the row it answers with, never queued as a message: that
        # would show again on the next page the browser loads.
        conflict = _get_conflict(pk)
        [view] = _conflict_views(request.user, [conflict])
        open_count = SyncConflict.objects.filter(status=SyncConflict.Status.OPEN).count()
        context = {"item": view, "note": text, "note_is_error": level == messages.ERROR}
        html = render_to_string(f"{PAGE}#conflict-row", context, request)
        html += render_to_string(
            f"{PAGE}#open-count", {"open_count": open_count, "oob": True}, request
        )
        return HttpResponse(html, status=status)
    messages.add_message(request, level, text)
    if status == 422:
        return redirect("sheets:conflict", pk=pk)
    return redirect("sheets:sync")


# --- Helpers --------------------------------------------------------------------------------


def _get_conflict(pk: int) -> SyncConflict:
    return get_object_or_404(
        SyncConflict.objects.select_related(
            "milestone__team", "milestone__owner", "milestone__quarter", "resolved_by"
        ),
        pk=pk,
    )


def _active_run() -> SyncRun | None:
    """The run in progress (started here or by the nightly command), or one queued recently
    enough that a worker will still take it."""
    recent = timezone.now() - QUEUE_PATIENCE
    running = SyncRun.objects.defer("messages", "journal").filter(status=SyncRun.Status.RUNNING)
    queued = SyncRun.objects.defer("messages", "journal").filter(
        status=SyncRun.Status.QUEUED, created_at__gte=recent
    )
    return running.first() or queued.first()


def _give_up_on_stuck_runs() -> None:
    SyncRun.objects.filter(
        status=SyncRun.Status.QUEUED, created_at__lt=timezone.now() - QUEUE_PATIENCE
    ).update(
        status=SyncRun.Status.FAILED,
        finished_at=timezone.now(),
        error="No worker picked the run up (is `manage.py db_worker` running?).",
    )


def _bad_cells(run: SyncRun | None) -> list[BadCellRow]:
    """The cells `run` could not read (its error messages that name a cell), from its log."""
    if run is None or not run.errors:
        return []
    log = SyncRun.objects.filter(pk=run.pk).values_list("messages", flat=True).first() or []
    return [
        BadCellRow(
            team=m.get("team", ""),
            where=f"{m.get('tab', '')}!{m.get('column', '')}{m['row']}",
            value=m.get("value", ""),
            text=m.get("text", ""),
        )
        for m in log
        if m.get("level") == "error" and m.get("row") is not None
    ]


def _sheet_side(conflict: SyncConflict, users) -> str:
    """The sheet's value in words; a date as the app shows its own (one way for both sides),
    a link with the address it reads as when the cell shows something else (a ticket key, a
    =HYPERLINK formula's label: taking the sheet's value takes the address), anything else as
    it was typed in the sheet."""
    value = from_json(conflict.field, conflict.sheet_value)
    typed_date = isinstance(value, datetime.date)
    if conflict.field == "link" and value and conflict.sheet_text.strip() != value:
        return f"{conflict.sheet_text.strip()} ({value})" if conflict.sheet_text else value
    if conflict.sheet_text and not typed_date:
        return conflict.sheet_text
    return display_value(conflict.field, conflict.sheet_value, users)


def _conflict_views(user: User, conflicts) -> list[ConflictView]:
    conflicts = list(conflicts)
    owner_ids: set[Any] = set()
    for conflict in conflicts:
        if conflict.field == "owner":
            owner_ids.update(v for v in (conflict.sheet_value, conflict.base_value) if v)
    users = User.objects.in_bulk(owner_ids) if owner_ids else {}
    views = []
    for conflict in conflicts:
        milestone: Milestone = conflict.milestone
        if milestone.owner_id:
            users.setdefault(milestone.owner_id, milestone.owner)
        current = to_json(conflict.field, app_values(milestone)[conflict.field])
        views.append(
            ConflictView(
                conflict=conflict,
                sheet=_sheet_side(conflict, users),
                app=display_value(conflict.field, current, users),
                base=display_value(conflict.field, conflict.base_value, users)
                if conflict.has_base
                else "(first seen in this sync)",
                can_resolve=conflict.is_open
                and permissions.can_resolve_conflict(user, milestone.team),
            )
        )
    return views
