"""Reads that pages share, each in a constant number of queries whatever the number of teams."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from milestones import asof, dependencies, lifecycle, ontime
from milestones.models import Dependency, Milestone, Quarter, SlipExplanation
from milestones.permissions import can_add_milestone, can_manage_milestones, editable_fields
from milestones.quarters import pick_quarter
from reviews.selectors import review_dates, review_status, team_calibration
from teams.models import Membership, Team

if TYPE_CHECKING:
    from reviews.calibration import Calibration
    from reviews.diff import ReviewStatus
    from teams.models import User


def teams_with_members(queryset: QuerySet[Team] | None = None) -> QuerySet[Team]:
    queryset = Team.objects.all() if queryset is None else queryset
    return queryset.select_related("squad").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(active=True).select_related("user"),
        )
    )


def target_points(milestone_ids) -> dict[int, list[ontime.TargetPoint]]:
    """Each milestone's target date after every recorded change, oldest first (one query)."""
    records = (
        Milestone.history.filter(id__in=milestone_ids)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "target_date", "history_date", "history_user_id", "history_id", "source")
    )
    points: dict[int, list[ontime.TargetPoint]] = defaultdict(list)
    for pk, target, at, by, record_id, source in records:
        points[pk].append(ontime.TargetPoint(target, at, by, record_id, source))
    return points


def slip_moves(milestone_ids) -> dict[int, list[ontime.Slip]]:
    """Each milestone's slips, with the record and source of each move (one query)."""
    return {pk: ontime.find_slips(pts) for pk, pts in target_points(milestone_ids).items()}


def slip_counts(milestone_ids) -> dict[int, int]:
    return {pk: len(found) for pk, found in slip_moves(milestone_ids).items()}


def slip_explanations(quarter: Quarter) -> dict[int, SlipExplanation]:
    """The reasons given for slips of the quarter's milestones, by historical record (one
    query). Keyed by `history_id`, to be matched with the slips of `target_points`."""
    explanations = SlipExplanation.objects.filter(milestone__quarter=quarter).select_related(
        "reason"
    )
    return {explanation.record_id: explanation for explanation in explanations}


@dataclass
class TeamRow:
    team: Team
    milestones: list[Milestone]
    figures: ontime.TeamQuarter


@dataclass
class QuarterReport:
    quarter: Quarter
    rows: list[TeamRow]
    figure: ontime.OrgFigure
    # Each milestone's number of slips, from its history (a milestone missing here has none).
    slips: dict[int, int] = field(default_factory=dict)
    # The day the figures are judged on: today, or the past day of an as-of view.
    today: datetime.date | None = None
    # Set on an as-of view (`milestones.asof`): `quarter` then carries the rules of that day.
    as_of: datetime.date | None = None
    # Each milestone's slips (`ontime.Slip`, with their records) on the live report, for the
    # days slipped by reason; empty on an as-of view.
    slip_moves: dict[int, list[ontime.Slip]] = field(default_factory=dict)


def quarter_report(
    quarter: Quarter, today: datetime.date, *, as_of: datetime.date | None = None
) -> QuarterReport:
    """Per-team figures and the org figure for a quarter, over active teams.

    With `as_of` (a day of the quarter, not after today), the quarter's milestones, rules and
    slips as they stood at the end of that day, judged on that day (`milestones.asof`).

    Queries: teams, memberships, milestones, history — four whatever the size; as of a day:
    teams, memberships, the quarter's history and the milestones' history.
    """
    teams = list(teams_with_members(Team.objects.filter(active=True)))
    moves: dict[int, list[ontime.Slip]] = {}
    if as_of is None:
        milestones = list(
            Milestone.objects.filter(quarter=quarter, team__active=True).select_related("owner")
        )
        moves = slip_moves([m.pk for m in milestones]) if milestones else {}
        slips = {pk: len(found) for pk, found in moves.items()}
    else:
        today, quarter = as_of, asof.quarter_as_of(quarter, as_of)
        milestones, slips = asof.milestones_as_of(
            quarter, as_of, team_ids={team.pk for team in teams}
        )
    by_team: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in milestones:
        by_team[milestone.team_id].append(milestone)
    rules = ontime.Rules.for_quarter(quarter)
    rows = [
        TeamRow(
            team,
            by_team[team.pk],
            ontime.team_quarter(by_team[team.pk], rules, today, slip_counts=slips),
        )
        for team in teams
    ]
    figure = ontime.org_figure((row.figures for row in rows), quarter.goal)
    return QuarterReport(quarter, rows, figure, slips, today=today, as_of=as_of, slip_moves=moves)


# --- The team page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneRow:
    """One row of a team's milestone table: the milestone and what the page says of it."""

    milestone: Milestone
    delivery: ontime.Delivery
    days_slipped: int  # past the committed date (`ontime.days_slipped`)
    slips: int  # later moves of the target date, from the history
    editable: frozenset[str]  # the fields the user may change; empty: read-only
    is_first: bool
    is_last: bool
    # Why the row is at risk from what it waits on (`milestones.dependencies`); empty: it is not.
    dependency_risks: tuple[dependencies.DependencyRisk, ...] = ()

    @property
    def dependency_reason(self) -> str:
        return " ".join(risk.reason for risk in self.dependency_risks)


