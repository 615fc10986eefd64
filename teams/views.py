from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones import asof
from milestones.models import Milestone
from milestones.quarters import current_quarter, pick_quarter
from milestones.selectors import teams_with_members
from milestones.views import render_team_page
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


@require_GET
def team_detail(request: MilepostRequest, slug: str):
    """Members, a quarter switcher (the current quarter by default) and the milestone table.

    `?as_of=YYYY-MM-DD` shows the table as it stood at the end of that day of the quarter,
    read-only (`milestones.asof`); a day the page cannot show is the live page with a message.
    """
    team = get_object_or_404(teams_with_members(), slug=slug)
    today = timezone.localdate()
    quarter, quarters = pick_quarter(request.GET.get("quarter"), today)
    wanted = asof.parse_as_of(request.GET.get("as_of"), quarter, today)
    if wanted.error:
        messages.warning(request, wanted.error)
    return render_team_page(request, team, quarter, quarters, as_of=wanted.day)
