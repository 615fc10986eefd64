"""Nudges (issue 10): who gets which reminder e-mail on a day. Deciding only, never sending.

Each active team's tech lead hears about their team when its biweekly review is overdue
(`selectors_reviews.review_status`), when open milestones of the current quarter are past
their target date without an update (no change recorded in their history since the target
date passed) and, in the week before a quarter starts, when their team has no milestone for
it yet (`lifecycle.needs_planning_reminder`: on the first run of that week, so a day the
nudges did not run loses nothing; once per lead per quarter, as their `Nudge` rows of that
week say), and when an upstream milestone of another team slipped since the start of
yesterday past the target date of one of their open milestones that waits on it, which it
still puts at risk (`dependencies.dependency_risk`; read from the history, never sent from the
write path, so a slip made in the sheet counts like one made in the browser). Leadership gets
a weekly digest on `MILEPOST_DIGEST_WEEKDAY` (Monday unless set; what it says is
`nudges.digest`'s): the org figure against the goal, what slipped and what was delivered in
the last seven days, and the quarters that have ended but are not closed yet. A person who is
both gets one e-mail with both.

Nobody gets more than one e-mail a day: anyone with a `Nudge` for the day is skipped (the
sender claims that row before sending, `nudges.services`), and so is anyone who
opted out in their profile or has no e-mail address. Inactive users and teams are left out.

`plan_nudges` reads everything in a constant number of queries whatever the number of teams;
the rules themselves (`is_stale`, `is_digest_day`, `subject`) are plain functions.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from milestones import asof, dependencies, lifecycle, ontime
from milestones.dependency_reads import slip_costs
from milestones.models import Dependency, Milestone, Quarter
from milestones.quarters import current_quarter
from milestones.selectors import target_points
from nudges.digest import Digest, build_digest
from nudges.models import Nudge
from reviews import diff as reviews
from reviews.selectors import review_status
from teams.models import Membership, Team, User

REVIEW_OVERDUE = "review_overdue"
STALE_MILESTONES = "stale_milestones"
PLAN_NEXT_QUARTER = "plan_next_quarter"
PUT_AT_RISK = "put_at_risk"
DIGEST = "digest"

# Why someone who would have had an e-mail gets none.
OPTED_OUT = "opted out"
NO_ADDRESS = "no e-mail address"
ALREADY_NUDGED = "already nudged today"


# --- The rules ------------------------------------------------------------------------------


def is_stale(
    target_date: datetime.date, last_change: datetime.date | None, today: datetime.date
) -> bool:
    """Past its target date, and nothing recorded since that date passed.

    A change on the target date itself was made before it passed, so it does not count as
    an update; a milestone with no recorded change at all is stale once its date has passed.
    """
    if target_date >= today:
        return False
    return last_change is None or last_change <= target_date


def is_digest_day(today: datetime.date, weekday: int | None = None) -> bool:
    """The weekday of the digest (0 = Monday … 6 = Sunday, `MILEPOST_DIGEST_WEEKDAY`)."""
    if weekday is None:
        weekday = settings.MILEPOST_DIGEST_WEEKDAY
    return today.weekday() == weekday


# --- What a nudge says ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleLine:
    milestone_id: int
    title: str
    team: Team
    target_date: datetime.date
    last_change: datetime.date | None
    days_past: int


@dataclass(frozen=True)
class RiskLine:
    """An open milestone of the team that an upstream's recent slip put at risk."""

    milestone_id: int
    title: str
    target_date: datetime.date
    upstream_id: int
    upstream_team: Team
    from_date: datetime.date  # the upstream's target before the slip
    to_date: datetime.date  # and after it
    reason: str  # `dependencies.dependency_risk`'s words
    cost: str = ""  # what the slip costs if this milestone slips too (`dependencies.SlipCost`)


@dataclass(frozen=True)
class TeamNudge:
    """What a tech lead hears about their team: an overdue review, stale milestones, or both."""

    team: Team
    review: reviews.ReviewStatus | None  # set when the review is overdue
    stale: tuple[StaleLine, ...] = ()
    plan: Quarter | None = None  # starts in a week, and the team has nothing planned for it
    put_at_risk: tuple[RiskLine, ...] = ()  # by another team's slip since yesterday
    lead: User | None = None  # named (or @-mentioned) in the team's Slack message

    @property
    def kinds(self) -> list[str]:
        return [
            kind
            for kind, present in (
                (REVIEW_OVERDUE, self.review),
                (STALE_MILESTONES, self.stale),
                (PLAN_NEXT_QUARTER, self.plan),
                (PUT_AT_RISK, self.put_at_risk),
            )
            if present
        ]


@dataclass(frozen=True)
class PlannedNudge:
    """One e-mail to one person on one day."""

    user: User
    team: TeamNudge | None = None
    digest: Digest | None = None

    @property
    def kinds(self) -> list[str]:
        return [*(self.team.kinds if self.team else []), *([DIGEST] if self.digest else [])]


