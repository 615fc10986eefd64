"""The milestone page: its details, the commitment ledger (every move of the dates, with why,
and a form to give each slip its reason) and the history timeline (field by field)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from milestones import dependencies, ledger, ontime, timeline
from milestones.dependency_reads import dependency_lists, slip_costs, upstream_candidates
from milestones.forms import SlipReasonForm
from milestones.models import Milestone, SlipReason
from milestones.permissions import can_edit_milestone, can_manage_dependencies
from milestones.services import NotASlip, add_dependency, explain_slip, remove_dependency
from milestones.views.access import get_milestone, team_url
from teams.http import MilepostRequest
from teams.models import Team, User

DETAIL_PAGE = "milestones/milestone.html"


@require_GET
def milestone_detail(request: MilepostRequest, slug: str, pk: int):
    """Details, the commitment ledger (every move of the dates, with why) and the history
    timeline (field by field) of one milestone.

    Queries: the milestone, its history with the users who made it and the reasons given, the
    owners the history names and, for those who may give reasons, the list of reasons,
    whatever the length of the history.
    """
    milestone = get_milestone(slug, pk)
    return render(request, DETAIL_PAGE, _detail_context(request, milestone))


# --- Dependencies (issue 16) ------------------------------------------------------------------


def _linkable_milestone(request: MilepostRequest, slug: str, pk: int) -> Milestone:
    """The milestone whose dependencies the user changes; 403 unless they manage its table."""
    milestone = get_milestone(slug, pk)
    if not can_manage_dependencies(request.user, milestone):
        if milestone.quarter.is_closed:
            raise PermissionDenied(f"{milestone.quarter} is closed: its dependencies stay.")
        raise PermissionDenied(
            "Only the team's tech lead and leadership change what its milestones wait on."
        )
    return milestone


@require_GET
def dependency_search(request: MilepostRequest, slug: str, pk: int):
    """Milestones to wait on, by title and team (`?q=`, `?team=`): the results for htmx, the
    milestone page with them for a plain form. Open to all who read the page; only those who
    may link get the buttons (and the add endpoint checks again)."""
    milestone = get_milestone(slug, pk)
    context = _detail_context(request, milestone)
    template = f"{DETAIL_PAGE}#dependency-results" if request.htmx else DETAIL_PAGE
    return render(request, template, context)


@require_POST
def dependency_add(request: MilepostRequest, slug: str, pk: int):
    """This milestone waits on the milestone `upstream` names. Refused with the reason beside
    the search (422): an unknown milestone, itself, a duplicate, a cycle, a far quarter."""
    milestone = _linkable_milestone(request, slug, pk)
    raw = request.POST.get("upstream", "")
    upstream = (
        Milestone.objects.select_related("team", "quarter").filter(pk=raw).first()
        if raw.isdigit()
        else None
    )
    try:
        if upstream is None:
            raise ValidationError({"upstream": "Pick the milestone it waits on from the search."})
        add_dependency(downstream=milestone, upstream=upstream, user=request.user)
    except ValidationError as error:
        errors = error.messages
        context = _detail_context(request, milestone, dependency_errors=errors)
        template = f"{DETAIL_PAGE}#dependencies" if request.htmx else DETAIL_PAGE
        return render(request, template, context, status=422)
    message = f"It now waits on “{upstream.title}” ({upstream.team.name})."
    return _dependencies_changed(request, milestone, message)


@require_POST
def dependency_remove(request: MilepostRequest, slug: str, pk: int, upstream_pk: int):
    """This milestone no longer waits on milestone `upstream_pk` (404: it did not)."""
    milestone = _linkable_milestone(request, slug, pk)
    if not remove_dependency(downstream=milestone, upstream_id=upstream_pk, user=request.user):
        raise Http404("This milestone does not wait on that one.")
    return _dependencies_changed(request, milestone, "Removed the dependency.")


def _dependencies_changed(request: MilepostRequest, milestone: Milestone, message: str):
    if request.htmx:
        context = _detail_context(request, milestone, dependency_flash=message)
        return render(request, f"{DETAIL_PAGE}#dependencies", context)
    messages.success(request, message)
    return redirect(f"{milestone.get_absolute_url()}#dependencies")


@require_POST
def slip_reason(request: MilepostRequest, slug: str, pk: int, record_id: int):
    """Give, or change, the reason of one slip of the milestone (the historical record that
    moved its target date later): anyone who may move the target date may say why it moved.

    htmx gets the ledger back (422 with the message beside the reason); a plain form gets a
    redirect to the milestone page, or the page with the message (422).
    """
    milestone = get_milestone(slug, pk)
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
            "history_user",
            "slip_explanation__reason",
            "slip_explanation__given_by",
            "restatement__given_by",
        ).order_by("history_date", "history_id")
    )


@dataclass(frozen=True)
class SlipFormState:
    """What one slip's reason form shows: the reason picked, the note, and any error."""

    selected: str  # the reason's id as the select's value, "" for none
    note: str
    errors: list[str] = field(default_factory=list)
    focus: bool = False  # the entry just saved, or sent back with an error


