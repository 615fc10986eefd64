"""What a milestone waits on, changed in two places (issue 16): on the milestone page and from
its row of the team table. Both show the same block (`milestones/_dependencies.html`, built
by `dependency_block`) and add through the same call (`add_posted_upstream`); the rules are
`milestones.services.add_dependency`/`remove_dependency`', who may is
`permissions.can_manage_dependencies` (`access.get_linkable_milestone`).

The team table's views are here: the row's editor (`row_dependencies`: the row with what it
waits on and the search beneath it, or only the search's results for htmx; without
JavaScript, the whole team page with that row's editor open), adding and removing
(`row_dependency_add`, `row_dependency_remove`: htmx gets the row and its editor back, 422
with the refusal beside the search; a plain form a redirect to the editor, or the page with
the refusal).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from html import escape as html_escape

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from milestones.dependency_reads import DependencyLists, dependency_lists, upstream_candidates
from milestones.models import Milestone
from milestones.permissions import can_manage_dependencies
from milestones.selectors import milestone_table, teams_with_members
from milestones.services import add_dependency, remove_dependency
from milestones.views.access import get_linkable_milestone
from milestones.views.team import TEAM_PAGE, render_team_page
from teams.http import MilepostRequest
from teams.models import Team

BLOCK = "milestones/_dependencies.html"
RESULTS = f"{BLOCK}#dependency-results"


@dataclass(frozen=True)
class DependencyBlock:
    """What the dependencies block of one milestone shows, and where its forms go: the
    milestone page's (`in_table=False`) or its team-table row's editor."""

    milestone: Milestone  # with its team and quarter
    links: DependencyLists
    can_link: bool
    in_table: bool = False
    errors: list[str] = field(default_factory=list)  # why the last addition was refused
    flash: str = ""
    query: str = ""  # the search, by title (or team name) and by team
    team_slug: str = ""
    candidates: list[Milestone] = field(default_factory=list)
    team_options: str = ""  # the search's <option>s of every active team (`_team_options`)

    @property
    def id_prefix(self) -> str:
        """Before each id of the block: the team table may hold several."""
        return f"m{self.milestone.pk}-" if self.in_table else ""

    @property
    def target(self) -> str:
        """What adding and removing swap: the page's block, or the row with its editor."""
        return f"#milestone-{self.milestone.pk}" if self.in_table else "#dependencies"

    @property
    def search_view(self) -> str:
        return "milestones:row_dependencies" if self.in_table else "milestones:dependency_search"

    @property
    def add_view(self) -> str:
        return "milestones:row_dependency_add" if self.in_table else "milestones:dependency_add"

    @property
    def remove_view(self) -> str:
        if self.in_table:
            return "milestones:row_dependency_remove"
        return "milestones:dependency_remove"

    @property
    def heading(self) -> str:
        return "h3" if self.in_table else "h2"

    @property
    def subheading(self) -> str:
        return "h4" if self.in_table else "h3"


def dependency_block(
    request: MilepostRequest,
    milestone: Milestone,
    *,
    in_table: bool = False,
    links: DependencyLists | None = None,
    errors: list[str] | None = None,
    flash: str = "",
) -> DependencyBlock:
    """The block of `milestone` for the user asking, with the search `?q=` and `?team=` ask
    for: what it waits on and what waits on it (one query, unless `links` are given) and,
    for those who may link, the teams to search and what the search finds (three more)."""
    links = dependency_lists(milestone, timezone.localdate()) if links is None else links
    can_link = can_manage_dependencies(request.user, milestone)
    query = request.GET.get("q", "")[:100]
    team_slug = request.GET.get("team", "")[:100]
    return DependencyBlock(
        milestone=milestone,
        links=links,
        can_link=can_link,
        in_table=in_table,
        errors=errors or [],
        flash=flash,
        query=query,
        team_slug=team_slug,
        candidates=upstream_candidates(milestone, query, team_slug) if can_link else [],
        team_options=_team_options(team_slug) if can_link else "",
    )


