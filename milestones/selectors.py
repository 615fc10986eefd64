"""Reads that pages share, each in a constant number of queries whatever the number of teams."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from milestones import asof, dependencies, lifecycle, ontime, report_rows
from milestones.dependency_reads import upstream_risks
from milestones.models import Milestone, Quarter, SlipExplanation
from milestones.permissions import (
    can_add_milestone,
    can_manage_milestones,
    editable_fields,
    remember_membership_among,
)
from milestones.quarters import pick_quarter
from milestones.report_rows import ReportMilestone, ReportTeam
from reviews.selectors import review_days, team_calibration
from teams.models import Membership, Team, User

if TYPE_CHECKING:
    from reviews.calibration import Calibration
    from reviews.diff import ReviewStatus


def teams_with_members(queryset: QuerySet[Team] | None = None) -> QuerySet[Team]:
    """Teams with their squads and their active memberships, each with its user, prefetched
    in the order of the members' names (`User`'s ordering, by the database), which is the
    order of a milestone's owner options (`members_by_name`)."""
    queryset = Team.objects.all() if queryset is None else queryset
    return queryset.select_related("squad").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(active=True)
            .select_related("user")
            .order_by("user__display_name", "user__username", "pk"),
        )
    )


def members_by_name(team: Team) -> list[User]:
    """The active members of a team read with `teams_with_members`, in the order of their
    names: what `forms.team_members` would read again (the add row's owner options)."""
    seen: dict[int, User] = {}
    for membership in team.memberships.all():
        if membership.active:
            seen.setdefault(membership.user_id, membership.user)
    return list(seen.values())


# The historical model's own manager: `Milestone.history` builds a manager class at each
# access, a tenth of the cost of the team table's history query (issue 17).
HistoricalMilestone = Milestone.history.model