@dataclass(frozen=True)
class Skipped:
    user: User
    reason: str
    kinds: list[str]


@dataclass
class NudgePlan:
    today: datetime.date
    digest_day: bool
    nudges: list[PlannedNudge] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # What the day says, whoever hears it: every team's nudge (its lead may have opted out of
    # e-mails, its Slack channel still hears it) and the digest (`nudges.slack` posts both).
    teams: list[TeamNudge] = field(default_factory=list)
    digest: Digest | None = None


def describe(nudge: PlannedNudge) -> str:
    """What the e-mail is about, in a few words (the command's summary)."""
    parts = []
    if nudge.team and nudge.team.review:
        parts.append(f"review of {nudge.team.team} overdue")
    if nudge.team and nudge.team.stale:
        count = len(nudge.team.stale)
        parts.append(f"{count} stale milestone{'s' if count != 1 else ''} of {nudge.team.team}")
    if nudge.team and nudge.team.plan:
        parts.append(f"nothing planned for {nudge.team.plan} by {nudge.team.team}")
    if nudge.team and nudge.team.put_at_risk:
        count = len(nudge.team.put_at_risk)
        parts.append(f"{count} milestone{'s' if count != 1 else ''} put at risk by a slip")
    if nudge.digest:
        parts.append("weekly digest")
    return ", ".join(parts)


def subject(nudge: PlannedNudge) -> str:
    parts = []
    if nudge.digest:
        figure = nudge.digest.figure
        parts.append(f"{figure.headline} (goal {figure.goal})")
    if nudge.team:
        team = nudge.team
        needs = []
        if team.review:
            needs.append("a review")
        if team.stale:
            count = len(team.stale)
            needs.append(f"{count} milestone update{'s' if count != 1 else ''}")
        if team.plan:
            needs.append(f"its {team.plan} milestones")
        if team.put_at_risk:
            count = len(team.put_at_risk)
            needs.append(
                f"a look at {count} milestone{'s' if count != 1 else ''} a slip put at risk"
            )
        parts.append(f"{team.team} needs {' and '.join(needs)}")
    prefix = "Milepost weekly" if nudge.digest else "Milepost"
    return f"{prefix}: {' · '.join(parts)}"


# --- Reading the day ----------------------------------------------------------------------------


def plan_nudges(
    today: datetime.date, *, force_digest: bool = False, digest_for_slack: bool = False
) -> NudgePlan:
    """Who gets what on `today`. `force_digest` sends the digest whatever the weekday;
    `digest_for_slack` builds it on its day even when no one of leadership gets it by e-mail
    (a Slack webhook of the organisation will post it).

    Queries, whatever the number of teams: the day's nudges, the active tech leads, their
    review dates, the quarters, the stale milestones, and in the week before a quarter starts
    the teams that planned it and the leads already reminded of it; on a digest day also
    leadership, the report of each quarter the digest covers (`selectors.quarter_report`: the
    current one, and the one before it in a week that crosses into a new quarter) and their
    milestones' history.
    """
    digest_day = force_digest or is_digest_day(today)
    plan = NudgePlan(today=today, digest_day=digest_day)
    nudged_today = set(Nudge.objects.filter(sent_on=today).values_list("user_id", flat=True))
    quarters = list(Quarter.objects.order_by("start"))
    quarter = current_quarter(today, quarters)
    starting = next((q for q in quarters if lifecycle.needs_planning_reminder(q, today)), None)

    leads = list(
        Membership.objects.filter(
            role=Membership.Role.TECH_LEAD, active=True, team__active=True, user__is_active=True
        )
        .select_related("team", "user")
        .order_by("team__name")
    )
    statuses = review_status([m.team for m in leads], today) if leads else {}
    stale = _stale_by_team(quarter, [m.team for m in leads], today) if leads else {}
    planned = _teams_with_milestones(starting) if leads and starting else set()
    reminded = _reminded_of_planning(starting) if leads and starting else set()
    at_risk = put_at_risk_by_slips({m.team_id for m in leads}, today) if leads else {}

    wanted: dict[int, dict] = {}  # user id -> {"user": ..., "team": ..., "digest": ...}
    for membership in leads:
        team, status = membership.team, statuses.get(membership.team_id)
        overdue = status if status is not None and status.overdue else None
        unplanned = (
            starting
            if starting and team.pk not in planned and membership.user_id not in reminded
            else None
        )
        team_nudge = TeamNudge(
            team,
            overdue,
            tuple(stale.get(team.pk, ())),
            unplanned,
            tuple(at_risk.get(team.pk, ())),
            membership.user,
        )
        if team_nudge.kinds:
            plan.teams.append(team_nudge)
            wanted.setdefault(membership.user_id, {"user": membership.user})["team"] = team_nudge

    if digest_day and quarter is not None:
        leadership = list(User.objects.filter(is_leadership=True, is_active=True))
        if leadership or digest_for_slack:
            plan.digest = build_digest(
                quarter,
                today,
                quarters=quarters,
                to_close=lifecycle.quarters_to_close(quarters, today),
            )
            for user in leadership:
                wanted.setdefault(user.pk, {"user": user})["digest"] = plan.digest

    for entry in sorted(wanted.values(), key=lambda e: (e["user"].name, e["user"].pk)):
        nudge = PlannedNudge(entry["user"], entry.get("team"), entry.get("digest"))
        reason = _skip_reason(nudge.user, nudged_today)
        if reason:
            plan.skipped.append(Skipped(nudge.user, reason, nudge.kinds))
        else:
            plan.nudges.append(nudge)
    return plan


