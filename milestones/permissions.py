"""Who may do what (SPEC section 1), decided in one place.

Views call these before every change and templates read their answers (through the view's
context) to decide what to show; the server never trusts the template's decision. Every
signed-in user may read everything, so there are no read checks here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from milestones.lifecycle import quarter_state
from milestones.models import Milestone
from teams.models import Membership

if TYPE_CHECKING:
    from milestones.models import Quarter
    from teams.models import Team, User

DROPPED = "dropped"

# What each role may change on a milestone: leadership every editable field, a lead all but
# leadership's excuse of a drop, an engineer the progress of what they own.
LEADERSHIP_FIELDS = frozenset(Milestone.EDITABLE_FIELDS)
LEAD_FIELDS = LEADERSHIP_FIELDS - {"excused"}
ENGINEER_FIELDS = frozenset({"status", "target_date", "delivered_date", "notes"})


def active_membership(user: User) -> Membership | None:
    """The user's one active membership, cached on the user for the request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_milepost_membership"):
        user._milepost_membership = (
            Membership.objects.filter(user=user, active=True).select_related("team").first()
        )
    return user._milepost_membership


def remember_membership_among(user: User, memberships: Iterable[Membership]) -> None:
    """If the active `memberships` already read (each with its team, as `teams_with_members`
    gives a team's) hold the user's, it is the one `active_membership` would read, since a
    person has at most one (`one_active_team_per_person`): remember it for the request. A lead
    on their own team's page then costs no query for what they may do."""
    if not user.is_authenticated or hasattr(user, "_milepost_membership"):
        return
    for membership in memberships:
        if membership.active and membership.user_id == user.pk:
            user._milepost_membership = membership
            return


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
    """The milestone fields this user may change right now (empty: read-only).

    The committed date is the baseline the quarter is judged against: once leadership locks
    the quarter, only leadership moves it. A dropped milestone belongs to whoever manages the
    team's table until it is restored, so its owner cannot edit it. A closed quarter is on
    record: only leadership changes its milestones, each change a restatement with a reason
    (`needs_restatement`); everyone else reads it.
    """
    if is_leadership(user):
        return LEADERSHIP_FIELDS
    if milestone.quarter.is_closed:
        return frozenset()
    team = milestone.team
    if is_lead_of(user, team):
        if milestone.quarter.locked:
            return LEAD_FIELDS - {"committed_date"}
        return LEAD_FIELDS
    if is_member_of(user, team) and milestone.owner_id == user.pk and milestone.status != DROPPED:
        return ENGINEER_FIELDS
    return frozenset()


def can_edit_milestone(
    user: User, milestone: Milestone, fields: Iterable[str] | None = None
) -> bool:
    """May the user change these fields (any field when `fields` is None)?

    Asking about no fields at all is asking whether the user may edit the milestone at all,
    so a user with no rights on it never gets a yes for an empty change.
    """
    allowed = editable_fields(user, milestone)
    if not allowed:
        return False
    return fields is None or set(fields) <= allowed


def can_set_status(user: User, milestone: Milestone, status: str) -> bool:
    """Dropping a milestone, or bringing a dropped one back, is managing the team's table."""
    if status == DROPPED or milestone.status == DROPPED:
        return can_manage_milestones(user, milestone.team)
    return can_edit_milestone(user, milestone, ["status"])


def can_apply_changes(user: User, milestone: Milestone, changes: Mapping[str, Any]) -> bool:
    """The one question an edit asks: may this user make exactly these changes?"""
    if not can_edit_milestone(user, milestone, changes.keys()):
        return False
    return "status" not in changes or can_set_status(user, milestone, changes["status"])


def can_manage_milestones(user: User, team: Team, quarter: Quarter | None = None) -> bool:
    """Create, reorder, drop and restore milestones of a team (in `quarter`): its lead, or
    leadership. Never in a closed quarter: leadership changes one through an edit with a
    reason (a restatement), which these actions do not carry."""
    if quarter is not None and quarter.is_closed:
        return False
    return is_leadership(user) or is_lead_of(user, team)


def can_add_milestone(user: User, team: Team, quarter: Quarter, today: datetime.date) -> bool:
    """Add a milestone to a team's table for `quarter`: whoever manages the table, once
    planning of the quarter has opened (leadership earlier too), never once it is closed."""
    if not can_manage_milestones(user, team, quarter):
        return False
    return is_leadership(user) or quarter_state(quarter, today).is_open_for_planning


def needs_restatement(milestone: Milestone) -> bool:
    """A change to a milestone of a closed quarter is a restatement: it needs a reason."""
    return milestone.quarter.is_closed


def can_run_review(user: User, team: Team) -> bool:
    return is_leadership(user) or is_lead_of(user, team)


def can_reopen_review(user: User) -> bool:
    return is_leadership(user)


def can_manage_quarter(user: User, quarter: Quarter | None = None) -> bool:
    """Goals, grace, lock and excuses are leadership's."""
    return is_leadership(user)


def can_close_quarter(user: User) -> bool:
    """Closing a quarter (carry over or drop what is open, record the figure, set the next
    goal) is leadership's."""
    return is_leadership(user)


def can_lock_planning(user: User) -> bool:
    return is_leadership(user)


def can_run_sync(user: User) -> bool:
    return is_leadership(user)


def can_resolve_conflict(user: User, team: Team) -> bool:
    return is_leadership(user) or is_lead_of(user, team)


def can_manage_organisation(user: User) -> bool:
    """People (add, edit, move, make tech lead, deactivate), teams, squads, slip reasons and
    throttled sign-ins: leadership manages the organisation in the app (SPEC section 1)."""
    return is_leadership(user)


def can_manage_dependencies(user: User, downstream: Milestone) -> bool:
    """Add or remove what a milestone waits on: whoever manages its team's table (its lead,
    leadership), never in a closed quarter (the link carries no restatement reason)."""
    return can_manage_milestones(user, downstream.team, downstream.quarter)


def can_manage_slack(user: User) -> bool:
    """Set, replace, remove and test the Slack webhooks (the organisation's, a team's, a
    squad's): secrets that decide where the nudges and the digest are posted, leadership's."""
    return is_leadership(user)
