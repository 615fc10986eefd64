"""Biweekly reviews (SPEC section 3): list, start, fill in, close, reopen and read.

Everyone signed in reads every review. The team's tech lead and leadership start one and fill
it in (`permissions.can_run_review`); leadership alone reopens a closed one. A plain POST
redirects; an htmx POST answers with the part of the page it changed.

A closed review refuses notes and a summary with 409 Conflict rather than 403: the user may
edit this team's reviews, it is the review's state that stands in the way (closed a minute ago
in another tab, say), and that state changes when leadership reopens it. The 409 answer shows
the review read-only and gives back what was typed. 403 is for users who may never edit it.
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from milestones import permissions
from milestones.dependency_reads import team_dependency_risks
from reviews import diff as reviews
from reviews.forms import ReviewNoteForm, ReviewSummaryForm, StartReviewForm
from reviews.models import Review, ReviewItem
from reviews.selectors import AgendaRow, review_page, team_reviews
from reviews.services import (
    ReviewClosed,
    close_review,
    reopen_review,
    set_item_note,
    set_summary,
    start_review,
)
from teams.http import MilepostRequest
from teams.models import Team

REVIEW_TEMPLATE = "reviews/review.html"
LIST_TEMPLATE = "reviews/review_list.html"


@require_GET
def review_list(request: MilepostRequest, slug: str):
    team = get_object_or_404(Team, slug=slug)
    return _render_list(request, team, StartReviewForm(initial={"held_on": timezone.localdate()}))


@require_POST
def review_start(request: MilepostRequest, slug: str):
    team = _get_team_to_review(request, slug)
    form = StartReviewForm(request.POST)
    if form.is_valid():
        try:
            review = start_review(
                team=team, held_on=form.cleaned_data["held_on"], user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            review.team = team
            url = review.get_absolute_url()
            # Either way the browser loads the review as a whole page (HX-Redirect is a full
            # page load), which shows the queued message. An htmx answer swapped into the page
            # says its outcome in what it swaps instead: queued, it would wait for a later page.
            messages.success(request, f"Started the review of {review.held_on:%b %-d, %Y}.")
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
    if request.htmx:
        return render(
            request,
            f"{LIST_TEMPLATE}#start-form",
            {"team": team, "form": form, "can_start": True},
            status=422,
        )
    return _render_list(request, team, form, status=422)


@require_GET
def review_detail(request: MilepostRequest, slug: str, pk: int):
    return _render_review(request, _get_review(slug, pk))


@require_POST
def review_item_note(request: MilepostRequest, slug: str, pk: int, item_pk: int):
    review = _get_review_to_fill_in(request, slug, pk)
    item = get_object_or_404(ReviewItem, pk=item_pk, review=review)
    item.review = review
    what = f"your note on “{item.title}”"
    if review.is_closed:  # say so before judging what was typed; the service checks again
        return _closed(request, slug, pk, what, request.POST.get("note", ""))
    form = ReviewNoteForm(request.POST)
    if not form.is_valid():
        refused = AgendaRow(
            item=item, note=request.POST.get("note", ""), errors=tuple(form.errors["note"])
        )
        if request.htmx:
            context = {"review": review, "row": refused, "can_edit": True}
            return render(request, f"{REVIEW_TEMPLATE}#item-note", context, status=422)
        return _render_review(request, review, status=422, refused=refused)
    try:
        item = set_item_note(item=item, note=form.cleaned_data["note"])
    except ReviewClosed:  # closed since the page loaded, or while this request waited
        return _closed(request, slug, pk, what, form.cleaned_data["note"])
    if request.htmx:
        row = AgendaRow(item=item, note=item.note)
        context = {"review": review, "row": row, "can_edit": True, "saved": True}
        return render(request, f"{REVIEW_TEMPLATE}#item-note", context)
    messages.success(request, f"Saved the note on “{item.title}”.")
    return redirect(f"{review.get_absolute_url()}#item-{item.pk}")


@require_POST
def review_summary(request: MilepostRequest, slug: str, pk: int):
    review = _get_review_to_fill_in(request, slug, pk)
    if review.is_closed:
        return _closed(request, slug, pk, "your summary", request.POST.get("summary", ""))
    form = ReviewSummaryForm(request.POST)
    if not form.is_valid():
        review.summary = request.POST.get("summary", "")
        errors = form.errors["summary"]
        if request.htmx:
            context = {"review": review, "can_edit": True, "summary_errors": errors}
            return render(request, f"{REVIEW_TEMPLATE}#review-summary", context, status=422)
        return _render_review(request, review, status=422, summary_errors=errors)
    try:
        review = set_summary(review=review, summary=form.cleaned_data["summary"])
    except ReviewClosed:
        return _closed(request, slug, pk, "your summary", form.cleaned_data["summary"])
    if request.htmx:
        context = {"review": review, "can_edit": True, "saved": True}
        return render(request, f"{REVIEW_TEMPLATE}#review-summary", context)
    messages.success(request, "Saved the summary.")
    return redirect(f"{review.get_absolute_url()}#summary")


@require_POST
def review_close(request: MilepostRequest, slug: str, pk: int):
    review = _get_review_to_fill_in(request, slug, pk)
    close_review(review=review, user=request.user)
    if request.htmx:
        return _render_review(request, _get_review(slug, pk), partial=True)
    messages.success(request, "Closed the review: it is read-only now.")
    return redirect(review.get_absolute_url())


@require_POST
def review_reopen(request: MilepostRequest, slug: str, pk: int):
    review = _get_review(slug, pk)
    if not permissions.can_reopen_review(request.user):
        raise PermissionDenied("Only leadership reopens a closed review.")
    reopen_review(review=review, user=request.user)
    if request.htmx:
        return _render_review(request, _get_review(slug, pk), partial=True)
    messages.success(request, "Reopened the review: its notes and summary can be edited again.")
    return redirect(review.get_absolute_url())


# --- Access --------------------------------------------------------------------------------


def _get_team_to_review(request: MilepostRequest, slug: str) -> Team:
    team = get_object_or_404(Team, slug=slug)
    if not permissions.can_run_review(request.user, team):
        raise PermissionDenied("Only the team's tech lead or leadership starts its review.")
    return team


def _get_review(slug: str, pk: int) -> Review:
    """The review `pk` of the team `slug` (404 under another team's slug)."""
    return get_object_or_404(
        Review.objects.select_related(
            "team", "quarter", "previous", "started_by", "closed_by", "reopened_by"
        ),
        pk=pk,
        team__slug=slug,
    )


def _get_review_to_fill_in(request: MilepostRequest, slug: str, pk: int) -> Review:
    """The review, if the user may fill it in when it is open (403); its state is the
    service's to check."""
    review = _get_review(slug, pk)
    if not permissions.can_run_review(request.user, review.team):
        raise PermissionDenied("Only the team's tech lead or leadership fills in its review.")
    return review


# --- Rendering -----------------------------------------------------------------------------


def _render_list(
    request: MilepostRequest, team: Team, form: StartReviewForm, status: int = 200
) -> HttpResponse:
    rows = team_reviews(team)
    today = timezone.localdate()
    held = [row.review.held_on for row in rows if row.review.held_on <= today]
    cadence = reviews.review_status_on(
        max(held, default=None), today, settings.MILEPOST_REVIEW_CADENCE_DAYS
    )
    context = {
        "team": team,
        "rows": rows,
        "cadence": cadence,
        "form": form,
        "can_start": permissions.can_run_review(request.user, team),
    }
    return render(request, LIST_TEMPLATE, context, status=status)


def _render_review(
    request: MilepostRequest,
    review: Review,
    *,
    status: int = 200,
    partial: bool = False,
    refused: AgendaRow | None = None,
    summary_errors: list[str] | None = None,
    conflict: dict[str, str] | None = None,
) -> HttpResponse:
    """The review page (or its body, for htmx), with what a failed edit typed put back."""
    page = review_page(review)
    if refused is not None:
        page.items = [
            replace(row, note=refused.note, errors=refused.errors)
            if row.item.pk == refused.item.pk
            else row
            for row in page.items
        ]
    may_run = permissions.can_run_review(request.user, review.team)
    context = {
        "review": review,
        "page": page,
        "can_edit": may_run and not review.is_closed,
        "can_reopen": review.is_closed and permissions.can_reopen_review(request.user),
        "summary_errors": summary_errors,
        "conflict": conflict,
        # Live, for the discussion: a closed review is a record and shows none.
        "waiting": []
        if review.is_closed
        else team_dependency_risks(review.team, review.quarter, timezone.localdate()),
    }
    template = f"{REVIEW_TEMPLATE}#review-body" if partial else REVIEW_TEMPLATE
    return render(request, template, context, status=status)


def _closed(request: MilepostRequest, slug: str, pk: int, what: str, typed: str) -> HttpResponse:
    """409: the review was closed before the edit landed. Show it read-only, typing kept."""
    review = _get_review(slug, pk)
    conflict = {"what": what, "typed": typed}
    if request.htmx:
        response = _render_review(request, review, status=409, partial=True, conflict=conflict)
        # The edit targeted one note: the whole review is read-only now, so swap all of it.
        return reswap(retarget(response, "#review"), "outerHTML")
    return _render_review(request, review, status=409, conflict=conflict)
