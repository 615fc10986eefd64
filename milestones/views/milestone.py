"""The milestone page: its details, the commitment ledger (every move of the dates, with why,
and a form to give each slip its reason) and the history timeline (field by field)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from milestones import dependencies, ledger, ontime, timeline
from milestones.dependency_reads import (
    dependency_lists,
    downstream_history,
    slip_costs,
)
from milestones.forms import SlipReasonForm
from milestones.models import Milestone, Restatement, SlipExplanation, SlipReason
from milestones.permissions import can_edit_milestone
from milestones.selectors import HistoricalMilestone
from milestones.services import NotASlip, explain_slip, remove_dependency
from milestones.views.access import get_linkable_milestone, get_milestone, team_url
from milestones.views.dependency_forms import (
    REMOVED,
    RESULTS,
    add_posted_upstream,
    added_message,
    dependency_block,
)
from teams.http import MilepostRequest
from teams.models import User

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


@require_GET
def dependency_search(request: MilepostRequest, slug: str, pk: int):
    """Milestones to wait on, by title and team (`?q=`, `?team=`): the results for htmx, the
    milestone page with them for a plain form. Open to all who read the page; only those who
    may link get the buttons (and the add endpoint checks again)."""
    milestone = get_milestone(slug, pk)
    context = _detail_context(request, milestone)
    return render(request, RESULTS if request.htmx else DETAIL_PAGE, context)


@require_POST
def dependency_add(request: MilepostRequest, slug: str, pk: int):
    """This milestone waits on the milestone `upstream` names. Refused with the reason beside
    the search (422): an unknown milestone, itself, a duplicate, a cycle, a far quarter."""
    milestone = get_linkable_milestone(request, slug, pk)
    upstream, errors = add_posted_upstream(request, milestone)
    if upstream is None:
        context = _detail_context(request, milestone, dependency_errors=errors)
        template = f"{DETAIL_PAGE}#dependencies" if request.htmx else DETAIL_PAGE
        return render(request, template, context, status=422)
    return _dependencies_changed(request, milestone, added_message(upstream))


@require_POST
def dependency_remove(request: MilepostRequest, slug: str, pk: int, upstream_pk: int):
    """This milestone no longer waits on milestone `upstream_pk` (404: it did not)."""
    milestone = get_linkable_milestone(request, slug, pk)
    if not remove_dependency(downstream=milestone, upstream_id=upstream_pk, user=request.user):
        raise Http404("This milestone does not wait on that one.")
    return _dependencies_changed(request, milestone, REMOVED)


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


# Of the people a history names (who made a change, who gave a reason) the page shows only
# the name: reading their other columns three times over was a fifth of the milestone page's
# cost (issue 17), as was `milestone.history`, a manager class built at each access.
_LEDGER_COLUMNS = (
    *(f.name for f in HistoricalMilestone._meta.concrete_fields),
    *(f"history_user__{name}" for name in User.NAME_COLUMNS),
    *(f"slip_explanation__{f.name}" for f in SlipExplanation._meta.concrete_fields),
    *(f"slip_explanation__reason__{f.name}" for f in SlipReason._meta.concrete_fields),
    *(f"slip_explanation__given_by__{name}" for name in User.NAME_COLUMNS),
    *(f"restatement__{f.name}" for f in Restatement._meta.concrete_fields),
    *(f"restatement__given_by__{name}" for name in User.NAME_COLUMNS),
)


def _ledger_records(milestone: Milestone) -> list:
    """The milestone's history oldest first, with who made each change and the reason given
    for each slip: one query."""
    return list(
        HistoricalMilestone.objects.filter(id=milestone.pk)
        .select_related(
            "history_user",
            "slip_explanation__reason",
            "slip_explanation__given_by",
            "restatement__given_by",
        )
        .only(*_LEDGER_COLUMNS)
        .order_by("history_date", "history_id")
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
        user.pk: user.name
        for user in User.objects.filter(pk__in=timeline.owner_ids(records)).only(*User.NAME_COLUMNS)
    }
    today = timezone.localdate()
    rules = ontime.Rules.for_quarter(milestone.quarter)
    book = ledger.build_ledger(
        records, ledger.explanations_of(records), ledger.restatements_of(records)
    )
    can_explain = can_edit_milestone(request.user, milestone, {"target_date"})
    links = dependency_lists(milestone, today)
    put_at_risk = (
        ledger.put_at_risk_at_slips(book.slips, downstream_history(milestone)) if book.slips else {}
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
        # What it waits on and what waits on it, with the search (`dependency_forms`).
        "deps": dependency_block(
            request,
            milestone,
            links=links,
            errors=dependency_errors,
            flash=dependency_flash,
        ),
    }


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
