"""Closing a quarter (leadership's page of its own), the quarter's record (readable by all) and
locking planning.

The close page lists every milestone still open, for each a choice to carry it over into the
next quarter (with its committed date there) or drop it, and why; the figure that will be
recorded; and the next quarter's goal, prefilled with this quarter's, its figure beside it.
`closing.close_quarter` does the rest in one transaction. The record page shows the recorded
figure, the decisions made at close and every restatement since, with the figure they make
when it differs.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from milestones import closing, lifecycle, ontime
from milestones.forms import CloseQuarterForm
from milestones.models import CloseDecision, Milestone, Quarter, QuarterRecord
from milestones.permissions import can_close_quarter, can_lock_planning
from milestones.quarters import quarter_bounds
from milestones.selectors import quarter_report
from teams.http import MilepostRequest

CLOSE_PAGE = "milestones/close.html"
RECORD_PAGE = "milestones/quarter_record.html"
_SLUG = re.compile(r"(?P<year>\d{4})-q(?P<number>[1-4])")
# A carried milestone is committed, by default, this far into the next quarter when its own
# target date falls outside it.
DEFAULT_CARRY_DAYS = 28


@require_http_methods(["GET", "POST"])
def close_page(request: MilepostRequest, slug: str):
    """GET shows what closing will do; POST closes the quarter (a redirect to its record), or
    shows the page again with each problem beside its milestone (422).

    Queries: the quarter, its open milestones, the next quarter, and the figure to record
    (the quarter report's four), whatever the number of teams.
    """
    quarter = _get_quarter(slug)
    if not can_close_quarter(request.user):
        raise PermissionDenied("Only leadership closes a quarter.")
    record_url = reverse("milestones:quarter_record", args=[quarter.slug])
    if quarter.is_closed:
        messages.info(request, f"{quarter} is already closed.")
        return redirect(record_url)
    today = timezone.localdate()
    pending = closing.open_milestones(quarter)
    after = closing.next_quarter(quarter)
    form = CloseQuarterForm(
        request.POST if request.method == "POST" else None,
        milestones=pending,
        next_goal=after.goal if after and after.goal else quarter.goal,
        carry_on=lambda m: _carry_on(m, quarter, after),
    )
    if form.is_bound and form.is_valid():
        try:
            record = closing.close_quarter(
                quarter=quarter,
                user=request.user,
                decisions=form.decisions(),
                next_goal=form.cleaned_data["next_goal"],
                today=today,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            carried = sum(d.action == closing.CARRY for d in form.decisions())
            messages.success(
                request,
                f"Closed {quarter} at {record.on_time} of {record.teams} teams on time"
                f"{f'; {carried} milestone(s) carried over' if carried else ''}.",
            )
            return redirect(record_url)
    context = {
        "quarter": quarter,
        "state": lifecycle.quarter_state(quarter, today),
        "may_close": lifecycle.may_close(quarter, today),
        "closes_from": lifecycle.last_day_of_grace(quarter) + datetime.timedelta(days=1),
        "form": form,
        "rows": form.rows(),
        "figure": closing.closing_figure(quarter, today),
        "next_quarter_label": _next_label(quarter, after),
        "rules": ontime.Rules.for_quarter(quarter),
    }
    return render(request, CLOSE_PAGE, context, status=422 if form.is_bound else 200)


@dataclass(frozen=True)
class DecisionRow:
    """A decision made at close, with the milestone it carried the original into, if any."""

    decision: CloseDecision
    carried_to: Milestone | None


@require_GET
def record_page(request: MilepostRequest, slug: str):
    """The figure recorded at close, what was decided for each open milestone, and every
    restatement since, with the figure they make now when it differs (everyone reads it).

    Queries: the quarter with its record, the decisions with their milestones, the carried
    milestones, the restatements and their history, and the quarter report's four.
    """
    quarter = _get_quarter(slug)
    today = timezone.localdate()
    record = QuarterRecord.objects.filter(quarter=quarter).select_related("recorded_by").first()
    context: dict[str, Any] = {
        "quarter": quarter,
        "state": lifecycle.quarter_state(quarter, today),
        "record": record,
        "can_close": can_close_quarter(request.user),
    }
    if record is not None:
        decisions = list(
            record.decisions.select_related("milestone__team", "milestone__carried_to__quarter")
        )
        recorded = closing.recorded_figure(record)
        context.update(
            recorded=recorded,
            restated=closing.restated(recorded, quarter_report(quarter, today).figure),
            decisions=[DecisionRow(d, getattr(d.milestone, "carried_to", None)) for d in decisions],
            restatements=closing.restatements(quarter),
        )
    return render(request, RECORD_PAGE, context)


@require_POST
def lock_planning_submit(request: MilepostRequest, slug: str):
    """Leadership locks a quarter's planning: committed dates are frozen from now on."""
    quarter = _get_quarter(slug)
    if not can_lock_planning(request.user):
        raise PermissionDenied("Only leadership locks planning.")
    try:
        closing.lock_planning(quarter=quarter, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Locked planning of {quarter}: committed dates are frozen.")
    return redirect(f"{reverse('dashboard:index')}?quarter={quarter.slug}")


def _get_quarter(slug: str) -> Quarter:
    match = _SLUG.fullmatch(slug)
    if match is None:
        raise Http404("No such quarter.")
    return get_object_or_404(Quarter, year=match["year"], number=match["number"])


def _carry_on(milestone: Milestone, quarter: Quarter, after: Quarter | None) -> datetime.date:
    """The committed date a carried milestone is offered: its target date when that falls in
    the next quarter, else four weeks into it."""
    if after is None:
        year, number = lifecycle.next_quarter_key(quarter.year, quarter.number)
        start, end = quarter_bounds(year, number)
    else:
        start, end = after.start, after.end
    if start <= milestone.target_date <= end:
        return milestone.target_date
    return start + datetime.timedelta(days=DEFAULT_CARRY_DAYS)


def _next_label(quarter: Quarter, after: Quarter | None) -> str:
    if after is not None:
        return after.label
    year, number = lifecycle.next_quarter_key(quarter.year, quarter.number)
    return f"{year} Q{number}"
