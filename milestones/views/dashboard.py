from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones.quarters import pick_quarter
from milestones.selectors import quarter_report
from teams.http import MilepostRequest


@require_GET
def dashboard(request: MilepostRequest):
    today = timezone.localdate()
    quarter, quarters = pick_quarter(request.GET.get("quarter"), today)
    report = quarter_report(quarter, today) if quarter else None
    return render(
        request,
        "milestones/dashboard.html",
        {"quarter": quarter, "quarters": quarters, "report": report, "today": today},
    )
