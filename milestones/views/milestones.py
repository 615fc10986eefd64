from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones import ontime
from milestones.models import Milestone
from milestones.selectors import target_points
from teams.http import MilepostRequest


@require_GET
def milestone_detail(request: MilepostRequest, slug: str, pk: int):
    milestone = get_object_or_404(
        Milestone.objects.select_related("team", "quarter", "owner"), pk=pk, team__slug=slug
    )
    today = timezone.localdate()
    rules = ontime.Rules.for_quarter(milestone.quarter)
    history = list(
        milestone.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    slips = ontime.find_slips(target_points([milestone.pk]).get(milestone.pk, []))
    return render(
        request,
        "milestones/milestone_detail.html",
        {
            "milestone": milestone,
            "delivery": ontime.delivery_class(milestone, rules, today),
            "days_slipped": ontime.days_slipped(milestone),
            "history": history,
            "slips": slips,
        },
    )
