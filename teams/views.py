from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones import ontime
from milestones.models import Milestone
from milestones.quarters import current_quarter, pick_quarter
from milestones.selectors import slip_counts, teams_with_members
from teams.http import MilepostRequest
from teams.models import Membership, Team


@require_GET
def home(request: MilepostRequest):
    """Leadership lands on the dashboard, a team member on their team, anyone else on the list."""
    if request.user.is_leadership:
        return redirect("milestones:dashboard")
    membership = (
        Membership.objects.filter(user=request.user, active=True, team__active=True)
        .select_related("team")
        .first()
    )
    if membership:
        return redirect(membership.team)
    return redirect("teams:list")


@require_GET
def team_list(request: MilepostRequest):
    today = timezone.localdate()
    quarter = current_quarter(today)
    teams = list(teams_with_members(Team.objects.filter(active=True)))
    done_total: dict[int, tuple[int, int]] = {}
    if quarter:
        for team_id, status in Milestone.objects.filter(quarter=quarter).values_list(
            "team_id", "status"
        ):
            done, total = done_total.get(team_id, (0, 0))
            done_total[team_id] = (done + (status == Milestone.Status.DONE), total + 1)
    rows = [(team, *done_total.get(team.pk, (0, 0))) for team in teams]
    return render(request, "teams/team_list.html", {"rows": rows, "quarter": quarter})


@require_GET
def team_detail(request: MilepostRequest, slug: str):
    team = get_object_or_404(teams_with_members(), slug=slug)
    today = timezone.localdate()
    quarter, quarters = pick_quarter(request.GET.get("quarter"), today)
    milestones = []
    figures = None
    if quarter:
        milestones = list(
            Milestone.objects.filter(team=team, quarter=quarter).select_related("owner")
        )
        rules = ontime.Rules.for_quarter(quarter)
        figures = ontime.team_quarter(
            milestones, rules, today, slip_counts=slip_counts([m.pk for m in milestones])
        )
        for milestone in milestones:
            milestone.delivery = figures.classes[milestone.pk]
    return render(
        request,
        "teams/team_detail.html",
        {
            "team": team,
            "quarter": quarter,
            "quarters": quarters,
            "milestones": milestones,
            "figures": figures,
        },
    )
