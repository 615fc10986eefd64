"""A team's milestone table, edited in place, and the milestone page.

The table lives on the team page (`milestones/team.html`); its swappable parts are partials
of that template. Each view answers an htmx request with the partial it changed and a plain
browser with the whole page, or with a redirect after a successful POST, so every action also
works without JavaScript. Permissions are decided here on every request, by
`milestones.permissions`; the template only reads the answers.

Status codes: 403 for what the user may not change, 404 for what is not there (a milestone id
under another team's slug included), 409 when the row changed since the user loaded it (the
response shows the current values), 422 for input that breaks a rule (the response keeps what
was typed, each message beside its field).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from milestones import asof, ledger, ontime, timeline
from milestones.forms import MilestoneForm, NewMilestoneForm, SlipReasonForm
from milestones.models import Milestone, Quarter, SlipReason
from milestones.permissions import (
    can_apply_changes,
    can_edit_milestone,
    can_manage_milestones,
    editable_fields,
)
from milestones.quarters import pick_quarter
from milestones.selectors import slip_counts, teams_with_members
from milestones.services import (
    NotASlip,
    StaleMilestone,
    create_milestone,
    drop_milestone,
    explain_slip,
    move_milestone,
    restore_milestone,
    update_milestone,
)
from reviews.selectors import review_dates, review_status, team_calibration
from teams.http import MilepostRequest
from teams.models import Team, User

TEAM_PAGE = "milestones/team.html"
DETAIL_PAGE = "milestones/milestone.html"
QUARTER_SLUG = re.compile(r"^(?P<year>\d{4})-q(?P<number>[1-4])$")


# --- Access helpers -------------------------------------------------------------------------


def _get_milestone(slug: str, pk: int) -> Milestone:
    """The milestone at this URL; 404 when the id is not a milestone of this team."""
    return get_object_or_404(
        Milestone.objects.select_related("team__squad", "quarter", "owner"),
        pk=pk,
        team__slug=slug,
    )


def _get_editable_milestone(request: MilepostRequest, slug: str, pk: int) -> Milestone:
    milestone = _get_milestone(slug, pk)
    if not can_edit_milestone(request.user, milestone):
        raise PermissionDenied("You may not change this milestone.")
    return milestone


def _get_managed_milestone(request: MilepostRequest, slug: str, pk: int) -> Milestone:
    milestone = _get_milestone(slug, pk)
    if not can_manage_milestones(request.user, milestone.team):
        raise PermissionDenied("Only the team's tech lead and leadership manage its table.")
    return milestone


def _get_managed_team(request: MilepostRequest, slug: str) -> Team:
    team = get_object_or_404(Team.objects.select_related("squad"), slug=slug)
    if not can_manage_milestones(request.user, team):
        raise PermissionDenied("Only the team's tech lead and leadership add milestones.")
    return team


def _get_quarter(slug: str | None) -> Quarter:
    match = QUARTER_SLUG.match(slug or "")
    if not match:
        raise Http404("No such quarter.")
    return get_object_or_404(Quarter, year=match["year"], number=match["number"])


def _posted_version(request: MilepostRequest) -> int:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError) as error:
        raise BadRequest("The form carries no version; reload the page.") from error


# --- The team page and its table ------------------------------------------------------------


@dataclass
class Conflict:
    """Someone saved the row after the user loaded it; what they typed was not saved."""

    by: str
    at: datetime.datetime | None
    unsaved: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RowState:
    """A row the whole page shows in a state of its own: being edited (without JavaScript
    the edit row is a whole page), or back from a conflict or an error."""

    milestone_id: int
    edit: bool = True
    form: MilestoneForm | None = None
    conflict: Conflict | None = None
    error: str = ""


def table_context(
    request: MilepostRequest,
    team: Team,
    quarter: Quarter | None,
    *,
    as_of: datetime.date | None = None,
) -> dict:
    """The milestone table of a team for a quarter, each row carrying what the user may do.

    Three queries whatever the number of milestones: the milestones with their owners, their
    history (for the slip count) and the user's membership (cached for the request).

    With `as_of` (a valid day, see `asof.parse_as_of`), the table as it stood at the end of that
    day, judged on it (`milestones.asof`): read-only, and `quarter` carries that day's rules.
    Two queries: the quarter's history and the milestones' history.
    """
    today = timezone.localdate()
    milestones: list[Milestone] = []
    figures = None
    if quarter is not None:
        if as_of is None:
            milestones = list(
                Milestone.objects.filter(team=team, quarter=quarter).select_related("owner")
            )
            slips = slip_counts([m.pk for m in milestones])
        else:
            today, quarter = as_of, asof.quarter_as_of(quarter, as_of)
            milestones, slips = asof.milestones_as_of(quarter, as_of, team_ids={team.pk})
        rules = ontime.Rules.for_quarter(quarter)
        figures = ontime.team_quarter(milestones, rules, today, slip_counts=slips)
        for index, milestone in enumerate(milestones):
            milestone.is_first = index == 0
            milestone.is_last = index == len(milestones) - 1
            milestone.team = team
            milestone.quarter = quarter
            milestone.delivery = figures.classes[milestone.pk]
            milestone.days_slipped = ontime.days_slipped(milestone)
            milestone.editable = frozenset() if as_of else editable_fields(request.user, milestone)
    return {
        "team": team,
        "quarter": quarter,
        "milestones": milestones,
        "figures": figures,
        "can_manage": as_of is None and can_manage_milestones(request.user, team),
        "today": today,
        "as_of": as_of,
    }


@require_GET
def team_page(request: MilepostRequest, slug: str):
    """Members, a quarter switcher (the current quarter by default) and the milestone table.

    `?as_of=YYYY-MM-DD` shows the table as it stood at the end of that day of the quarter,
    read-only (`milestones.asof`); a day the page cannot show is the live page with a message.
    """
    team = get_object_or_404(teams_with_members(), slug=slug)
    today = timezone.localdate()
    quarter, quarters = pick_quarter(request.GET.get("quarter"), today)
    wanted = asof.parse_as_of(request.GET.get("as_of"), quarter, today)
    if wanted.error:
        messages.warning(request, wanted.error)
    return render_team_page(request, team, quarter, quarters, as_of=wanted.day)


def render_team_page(
    request: MilepostRequest,
    team: Team,
    quarter: Quarter | None,
    quarters: list[Quarter],
    *,
    row_state: RowState | None = None,
    add_form: NewMilestoneForm | None = None,
    status: int = 200,
    as_of: datetime.date | None = None,
) -> HttpResponse:
    context = table_context(request, team, quarter, as_of=as_of)
    if row_state is not None and row_state.edit:
        if row_state.form is None:
            row_state.form = _edit_form(request, _row_of(context, row_state.milestone_id))
        row_state.form.set_focus()
    elif add_form is not None and add_form.errors:
        add_form.set_focus()
    if add_form is None and context["can_manage"] and quarter is not None:
        add_form = NewMilestoneForm(team=team)
    context.update(
        quarters=quarters,
        row_state=row_state,
        add_form=add_form,
        review=review_status([team], context["today"])[team.pk],
        **_calibration_context(team, quarter, context),
    )
    return render(request, TEAM_PAGE, context, status=status)


def _calibration_context(team: Team, quarter: Quarter | None, context: dict) -> dict:
    """The forecast calibration of the shown quarter and the as-of quick links: two queries."""
    if quarter is None:
        return {}
    today = timezone.localdate()
    return {
        "calibration": team_calibration(
            team, context["quarter"], context["milestones"], context["today"]
        ),
        "as_of_max": min(quarter.end, today),
        "review_links": [
            (day, f"?quarter={quarter.slug}&as_of={day:%Y-%m-%d}")
            for day in review_dates(quarter, today, team=team)
        ],
    }


def _page_for(
    request: MilepostRequest, milestone: Milestone, *, status: int = 200, **kwargs: Any
) -> HttpResponse:
    """The team page at the milestone's quarter."""
    quarters = list(Quarter.objects.order_by("start"))
    return render_team_page(
        request, milestone.team, milestone.quarter, quarters, status=status, **kwargs
    )


