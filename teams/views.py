from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones.quarters import current_quarter
from teams.http import MilepostRequest
from teams.models import Team
from teams.selectors import team_list_html, team_list_rows


@require_GET
def home(request: MilepostRequest):
    """Leadership lands on the dashboard, a team member on their team, anyone else on the list."""
    if request.user.is_leadership:
        return redirect("dashboard:index")
    # Just the team's slug: a person has at most one active membership (a constraint), so
    # no ordering by name (Membership's joined the user and the team for it) and no instances.
    slug = (
        Team.objects.filter(memberships__user=request.user, memberships__active=True, active=True)
        .values_list("slug", flat=True)
        .order_by("pk")
        .first()
    )
    if slug is not None:
        return redirect("milestones:team", slug)
    return redirect("teams:list")


@require_GET
def team_list(request: MilepostRequest):
    """Every active team: squad, lead, engineers, trio or not, this quarter's done / total.

    Queries: the quarters, then `team_list_rows`' three, whatever the number of teams.
    """
    quarter = current_quarter(timezone.localdate())
    rows = team_list_rows(quarter)
    return render(
        request,
        "teams/team_list.html",
        {"rows": rows, "rows_html": team_list_html(rows), "quarter": quarter},
    )
