"""Leadership's People pages: the list of people (and of throttled sign-ins), adding a person,
and a person's page where leadership edits them, moves them to another team, makes them tech
lead or records that they left, with the history of who changed what.

Who may: `milestones.permissions.can_manage_organisation`, checked in every view.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from milestones.permissions import can_manage_organisation
from teams import services, throttle
from teams.forms import ClearThrottleForm, MoveForm, PersonForm, show_model_errors
from teams.http import MilepostRequest
from teams.models import PASSWORD_CHANGED, Membership, Team, User

REFUSED = "Only leadership manages people, teams and squads."


@dataclass(frozen=True)
class PersonRow:
    person: User
    membership: Membership | None


@dataclass(frozen=True)
class ChangeRow:
    """One change in a person's history: their own fields or their membership of a team."""

    when: datetime.datetime
    who: str
    source: str
    what: str


def require_organisation_manager(request: MilepostRequest) -> None:
    if not can_manage_organisation(request.user):
        raise PermissionDenied(REFUSED)


@require_GET
def people_list(request: MilepostRequest):
    """Everyone, active first, with their team and role; and the sign-ins the throttle is
    slowing down or blocking now. Four queries whatever the number of people."""
    require_organisation_manager(request)
    people = list(User.objects.order_by("-is_active", "display_name", "username"))
    memberships = {
        m.user_id: m for m in Membership.objects.filter(active=True).select_related("team")
    }
    rows = [PersonRow(person, memberships.get(person.pk)) for person in people]
    return render(
        request,
        "teams/people.html",
        {"rows": rows, "throttled": throttle.throttled(), "clear_form": ClearThrottleForm()},
    )


@require_http_methods(["GET", "POST"])
def person_add(request: MilepostRequest):
    require_organisation_manager(request)
    form = PersonForm(request.POST if request.method == "POST" else None, adding=True)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_person(
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                is_leadership=data["is_leadership"],
                team=data["team"],
                role=data["role"],
            )
        except ValidationError as error:
            show_model_errors(form, error)
        else:
            messages.success(
                request,
                f"Added {person.name}. They set a password with “Forgot your password?” on the "
                "sign-in page, or sign in with Google.",
            )
            return redirect("people:edit", pk=person.pk)
    status = 422 if form.is_bound else 200
    return render(request, "teams/person_add.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def person_edit(request: MilepostRequest, pk: int):
    require_organisation_manager(request)
    person = get_object_or_404(User, pk=pk)
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    form = PersonForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.update_person(person=person, **form.cleaned_data)
        except ValidationError as error:
            person.refresh_from_db()
            show_model_errors(form, error)
        else:
            messages.success(request, f"Saved {person.name}.")
            return redirect("people:edit", pk=person.pk)
    return _person_page(request, person, form=form)


@require_POST
def person_move(request: MilepostRequest, pk: int):
    require_organisation_manager(request)
    person = get_object_or_404(User, pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            membership = services.move_person(
                person=person, team=form.cleaned_data["team"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            show_model_errors(form, error)
        else:
            messages.success(
                request,
                f"{person.name} is now {membership.get_role_display().lower()} of "
                f"{membership.team}.",
            )
            return redirect("people:edit", pk=person.pk)
    return _person_page(request, person, move_form=form)


@require_POST
def person_make_lead(request: MilepostRequest, pk: int):
    require_organisation_manager(request)
    person = get_object_or_404(User, pk=pk)
    try:
        membership = services.make_tech_lead(person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{person.name} is now the tech lead of {membership.team}.")
    return redirect("people:edit", pk=person.pk)


@require_POST
def person_deactivate(request: MilepostRequest, pk: int):
    require_organisation_manager(request)
    person = get_object_or_404(User, pk=pk)
    if person.pk == request.user.pk:
        messages.error(request, "You cannot record yourself as a leaver.")
    else:
        services.deactivate_person(person=person)
        messages.success(
            request, f"{person.name} has left: they can no longer sign in and are on no team."
        )
    return redirect("people:edit", pk=person.pk)


@require_POST
def person_reactivate(request: MilepostRequest, pk: int):
    require_organisation_manager(request)
    person = get_object_or_404(User, pk=pk)
    services.reactivate_person(person=person)
    messages.success(request, f"{person.name} can sign in again; move them to a team if needed.")
    return redirect("people:edit", pk=person.pk)


@require_POST
def clear_throttle(request: MilepostRequest):
    require_organisation_manager(request)
    form = ClearThrottleForm(request.POST)
    if form.is_valid():
        kind, key = form.cleaned_data["kind"], form.cleaned_data["key"]
        count = throttle.clear(kind, key)
        messages.success(
            request, f"Cleared {count} failed sign-in{'s' if count != 1 else ''} of {key}."
        )
    else:
        messages.error(request, "Say which account or address to clear.")
    return redirect("people:list")


def person_changes(person: User) -> list[ChangeRow]:
    """Who changed this person and their memberships, newest first. Two queries."""
    rows: list[ChangeRow] = []
    records = list(person.history.select_related("history_user").order_by("history_id"))
    previous = None
    for record in records:
        if previous is None:
            what = "added" if record.history_type == "+" else "first recorded"
        else:
            said = [_describe(change) for change in record.diff_against(previous).changes]
            if record.history_change_reason == PASSWORD_CHANGED:  # the hash is not kept
                said.append(PASSWORD_CHANGED)
            what = "; ".join(said) or "saved unchanged"
        rows.append(_change_row(record, what))
        previous = record
    memberships = Membership.history.filter(user_id=person.pk).select_related("history_user")
    teams = dict(Team.objects.values_list("pk", "name"))
    for record in memberships.order_by("history_id"):
        team = teams.get(record.team_id, "a deleted team")
        role = Membership.Role(record.role).label.lower()
        if record.history_type == "+":
            what = f"joined {team} as {role}"
        elif record.history_type == "-":
            what = f"membership of {team} deleted"
        elif record.active:
            what = f"became {role} of {team}"
        else:
            what = f"left {team}"
        rows.append(_change_row(record, what))
    return sorted(rows, key=lambda row: row.when, reverse=True)


def _person_page(request, person: User, *, form=None, move_form=None):
    membership = Membership.objects.filter(user=person, active=True).select_related("team").first()
    if form is None:
        initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
        form = PersonForm(initial=initial)
    if move_form is None:
        move_form = MoveForm(
            initial={"team": membership.team_id if membership else None},
        )
    failed = form.is_bound or move_form.is_bound
    context = {
        "person": person,
        "membership": membership,
        "form": form,
        "move_form": move_form,
        "changes": person_changes(person),
    }
    return render(request, "teams/person.html", context, status=422 if failed else 200)


def _change_row(record, what: str) -> ChangeRow:
    who = record.history_user.name if record.history_user else "—"
    return ChangeRow(record.history_date, who, record.get_source_display(), what)


def _describe(change) -> str:
    label = User._meta.get_field(change.field).verbose_name
    return f"{label}: {change.old or '—'} → {change.new or '—'}"
