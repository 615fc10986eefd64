"""Writes that change the organisation: people, their teams and roles, teams, squads and the
list of slip reasons. Leadership's People pages call them (`teams.people`,
`teams.organisation`); who may is `milestones.permissions.can_manage_organisation`.

Each service is one transaction and validates with `full_clean()`; the rows' history (who,
when, from where) is kept by simple-history on every model they write. Each counts its change
in every quarter's change counter (`milestones.changes`, the dashboard's cache key), after its
last write: names, teams, squads, leads, trios and slip reasons show on every quarter's
dashboard.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from milestones.changes import bump_every_quarter
from milestones.models import SlipReason
from teams.models import Membership, Squad, Team, User

PERSON_FIELDS = ("username", "display_name", "email", "is_leadership")


@transaction.atomic
def create_person(
    *,
    username: str,
    display_name: str,
    email: str,
    is_leadership: bool = False,
    team: Team | None = None,
    role: str = Membership.Role.ENGINEER,
) -> User:
    """A new person, with no password yet (they set one from the e-mailed reset link, or sign
    in with Google), on `team` in `role` when given."""
    person = User(
        username=username, display_name=display_name, email=email, is_leadership=is_leadership
    )
    person.set_unusable_password()
    person.full_clean()
    person.save()
    if team is not None:
        _join(person, team, role)
    bump_every_quarter()
    return person


@transaction.atomic
def update_person(*, person: User, **changes) -> User:
    """Change a person's username, name, e-mail or leadership flag."""
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"Not a person's field: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    bump_every_quarter()
    return person


@transaction.atomic
def move_person(*, person: User, team: Team, role: str = Membership.Role.ENGINEER) -> Membership:
    """Move a person to `team` in `role`: their current membership ends (it stays, inactive,
    for history) and a new one starts. Made tech lead, they take over from the team's lead,
    who stays on as an engineer."""
    if not person.is_active:
        raise ValidationError({"team": "This person has left: reactivate them first."})
    current = _active_membership(person)
    if current is not None and current.team_id == team.pk:
        if current.role != role:
            if role == Membership.Role.TECH_LEAD:
                return make_tech_lead(person=person)
            current.role = role
            current.full_clean()
            current.save()
            bump_every_quarter()
        return current
    if current is not None:
        current.active = False
        current.save()
    membership = _join(person, team, role)
    bump_every_quarter()
    return membership


@transaction.atomic
def make_tech_lead(*, person: User) -> Membership:
    """Make a person the tech lead of their team. The one-lead rule holds throughout: the old
    lead becomes an engineer first, in the same transaction."""
    membership = _active_membership(person)
    if membership is None:
        raise ValidationError({"role": "This person is on no team: move them to one first."})
    if membership.role == Membership.Role.TECH_LEAD:
        return membership
    _demote_lead(membership.team)
    membership.role = Membership.Role.TECH_LEAD
    membership.full_clean()
    membership.save()
    bump_every_quarter()
    return membership


@transaction.atomic
def deactivate_person(*, person: User) -> User:
    """A leaver: they can no longer sign in and their membership ends. Their milestones, reviews
    and history stay; their milestones keep them as owner until the lead picks another."""
    membership = _active_membership(person)
    if membership is not None:
        membership.active = False
        membership.save()
    person.is_active = False
    person.full_clean()
    person.save()
    bump_every_quarter()
    return person


@transaction.atomic
def reactivate_person(*, person: User) -> User:
    person.is_active = True
    person.full_clean()
    person.save()
    bump_every_quarter()
    return person


@transaction.atomic
def create_team(*, name: str, squad: Squad, slug: str = "") -> Team:
    team = Team(name=name.strip(), slug=slug or slugify(name), squad=squad)
    team.full_clean()
    team.save()
    bump_every_quarter()
    return team


@transaction.atomic
def update_team(*, team: Team, name: str, squad: Squad, active: bool = True) -> Team:
    """Rename a team or move it to another squad. Its address (slug) stays, so links to it
    keep working; its sheet tab is followed by its id once linked."""
    team.name, team.squad, team.active = name.strip(), squad, active
    team.full_clean()
    team.save()
    bump_every_quarter()
    return team


@transaction.atomic
def save_squad(*, name: str, squad: Squad | None = None) -> Squad:
    """Add a squad, or rename `squad`."""
    squad = squad or Squad()
    squad.name = name.strip()
    squad.full_clean()
    squad.save()
    bump_every_quarter()
    return squad


@transaction.atomic
def save_slip_reason(
    *, name: str, position: int, active: bool, reason: SlipReason | None = None
) -> SlipReason:
    """Add a reason a target date moves later, or change one. A retired reason (not active) is
    no longer offered; the slips that gave it keep it."""
    reason = reason or SlipReason()
    reason.name, reason.position, reason.active = name.strip(), position, active
    reason.full_clean()
    reason.save()
    bump_every_quarter()
    return reason


def _active_membership(person: User) -> Membership | None:
    return (
        Membership.objects.select_for_update()
        .filter(user=person, active=True)
        .select_related("team")
        .first()
    )


def _demote_lead(team: Team) -> None:
    """The team's lead becomes an engineer (saved one by one, so the history records it)."""
    leads = Membership.objects.select_for_update().filter(
        team=team, role=Membership.Role.TECH_LEAD, active=True
    )
    for lead in leads:
        lead.role = Membership.Role.ENGINEER
        lead.save()


def _join(person: User, team: Team, role: str) -> Membership:
    if role == Membership.Role.TECH_LEAD:
        _demote_lead(team)
    membership = Membership(user=person, team=team, role=role, active=True)
    membership.full_clean()
    membership.save()
    return membership
