"""Links into the app from what the nudges say, by e-mail (`nudges.services`) and on Slack
(`nudges.slack_messages`) alike: absolute, from `MILEPOST_BASE_URL`."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from nudges import rules
from nudges.digest import DeliveredLine, Digest, SlipLine


def absolute(path: str) -> str:
    return f"{settings.MILEPOST_BASE_URL}{path}"


def milestone_url(team_slug: str, milestone_id: int) -> str:
    return absolute(reverse("milestones:detail", args=[team_slug, milestone_id]))


@dataclass(frozen=True)
class TeamLinks:
    team_url: str
    reviews_url: str
    plan_url: str  # the team's table for the quarter to plan ("" when there is none)
    stale: list[tuple[rules.StaleLine, str]]
    put_at_risk: list[tuple[rules.RiskLine, str]]


def team_links(nudge: rules.TeamNudge) -> TeamLinks:
    slug = nudge.team.slug
    team_url = absolute(reverse("milestones:team", args=[slug]))
    return TeamLinks(
        team_url=team_url,
        reviews_url=absolute(reverse("reviews:list", args=[slug])),
        plan_url=f"{team_url}?quarter={nudge.plan.slug}" if nudge.plan else "",
        stale=[(item, milestone_url(slug, item.milestone_id)) for item in nudge.stale],
        put_at_risk=[(item, milestone_url(slug, item.milestone_id)) for item in nudge.put_at_risk],
    )


@dataclass(frozen=True)
class DigestQuarterLinks:
    """One quarter's lines of the digest (`DigestQuarter`), each with its milestone's page."""

    quarter: object
    slipped: list[tuple[SlipLine, str]]
    delivered: list[tuple[DeliveredLine, str]]


@dataclass(frozen=True)
class DigestLinks:
    dashboard_url: str
    by_quarter: list[DigestQuarterLinks]  # oldest first, as `Digest.by_quarter`
    to_close: list[tuple[object, str]]  # (quarter, its closing page)


def digest_links(digest: Digest) -> DigestLinks:
    return DigestLinks(
        dashboard_url=absolute(reverse("dashboard:index")),
        by_quarter=[
            DigestQuarterLinks(
                part.quarter,
                slipped=[
                    (line, milestone_url(line.team.slug, line.milestone_id))
                    for line in part.slipped
                ],
                delivered=[
                    (line, milestone_url(line.team.slug, line.milestone_id))
                    for line in part.delivered
                ],
            )
            for part in digest.by_quarter
        ],
        to_close=[
            (quarter, absolute(reverse("milestones:close_quarter", args=[quarter.slug])))
            for quarter in digest.to_close
        ],
    )
