from dataclasses import dataclass

from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones.models import Milestone
from milestones.quarters import current_quarter
from milestones.selectors import teams_with_members
from teams.http import MilepostRequest
from teams.models import Membership, Team


@require_GET
def home(request: MilepostRequest):
    """Leadership lands on the dashboard, a team member on their team, anyone else on the list."""
    if request.user.is_leadership:
        return redirect("dashboard:index")
    membership = (
        Membership.objects.filter(user=request.user, active=True, team__active=True)
        .select_related("team")
        .first()
    )
    if membership:
        return redirect(membership.team)
    return redirect("teams:list")


@dataclass(frozen=True)
class TeamListRow:
    team: Team
    done: int
    total: int


@require_GET
def team_list(request: MilepostRequest):
    """Every active team: squad, lead, engineers, trio or not, this quarter's done / total.

    Queries: the quarters, the teams with their squads, their members, and one count of
    milestones per team, whatever the number of teams.
    """
    quarter = current_quarter(timezone.localdate())
    teams = list(teams_with_members(Team.objects.filter(active=True)))
    counts: dict[int, tuple[int, int]] = {}
    if quarter is not None:
        counts = {
            row["team_id"]: (row["done"], row["total"])
            for row in Milestone.objects.filter(quarter=quarter)
            .values("team_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=Milestone.Status.DONE)))
            .order_by()
        }
    rows = [TeamListRow(team, *counts.get(team.pk, (0, 0))) for team in teams]
    return render(request, "teams/team_list.html", {"rows": rows, "quarter": quarter})
