"""The team page and its milestone table, edited in place.

The table's swappable parts are partials of `milestones/team.html` (`milestone-table`,
`milestone-row`, `edit-row`, `add-row`, `team-figures`); the page's data, and each table's,
comes from one selector (`team_page_data`, `milestone_table`), rows as `MilestoneRow`s.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from milestones import timeline
from milestones.forms import MilestoneForm, NewMilestoneForm
from milestones.models import Milestone, Quarter
from milestones.permissions import (
    can_add_milestone,
    can_apply_changes,
    can_manage_milestones,
    editable_fields,
)
from milestones.selectors import (
    MilestoneRow,
    MilestoneTable,
    TeamPage,
    edit_row,
    members_by_name,
    milestone_table,
    team_page_data,
    teams_with_members,
)
from milestones.services import (
    StaleMilestone,
    create_milestone,
    drop_milestone,
    move_milestone,
    restore_milestone,
    update_milestone,
)
from milestones.views.access import (
    get_editable_milestone,
    get_managed_milestone,
    get_managed_team,
    get_row_milestone,
    team_url,
)
from teams.http import MilepostRequest
from teams.models import Team

TEAM_PAGE = "milestones/team.html"
QUARTER_SLUG = re.compile(r"^(?P<year>\d{4})-q(?P<number>[1-4])$")


@dataclass(frozen=True)
class EditConflict:
    """Someone saved the row after the user loaded it; what they typed was not saved."""

    by: str
    at: datetime.datetime | None
    unsaved: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class RowState:
    """A row the whole page shows in a state of its own: being edited (without JavaScript
    the edit row is a whole page), or back from a conflict or an error."""

    milestone_id: int
    edit: bool = True
    form: MilestoneForm | None = None
    conflict: EditConflict | None = None
    error: str = ""


# --- Views -----------------------------------------------------------------------------------


@require_GET
def team_page(request: MilepostRequest, slug: str):
    """Members, a quarter switcher (the current quarter by default) and the milestone table.

    `?as_of=YYYY-MM-DD` shows the table as it stood at the end of that day of the quarter,
    read-only (`milestones.asof`); a day the page cannot show is the live page with a message.
    """
    team = get_object_or_404(teams_with_members(), slug=slug)
    return render_team_page(
        request,
        team,
        quarter_slug=request.GET.get("quarter"),
        as_of_text=request.GET.get("as_of"),
    )


@require_GET
@vary_on_headers("HX-Request")
def milestone_row(request: MilepostRequest, slug: str, pk: int):
    """The display row (what Cancel brings back); without htmx, the row on its team page."""
    milestone = get_row_milestone(slug, pk)
    if not request.htmx:
        return redirect(team_url(milestone))
    return _render_row(request, milestone, focus="edit")


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def milestone_edit(request: MilepostRequest, slug: str, pk: int):
    """The edit row: GET shows it, POST saves it against the version it was loaded at."""
    milestone = get_editable_milestone(request, slug, pk)
    if request.method == "GET":
        if request.htmx:
            return _render_row(request, milestone, edit=True)
        return _page_for(request, milestone, row_state=RowState(milestone.pk))

    form = _edit_form(request, milestone, request.POST)
    if form.changes_outside():
        raise PermissionDenied("You may not change some of these fields.")
    if not form.is_valid():
        return _edit_failed(request, milestone, form)
    changes = form.changes()
    if not can_apply_changes(request.user, milestone, changes):
        raise PermissionDenied("You may not make this change.")
    if changes:
        try:
            milestone = update_milestone(
                milestone=milestone,
                version=form.cleaned_data["version"],
                changes=changes,
                user=request.user,
                slip_reason=form.slip_reason,
                slip_note=form.slip_note,
                ask_reason=True,
                restatement_reason=form.restatement_reason,
                ask_past_target=True,
                past_target_confirmed=form.past_target_confirmed,
            )
        except StaleMilestone as stale:
            conflict = _edit_conflict(stale, changes)
            if request.htmx:
                return _render_row(request, milestone, edit=True, conflict=conflict, status=409)
            state = RowState(milestone.pk, conflict=conflict)
            return _page_for(request, milestone, row_state=state, status=409)
        except ValidationError as error:
            form.add_model_errors(error)
            return _edit_failed(request, milestone, form)
    message = f"Saved “{milestone.title}”." if changes else "Nothing to save: no field changed."
    if request.htmx:
        return _render_row(request, milestone, focus="edit", flash=message)
    messages.success(request, message)
    return redirect(team_url(milestone))


def _edit_failed(
    request: MilepostRequest, milestone: Milestone, form: MilestoneForm
) -> HttpResponse:
    if request.htmx:
        return _render_row(request, milestone, form=form, status=422)
    return _page_for(request, milestone, row_state=RowState(milestone.pk, form=form), status=422)


@require_POST
def milestone_create(request: MilepostRequest, slug: str):
    """Add a milestone at the foot of the team's table for the quarter posted with it."""
    team = get_managed_team(request, slug)
    quarter = _posted_quarter(request)
    if not can_add_milestone(request.user, team, quarter, timezone.localdate()):
        raise PermissionDenied(f"{quarter} takes no new milestone from you now.")
    form = NewMilestoneForm(request.POST, team=team)
    if form.is_valid():
        try:
            milestone = create_milestone(
                team=team,
                quarter=quarter,
                user=request.user,
                ask_past_target=True,
                past_target_confirmed=form.past_target_confirmed,
                **form.milestone_values(),
            )
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            message = f"Added “{milestone.title}”."
            if request.htmx:
                return _render_table(request, team, quarter, flash=message, focus_add=True)
            messages.success(request, message)
            return redirect(team_url(milestone))
    if request.htmx:
        context = {"team": team, "quarter": quarter, "add_form": form}
        form.set_focus()
        response = render(request, f"{TEAM_PAGE}#add-row", context, status=422)
        return reswap(retarget(response, "#add-milestone"), "outerHTML")
    team = get_object_or_404(teams_with_members(), pk=team.pk)
    return render_team_page(request, team, quarter_slug=quarter.slug, add_form=form, status=422)