@dataclass(frozen=True)
class LedgerRow:
    """One entry of the ledger as the page shows it: the move, and its reason form (None for
    a move that is not a slip)."""

    entry: ledger.LedgerEntry
    slip_form: SlipFormState | None
    # The downstream milestones this slip moved the target past (issue 16), with their teams.
    put_at_risk: list[Milestone] = field(default_factory=list)
    # What that costs: the on-time verdicts it endangers, per quarter of those milestones.
    costs: list[dependencies.SlipCost] = field(default_factory=list)


def _detail_context(
    request: MilepostRequest,
    milestone: Milestone,
    *,
    records: list | None = None,
    failed: tuple[int, SlipReasonForm] | None = None,
    focus: int | None = None,
    flash: str = "",
    dependency_errors: list[str] | None = None,
    dependency_flash: str = "",
) -> dict[str, Any]:
    records = _ledger_records(milestone) if records is None else records
    owners = {
        user.pk: user.name for user in User.objects.filter(pk__in=timeline.owner_ids(records))
    }
    today = timezone.localdate()
    rules = ontime.Rules.for_quarter(milestone.quarter)
    book = ledger.build_ledger(
        records, ledger.explanations_of(records), ledger.restatements_of(records)
    )
    can_explain = can_edit_milestone(request.user, milestone, {"target_date"})
    links = dependency_lists(milestone, today)
    put_at_risk = dependencies.slips_putting_at_risk(
        book.slips, [row.milestone for row in links.downstream]
    )
    costs = slip_costs(put_at_risk, today)
    rows = [
        LedgerRow(
            entry,
            _slip_form_state(entry, failed, focus),
            put_at_risk.get(entry.record_id, []),
            costs.get(entry.record_id, []),
        )
        for entry in book.entries
    ]
    can_link = can_manage_dependencies(request.user, milestone)
    query = request.GET.get("q", "")[:100]
    team_slug = request.GET.get("team", "")[:100]
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
        "team_url": team_url(milestone),
        "links": links,
        "can_link": can_link,
        "dependency_errors": dependency_errors or [],
        "dependency_flash": dependency_flash,
        "search": {"q": query, "team": team_slug},
        "candidates": upstream_candidates(milestone, query, team_slug) if can_link else [],
        "search_teams": _team_options(team_slug) if can_link else "",
    }


def _team_options(selected: str) -> SafeString:
    """The search's team options, `selected`'s marked: one query of two columns, written here
    rather than by a template loop over model instances (a 1,000-team organisation made that
    most of the page's cost)."""
    teams = Team.objects.filter(active=True).order_by("name").values_list("slug", "name")
    return mark_safe(
        "".join(
            f'<option value="{escape(slug)}"{" selected" if slug == selected else ""}>'
            f"{escape(name)}</option>"
            for slug, name in teams
        )
    )


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
