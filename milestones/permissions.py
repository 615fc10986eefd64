"""Who may do what (SPEC section 1), decided in one place.

Views call these before every change and templates call them (through the view's context) to
decide what to show; the server never trusts the template's decision. Every signed-in user
may read everything, so there are no read checks here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from teams.models import Membership

if TYPE_CHECKING:
    from milestones.models import Milestone, Quarter
    from teams.models import Team, User

# What each role may change on a milestone.
ENGINEER_FIELDS = frozenset({"status", "target_date", "delivered_date", "notes"})
LEAD_FIELDS = frozenset(
    {
        "title",
        "description",
        "owner",
        "committed_date",
        "target_date",
        "status",
        "delivered_date",
        "notes",
    }
)
LEADERSHIP_FIELDS = LEAD_FIELDS | {"excused"}


def active_membership(user: User) -> Membership | None:
    """The user's one active membership, cached on the user for the request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_milepost_membership"):
        user._milepost_membership = (
            Membership.objects.filter(user=user, active=True).select_related("team").first()
        )
    return user._milepost_membership


def is_lead_of(user: User, team: Team) -> bool:
    membership = active_membership(user)
    return bool(
        membership
        and membership.team_id == team.pk
        and membership.role == Membership.Role.TECH_LEAD
    )


def is_member_of(user: User, team: Team) -> bool:
    membership = active_membership(user)
    return bool(membership and membership.team_id == team.pk)


def is_leadership(user: User) -> bool:
    return bool(user.is_authenticated and user.is_leadership)


def editable_fields(user: User, milestone: Milestone) -> frozenset[str]:
    """The milestone fields this user may change right now (empty: read-only)."""
    if is_leadership(user):
        return LEADERSHIP_FIELDS
    team = milestone.team
    if is_lead_of(user, team):
        if milestone.quarter.locked:
            return LEAD_FIELDS - {"committed_date"}
        return LEAD_FIELDS
    if is_member_of(user, team) and milestone.owner_id == user.pk:
        return ENGINEER_FIELDS
    return frozenset()


def can_edit_milestone(user: User, milestone: Milestone, fields=None) -> bool:
    """May the user change these fields (any field when `fields` is None)?"""
    allowed = editable_fields(user, milestone)
    if fields is None:
        return bool(allowed)
    return set(fields) <= allowed


def can_manage_milestones(user: User, team: Team) -> bool:
    """Create, reorder, drop and restore milestones of a team: its lead, or leadership."""
    return is_leadership(user) or is_lead_of(user, team)


def can_run_review(user: User, team: Team) -> bool:
    return is_leadership(user) or is_lead_of(user, team)


def can_reopen_review(user: User) -> bool:
    return is_leadership(user)


def can_manage_quarter(user: User, quarter: Quarter | None = None) -> bool:
    """Goals, grace, lock and excuses are leadership's."""
    return is_leadership(user)


def can_run_sync(user: User) -> bool:
    return is_leadership(user)


def can_resolve_conflict(user: User, team: Team) -> bool:
    return is_leadership(user) or is_lead_of(user, team)
