"""Leadership's pages to prepare a tab for the sync: its column mapping and the adoption
preview (issue 14 items 5 and 6), linked from the Sync page.

Both read the sheet as it is now, with the sync's own client (two requests, no transaction
open); a sheet that cannot be read gives the reason on the page. The rules are in
`sheets.mapping` and `sheets.preview`; who may use them in `permissions.can_run_sync`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from milestones import permissions
from sheets.client import SheetUnavailable
from sheets.mapping import (
    MAPPABLE,
    NOT_MAPPED,
    MappedColumn,
    columns_of,
    header_of,
    overrides_for,
    read_team_tab,
    save_mapping,
    why_unmappable,
)
from sheets.plan import SyncRefused
from sheets.preview import preview_sync
from teams.http import MilepostRequest
from teams.models import Team


@dataclass(frozen=True)
class ColumnRow:
    """A header cell on the mapping page: what it carries, the choice shown, an error."""

    column: MappedColumn
    choice: str
    error: str = ""


def _leadership_only(request: MilepostRequest) -> None:
    if not permissions.can_run_sync(request.user):
        raise PermissionDenied("Only leadership maps a tab's columns and previews the sync.")


@require_http_methods(["GET", "POST"])
def sync_column_mapping(request: MilepostRequest, slug: str):
    """The header row of the team's tab and the field each column carries; a POST keeps the
    choices (the header texts come with it, as the page showed them) as the team's mapping."""
    _leadership_only(request)
    team = get_object_or_404(Team, slug=slug, active=True)
    overrides = overrides_for([team]).get(team.pk, {})
    errors: dict[int, str] = {}
    posted: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        header = _posted_header(request)
        for column in columns_of(header, overrides):
            value = request.POST.get(f"column-{column.index}")
            if value is not None and not column.repeat_of:
                posted[column.index] = value
        outcome = save_mapping(team, header, posted, user=request.user)
        if outcome.saved:
            done = "; ".join(outcome.changes) or "nothing changed"
            messages.success(request, f"{team.name}'s columns: {done}. The next sync uses them.")
            return redirect("sheets:columns", slug=team.slug)
        errors, status, unavailable, tab = outcome.errors, 422, "", None
    else:
        try:
            tab = read_team_tab(team)
            unavailable = ""
        except SheetUnavailable as exc:
            tab, unavailable = None, f"The sheet cannot be read just now: {exc}"
        header = header_of(tab)
    rows = [
        ColumnRow(column, posted.get(column.index, column.field), errors.get(column.index, ""))
        for column in columns_of(header, overrides)
    ]
    context = {
        "team": team,
        "tab": tab,
        "tab_title": tab.title if tab else team.tab_title,
        "rows": rows,
        "choices": [(NOT_MAPPED, "Not mapped (the sheet's own column)"), *MAPPABLE],
        "unavailable": unavailable,
        "problem": why_unmappable(header, overrides),
        "posted": request.method == "POST",
        "ticket_url_template": settings.MILEPOST_TICKET_URL_TEMPLATE,
    }
    return render(request, "sheets/mapping.html", context, status=status)


def _posted_header(request: MilepostRequest) -> list[str]:
    """Row 1 as the page showed it: `header-<index>` fields, gaps left blank."""
    cells: dict[int, str] = {}
    for name, value in request.POST.items():
        index = name.removeprefix("header-")
        if name.startswith("header-") and index.isdigit() and int(index) < 1000:
            cells[int(index)] = value
    return [cells.get(index, "") for index in range(max(cells, default=-1) + 1)]


@require_GET
def sync_preview(request: MilepostRequest):
    """What the next sync would adopt, match and refuse in each tab, nothing written."""
    _leadership_only(request)
    try:
        tabs, unavailable = preview_sync(today=timezone.localdate()), ""
    except (SheetUnavailable, SyncRefused) as exc:
        tabs, unavailable = [], f"The sync cannot be previewed just now: {exc}"
    first = [tab for tab in tabs if tab.first_sync]
    synced = [tab for tab in tabs if not tab.first_sync]
    return render(
        request,
        "sheets/preview.html",
        {"first": first, "synced": synced, "unavailable": unavailable},
    )
