"""Reads that pages share, each in a constant number of queries whatever the number of teams."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from milestones import ontime
from milestones.models import Milestone, Quarter
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
        .values_list("id", "target_date", "history_date", "history_user_id")
    )
    points: dict[int, list[ontime.TargetPoint]] = defaultdict(list)
    for pk, target, at, by in records:
        points[pk].append(ontime.TargetPoint(target, at, by))
    return points


def slip_counts(milestone_ids) -> dict[int, int]:
    return {pk: len(ontime.find_slips(pts)) for pk, pts in target_points(milestone_ids).items()}


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


def quarter_report(quarter: Quarter, today: datetime.date) -> QuarterReport:
    """Per-team figures and the org figure for a quarter, over active teams.

    Queries: teams, memberships, milestones, history — four whatever the size.
    """
    teams = list(teams_with_members(Team.objects.filter(active=True)))
    milestones = list(
        Milestone.objects.filter(quarter=quarter, team__active=True).select_related("owner")
    )
    by_team: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in milestones:
        by_team[milestone.team_id].append(milestone)
    slips = slip_counts([m.pk for m in milestones]) if milestones else {}
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
    return QuarterReport(quarter, rows, figure, slips)
