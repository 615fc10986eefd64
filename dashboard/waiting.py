"""The dashboard's view of cross-team dependencies (issue 16): the "Waiting on another team"
watch list, how many teams' on-time verdicts are at risk through dependencies, and per squad
a teams by teams table of who waits on whom.

Built for the whole organisation from the quarter report's rows (`milestones.report_rows`)
and the links of its milestones (one query, `milestones.dependency_reads.quarter_links`), with
the dashboard's other cached parts (`dashboard.report.dashboard_parts`: adding or removing a
link, or any change of a milestone, bumps the quarters' change counters); a squad's share of
it is taken per request (`squad_dependencies`). The risk is `milestones.dependencies`', the
verdicts `milestones.ontime`'s (through `dependencies.slip_cost`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from milestones import dependencies, ontime
from milestones.models import Dependency
from milestones.report_rows import ReportMilestone, ReportSquad, ReportTeam
from milestones.selectors import QuarterReport

WAITING_LIMIT = 15
OTHER_SQUADS = "Other squads"


@dataclass(frozen=True)
class WaitingEntry:
    """An open milestone at risk from what it waits on in another team."""

    milestone: ReportMilestone
    team: ReportTeam
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

    squad: ReportSquad
    teams: list[ReportTeam]
    columns: list[str]
    rows: list[tuple[ReportTeam, list[GridCell]]]
    sentences: list[str]  # the text alternative: "Checkout waits on Payments: 2 links, 1 at risk."

    @property
    def links(self) -> int:
        return sum(cell.links for _, cells in self.rows for cell in cells)


@dataclass(frozen=True)
class DependencyReport:
    waiting: list[WaitingEntry]  # by target date; a squad's first `WAITING_LIMIT` on the page
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
    report: QuarterReport, links: list[Dependency], today: datetime.date
) -> DependencyReport:
    """The whole organisation's: every waiting milestone, every squad's grid. `links`: the
    dependencies of the report's milestones, with both ends' teams and the upstream's quarter
    (`quarter_links`). No query."""
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
    waiting = [WaitingEntry(*milestones[pk], tuple(found)) for pk, found in risks.items()]
    waiting.sort(key=lambda e: (e.milestone.target_date, e.team.name.casefold(), e.milestone.title))
    cost = dependencies.slip_cost(
        {row.team.name: row.milestones for row in report.rows},
        set(risks),
        ontime.Rules.for_quarter(report.quarter),
        report.quarter.goal,
        today,
        figures={row.team.name: row.figures for row in report.rows},
    )
    teams = [row.team for row in report.rows]
    return DependencyReport(waiting, len(waiting), cost, squad_grids(teams, links, at_risk_links))


def squad_dependencies(
    found: DependencyReport, squad: ReportSquad | None, limit: int = WAITING_LIMIT
) -> DependencyReport:
    """What the page shows of the organisation's `found` for `squad` (every squad: None): its
    waiting milestones, the first `limit` of them, and its grid. The teams at risk stay the
    organisation's. No query."""
    waiting = found.waiting
    grids = found.grids
    if squad is not None:
        waiting = [e for e in waiting if e.team.squad_id == squad.pk]
        grids = [g for g in grids if g.squad.pk == squad.pk]
    return replace(found, waiting=waiting[:limit], waiting_total=len(waiting), grids=grids)


def squad_grids(
    teams: list[ReportTeam], links: list[Dependency], at_risk_links: set[int]
) -> list[SquadGrid]:
    """Per squad, its teams by the teams they wait on; squads without a link are left out."""
    by_squad: dict[int, list[ReportTeam]] = {}
    for team in sorted(teams, key=lambda t: t.name.casefold()):
        by_squad.setdefault(team.squad_id, []).append(team)
    grids = []
    for members in by_squad.values():
        own = members[0].squad
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
