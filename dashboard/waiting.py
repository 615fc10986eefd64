"""The dashboard's view of cross-team dependencies (issue 16): the "Waiting on another team"
watch list, how many teams' on-time verdicts are at risk through dependencies, and per squad
a teams by teams table of who waits on whom.

Built from the quarter report and the links of its milestones (one query,
`milestones.selectors.quarter_links`); the risk is `milestones.dependencies`', the verdicts
`milestones.ontime`'s (through `dependencies.slip_cost`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from milestones import dependencies, ontime
from milestones.models import Dependency, Milestone
from milestones.selectors import QuarterReport
from teams.models import Squad, Team

WAITING_LIMIT = 15
OTHER_SQUADS = "Other squads"


@dataclass(frozen=True)
class WaitingEntry:
    """An open milestone at risk from what it waits on in another team."""

    milestone: Milestone
    team: Team
    risks: tuple[dependencies.DependencyRisk, ...]

    @property
    def reason(self) -> str:
        return " ".join(risk.reason for risk in self.risks)


@dataclass(frozen=True)
class GridCell:
    links: int = 0
    at_risk: int = 0

    @property
    def text(self) -> str:
        if not self.links:
            return ""
        return f"{self.links}" + (f" ({self.at_risk} at risk)" if self.at_risk else "")


@dataclass(frozen=True)
class SquadGrid:
    """One squad's teams (rows, waiting) by the teams they wait on (columns: the squad's own,
    then one for every other squad together)."""

    squad: Squad
    teams: list[Team]
    columns: list[str]
    rows: list[tuple[Team, list[GridCell]]]
    sentences: list[str]  # the text alternative: "Checkout waits on Payments: 2 links, 1 at risk."

    @property
    def links(self) -> int:
        return sum(cell.links for _, cells in self.rows for cell in cells)


@dataclass(frozen=True)
class DependencyReport:
    waiting: list[WaitingEntry]  # the first `WAITING_LIMIT`
    waiting_total: int
    cost: dependencies.SlipCost  # if every milestone at risk from a dependency slips
    grids: list[SquadGrid]

    @property
    def teams_at_risk(self) -> int:
        """At risk through dependencies: the teams on time now that would not be."""
        return len(self.cost.endangered_teams)

    @property
    def waiting_more(self) -> int:
        return self.waiting_total - len(self.waiting)


def dependency_report(
    report: QuarterReport,
    links: list[Dependency],
    today: datetime.date,
    squad: Squad | None = None,
    limit: int = WAITING_LIMIT,
) -> DependencyReport:
    """`links`: the dependencies of the report's milestones, with both ends' teams and the
    upstream's quarter (`quarter_links`). No query."""
    milestones = {m.pk: (m, row.team) for row in report.rows for m in row.milestones}
    risks: dict[int, list[dependencies.DependencyRisk]] = {}
    at_risk_links: set[int] = set()
    for link in links:
        if link.downstream_id not in milestones:
            continue
        down, _ = milestones[link.downstream_id]
        up = link.upstream
        risk = dependencies.dependency_risk(
            down,
            up,
            upstream_team=up.team.name,
            upstream_rules=ontime.Rules.for_quarter(up.quarter),
            today=today,
        )
        if risk is not None:
            at_risk_links.add(link.pk)
            if up.team_id != down.team_id:
                risks.setdefault(down.pk, []).append(risk)
    waiting = []
    for pk, found in risks.items():
        milestone, team = milestones[pk]
        if squad is None or team.squad_id == squad.pk:
            milestone.team = team  # the report's team: `get_absolute_url` costs no query
            waiting.append(WaitingEntry(milestone, team, tuple(found)))
    waiting.sort(key=lambda e: (e.milestone.target_date, e.team.name.casefold(), e.milestone.title))
    cost = dependencies.slip_cost(
        {row.team.name: row.milestones for row in report.rows},
        set(risks),
        ontime.Rules.for_quarter(report.quarter),
        report.quarter.goal,
        today,
    )
    teams = [row.team for row in report.rows]
    return DependencyReport(
        waiting[:limit], len(waiting), cost, squad_grids(teams, links, at_risk_links, squad)
    )


def squad_grids(
    teams: list[Team],
    links: list[Dependency],
    at_risk_links: set[int],
    squad: Squad | None = None,
) -> list[SquadGrid]:
    """Per squad (or only `squad`), its teams by the teams they wait on; squads without a link
    are left out."""
    by_squad: dict[int, list[Team]] = {}
    for team in sorted(teams, key=lambda t: t.name.casefold()):
        by_squad.setdefault(team.squad_id, []).append(team)
    grids = []
    for members in by_squad.values():
        own = members[0].squad
        if squad is not None and own.pk != squad.pk:
            continue
        index = {team.pk: i for i, team in enumerate(members)}
        counts: dict[tuple[int, int], list[int]] = {}
        for link in links:
            down_team = link.downstream.team_id
            if down_team not in index or link.upstream.team_id == down_team:
                continue
            column = index.get(link.upstream.team_id, len(members))
            cell = counts.setdefault((index[down_team], column), [0, 0])
            cell[0] += 1
            cell[1] += link.pk in at_risk_links
        if not counts:
            continue
        columns = [team.name for team in members] + [OTHER_SQUADS]
        rows = [
            (team, [GridCell(*counts.get((r, c), (0, 0))) for c in range(len(columns))])
            for r, team in enumerate(members)
        ]
        sentences = [
            f"{team.name} waits on {columns[c]}: {cell.links} link{'s' if cell.links != 1 else ''}"
            + (f", {cell.at_risk} at risk." if cell.at_risk else ".")
            for team, cells in rows
            for c, cell in enumerate(cells)
            if cell.links
        ]
        grids.append(SquadGrid(own, members, columns, rows, sentences))
    return sorted(grids, key=lambda g: g.squad.name.casefold())