@require_POST
def milestone_move(request: MilepostRequest, slug: str, pk: int):
    """Move a milestone one place up or down its team's table (the keyboard's way to reorder)."""
    milestone = get_managed_milestone(request, slug, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise BadRequest("A milestone moves up or down.")
    move_milestone(milestone=milestone, direction=direction, user=request.user)
    message = f"Moved “{milestone.title}” {direction}."
    if request.htmx:
        return _render_table(request, milestone.team, milestone.quarter, flash=message)
    messages.success(request, message)
    return redirect(team_url(milestone))


@require_POST
def milestone_drop(request: MilepostRequest, slug: str, pk: int):
    """Drop a milestone: it stays in the table, struck through, until it is restored."""
    milestone = get_managed_milestone(request, slug, pk)
    return _drop_or_restore(request, milestone, drop_milestone, "Dropped", focus="restore")


@require_POST
def milestone_restore(request: MilepostRequest, slug: str, pk: int):
    """Restore a dropped milestone to the status it had before it was dropped."""
    milestone = get_managed_milestone(request, slug, pk)
    return _drop_or_restore(request, milestone, restore_milestone, "Restored", focus="drop")


def _drop_or_restore(
    request: MilepostRequest,
    milestone: Milestone,
    service: Callable[..., Milestone],
    verb: str,
    *,
    focus: str,
) -> HttpResponse:
    version = _posted_version(request)
    try:
        milestone = service(milestone=milestone, version=version, user=request.user)
    except StaleMilestone as stale:
        conflict = _edit_conflict(stale)
        if request.htmx:
            return _render_row(request, milestone, conflict=conflict, status=409)
        state = RowState(milestone.pk, edit=False, conflict=conflict)
        return _page_for(request, milestone, row_state=state, status=409)
    except ValidationError as error:
        text = " ".join(error.messages)
        if request.htmx:
            return _render_row(request, milestone, error=text, status=422)
        state = RowState(milestone.pk, edit=False, error=text)
        return _page_for(request, milestone, row_state=state, status=422)
    message = f"{verb} “{milestone.title}”."
    if request.htmx:
        return _render_row(request, milestone, focus=focus, flash=message)
    messages.success(request, message)
    return redirect(team_url(milestone))


# --- Rendering the page and its partials ----------------------------------------------------


def render_team_page(
    request: MilepostRequest,
    team: Team,
    *,
    quarter_slug: str | None = None,
    as_of_text: str | None = None,
    row_state: RowState | None = None,
    add_form: NewMilestoneForm | None = None,
    dependency_editor: Any = None,
    status: int = 200,
) -> HttpResponse:
    """The whole team page (`team_page_data`) of `team`, read with `teams_with_members`, with
    one row in a state of its own or the add row sent back with its errors, or with one row's
    editor of what it waits on open (`dependency_forms.DependencyBlock`)."""
    page = team_page_data(request.user, team, quarter_slug=quarter_slug, as_of_text=as_of_text)
    if page.as_of_error:
        messages.warning(request, page.as_of_error)
    table = page.table
    if row_state is not None and row_state.edit:
        if row_state.form is None:
            row = _row_of(table, row_state.milestone_id)
            row_state = dataclasses.replace(row_state, form=_edit_form(request, row.milestone))
        row_state.form.set_focus()
    elif add_form is not None and add_form.errors:
        add_form.set_focus()
    if add_form is None and table.can_add:
        add_form = NewMilestoneForm(team=team, owners=members_by_name(team))
    context = _context(
        page, table, row_state=row_state, add_form=add_form, dependency_editor=dependency_editor
    )
    return render(request, TEAM_PAGE, context, status=status)


def _page_for(
    request: MilepostRequest, milestone: Milestone, *, status: int = 200, **kwargs: Any
) -> HttpResponse:
    """The team page at the milestone's quarter."""
    team = get_object_or_404(teams_with_members(), pk=milestone.team_id)
    return render_team_page(
        request, team, quarter_slug=milestone.quarter.slug, status=status, **kwargs
    )


def _render_row(
    request: MilepostRequest,
    milestone: Milestone,
    *,
    form: MilestoneForm | None = None,
    edit: bool = False,
    conflict: EditConflict | None = None,
    error: str = "",
    focus: str = "",
    flash: str = "",
    status: int = 200,
) -> HttpResponse:
    """One row of the table: the edit row when `edit` or a `form` (bound, with its errors) is
    given, else the display row, fresh from the database.

    The edit row shows `milestone` as this request read it (`get_milestone`, or as it was
    before a save that was refused, which wrote nothing) and, of the table, only its delivery
    (`edit_row`): it reads no table. A display row that follows a change also refreshes the
    team's figures (out of band), which need the team's whole table.
    """
    if edit and form is None:
        form = _edit_form(request, milestone)
    if form is not None:
        form.set_focus()
        context = {
            "team": milestone.team,
            "quarter": milestone.quarter,
            "row": edit_row(milestone),
            "form": form,
            "conflict": conflict,
        }
        return render(request, f"{TEAM_PAGE}#edit-row", context, status=status)
    table = milestone_table(request.user, milestone.team, milestone.quarter)
    context = _context(
        table,
        row=_row_of(table, milestone.pk),
        conflict=conflict,
        row_error=error,
        focus=focus,
        flash=flash,
        refresh_figures=status == 200,
    )
    return render(request, f"{TEAM_PAGE}#milestone-row", context, status=status)


def _render_table(
    request: MilepostRequest, team: Team, quarter: Quarter, *, focus_add: bool = False, **extra
) -> HttpResponse:
    table = milestone_table(request.user, team, quarter)
    add_form = None
    if table.can_add:
        add_form = NewMilestoneForm(team=team)
        if focus_add:
            # Ready for the next one: teams add their quarter's milestones in a row.
            add_form.set_focus()
    context = _context(table, add_form=add_form, **extra)
    return render(request, f"{TEAM_PAGE}#milestone-table", context)


def _context(*parts: TeamPage | MilestoneTable, **extra: Any) -> dict[str, Any]:
    """A template context: the fields of the page's dataclasses, then `extra`."""
    context: dict[str, Any] = {}
    for part in parts:
        context.update((f.name, getattr(part, f.name)) for f in dataclasses.fields(part))
    context.update(extra)
    return context


def _row_of(table: MilestoneTable, pk: int) -> MilestoneRow:
    row = table.row(pk)
    if row is None:
        raise Http404("No such milestone in this table.")
    return row


def _edit_form(request: MilepostRequest, milestone: Milestone, data=None) -> MilestoneForm:
    return MilestoneForm(
        data,
        milestone=milestone,
        fields=editable_fields(request.user, milestone),
        may_drop=can_manage_milestones(request.user, milestone.team),
    )


def _edit_conflict(stale: StaleMilestone, unsaved: dict[str, Any] | None = None) -> EditConflict:
    current = stale.current
    latest = current.history.select_related("history_user").order_by("-history_id").first()
    by = latest.history_user.name if latest and latest.history_user else "Someone"
    year = timezone.localdate().year
    return EditConflict(
        by=by,
        at=latest.history_date if latest else None,
        unsaved=[
            (timeline.label(name), timeline.show_value(name, value, year=year))
            for name, value in (unsaved or {}).items()
        ],
    )


# --- Reading the request ---------------------------------------------------------------------


def _posted_quarter(request: MilepostRequest) -> Quarter:
    """The quarter a new milestone is for, by its slug ("2026-q4"); 404 when there is none."""
    match = QUARTER_SLUG.match(request.POST.get("quarter") or "")
    if not match:
        raise Http404("No such quarter.")
    return get_object_or_404(Quarter, year=match["year"], number=match["number"])


def _posted_version(request: MilepostRequest) -> int:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError) as error:
        raise BadRequest("The form carries no version; reload the page.") from error