def _team_url(milestone: Milestone) -> str:
    url = reverse("milestones:team", args=[milestone.team.slug])
    return f"{url}?quarter={milestone.quarter.slug}#milestone-{milestone.pk}"


def _row_of(context: dict, pk: int) -> Milestone:
    for milestone in context["milestones"]:
        if milestone.pk == pk:
            return milestone
    raise Http404("No such milestone in this table.")


def _edit_form(request: MilepostRequest, milestone: Milestone, data=None) -> MilestoneForm:
    return MilestoneForm(
        data,
        milestone=milestone,
        fields=editable_fields(request.user, milestone),
        may_drop=can_manage_milestones(request.user, milestone.team),
    )


def _render_row(
    request: MilepostRequest,
    milestone: Milestone,
    *,
    form: MilestoneForm | None = None,
    edit: bool = False,
    conflict: Conflict | None = None,
    error: str = "",
    focus: str = "",
    flash: str = "",
    status: int = 200,
) -> HttpResponse:
    """One row of the table, fresh from the database: the edit row when `edit` or a `form`
    (bound, with its errors) is given, else the display row.

    A display row that follows a change also refreshes the team's figures (out of band).
    """
    context = table_context(request, milestone.team, milestone.quarter)
    row = _row_of(context, milestone.pk)
    if edit and form is None:
        form = _edit_form(request, row)
    if form is not None:
        form.set_focus()
    context.update(
        milestone=row,
        form=form,
        conflict=conflict,
        row_error=error,
        focus=focus,
        flash=flash,
        refresh_figures=form is None and status == 200,
    )
    partial = "edit-row" if form is not None else "milestone-row"
    return render(request, f"{TEAM_PAGE}#{partial}", context, status=status)


