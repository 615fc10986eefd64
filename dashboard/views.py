"""The dashboard (SPEC section 5): leadership's home page, readable by everyone signed in.

The views read the request (quarter, as-of day, htmx target), decide permissions and pick the
template; what the page shows comes from one call, `report.build_dashboard`, and the CSV
files from `exports`.
"""

import datetime
import re

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from dashboard import cache, exports
from dashboard.forms import QuarterSettingsForm
from dashboard.quarter_changes import quarter_changes
from dashboard.report import build_dashboard, page_parts
from dashboard.table import TableState
from milestones import asof, closing, permissions
from milestones.models import Quarter
from milestones.quarters import pick_quarter
from teams.http import MilepostRequest
from teams.models import Team

# The id of the part of the page that htmx swaps when the table is sorted or filtered.
BODY_ID = "dashboard-body"


@require_GET
@vary_on_headers("HX-Request")
def dashboard(request: MilepostRequest):
    """The page's content comes from `_content_html`: rendered once per report, table state
    and permission class, then a cache lookup; only the frame (who is signed in, messages,
    the CSRF token) is rendered on every request."""
    today = timezone.localdate()
    quarter, quarters = pick_quarter(request.GET.get("quarter"), today)
    if quarter is None:
        return render(request, "dashboard/dashboard.html", {"content": _content_html(request, {})})
    wanted = asof.parse_as_of(request.GET.get("as_of"), quarter, today)
    body_only = request.htmx.target == BODY_ID and not request.htmx.history_restore_request
    if wanted.error and not body_only:
        # The swapped table shows no messages: queued, it would wait for the next page.
        messages.warning(request, wanted.error)
    parts = page_parts(quarter, quarters, today=today, as_of=wanted.day, whole_page=not body_only)
    can_manage_quarter = permissions.can_manage_quarter(request.user, quarter)
    # Built only when the content is not cached (or a test reads the context).
    report = SimpleLazyObject(
        lambda: build_dashboard(
            quarter,
            quarters,
            today=today,
            as_of=wanted.day,
            query=request.GET,
            body_only=body_only,
            parts=parts,
        )
    )
    context = {"report": report, "body_id": BODY_ID, "can_manage_quarter": can_manage_quarter}
    cache_key = ""
    if parts.key:  # live: the content is cached by the parts' key and the table's state
        state = TableState.from_query(request.GET, parts.quarter, parts.squads)
        cache_key = f"{parts.key}:html:{int(body_only)}:{int(can_manage_quarter)}:{state.query()}"
    template = "dashboard/_content.html#dashboard-body" if body_only else "dashboard/_content.html"
    content = _content_html(request, context, template, cache_key)
    page = "dashboard/_swap.html" if body_only else "dashboard/dashboard.html"
    return render(request, page, {**context, "content": content, "quarter": parts.quarter})


# What `{% csrf_token %}` writes while the content is rendered for the cache; each response
# puts its own token in its place.
_CSRF_PLACEHOLDER = "milepost-csrf-token-placeholder"


def _content_html(
    request: MilepostRequest,
    context: dict,
    template: str = "dashboard/_content.html",
    cache_key: str = "",
) -> SafeString:
    """The dashboard's content as HTML: from the cache under `cache_key` when it is set (a
    live page), rendered otherwise. It holds nothing of who asks but what `context` says
    (`can_manage_quarter`, part of the key); the one form that posts (locking planning) gets
    the request's CSRF token when served."""

    def rendered() -> str:
        return render_to_string(template, {**context, "csrf_token": _CSRF_PLACEHOLDER}, request)

    html = cache.cached(cache_key, rendered) if cache_key else rendered()
    if _CSRF_PLACEHOLDER in html:
        html = html.replace(_CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # rendered by the template engine, which escaped it


@require_GET
def dashboard_teams_csv(request: MilepostRequest):
    """The per-team table as the page shows it: same quarter, squad filter and order."""
    today = timezone.localdate()
    quarter = _get_quarter(request, today)
    export = exports.teams_export(
        quarter, today=today, as_of=_get_as_of(request, quarter, today), query=request.GET
    )
    return _csv_response(export)


@require_GET
def dashboard_milestones_csv(request: MilepostRequest):
    """Every milestone of the quarter's active teams (of one squad when filtered)."""
    today = timezone.localdate()
    quarter = _get_quarter(request, today)
    export = exports.milestones_export(
        quarter,
        today=today,
        as_of=_get_as_of(request, quarter, today),
        query=request.GET,
        absolute_url=_origin_of(request),
    )
    return _csv_response(export)


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
        if form.changed_settings:
            try:
                closing.save_quarter_settings(
                    quarter=form.instance,
                    fields=form.changed_settings,
                    user=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                word = "Restated" if quarter.is_closed else "Saved"
                messages.success(request, f"{word} the settings of {quarter}.")
                return redirect(f"{reverse('dashboard:index')}?quarter={quarter.slug}")
        else:
            messages.info(request, f"Nothing changed in the settings of {quarter}.")
            return redirect(f"{reverse('dashboard:index')}?quarter={quarter.slug}")
    return render(
        request,
        "dashboard/quarter_settings.html",
        {"quarter": quarter, "form": form, "changes": quarter_changes(quarter)},
        status=422 if form.is_bound else 200,
    )


def _origin_of(request: MilepostRequest):
    """`build_absolute_uri` for the site's own paths, with the scheme and host worked out once
    rather than once per milestone of the export."""
    origin = request.build_absolute_uri("/").removesuffix("/")
    return lambda path: origin + path


def _get_quarter(request: MilepostRequest, today: datetime.date) -> Quarter:
    quarter, _ = pick_quarter(request.GET.get("quarter"), today)
    if quarter is None:
        raise Http404("There are no quarters yet.")
    return quarter


def _get_as_of(request: MilepostRequest, quarter: Quarter, today: datetime.date):
    """The `?as_of=` day of an export (400 for one the page would not offer), or None."""
    wanted = asof.parse_as_of(request.GET.get("as_of"), quarter, today)
    if wanted.error:
        raise BadRequest(wanted.error)
    return wanted.day


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


def _csv_response(export: exports.CsvExport) -> StreamingHttpResponse:
    # Streamed: the CSV is written a batch of rows at a time as it is sent (`exports`).
    return StreamingHttpResponse(
        export.chunks(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, export.filename)},
    )
