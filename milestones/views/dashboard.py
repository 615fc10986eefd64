"""The dashboard (SPEC section 5): leadership's home page, readable by everyone signed in.

Its figures come from `selectors.quarter_report` (the on-time rules) and are arranged by
`milestones.dashboard`; the views here only read the request and pick the template.
"""

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from milestones import charts, permissions
from milestones import dashboard as board
from milestones.forms_quarter import QuarterSettingsForm
from milestones.models import Quarter
from milestones.quarters import pick_quarter
from milestones.selectors import QuarterReport, quarter_report
from milestones.selectors_reviews import quarter_review_status
from teams.http import MilepostRequest
from teams.models import Team

# The id of the part of the page that htmx swaps when the table is sorted or filtered.
BODY_ID = "dashboard-body"


@require_GET
@vary_on_headers("HX-Request")
def dashboard(request: MilepostRequest):
    today = timezone.localdate()
    quarter, quarters = pick_quarter(request.GET.get("quarter"), today)
    if quarter is None:
        return render(request, "milestones/dashboard.html", {"quarter": None})
    report = quarter_report(quarter, today)
    state, table = _table(request, report, today)
    context: dict[str, Any] = {
        "quarter": quarter,
        "state": state,
        "table": table,
        "lists": board.watch_lists(report, today, state.squad),
        "body_id": BODY_ID,
    }
    if request.htmx.target == BODY_ID and not request.htmx.history_restore_request:
        return render(request, "milestones/dashboard.html#dashboard-body", context)

    def link(q: Quarter) -> str:
        return state.query(quarter=q.slug)

    context |= {
        "quarter_links": [(q, link(q)) for q in quarters],
        "headline": board.Headline(report.figure, quarter, today),
        "chart": charts.trend_chart(
            board.trend(quarters, today, report), selected=quarter, link=link
        ),
        "can_manage_quarter": permissions.can_manage_quarter(request.user, quarter),
    }
    return render(request, "milestones/dashboard.html", context)


@require_GET
def dashboard_teams_csv(request: MilepostRequest):
    """The per-team table as the page shows it: same quarter, squad filter and order."""
    today = timezone.localdate()
    quarter = _get_quarter(request, today)
    state, table = _table(request, quarter_report(quarter, today), today)
    return _csv_response(
        board.team_csv(table.rows), board.csv_filename(quarter, "teams", state.squad)
    )


@require_GET
def dashboard_milestones_csv(request: MilepostRequest):
    """Every milestone of the quarter's active teams (of one squad when filtered)."""
    today = timezone.localdate()
    quarter = _get_quarter(request, today)
    report = quarter_report(quarter, today)
    squad = board.TableState.from_query(
        request.GET, quarter, board.squads_of(board.dashboard_rows(report))
    ).squad
    rows = board.milestone_csv(report, today, request.build_absolute_uri, squad)
    return _csv_response(rows, board.csv_filename(quarter, "milestones", squad))


@require_http_methods(["GET", "POST"])
def quarter_settings(request: MilepostRequest, slug: str):
    """Leadership sets a quarter's goal, grace, lock and excuses; simple-history keeps each
    change with who made it."""
    quarter = _get_manageable_quarter(request, slug)
    form = QuarterSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=quarter,
        active_teams=Team.objects.filter(active=True).count(),
    )
    if form.is_bound and form.is_valid():
        if form.has_changed():
            form.save()
            messages.success(request, f"Saved the settings of {quarter}.")
        else:
            messages.info(request, f"Nothing changed in the settings of {quarter}.")
        return redirect(f"{reverse('milestones:dashboard')}?quarter={quarter.slug}")
    return render(
        request,
        "milestones/quarter_settings.html",
        {"quarter": quarter, "form": form, "changes": board.quarter_changes(quarter)},
        status=422 if form.is_bound else 200,
    )


def _table(
    request: MilepostRequest, report: QuarterReport, today: datetime.date
) -> tuple[board.TableState, board.TeamTable]:
    reviews = quarter_review_status([row.team for row in report.rows], report.quarter, today)
    rows = board.dashboard_rows(report, reviews)
    state = board.TableState.from_query(request.GET, report.quarter, board.squads_of(rows))
    return state, board.team_table(rows, state)


def _get_quarter(request: MilepostRequest, today: datetime.date) -> Quarter:
    quarter, _ = pick_quarter(request.GET.get("quarter"), today)
    if quarter is None:
        raise Http404("There are no quarters yet.")
    return quarter


_QUARTER_SLUG = re.compile(r"(?P<year>\d{4})-q(?P<number>[1-4])")


def _get_manageable_quarter(request: MilepostRequest, slug: str) -> Quarter:
    """The quarter of `slug` (404) if the user may change its settings (403)."""
    match = _QUARTER_SLUG.fullmatch(slug)
    if match is None:
        raise Http404("No such quarter.")
    quarter = get_object_or_404(Quarter, year=match["year"], number=match["number"])
    if not permissions.can_manage_quarter(request.user, quarter):
        raise PermissionDenied("Only leadership changes a quarter's settings.")
    return quarter


def _csv_response(rows: Sequence[Sequence[Any]], filename: str) -> HttpResponse:
    # The byte-order mark is what makes Excel read the file as UTF-8 (Sheets ignores it).
    body = "\ufeff" + board.csv_text(rows)
    return HttpResponse(
        body.encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