def _render_table(
    request: MilepostRequest, team: Team, quarter: Quarter, *, focus_add: bool = False, **extra
) -> HttpResponse:
    context = table_context(request, team, quarter)
    if context["can_manage"]:
        context["add_form"] = NewMilestoneForm(team=team)
        if focus_add:
            # Ready for the next one: teams add their quarter's milestones in a row.
            context["add_form"].set_focus()
    context.update(extra)
    return render(request, f"{TEAM_PAGE}#milestone-table", context)


def _conflict(stale: StaleMilestone, unsaved: dict[str, Any] | None = None) -> Conflict:
    current = stale.current
    latest = current.history.select_related("history_user").order_by("-history_id").first()
    by = latest.history_user.name if latest and latest.history_user else "Someone"
    year = timezone.localdate().year
    return Conflict(
        by=by,
        at=latest.history_date if latest else None,
        unsaved=[
            (timeline.label(name), timeline.show_value(name, value, year=year))
            for name, value in (unsaved or {}).items()
        ],
    )


# --- Views -----------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def milestone_row(request: MilepostRequest, slug: str, pk: int):
    """The display row (what Cancel brings back); without htmx, the row on its team page."""
    milestone = _get_milestone(slug, pk)
    if not request.htmx:
        return redirect(_team_url(milestone))
    return _render_row(request, milestone, focus="edit")


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def milestone_edit(request: MilepostRequest, slug: str, pk: int):
    """The edit row: GET shows it, POST saves it against the version it was loaded at."""
    milestone = _get_editable_milestone(request, slug, pk)
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
            )
        except StaleMilestone as stale:
            conflict = _conflict(stale, changes)
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
    return redirect(_team_url(milestone))


def _edit_failed(
    request: MilepostRequest, milestone: Milestone, form: MilestoneForm
) -> HttpResponse:
    if request.htmx:
        return _render_row(request, milestone, form=form, status=422)
    return _page_for(request, milestone, row_state=RowState(milestone.pk, form=form), status=422)


