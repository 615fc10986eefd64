"""What a milestone URL names, for the user asking: the object, a 404 when it is not there (a
milestone id under another team's slug included), a 403 when the user may not act on it.

Each helper asks `milestones.permissions` and selects what the pages read of the object.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse

from milestones.models import Milestone, Quarter
from milestones.permissions import (
    can_edit_milestone,
    can_manage_dependencies,
    can_manage_milestones,
)
from teams.http import MilepostRequest
from teams.models import Squad, Team, User


def get_milestone(slug: str, pk: int) -> Milestone:
    """The milestone at this URL; 404 when the id is not a milestone of this team."""
    return get_object_or_404(
        Milestone.objects.select_related(
            "team__squad", "quarter", "owner", "carried_from__quarter", "carried_to__quarter"
        ).only(*_MILESTONE_COLUMNS),
        pk=pk,
        team__slug=slug,
    )


# What the pages read of a milestone at its URL: all of it, its team, squad and quarter; of its
# owner the name, of the milestones it was carried from or into their title and quarter. Only
# these columns: compiling the six joins' every column was a tenth of the milestone page.
_MILESTONE_COLUMNS = (
    *(field.name for field in Milestone._meta.concrete_fields),
    *(f"team__{field.name}" for field in Team._meta.concrete_fields),
    *(f"team__squad__{field.name}" for field in Squad._meta.concrete_fields),
    *(f"quarter__{field.name}" for field in Quarter._meta.concrete_fields),
    *(f"owner__{name}" for name in User.NAME_COLUMNS),
    *(
        f"{link}__{column}"
        for link in ("carried_from", "carried_to")
        for column in ("title", "team_id", "quarter_id", "quarter__year", "quarter__number")
    ),
)


# What the edit row and its save read of a milestone: the columns above but the squad's and
# the carry-over links', which neither shows (a plain browser's team page reads its team again,
# with the squad and members). Why: their five joins were a third of the edit row's query to
# compile (issue 17).
_EDIT_COLUMNS = tuple(
    column for column in _MILESTONE_COLUMNS if not column.startswith(("carried", "team__squad__"))
)


# What a display row reads of the milestone at its URL: its team and quarter, to read the
# row from its table (`milestone_table`, which reads the milestone again, with the rest).
_ROW_COLUMNS = (
    "team",
    "quarter",
    *(f"team__{field.name}" for field in Team._meta.concrete_fields),
    *(f"quarter__{field.name}" for field in Quarter._meta.concrete_fields),
)


def get_row_milestone(slug: str, pk: int) -> Milestone:
    """The milestone at this URL with only its team and quarter; 404 as `get_milestone`. Why
    not `get_milestone`: its eight joins were compiled for a row the table reads again."""
    return get_object_or_404(
        Milestone.objects.select_related("team", "quarter").only(*_ROW_COLUMNS),
        pk=pk,
        team__slug=slug,
    )


def get_editable_milestone(request: MilepostRequest, slug: str, pk: int) -> Milestone:
    """The milestone at this URL, to edit (without its carry-over links); 403 unless the user
    may change some of its fields."""
    milestone = get_object_or_404(
        Milestone.objects.select_related("team", "quarter", "owner").only(*_EDIT_COLUMNS),
        pk=pk,
        team__slug=slug,
    )
    if not can_edit_milestone(request.user, milestone):
        raise PermissionDenied("You may not change this milestone.")
    return milestone


def get_managed_milestone(request: MilepostRequest, slug: str, pk: int) -> Milestone:
    milestone = get_milestone(slug, pk)
    if not can_manage_milestones(request.user, milestone.team, milestone.quarter):
        if milestone.quarter.is_closed:
            raise PermissionDenied(
                f"{milestone.quarter} is closed: leadership restates it through an edit, "
                "with a reason."
            )
        raise PermissionDenied("Only the team's tech lead and leadership manage its table.")
    return milestone


def get_linkable_milestone(request: MilepostRequest, slug: str, pk: int) -> Milestone:
    """The milestone whose dependencies the user changes; 403 unless they manage its table."""
    milestone = get_milestone(slug, pk)
    if not can_manage_dependencies(request.user, milestone):
        if milestone.quarter.is_closed:
            raise PermissionDenied(f"{milestone.quarter} is closed: its dependencies stay.")
        raise PermissionDenied(
            "Only the team's tech lead and leadership change what its milestones wait on."
        )
    return milestone


def get_managed_team(request: MilepostRequest, slug: str) -> Team:
    team = get_object_or_404(Team.objects.select_related("squad"), slug=slug)
    if not can_manage_milestones(request.user, team):
        raise PermissionDenied("Only the team's tech lead and leadership add milestones.")
    return team


def team_url(milestone: Milestone) -> str:
    """The milestone's row on its team page, at its quarter."""
    url = reverse("milestones:team", args=[milestone.team.slug])
    return f"{url}?quarter={milestone.quarter.slug}#milestone-{milestone.pk}"
