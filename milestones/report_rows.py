"""The rows a quarter report is built from, read with `values_list()`, not model instances.

A 1,000-team dashboard reads about 1,000 teams, 3,000 memberships and 10,000 milestones:
building a model instance for each (with its state, its descriptors and, for a team, its
prefetched memberships and users) cost more than everything the rules then do with them.
These small frozen dataclasses carry only what the report, its pages and its exports read,
are cheap to build and to pickle (the dashboard caches them, `dashboard.cache`), and are
shaped like what they replace where the rules look: a `ReportMilestone` is an
`ontime.MilestoneLike` with a `pk`, a `ReportTeam` has the `name`, `squad`, `pk` and
`is_trio` of a team.

URLs are built by string from one `reverse()` per read (`UrlMaker`), not one per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse

from milestones.models import Milestone
from teams.models import Membership, Squad, Team, User

# Stand-ins that match the URL converters (a slug, an int), replaced by each row's own values.
SLUG_STAND_IN = "milepost-slug-placeholder"
PK_STAND_IN = 987654321987


class UrlMaker:
    """The team page and milestone page URLs, from one `reverse()` of each per report."""

    def __init__(self):
        self._team = reverse("milestones:team", args=[SLUG_STAND_IN])
        self._milestone = reverse("milestones:detail", args=[SLUG_STAND_IN, PK_STAND_IN])

    def team(self, slug: str) -> str:
        return self._team.replace(SLUG_STAND_IN, slug)

    def milestone(self, slug: str, pk: int) -> str:
        return self._milestone.replace(SLUG_STAND_IN, slug).replace(str(PK_STAND_IN), str(pk))


@dataclass(frozen=True, slots=True, eq=False)
class ReportSquad:
    pk: int
    name: str

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        # The same squad as the model instance of the same row, as two instances would be.
        if isinstance(other, ReportSquad | Squad):
            return self.pk == other.pk
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.pk)


@dataclass(frozen=True, slots=True, eq=False)
class ReportTeam:
    pk: int
    name: str
    slug: str
    squad: ReportSquad
    tech_lead_name: str | None
    is_trio: bool  # one tech lead and two engineers (`Team.is_trio`)
    url: str

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        # The same team as the model instance of the same row, as two instances would be.
        if isinstance(other, ReportTeam | Team):
            return self.pk == other.pk
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.pk)

    @property
    def squad_id(self) -> int:
        return self.squad.pk

    def get_absolute_url(self) -> str:
        return self.url


_STATUS_LABELS = dict(Milestone.Status.choices)


@dataclass(frozen=True, slots=True)
class ReportMilestone:
    pk: int
    team_id: int
    title: str
    status: str
    committed_date: datetime.date
    target_date: datetime.date
    delivered_date: datetime.date | None
    excused: bool
    owner_name: str | None
    url: str
    link: str = ""  # the ticket link, if any

    def __str__(self) -> str:
        return self.title

    @property
    def id(self) -> int:
        return self.pk

    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))

    def get_absolute_url(self) -> str:
        return self.url


def person_name(display_name: str, first_name: str, last_name: str, username: str) -> str:
    """`User.name` from the columns it reads."""
    return display_name or f"{first_name} {last_name}".strip() or username


_PERSON = User.NAME_COLUMNS


def active_teams(urls: UrlMaker) -> list[ReportTeam]:
    """Every active team with its squad, tech lead and shape, by name: two queries (the teams
    with their squads, the active memberships)."""
    teams = list(
        Team.objects.filter(active=True)
        .order_by("name")
        .values_list("pk", "name", "slug", "squad_id", "squad__name")
    )
    leads: dict[int, str] = {}
    engineers: dict[int, int] = {}
    memberships = Membership.objects.filter(active=True, team__active=True).values_list(
        "team_id", "role", *(f"user__{column}" for column in _PERSON)
    )
    for team_id, role, *person in memberships.order_by():
        if role == Membership.Role.TECH_LEAD:
            leads[team_id] = person_name(*person)
        elif role == Membership.Role.ENGINEER:
            engineers[team_id] = engineers.get(team_id, 0) + 1
    squads: dict[int, ReportSquad] = {}
    found = []
    for pk, name, slug, squad_id, squad_name in teams:
        squad = squads.setdefault(squad_id, ReportSquad(squad_id, squad_name))
        found.append(
            ReportTeam(
                pk=pk,
                name=name,
                slug=slug,
                squad=squad,
                tech_lead_name=leads.get(pk),
                is_trio=pk in leads and engineers.get(pk, 0) == 2,
                url=urls.team(slug),
            )
        )
    return found


_MILESTONE_COLUMNS = (
    "pk",
    "team_id",
    "title",
    "status",
    "committed_date",
    "target_date",
    "delivered_date",
    "excused",
    "link",
    *(f"owner__{column}" for column in _PERSON),
)


def quarter_milestones(
    quarter_id: int, teams: Iterable[ReportTeam], urls: UrlMaker, *, only_these: bool = False
) -> list[ReportMilestone]:
    """The quarter's milestones of `teams`, in table order (position, then id): one query.
    `only_these`: read just those teams' (a few teams of a large organisation), rather than
    every active team's and keep theirs."""
    slugs = {team.pk: team.slug for team in teams}
    found_rows = Milestone.objects.filter(quarter_id=quarter_id, team__active=True)
    if only_these:
        found_rows = found_rows.filter(team_id__in=list(slugs))
    rows = found_rows.order_by("position", "pk").values_list(*_MILESTONE_COLUMNS)
    found = []
    for pk, team_id, title, status, committed, target, delivered, excused, link, *owner in rows:
        slug = slugs.get(team_id)
        if slug is None:  # a team made active after the teams were read
            continue
        found.append(
            ReportMilestone(
                pk=pk,
                team_id=team_id,
                title=title,
                status=status,
                committed_date=committed,
                target_date=target,
                delivered_date=delivered,
                excused=excused,
                owner_name=person_name(*owner) if owner[-1] is not None else None,
                url=urls.milestone(slug, pk),
                link=link,
            )
        )
    return found


def report_milestone(milestone: Milestone, team: ReportTeam, urls: UrlMaker) -> ReportMilestone:
    """A milestone instance (one rebuilt from its history, on an as-of view) as a row."""
    return ReportMilestone(
        pk=milestone.pk,
        team_id=milestone.team_id,
        title=milestone.title,
        status=milestone.status,
        committed_date=milestone.committed_date,
        target_date=milestone.target_date,
        delivered_date=milestone.delivered_date,
        excused=milestone.excused,
        owner_name=milestone.owner.name if milestone.owner_id and milestone.owner else None,
        url=urls.milestone(team.slug, milestone.pk),
        link=milestone.link,
    )
