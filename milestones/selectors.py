"""Reads that pages share, each in a constant number of queries whatever the number of teams."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from milestones import asof, ontime
from milestones.models import Milestone, Quarter, SlipExplanation
from teams.models import Membership, Team


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