@require_POST
def milestone_create(request: MilepostRequest, slug: str):
    """Add a milestone at the foot of the team's table for the quarter posted with it."""
    team = _get_managed_team(request, slug)
    quarter = _get_quarter(request.POST.get("quarter"))
    form = NewMilestoneForm(request.POST, team=team)
    if form.is_valid():
        try:
            milestone = create_milestone(
                team=team, quarter=quarter, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            message = f"Added “{milestone.title}”."
            if request.htmx:
                return _render_table(request, team, quarter, flash=message, focus_add=True)
            messages.success(request, message)
            return redirect(_team_url(milestone))
    if request.htmx:
        context = {"team": team, "quarter": quarter, "add_form": form}
        form.set_focus()
        response = render(request, f"{TEAM_PAGE}#add-row", context, status=422)
        return reswap(retarget(response, "#add-milestone"), "outerHTML")
    quarters = list(Quarter.objects.order_by("start"))
    return render_team_page(request, team, quarter, quarters, add_form=form, status=422)


@require_POST
def milestone_move(request: MilepostRequest, slug: str, pk: int):
    """Move a milestone one place up or down its team's table (the keyboard's way to reorder)."""
    milestone = _get_managed_milestone(request, slug, pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise BadRequest("A milestone moves up or down.")
    move_milestone(milestone=milestone, direction=direction, user=request.user)
    message = f"Moved “{milestone.title}” {direction}."
    if request.htmx:
        return _render_table(request, milestone.team, milestone.quarter, flash=message)
    messages.success(request, message)
    return redirect(_team_url(milestone))


@require_POST
def milestone_drop(request: MilepostRequest, slug: str, pk: int):
    """Drop a milestone: it stays in the table, struck through, until it is restored."""
    milestone = _get_managed_milestone(request, slug, pk)
    return _drop_or_restore(request, milestone, drop_milestone, "Dropped", focus="restore")


@require_POST
def milestone_restore(request: MilepostRequest, slug: str, pk: int):
    """Restore a dropped milestone to the status it had before it was dropped."""
    milestone = _get_managed_milestone(request, slug, pk)
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
        conflict = _conflict(stale)
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
    return redirect(_team_url(milestone))


@require_GET
def milestone_detail(request: MilepostRequest, slug: str, pk: int):
    """Details, the commitment ledger (every move of the dates, with why) and the history
    timeline (field by field) of one milestone.

    Queries: the milestone, its history with the users who made it and the reasons given, the
    owners the history names and, for those who may give reasons, the list of reasons,
    whatever the length of the history.
    """
    milestone = _get_milestone(slug, pk)
    return render(request, DETAIL_PAGE, _detail_context(request, milestone))


@require_POST
def slip_reason(request: MilepostRequest, slug: str, pk: int, record_id: int):
    """Give, or change, the reason of one slip of the milestone (the historical record that
    moved its target date later): anyone who may move the target date may say why it moved.

    htmx gets the ledger back (422 with the message beside the reason); a plain form gets a
    redirect to the milestone page, or the page with the message (422).
    """
    milestone = _get_milestone(slug, pk)
    if not can_edit_milestone(request.user, milestone, {"target_date"}):
        raise PermissionDenied("Only those who may move the target date say why it moved.")
    records = _ledger_records(milestone)
    entry = ledger.build_ledger(records, ledger.explanations_of(records)).slip(record_id)
    if entry is None:
        raise Http404("No such slip of this milestone.")
    form = SlipReasonForm(request.POST, current=entry.reason_id)
    if not form.is_valid():
        context = _detail_context(
            request, milestone, records=records, failed=(record_id, form), focus=record_id
        )
        template = f"{DETAIL_PAGE}#ledger" if request.htmx else DETAIL_PAGE
        return render(request, template, context, status=422)
    try:
        explain_slip(
            milestone=milestone,
            record_id=record_id,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except NotASlip as error:  # the history changed under us: it cannot, but say so
        raise Http404("No such slip of this milestone.") from error
    message = f"Saved the reason: {form.cleaned_data['reason']}."
    if request.htmx:
        context = _detail_context(request, milestone, flash=message, focus=record_id)
        return render(request, f"{DETAIL_PAGE}#ledger", context)
    messages.success(request, message)
    return redirect(f"{milestone.get_absolute_url()}#slip-{record_id}")


def _ledger_records(milestone: Milestone) -> list:
    """The milestone's history oldest first, with who made each change and the reason given
    for each slip: one query."""
    return list(
        milestone.history.select_related(
            "history_user", "slip_explanation__reason", "slip_explanation__given_by"
        ).order_by("history_date", "history_id")
    )


def _detail_context(
    request: MilepostRequest,
    milestone: Milestone,
    *,
    records: list | None = None,
    failed: tuple[int, SlipReasonForm] | None = None,
    focus: int | None = None,
    flash: str = "",
) -> dict[str, Any]:
    records = _ledger_records(milestone) if records is None else records
    owners = {
        user.pk: user.name for user in User.objects.filter(pk__in=timeline.owner_ids(records))
    }
    today = timezone.localdate()
    rules = ontime.Rules.for_quarter(milestone.quarter)
    book = ledger.build_ledger(records, ledger.explanations_of(records))
    can_explain = can_edit_milestone(request.user, milestone, {"target_date"})
    rows = [(entry, _slip_form_state(entry, failed, focus)) for entry in book.entries]
    return {
        "milestone": milestone,
        "team": milestone.team,
        "delivery": ontime.delivery_class(milestone, rules, today),
        "deadline": ontime.deadline(milestone.committed_date, rules),
        "days_slipped": ontime.days_slipped(milestone),
        "ledger": book,
        "ledger_rows": rows,
        "entries": timeline.build_timeline(records, owners),
        "can_edit": can_edit_milestone(request.user, milestone),
        "can_explain": can_explain,
        # One query for every slip's select, rather than one per form.
        "reasons": list(SlipReason.objects.all()) if can_explain and book.slips else [],
        "flash": flash,
        "team_url": _team_url(milestone),
    }


@dataclass
class SlipFormState:
    """What one slip's reason form shows: the reason picked, the note, and any error."""

    selected: str  # the reason's id as the select's value, "" for none
    note: str
    errors: list[str] = field(default_factory=list)
    focus: bool = False  # the entry just saved, or sent back with an error


def _slip_form_state(
    entry: ledger.LedgerEntry, failed: tuple[int, SlipReasonForm] | None, focus: int | None
) -> SlipFormState | None:
    if not entry.is_slip:
        return None
    if failed and failed[0] == entry.record_id:
        form = failed[1]
        errors = [message for messages in form.errors.values() for message in messages]
        return SlipFormState(
            str(form.data.get("reason", "")), form.data.get("note", ""), errors, focus=True
        )
    selected = "" if entry.reason_id is None else str(entry.reason_id)
    return SlipFormState(selected, entry.note, focus=focus == entry.record_id)
