"""The dashboard (SPEC section 5): leadership's home page, readable by everyone signed in.

Its figures come from `selectors.quarter_report` (the on-time rules) and are arranged by
`dashboard.table`; the views here only read the request and pick the template.
"""

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from dashboard import charts
from dashboard import table as board
from dashboard.forms import QuarterSettingsForm
from milestones import asof, ledger, permissions
from milestones.models import Quarter
from milestones.quarters import pick_quarter
from milestones.selectors import QuarterReport, quarter_report, slip_explanations
from reviews import calibration
from reviews.selectors import (
    quarter_calibration,
    quarter_review_status,
    review_dates,
)
from teams.http import MilepostRequest
from teams.models import Team

# The id of the part of the page that htmx swaps when the table is sorted or filtered.
BODY_ID = "dashboard-body"
# How many of the latest review days the as-of picker offers as quick links: teams review on
# many different days, and the date input reaches the rest.
REVIEW_LINKS = 8


@require_GET
@vary_on_headers("HX-Request")
def dashboard(request: MilepostRequest):
    today = timezone.localdate()
    quarter, quarters = pick_quarter(request.GET.get("quarter"), today)
    if quarter is None:
        return render(request, "dashboard/dashboard.html", {"quarter": None})
    wanted = asof.parse_as_of(request.GET.get("as_of"), quarter, today)
    if wanted.error:
        messages.warning(request, wanted.error)
    live_quarter = quarter
    # As of a past day, the figures are judged on that day and `quarter` carries its rules.
    report = quarter_report(quarter, today, as_of=wanted.day)
    quarter, today = report.quarter, report.today
    calibrations = quarter_calibration(report)
    state, table = _table(request, report, calibrations)
    context: dict[str, Any] = {
        "quarter": quarter,
        "as_of": report.as_of,
        "state": state,
        "table": table,
        "lists": board.watch_lists(report, today, state.squad),
        "body_id": BODY_ID,
    }
    if request.htmx.target == BODY_ID and not request.htmx.history_restore_request:
        return render(request, "dashboard/dashboard.html#dashboard-body", context)

    def link(q: Quarter) -> str:
        return state.query(quarter=q.slug, as_of=None)

    real_today = timezone.localdate()
    context |= {
        "quarter_links": [(q, link(q)) for q in quarters],
        "headline": board.Headline(report.figure, quarter, today),
        # The trend is of every quarter as it is: an as-of view leaves it to the live page.
        "chart": None
        if report.as_of
        else charts.trend_chart(board.trend(quarters, today, report), selected=quarter, link=link),
        "can_manage_quarter": permissions.can_manage_quarter(request.user, live_quarter),
        "slip_reasons": _slip_reasons(report),
        "live_href": state.query(as_of=None),
        "calls": calibration.combine(list(calibrations.values())),
        "as_of_max": min(quarter.end, real_today),
        "review_links": [
            (day, state.query(as_of=day))
            for day in review_dates(live_quarter, real_today)[-REVIEW_LINKS:]
        ],
    }
    return render(request, "dashboard/dashboard.html", context)


@require_GET
def dashboard_teams_csv(request: MilepostRequest):
    """The per-team table as the page shows it: same quarter, squad filter and order."""
    today = timezone.localdate()
    quarter = _get_quarter(request, today)
    report = quarter_report(quarter, today, as_of=_get_as_of(request, quarter, today))
    state, table = _table(request, report)
    return _csv_response(
        board.team_csv(table.rows), board.csv_filename(quarter, _what("teams", report), state.squad)
    )


@require_GET
def dashboard_milestones_csv(request: MilepostRequest):
    """Every milestone of the quarter's active teams (of one squad when filtered)."""
    today = timezone.localdate()
    quarter = _get_quarter(request, today)
    report = quarter_report(quarter, today, as_of=_get_as_of(request, quarter, today))
    squad = board.TableState.from_query(
        request.GET, quarter, board.squads_of(board.dashboard_rows(report))
    ).squad
    rows = board.milestone_csv(report, report.today, request.build_absolute_uri, squad)
    return _csv_response(rows, board.csv_filename(quarter, _what("milestones", report), squad))


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
        return redirect(f"{reverse('dashboard:index')}?quarter={quarter.slug}")
    return render(
        request,
        "dashboard/quarter_settings.html",
        {"quarter": quarter, "form": form, "changes": board.quarter_changes(quarter)},
        status=422 if form.is_bound else 200,
    )


def _table(
    request: MilepostRequest,
    report: QuarterReport,
    calibrations: Mapping[int, calibration.Calibration] | None = None,
) -> tuple[board.TableState, board.TeamTable]:
    """The per-team table, judged on the report's day (today, or the day of an as-of view)."""
    teams = [row.team for row in report.rows]
    reviews = quarter_review_status(teams, report.quarter, report.today)
    if calibrations is None:
        calibrations = quarter_calibration(report)
    rows = board.dashboard_rows(report, reviews, calibrations)
    state = board.TableState.from_query(
        request.GET, report.quarter, board.squads_of(rows), as_of=report.as_of
    )
    return state, board.team_table(rows, state)


def _get_as_of(request: MilepostRequest, quarter: Quarter, today: datetime.date):
    """The `?as_of=` day of an export (400 for one the page would not offer), or None."""
    wanted = asof.parse_as_of(request.GET.get("as_of"), quarter, today)
    if wanted.error:
        raise BadRequest(wanted.error)
    return wanted.day


def _what(what: str, report: QuarterReport) -> str:
    return f"{what}-as-of-{report.as_of.isoformat()}" if report.as_of else what


@dataclass(frozen=True)
class SlipReasons:
    """The quarter's days slipped by reason (the commitment ledger), as a chart and a table."""

    totals: list[ledger.ReasonTotal]
    chart: charts.ParetoChart

    @property
    def days(self) -> int:
        return sum(total.days for total in self.totals)

    @property
    def slips(self) -> int:
        return sum(total.slips for total in self.totals)


def _slip_reasons(report: QuarterReport) -> SlipReasons | None:
    """Days slipped by reason over the report's milestones: the slips come with the report,
    the reasons given cost one query. None on an as-of view, whose report has no slips."""
    if report.as_of:
        return None
    slips = [slip for found in report.slip_moves.values() for slip in found]
    totals = ledger.days_by_reason(slips, slip_explanations(report.quarter))
    return SlipReasons(totals, charts.pareto_chart(totals))


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
