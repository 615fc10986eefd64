"""The figure of each quarter on a page of the API's quarter list, in one query for them all.

A closed quarter's figure is the one recorded at close (`closing.recorded_figure`); any other
quarter's is computed as the dashboard computes it, by the rules of `milestones.ontime`
(`team_quarter`, then `org_figure`) over its active teams' milestones. One quarter alone (the
figure endpoint, with its as-of day) goes through `selectors.quarter_report` itself; this
module only batches the same rules over several quarters, so a page of quarters costs one
query whatever its size (the records come with the quarters, `with_record()`).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from milestones import ontime
from milestones.closing import recorded_figure, records_for
from milestones.models import Milestone, Quarter


@dataclass(frozen=True)
class QuarterFigure:
    figure: ontime.OrgFigure
    recorded: bool  # the figure recorded at close, not computed now


def quarter_figures(quarters: Sequence[Quarter], today: datetime.date) -> dict[int, QuarterFigure]:
    """Each quarter's figure by quarter id: recorded when closed with a record, else today's."""
    records = records_for(quarters)
    found = {pk: QuarterFigure(recorded_figure(record), True) for pk, record in records.items()}
    live = [quarter for quarter in quarters if quarter.pk not in records]
    if not live:
        return found
    by_quarter_team: dict[int, dict[int, list[Milestone]]] = defaultdict(lambda: defaultdict(list))
    milestones = Milestone.objects.filter(quarter__in=live, team__active=True).only(
        "pk", "team_id", "quarter_id", "status", "committed_date", "target_date",
        "delivered_date", "excused",
    )  # fmt: skip
    for milestone in milestones:
        by_quarter_team[milestone.quarter_id][milestone.team_id].append(milestone)
    for quarter in live:
        rules = ontime.Rules.for_quarter(quarter)
        teams = (
            ontime.team_quarter(team_milestones, rules, today)
            for team_milestones in by_quarter_team[quarter.pk].values()
        )
        # Teams without a milestone in the quarter do not count (`org_figure`), so only the
        # teams that have one are needed here.
        found[quarter.pk] = QuarterFigure(ontime.org_figure(teams, quarter.goal), False)
    return found