def target_points(milestone_ids) -> dict[int, list[ontime.TargetPoint]]:
    """Each milestone's target date after every recorded change, oldest first (one query)."""
    records = (
        HistoricalMilestone.objects.filter(id__in=milestone_ids)
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


def quarter_slip_moves(milestones: QuerySet[Milestone]) -> dict[int, list[ontime.Slip]]:
    """Each of `milestones`' slips with the record and source of each move, for a report: one
    query, of the four columns a slip's days and reason need (the milestones as a subquery,
    not a list of ids)."""
    records = (
        Milestone.history.filter(id__in=milestones.values("pk"))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "target_date", "history_id", "source")
    )
    points: dict[int, list[ontime.TargetPoint]] = defaultdict(list)
    for pk, target, record_id, source in records:
        points[pk].append(ontime.TargetPoint(target, record_id=record_id, source=source))
    return {pk: ontime.find_slips(pts) for pk, pts in points.items()}


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
    team: ReportTeam
    milestones: list[ReportMilestone]
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

    The rows are `report_rows`' plain dataclasses read with `values_list()`, not model
    instances: at 1,000 teams building instances cost more than the rules.

    Queries: teams, memberships, milestones, history — four whatever the size; as of a day:
    teams, memberships, the quarter's history and the milestones' history.
    """
    urls = report_rows.UrlMaker()
    teams = report_rows.active_teams(urls)
    moves: dict[int, list[ontime.Slip]] = {}
    milestones: list[ReportMilestone]
    if as_of is None:
        milestones = report_rows.quarter_milestones(quarter.pk, teams, urls)
        if milestones:
            moves = quarter_slip_moves(
                Milestone.objects.filter(quarter_id=quarter.pk, team__active=True)
            )
        slips = {pk: len(found) for pk, found in moves.items()}
    else:
        today, quarter = as_of, asof.quarter_as_of(quarter, as_of)
        by_pk = {team.pk: team for team in teams}
        rebuilt, slips = asof.milestones_as_of(quarter, as_of, team_ids=set(by_pk))
        milestones = [
            report_rows.report_milestone(m, by_pk[m.team_id], urls)
            for m in rebuilt
            if m.team_id in by_pk
        ]
    by_team: dict[int, list[ReportMilestone]] = defaultdict(list)
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
class MilestoneEditRow:
    """What the edit row shows of a milestone besides its fields: its delivery."""

    milestone: Milestone
    delivery: ontime.Delivery


def edit_row(milestone: Milestone) -> MilestoneEditRow:
    """The edit row of `milestone` (with its quarter), judged today; no query.

    Why not a row of `milestone_table`: the edit row shows nothing of the rest of the table,
    and reading the table (three queries and every row) was most of its cost (issue 17).
    """
    rules = ontime.Rules.for_quarter(milestone.quarter)
    return MilestoneEditRow(
        milestone, ontime.delivery_class(milestone, rules, timezone.localdate())
    )


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


# What the team table reads: every column of its milestones, the owner's name and the
# carry-over links' quarters (`milestone_table`).
_TABLE_COLUMNS = (
    *(f.name for f in Milestone._meta.concrete_fields),
    *(f"owner__{name}" for name in User.NAME_COLUMNS),
    *(
        f"{link}__{column}"
        for link in ("carried_from", "carried_to")
        for column in ("team_id", "quarter_id", "quarter__year", "quarter__number")
    ),
)


def milestone_table(
    user: User, team: Team, quarter: Quarter | None, *, as_of: datetime.date | None = None
) -> MilestoneTable:
    """The milestone table of a team for a quarter, each row carrying what the user may do.

    Four queries whatever the number of milestones: the milestones with their owners, their
    history (for the slip count), what they wait on (`upstream_risks`) and the user's
    membership (cached for the request).

    With `as_of` (a valid day, see `asof.parse_as_of`), the table as it stood at the end of that
    day, judged on it (`milestones.asof`): read-only, and the table's quarter carries that day's
    rules. Two queries: the quarter's history and the milestones' history; two more for
    what they waited on then (`asof.upstream_risks_as_of`).
    """
    today = timezone.localdate()
    if quarter is None:
        return MilestoneTable(team, None, [], None, can_manage_milestones(user, team), today)
    state = lifecycle.quarter_state(quarter, today)
    can_manage = as_of is None and can_manage_milestones(user, team, quarter)
    can_add = as_of is None and can_add_milestone(user, team, quarter, today)
    if as_of is None:
        # Through the team's manager each milestone knows its team without a query, and
        # its quarter is the one asked for; the owner's name and the carry-over links come
        # along (the milestone each was carried from, or into: its quarter's label) with only
        # the columns the table shows: at ten rows, compiling the joins' other columns was a
        # tenth of the team page (issue 17).
        milestones = list(
            team.milestones.filter(quarter=quarter)
            .select_related("owner", "carried_from__quarter", "carried_to__quarter")
            .only(*_TABLE_COLUMNS)
        )
        for milestone in milestones:
            milestone.quarter = quarter
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

    Queries: quarters, the table's (`milestone_table`), the team's review days (its review
    status and the as-of quick links, `review_days`) and the review calls (forecast
    calibration).
    """
    today = timezone.localdate()
    quarter, quarters = pick_quarter(quarter_slug, today)
    wanted = asof.parse_as_of(as_of_text, quarter, today)
    members = team.active_memberships
    remember_membership_among(user, members)
    table = milestone_table(user, team, quarter, as_of=wanted.day)
    reviews = review_days(team, quarter, today, status_on=table.today)
    calibration, as_of_max, review_links = None, None, []
    if quarter is not None:
        calibration = team_calibration(team, table.quarter, table.milestones, table.today)
        as_of_max = min(quarter.end, today)
        review_links = [
            (day, f"?quarter={quarter.slug}&as_of={day:%Y-%m-%d}") for day in reviews.days
        ]
    return TeamPage(
        table=table,
        members=members,
        quarters=lifecycle.switcher(quarters, today, shown=quarter),
        review=reviews.status,
        calibration=calibration,
        as_of_max=as_of_max,
        review_links=review_links,
        as_of_error=wanted.error,
    )
