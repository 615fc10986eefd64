"""Leadership's Organisation page: squads and teams (add, rename, move to another squad,
retire) and the list of slip reasons. Every form posts to a view of its own and comes back to
the page; a refused form is shown again on the page with its errors, at 422.

Who may: `milestones.permissions.can_manage_organisation`, checked in every view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from milestones.models import SlipReason
from teams import services
from teams.forms import SlipReasonEditForm, SquadForm, TeamForm, show_model_errors
from teams.http import MilepostRequest
from teams.models import Squad, Team
from teams.people import require_organisation_manager


@dataclass(frozen=True)
class EditRow:
    """A row of the page's tables: the object and its form (bound when it was refused)."""

    obj: object
    form: forms.Form


@require_GET
def organisation(request: MilepostRequest):
    require_organisation_manager(request)
    return _page(request)


@require_POST
def team_add(request: MilepostRequest):
    require_organisation_manager(request)
    form = TeamForm(request.POST, prefix="new-team")
    if _saved(form, lambda d: services.create_team(name=d["name"], squad=d["squad"])):
        messages.success(request, f"Added the team {form.cleaned_data['name']}.")
        return redirect("people:organisation")
    return _page(request, refused=("new-team", form))


@require_POST
def team_edit(request: MilepostRequest, pk: int):
    require_organisation_manager(request)
    team = get_object_or_404(Team, pk=pk)
    form = TeamForm(request.POST, prefix=f"team-{team.pk}")

    def save(data):
        return services.update_team(
            team=team, name=data["name"], squad=data["squad"], active=data["active"]
        )

    if _saved(form, save):
        messages.success(request, f"Saved the team {team.name}.")
        return redirect("people:organisation")
    return _page(request, refused=(f"team-{team.pk}", form))


@require_POST
def squad_add(request: MilepostRequest):
    require_organisation_manager(request)
    form = SquadForm(request.POST, prefix="new-squad")
    if _saved(form, lambda d: services.save_squad(name=d["name"])):
        messages.success(request, f"Added the squad {form.cleaned_data['name']}.")
        return redirect("people:organisation")
    return _page(request, refused=("new-squad", form))


@require_POST
def squad_edit(request: MilepostRequest, pk: int):
    require_organisation_manager(request)
    squad = get_object_or_404(Squad, pk=pk)
    form = SquadForm(request.POST, prefix=f"squad-{squad.pk}")
    if _saved(form, lambda d: services.save_squad(squad=squad, name=d["name"])):
        messages.success(request, f"Renamed the squad to {squad.name}.")
        return redirect("people:organisation")
    return _page(request, refused=(f"squad-{squad.pk}", form))


@require_POST
def slip_reason_add(request: MilepostRequest):
    require_organisation_manager(request)
    form = SlipReasonEditForm(request.POST, prefix="new-reason")
    if _saved(form, lambda d: services.save_slip_reason(**d)):
        messages.success(request, f"Added the slip reason “{form.cleaned_data['name']}”.")
        return redirect("people:organisation")
    return _page(request, refused=("new-reason", form))


@require_POST
def slip_reason_edit(request: MilepostRequest, pk: int):
    require_organisation_manager(request)
    reason = get_object_or_404(SlipReason, pk=pk)
    form = SlipReasonEditForm(request.POST, prefix=f"reason-{reason.pk}")
    if _saved(form, lambda d: services.save_slip_reason(reason=reason, **d)):
        messages.success(request, f"Saved the slip reason “{reason.name}”.")
        return redirect("people:organisation")
    return _page(request, refused=(f"reason-{reason.pk}", form))


def _saved(form: forms.Form, save) -> bool:
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        show_model_errors(form, error)
        return False
    return True


def _page(request, *, refused: tuple[str, forms.Form] | None = None):
    """The whole page; `refused` is the (prefix, form) that failed, shown with its errors.
    Three queries (squads, teams, reasons) plus the squads of the team forms' choices."""
    bound = dict([refused]) if refused else {}

    def form_for(prefix: str, form_class, initial: dict) -> forms.Form:
        return bound.get(prefix) or form_class(initial=initial, prefix=prefix)

    squads = list(Squad.objects.all())
    teams = list(Team.objects.select_related("squad").order_by("-active", "name"))
    reasons = list(SlipReason.objects.all())
    context = {
        "squads": [
            EditRow(squad, form_for(f"squad-{squad.pk}", SquadForm, {"name": squad.name}))
            for squad in squads
        ],
        "teams": [
            EditRow(
                team,
                _with_squads(
                    form_for(
                        f"team-{team.pk}",
                        TeamForm,
                        {"name": team.name, "squad": team.squad_id, "active": team.active},
                    ),
                    squads,
                ),
            )
            for team in teams
        ],
        "reasons": [
            EditRow(
                reason,
                form_for(
                    f"reason-{reason.pk}",
                    SlipReasonEditForm,
                    {"name": reason.name, "position": reason.position, "active": reason.active},
                ),
            )
            for reason in reasons
        ],
        "new_team": _with_squads(form_for("new-team", TeamForm, {}), squads),
        "new_squad": form_for("new-squad", SquadForm, {}),
        "new_reason": form_for(
            "new-reason", SlipReasonEditForm, {"position": len(reasons), "active": True}
        ),
    }
    return render(request, "teams/organisation.html", context, status=422 if refused else 200)


def _with_squads(form: forms.Form, squads: list[Squad]) -> forms.Form:
    """The squads already read, as the form's choices: no query per team row."""
    form.fields["squad"].choices = [(squad.pk, squad.name) for squad in squads]
    return form
