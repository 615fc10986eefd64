"""The reads of cross-team dependencies (issue 16), each in a constant number of queries: what
a team page's rows are at risk from (`upstream_risks`), the milestone page's lists and search,
the review page's risks, what a slip costs, the quarter's links for the dashboard and the
milestones CSV. The rules they apply are `milestones.dependencies`'.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from milestones import asof, dependencies, ontime
from milestones.models import Dependency, Milestone, Quarter
from teams.models import Team


def upstream_risks(
    milestones: list[Milestone], today: datetime.date
) -> dict[int, list[dependencies.DependencyRisk]]:
    """Why each of `milestones` is at risk from what it waits on, by milestone id (one query:
    the links with their upstreams, their teams and quarters). A milestone missing here is not
    at risk from a dependency."""
    by_pk = {m.pk: m for m in milestones}
    links = Dependency.objects.filter(downstream_id__in=by_pk).select_related(
        "upstream__team", "upstream__quarter"
    )
    found: dict[int, list[dependencies.DependencyRisk]] = defaultdict(list)
    for link in links:
        up = link.upstream
        risk = dependencies.dependency_risk(
            by_pk[link.downstream_id],
            up,
            upstream_team=up.team.name,
            upstream_rules=ontime.Rules.for_quarter(up.quarter),
            today=today,
        )
        if risk is not None:
            found[link.downstream_id].append(risk)
    return found


@dataclass(frozen=True)
class DependencyRow:
    """One milestone on the other end of a dependency, as the milestone page lists it."""

    milestone: Milestone  # with its team and quarter
    delivery: ontime.Delivery
    # Upstream list: the risk it puts on the page's milestone; downstream list: the risk the
    # page's milestone puts on it. None: no risk.
    risk: dependencies.DependencyRisk | None


@dataclass(frozen=True)
class DependencyLists:
    upstream: list[DependencyRow]  # what the milestone waits on
    downstream: list[DependencyRow]  # what waits on it

    @property
    def at_risk(self) -> list[dependencies.DependencyRisk]:
        return [row.risk for row in self.upstream if row.risk]


_ENDS = ("team", "quarter")  # what a dependency's other end is shown with


def dependency_lists(milestone: Milestone, today: datetime.date) -> DependencyLists:
    """What `milestone` (with its team and quarter) waits on and what waits on it, each with
    its risk: one query whatever the number of links (its links either way, each with the
    milestone at the other end, that milestone's team and quarter)."""
    links = Dependency.objects.filter(
        Q(downstream=milestone) | Q(upstream=milestone)
    ).select_related(*(f"{end}__{of}" for end in ("upstream", "downstream") for of in _ENDS))
    upstream, downstream = [], []
    for link in links:
        if link.downstream_id == milestone.pk:  # never both: a milestone cannot wait on itself
            upstream.append(link.upstream)
        else:
            downstream.append(link.downstream)
    own_rules = ontime.Rules.for_quarter(milestone.quarter)

    def row(other: Milestone, down: Milestone, up: Milestone, up_rules) -> DependencyRow:
        risk = dependencies.dependency_risk(
            down, up, upstream_team=up.team.name, upstream_rules=up_rules, today=today
        )
        rules = ontime.Rules.for_quarter(other.quarter)
        return DependencyRow(other, ontime.delivery_class(other, rules, today), risk)

    order = lambda m: (m.target_date, m.team.name, m.title)  # noqa: E731
    return DependencyLists(
        upstream=[
            row(up, milestone, up, ontime.Rules.for_quarter(up.quarter))
            for up in sorted(upstream, key=order)
        ],
        downstream=[
            row(down, down, milestone, own_rules) for down in sorted(downstream, key=order)
        ],
    )


@dataclass(frozen=True)
class WaitingRow:
    """An open milestone of a team at risk from what it waits on (the review page)."""

    milestone: Milestone
    risks: list[dependencies.DependencyRisk]


def team_dependency_risks(team: Team, quarter: Quarter, today: datetime.date) -> list[WaitingRow]:
    """The team's open milestones of the quarter at risk from a dependency today, in table
    order: two queries (the milestones, their links)."""
    milestones = list(
        team.milestones.filter(quarter=quarter, status__in=Milestone.OPEN_STATUSES).order_by(
            "position", "pk"
        )
    )
    risks = upstream_risks(milestones, today) if milestones else {}
    return [WaitingRow(m, risks[m.pk]) for m in milestones if m.pk in risks]


def slip_costs(
    put_at_risk: dict[int, list[Milestone]], today: datetime.date
) -> dict[int, list[dependencies.SlipCost]]:
    """What each slip (by record id) that put downstream milestones (with their quarters) at
    risk costs the organisation, per quarter of those milestones (`dependencies.slip_cost`):
    one query (the active teams' milestones of those quarters), none when nothing is at risk."""
    quarters = {m.quarter_id: m.quarter for found in put_at_risk.values() for m in found}
    if not quarters:
        return {}
    by_quarter: dict[int, dict[str, list[Milestone]]] = defaultdict(lambda: defaultdict(list))
    for m in Milestone.objects.filter(quarter_id__in=quarters, team__active=True).select_related(
        "team"
    ):
        by_quarter[m.quarter_id][m.team.name].append(m)
    costs: dict[int, list[dependencies.SlipCost]] = {}
    for record_id, found in put_at_risk.items():
        costs[record_id] = [
            dependencies.slip_cost(
                by_quarter[quarter_id],
                {m.pk for m in found if m.quarter_id == quarter_id},
                ontime.Rules.for_quarter(quarters[quarter_id]),
                quarters[quarter_id].goal,
                today,
            )
            for quarter_id in sorted({m.quarter_id for m in found})
        ]
    return costs


def quarter_links(quarter: Quarter) -> list[Dependency]:
    """The dependencies of the quarter's milestones of active teams, with the downstream, the
    upstream, its team and quarter (one query), for the dashboard."""
    return list(
        Dependency.objects.filter(
            downstream__quarter=quarter, downstream__team__active=True
        ).select_related("downstream", "upstream__team", "upstream__quarter")
    )


def upstream_candidates(
    milestone: Milestone, query: str, team_slug: str = "", limit: int = 20
) -> list[Milestone]:
    """Milestones `milestone` could wait on whose title (or team name) contains `query`, in
    its own quarter or the ones just before and after, of `team_slug`'s team when given; not
    itself nor what it already waits on. Two queries (the quarters, the milestones); none for
    an empty search."""
    query = query.strip()
    if not query and not team_slug:
        return []
    quarters = [
        q.pk
        for q in Quarter.objects.all()
        if dependencies.quarter_distance(q, milestone.quarter) <= 1
    ]
    found = (
        Milestone.objects.filter(quarter_id__in=quarters, team__active=True)
        .exclude(pk=milestone.pk)
        .exclude(downstream_links__downstream=milestone)
        .select_related("team", "quarter")
        .order_by("team__name", "target_date", "title")
    )
    if query:
        found = found.filter(Q(title__icontains=query) | Q(team__name__icontains=query))
    if team_slug:
        found = found.filter(team__slug=team_slug)
    return list(found[:limit])


@dataclass(frozen=True)
class DownstreamHistory:
    """What waited on a milestone over time, for its ledger (`ledger.put_at_risk_at_slips`)."""

    # Each link's life, oldest first: (when, downstream id, True when added, False removed).
    links: list[tuple[datetime.datetime, int, bool]]
    # Each downstream after each change, oldest first (None: deleted), with team and quarter.
    states: dict[int, list[tuple[datetime.datetime, Milestone | None]]]


def downstream_history(milestone: Milestone) -> DownstreamHistory:
    """The history of what waited on `milestone`: two queries (the links' history, the
    downstreams' history with their teams and quarters), one when nothing ever did."""
    links = [
        (when, down, kind != "-")
        for when, down, kind in Dependency.history.filter(upstream_id=milestone.pk)
        .order_by("history_date", "history_id")
        .values_list("history_date", "downstream_id", "history_type")
    ]
    states: dict[int, list[tuple[datetime.datetime, Milestone | None]]] = defaultdict(list)
    if links:
        for record in (
            Milestone.history.filter(id__in={down for _, down, _ in links})
            .select_related("team", "quarter")
            .order_by("history_date", "history_id")
        ):
            state = None if record.history_type == "-" else asof.rebuild_milestone(record)
            states[record.id].append((record.history_date, state))
    return DownstreamHistory(links, dict(states))