@dataclass(frozen=True)
class MilestoneTable:
    """A team's milestone table for a quarter, as the user may act on it."""

    team: Team
    quarter: Quarter | None  # on an as-of view, carrying the rules of that day
    rows: list[MilestoneRow]
    figures: ontime.TeamQuarter | None
    can_manage: bool  # reorder, drop and restore; never on an as-of view
    today: datetime.date  # the day the rows are judged on: the as-of day, or today
    as_of: datetime.date | None = None
    can_add: bool = False  # add a milestone: planning open, not closed, never as of a day
    state: lifecycle.QuarterState | None = None  # the quarter's, today

    @property
    def restating(self) -> bool:
        """The quarter is closed: an edit here is a restatement, with a reason."""
        return self.state is lifecycle.QuarterState.CLOSED

    @property
    def milestones(self) -> list[Milestone]:
        return [row.milestone for row in self.rows]

    def row(self, pk: int) -> MilestoneRow | None:
        return next((row for row in self.rows if row.milestone.pk == pk), None)


def milestone_table(
    user: User, team: Team, quarter: Quarter | None, *, as_of: datetime.date | None = None
) -> MilestoneTable:
    """The milestone table of a team for a quarter, each row carrying what the user may do.

    Four queries whatever the number of milestones: the milestones with their owners, their
    history (for the slip count), what they wait on (`upstream_risks`) and the user's
    membership (cached for the request).

    With `as_of` (a valid day, see `asof.parse_as_of`), the table as it stood at the end of that
    day, judged on it (`milestones.asof`): read-only, and the table's quarter carries that day's
    rules. Two queries: the quarter's history and the milestones' history; three more for
    what they waited on then (`asof.upstream_risks_as_of`).
    """
    today = timezone.localdate()
    if quarter is None:
        return MilestoneTable(team, None, [], None, can_manage_milestones(user, team), today)
    state = lifecycle.quarter_state(quarter, today)
    can_manage = as_of is None and can_manage_milestones(user, team, quarter)
    can_add = as_of is None and can_add_milestone(user, team, quarter, today)
    if as_of is None:
        # Through the team's manager each milestone knows its team without a query; the
        # carry-over links come along (the milestone each was carried from, or into).
        milestones = list(
            team.milestones.filter(quarter=quarter).select_related(
                "owner", "quarter", "carried_from__quarter", "carried_to__quarter"
            )
        )
        slips = slip_counts([m.pk for m in milestones])
        risks = upstream_risks(milestones, today) if milestones else {}
    else:
        today, quarter = as_of, asof.quarter_as_of(quarter, as_of)
        milestones, slips = asof.milestones_as_of(quarter, as_of, team_ids={team.pk})
        risks = asof.upstream_risks_as_of(milestones, as_of) if milestones else {}
    figures = ontime.team_quarter(
        milestones, ontime.Rules.for_quarter(quarter), today, slip_counts=slips
    )
    last = len(milestones) - 1
    rows = [
        MilestoneRow(
            milestone=milestone,
            delivery=figures.classes[milestone.pk],
            days_slipped=ontime.days_slipped(milestone),
            slips=slips.get(milestone.pk, 0),
            editable=frozenset() if as_of else editable_fields(user, milestone),
            is_first=index == 0,
            is_last=index == last,
            dependency_risks=tuple(risks.get(milestone.pk, ())),
        )
        for index, milestone in enumerate(milestones)
    ]
    return MilestoneTable(
        team, quarter, rows, figures, can_manage, today, as_of, can_add=can_add, state=state
    )


@dataclass(frozen=True)
class TeamPage:
    """Everything the team page shows."""

    table: MilestoneTable
    members: list[Membership]  # today's, lead first, whatever the day shown
    quarters: list[lifecycle.QuarterTab]  # the quarter switcher
    review: ReviewStatus  # the last and next review, on the day shown
    calibration: Calibration | None = None  # of the quarter shown, up to the day shown
    as_of_max: datetime.date | None = None  # the last day the as-of form offers
    # The quarter's review days as the as-of form's quick links: (day, query string).
    review_links: list[tuple[datetime.date, str]] = field(default_factory=list)
    as_of_error: str = ""  # why an `?as_of=` asked for shows the live page instead


def team_page_data(
    user: User, team: Team, *, quarter_slug: str | None = None, as_of_text: str | None = None
) -> TeamPage:
    """The team page of `team` (with its members prefetched, `teams_with_members`) at the
    quarter `quarter_slug` names (the current one when it names none), live or, with
    `as_of_text` (`?as_of=` as typed, see `asof.parse_as_of`), as of a day of that quarter.

    Queries: quarters, the table's (`milestone_table`), the last review, the review calls
    (forecast calibration) and the team's review days (the as-of quick links).
    """
    today = timezone.localdate()
    quarter, quarters = pick_quarter(quarter_slug, today)
    wanted = asof.parse_as_of(as_of_text, quarter, today)
    table = milestone_table(user, team, quarter, as_of=wanted.day)
    calibration, as_of_max, review_links = None, None, []
    if quarter is not None:
        calibration = team_calibration(team, table.quarter, table.milestones, table.today)
        as_of_max = min(quarter.end, today)
        review_links = [
            (day, f"?quarter={quarter.slug}&as_of={day:%Y-%m-%d}")
            for day in review_dates(quarter, today, team=team)
        ]
    return TeamPage(
        table=table,
        members=team.active_memberships,
        quarters=lifecycle.switcher(quarters, today, shown=quarter),
        review=review_status([team], table.today)[team.pk],
        calibration=calibration,
        as_of_max=as_of_max,
        review_links=review_links,
        as_of_error=wanted.error,
    )


# --- Dependencies (issue 16) ------------------------------------------------------------------


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


def dependency_lists(milestone: Milestone, today: datetime.date) -> DependencyLists:
    """What `milestone` (with its team and quarter) waits on and what waits on it, each with
    its risk: two queries whatever the number of links."""
    related = ("team", "quarter")
    upstream = Milestone.objects.filter(downstream_links__downstream=milestone).select_related(
        *related
    )
    downstream = Milestone.objects.filter(upstream_links__upstream=milestone).select_related(
        *related
    )
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