def _skip_reason(user: User, nudged_today: set[int]) -> str | None:
    if user.nudges_opt_out:
        return OPTED_OUT
    if not user.email.strip():
        return NO_ADDRESS
    if user.pk in nudged_today:
        return ALREADY_NUDGED
    return None


def _stale_by_team(
    quarter: Quarter | None, teams: list[Team], today: datetime.date
) -> dict[int, list[StaleLine]]:
    """The teams' open milestones of the quarter past their target date without an update, by
    team, oldest target first: one query (the last history date comes as a subquery)."""
    if quarter is None:
        return {}
    by_pk = {team.pk: team for team in teams}
    last_change = (
        Milestone.history.filter(id=OuterRef("pk"))
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    rows = (
        Milestone.objects.filter(
            quarter=quarter,
            team_id__in=by_pk,
            status__in=Milestone.OPEN_STATUSES,
            target_date__lt=today,
        )
        .annotate(last_change=Subquery(last_change))
        .order_by("target_date", "position", "pk")
        .values_list("pk", "title", "team_id", "target_date", "last_change")
    )
    found: dict[int, list[StaleLine]] = defaultdict(list)
    for pk, title, team_id, target, changed_at in rows:
        changed_on = timezone.localdate(changed_at) if changed_at else None
        if is_stale(target, changed_on, today):
            found[team_id].append(
                StaleLine(pk, title, by_pk[team_id], target, changed_on, (today - target).days)
            )
    return found


def put_at_risk_by_slips(team_ids: set[int], today: datetime.date) -> dict[int, list[RiskLine]]:
    """The teams' open milestones that an upstream's slip recorded since the start of
    yesterday moved past (`dependencies.put_at_risk_by_slip`) and that are still at risk from
    it today, by team, each with what the slip would cost (`dependency_reads.slip_costs`). Three
    queries: the links with both ends, the upstreams' history, the quarters' milestones.

    A slip made late in the day is reported the next morning too (a day's window would miss
    it); the once-a-day rule keeps that to one e-mail a day.
    """
    links = list(
        Dependency.objects.filter(
            downstream__team_id__in=team_ids,
            downstream__status__in=Milestone.OPEN_STATUSES,
        ).select_related("downstream__quarter", "upstream__team", "upstream__quarter")
    )
    if not links:
        return {}
    since = asof.end_of(today - datetime.timedelta(days=2))
    points = target_points({link.upstream_id for link in links})
    hits: list[tuple[Milestone, Milestone, ontime.Slip, str]] = []
    for link in links:
        down, up = link.downstream, link.upstream
        risk = dependencies.dependency_risk(
            down,
            up,
            upstream_team=up.team.name,
            upstream_rules=ontime.Rules.for_quarter(up.quarter),
            today=today,
        )
        if risk is None:
            continue
        slips = [s for s in ontime.find_slips(points.get(up.pk, [])) if s.at and s.at >= since]
        moved = [
            s for s in slips if dependencies.put_at_risk_by_slip(s.from_date, s.to_date, [down])
        ]
        if moved:
            hits.append((down, up, moved[-1], risk.reason))
    costs = slip_costs({n: [down] for n, (down, *_) in enumerate(hits)}, today)
    found: dict[int, list[RiskLine]] = defaultdict(list)
    for n, (down, up, slip, reason) in enumerate(hits):
        found[down.team_id].append(
            RiskLine(
                down.pk,
                down.title,
                down.target_date,
                up.pk,
                up.team,
                slip.from_date,
                slip.to_date,
                reason,
                " ".join(cost.summary for cost in costs.get(n, [])),
            )
        )
    return found


def _teams_with_milestones(quarter: Quarter) -> set[int]:
    """The teams with at least one milestone in the quarter (one query)."""
    return set(Milestone.objects.filter(quarter=quarter).values_list("team_id", flat=True))


def _reminded_of_planning(quarter: Quarter) -> set[int]:
    """The people already sent the quarter's planning reminder (one query): a reminder sent in
    the week before it starts is that quarter's, the only one that week can be about."""
    first, last = lifecycle.planning_reminder_days(quarter)
    return set(
        Nudge.objects.filter(
            sent_on__range=(first, last), kinds__contains=PLAN_NEXT_QUARTER
        ).values_list("user_id", flat=True)
    )
