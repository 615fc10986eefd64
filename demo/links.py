"""The demo's cross-team dependencies (issue 16), for `demo.organisation.build_demo`."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from milestones import dependencies, ontime
from milestones.models import Dependency, Milestone, Quarter
from teams.models import Team


class DemoLinkError(Exception):
    """The demo's dependencies do not come out as described."""


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _save(milestone: Milestone, day: datetime.date, user) -> None:
    milestone._history_date = _at(day)
    milestone._history_user = user
    milestone.save()


DEPENDENCIES = 12  # links between teams in the current quarter
SLIPPED_INTO_RISK = 3  # of which this many are put at risk by an upstream slip yesterday


def link_teams(quarter: Quarter, teams: list[Team], today: datetime.date) -> None:
    """A dozen cross-team dependencies in the current quarter, made three weeks in; the last
    few upstreams slip yesterday past their downstream's target, putting it at risk (what the
    team page marks, the dashboard lists and the morning's nudges tell the leads). An
    upstream's team always comes before its downstream's in `teams`, so there is no cycle.

    Its own random stream: the rest of the demo is the same with or without it.
    """
    rng = random.Random(f"milepost-demo-dependencies-{today.isoformat()}")
    rules = ontime.Rules.for_quarter(quarter)
    order = {team.pk: n for n, team in enumerate(teams)}
    by_pk = {team.pk: team for team in teams}
    open_ones = [
        m
        for m in Milestone.objects.filter(quarter=quarter, status__in=Milestone.OPEN_STATUSES)
        if ontime.delivery_class(m, rules, today) is ontime.Delivery.NOT_DUE
        and m.status in (Milestone.Status.PLANNED, Milestone.Status.ON_TRACK)
    ]
    pairs = [
        (down, up)
        for down in open_ones
        for up in open_ones
        if order[up.team_id] < order[down.team_id]
        and up.target_date + datetime.timedelta(days=3) < down.target_date
    ]
    rng.shuffle(pairs)
    chosen: list[tuple[Milestone, Milestone]] = []
    used: set[int] = set()
    for down, up in pairs:
        if down.pk in used or up.pk in used:
            continue
        chosen.append((down, up))
        used |= {down.pk, up.pk}
        if len(chosen) == DEPENDENCIES:
            break
    linked_on = _at(min(today, quarter.start + datetime.timedelta(days=21)))
    for down, up in chosen:
        link = Dependency(downstream=down, upstream=up, created_at=linked_on)
        link._history_date = linked_on
        link._history_user = by_pk[down.team_id].tech_lead
        link.full_clean()
        link.save()
    yesterday = today - datetime.timedelta(days=1)
    for down, up in chosen[-SLIPPED_INTO_RISK:]:
        up.target_date = down.target_date + datetime.timedelta(days=rng.randint(4, 12))
        up.version += 1
        _save(up, yesterday, by_pk[up.team_id].tech_lead)
        risk = dependencies.dependency_risk(
            down, up, upstream_team=by_pk[up.team_id].name, upstream_rules=rules, today=today
        )
        if risk is None:
            raise DemoLinkError(f"The demo's slip of {up} does not put {down} at risk.")