def _team_options(selected: str) -> SafeString:
    """The search's team options, `selected`'s marked: one query of two columns, written here
    rather than by a template loop over model instances (a 1,000-team organisation made that
    most of the milestone page's cost). Escaped by the standard library's `html.escape`, what
    Django's `escape` calls, without its lazy-string wrapper (two thousand calls at 1,000
    teams)."""
    teams = Team.objects.filter(active=True).order_by("name").values_list("slug", "name")
    return mark_safe(
        "".join(
            f'<option value="{html_escape(slug)}"{" selected" if slug == selected else ""}>'
            f"{html_escape(name)}</option>"
            for slug, name in teams
        )
    )


def add_posted_upstream(
    request: MilepostRequest, milestone: Milestone
) -> tuple[Milestone | None, list[str]]:
    """Make `milestone` wait on the milestone the form's `upstream` names: the upstream, or
    None and why it was refused (an unknown milestone, itself, a duplicate, a cycle, a far
    quarter: `services.add_dependency`'s messages)."""
    raw = request.POST.get("upstream", "")
    upstream = (
        Milestone.objects.select_related("team", "quarter").filter(pk=raw).first()
        if raw.isdigit()
        else None
    )
    try:
        if upstream is None:
            raise ValidationError({"upstream": "Pick the milestone it waits on from the search."})
        add_dependency(downstream=milestone, upstream=upstream, user=request.user)
    except ValidationError as error:
        return None, error.messages
    return upstream, []


def added_message(upstream: Milestone) -> str:
    return f"It now waits on “{upstream.title}” ({upstream.team.name})."


REMOVED = "Removed the dependency."


# --- From the team table ----------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def row_dependencies(request: MilepostRequest, slug: str, pk: int):
    """The row's editor of what it waits on, with the search `?q=`/`?team=` asks for: htmx
    gets the row with its editor (or only the results, for the search's own swap), a plain
    browser the team page with that row's editor open."""
    milestone = get_linkable_milestone(request, slug, pk)
    block = dependency_block(request, milestone, in_table=True)
    if request.htmx and request.htmx.target == f"{block.id_prefix}dependency-results":
        return render(request, RESULTS, {"deps": block})
    return _row_with_editor(request, block)


@require_POST
def row_dependency_add(request: MilepostRequest, slug: str, pk: int):
    """The row's milestone waits on the one posted; refused beside the search (422)."""
    milestone = get_linkable_milestone(request, slug, pk)
    upstream, errors = add_posted_upstream(request, milestone)
    if upstream is None:
        block = dependency_block(request, milestone, in_table=True, errors=errors)
        return _row_with_editor(request, block, status=422)
    return _row_changed(request, milestone, added_message(upstream))


@require_POST
def row_dependency_remove(request: MilepostRequest, slug: str, pk: int, upstream_pk: int):
    """The row's milestone no longer waits on milestone `upstream_pk` (404: it did not)."""
    milestone = get_linkable_milestone(request, slug, pk)
    if not remove_dependency(downstream=milestone, upstream_id=upstream_pk, user=request.user):
        raise Http404("This milestone does not wait on that one.")
    return _row_changed(request, milestone, REMOVED)


def _row_changed(request: MilepostRequest, milestone: Milestone, message: str) -> HttpResponse:
    if request.htmx:
        block = dependency_block(request, milestone, in_table=True, flash=message)
        return _row_with_editor(request, block)
    messages.success(request, message)
    url = reverse("milestones:row_dependencies", args=[milestone.team.slug, milestone.pk])
    return redirect(f"{url}#m{milestone.pk}-dependencies")


def _row_with_editor(
    request: MilepostRequest, block: DependencyBlock, *, status: int = 200
) -> HttpResponse:
    """The row (fresh: its risk mark follows the change) with the editor beneath it, for
    htmx; the whole team page at the milestone's quarter with it, for a plain browser."""
    milestone = block.milestone
    if not request.htmx:
        team = get_object_or_404(teams_with_members(), pk=milestone.team_id)
        return render_team_page(
            request,
            team,
            quarter_slug=milestone.quarter.slug,
            dependency_editor=block,
            status=status,
        )
    table = milestone_table(request.user, milestone.team, milestone.quarter)
    row = table.row(milestone.pk)
    if row is None:
        raise Http404("No such milestone in this table.")
    context = {f.name: getattr(table, f.name) for f in fields(table)}
    context.update(row=row, dependency_editor=block)
    return render(request, f"{TEAM_PAGE}#milestone-row", context, status=status)
