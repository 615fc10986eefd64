"""What the app has for a run's plan, read once for every tab: the quarter's milestones and
those the rows name, open conflicts, and each team's members (`build_app_side`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q

from milestones.models import Milestone, Quarter
from sheets import parse
from sheets.models import SyncConflict
from teams.models import Membership, Team, User


@dataclass(frozen=True)
class AppSide:
    """What the app has, read once for every tab's plan."""

    quarter: Quarter
    milestones: Mapping[int, Milestone]  # every milestone a row may name, by pk
    open_conflicts: Mapping[tuple[int, str], SyncConflict]  # (milestone pk, field) -> open one
    names: Mapping[int, str]  # user pk -> name, for the changes in words
    in_quarter: Mapping[int, Sequence[Milestone]]  # team pk -> its quarter, in table order


def sync_members(teams: Sequence[Team]) -> dict[int, list[parse.Member]]:
    """Each team's active members, plus the owners of its milestones who have left it, so
    that a name the app wrote into the sheet always reads back."""
    members: dict[int, list[parse.Member]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    memberships = Membership.objects.filter(team__in=teams, active=True).select_related("user")
    for membership in memberships.order_by("pk"):
        user = membership.user
        members[membership.team_id].append(
            parse.Member(user.pk, user.name, user.email, user.username)
        )
        seen.add((membership.team_id, user.pk))
    owners = set(
        Milestone.objects.filter(team__in=teams, owner__isnull=False)
        .order_by()
        .values_list("team_id", "owner_id")
        .distinct()
    )
    former = owners - seen
    users = User.objects.in_bulk({owner for _, owner in former})
    for team_id, owner_id in sorted(former):
        user = users[owner_id]
        members[team_id].append(parse.Member(user.pk, user.name, user.email, user.username))
    return members


def build_app_side(
    teams: Sequence[Team],
    quarter: Quarter,
    ids: set[int],
    members: Mapping[int, Sequence[parse.Member]],
) -> AppSide:
    milestones = {
        m.pk: m
        for m in Milestone.objects.filter(
            Q(pk__in=ids) | Q(team__in=teams, quarter=quarter)
        ).select_related("sync_state", "owner", "quarter", "team")
    }
    open_conflicts = {
        (c.milestone_id, c.field): c
        for c in SyncConflict.objects.filter(
            status=SyncConflict.Status.OPEN, milestone__team__in=teams
        )
    }
    in_quarter: dict[int, list[Milestone]] = {}
    for milestone in sorted(milestones.values(), key=lambda m: (m.position, m.pk)):
        if milestone.quarter_id == quarter.pk:
            in_quarter.setdefault(milestone.team_id, []).append(milestone)
    return AppSide(
        quarter=quarter,
        milestones=milestones,
        open_conflicts=open_conflicts,
        names={m.id: m.name for sync_members in members.values() for m in sync_members},
        in_quarter=in_quarter,
    )
