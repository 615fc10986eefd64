"""The read-only API, version 1 (`/api/v1/`): quarters and their figures, teams with their
verdicts, milestones and reviews.

Every operation is a GET for a person signed in or holding a token (`api.auth`); lists come in
pages (`api.pagination.Paged`) at a constant number of queries per page. The figures are the
dashboard's: `milestones.selectors.quarter_report` and `milestones.ontime`, the recorded ones
for a closed quarter (`milestones.closing.recorded_figure`, and each team's
`milestones.closing.recorded_team_figures`).
"""

import datetime
from typing import Annotated

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Path, Query, Router
from ninja.errors import HttpError
from ninja.openapi.docs import Swagger
from ninja.pagination import paginate
from pydantic import Field as PydanticField

from api import schemas
from api.auth import API_AUTH
from api.figures import quarter_figures
from api.pagination import Paged
from milestones import asof, lifecycle, ontime
from milestones.closing import recorded_figure, recorded_team_figures, records_for
from milestones.models import Milestone, Quarter
from milestones.quarters import current_quarter
from milestones.report_rows import ReportTeam
from milestones.selectors import quarter_report
from reviews.models import Review, ReviewItem
from teams.models import Membership, Team

QUARTER_SLUG = r"^(current|[0-9]{4}-q[1-4])$"
TEAM_SLUG = r"^[-a-zA-Z0-9_]{1,100}$"

QuarterSlug = Annotated[
    str,
    PydanticField(
        pattern=QUARTER_SLUG,
        description="A quarter's slug (2026-q4), or `current` for the quarter under way.",
    ),
]
TeamSlug = Annotated[str, PydanticField(pattern=TEAM_SLUG, description="A team's slug.")]

ERRORS = {401: schemas.Message, 404: schemas.Message, 422: schemas.InvalidInput}

router = Router(auth=API_AUTH)


def _absolute(path: str) -> str:
    return settings.MILEPOST_BASE_URL + path


def find_quarter(slug: str) -> Quarter:
    """The quarter of `slug` (with its record), `current` for today's; 404 when there is none."""
    if slug == "current":
        quarter = current_quarter(timezone.localdate(), list(Quarter.objects.with_record()))
    else:
        year, number = slug.split("-q")
        quarter = Quarter.objects.with_record().filter(year=int(year), number=int(number)).first()
    if quarter is None:
        raise Http404(f"There is no quarter {slug}.")
    return quarter


def figure_out(figure: ontime.OrgFigure) -> schemas.FigureOut:
    return schemas.FigureOut(
        headline=figure.headline,
        on_time=figure.on_time,
        teams=figure.teams,
        goal=figure.goal,
        goal_met=figure.goal_met,
        forecast=figure.forecast,
        milestones_on_time=figure.milestones_on_time,
        milestones_due=figure.milestones_due,
        milestone_percent=figure.milestone_percent,
    )


def person_out(user) -> schemas.PersonOut | None:
    return None if user is None else schemas.PersonOut(username=user.username, name=user.name)


# --- Quarters -------------------------------------------------------------------------------


@router.get("/quarters", response={200: list[schemas.QuarterOut], **ERRORS}, tags=["quarters"])
@paginate(Paged)
def list_quarters(request: HttpRequest):
    """Every quarter, latest first, with its state today and its figure: the one recorded at
    close for a closed quarter, else the live one. Two queries a page."""
    return QuarterPage(timezone.localdate())


class QuarterPage:
    """The quarters as a sliceable list whose slices carry their figures, so a page reads its
    quarters and their milestones once, and counts them once."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.quarters = Quarter.objects.with_record().order_by("-start")

    def count(self) -> int:
        return self.quarters.count()

    def all(self) -> "QuarterPage":
        return self

    def __getitem__(self, page: slice) -> list[schemas.QuarterOut]:
        quarters = list(self.quarters[page])
        figures = quarter_figures(quarters, self.today)
        return [
            quarter_out(
                quarter, self.today, figures[quarter.pk].figure, figures[quarter.pk].recorded
            )
            for quarter in quarters
        ]


def quarter_out(
    quarter: Quarter, today: datetime.date, figure: ontime.OrgFigure, recorded: bool
) -> schemas.QuarterOut:
    state = lifecycle.quarter_state(quarter, today)
    return schemas.QuarterOut(
        slug=quarter.slug,
        label=quarter.label,
        year=quarter.year,
        number=quarter.number,
        start=quarter.start,
        end=quarter.end,
        goal=quarter.goal,
        grace_days=quarter.grace_days,
        state=state.value,
        state_label=state.label,
        figure=figure_out(figure),
        figure_recorded=recorded,
    )


@router.get(
    "/quarters/{quarter}/figure",
    response={200: schemas.QuarterFigureOut, 400: schemas.Message, **ERRORS},
    tags=["quarters"],
)
def quarter_figure(
    request: HttpRequest,
    quarter: Path[QuarterSlug],
    as_of: Query[datetime.date | None] = None,
):
    """The org figure for a quarter, "X of Y teams on time" against its goal: the recorded one
    once the quarter is closed, else the live one; with `as_of` (a day of the quarter, not
    after today) the figure as it stood at the end of that day."""
    found = find_quarter(quarter)
    today = timezone.localdate()
    state = lifecycle.quarter_state(found, today)
    if as_of is None:
        record = records_for([found]).get(found.pk)
        if record is not None:
            figure, recorded = recorded_figure(record), True
        else:
            figure, recorded = quarter_report(found, today).figure, False
    else:
        asked = asof.parse_as_of(as_of.isoformat(), found, today)
        if asked.day is None:
            raise HttpError(400, asked.error.split(":")[0] + ".")
        figure, recorded = quarter_report(found, today, as_of=asked.day).figure, False
    return schemas.QuarterFigureOut(
        quarter=found.slug,
        state=state.value,
        as_of=as_of,
        recorded=recorded,
        figure=figure_out(figure),
    )


# --- Teams ----------------------------------------------------------------------------------


@router.get(
    "/teams", response={200: list[schemas.TeamOut], 400: schemas.Message, **ERRORS}, tags=["teams"]
)
@paginate(Paged)
def list_teams(
    request: HttpRequest,
    quarter: Query[QuarterSlug | None] = None,
    as_of: Query[datetime.date | None] = None,
):
    """Every active team with its verdict and counts for a quarter (the current one unless
    asked), as the dashboard shows them; with `as_of`, as they stood at the end of that day.
    A closed quarter's teams are those recorded at its close (`recorded`), whatever was
    restated since. Five queries a page, whatever the number of teams."""
    found = find_quarter(quarter or "current")
    today = timezone.localdate()
    day = None
    if as_of is not None:
        asked = asof.parse_as_of(as_of.isoformat(), found, today)
        if asked.day is None:
            raise HttpError(400, asked.error.split(":")[0] + ".")
        day = asked.day
    report = quarter_report(found, today, as_of=day)
    # A closed quarter's teams as recorded at its close (the quarter came with its record).
    recorded = recorded_team_figures(report)
    # The report's rows carry figures, not people: the members of every team in one query.
    members: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(
        active=True, team_id__in=[row.team.pk for row in report.rows]
    ).select_related("user"):
        members.setdefault(membership.team_id, []).append(membership)
    return [
        team_out(
            row.team,
            members.get(row.team.pk, []),
            recorded.get(row.team.pk, row.figures),
            found,
            day,
            recorded=row.team.pk in recorded,
        )
        for row in report.rows
    ]


def team_out(
    team: Team | ReportTeam,
    members: list[Membership],
    figures: ontime.TeamQuarter,
    quarter: Quarter,
    day: datetime.date | None,
    *,
    recorded: bool = False,
) -> schemas.TeamOut:
    lead = next((m.user for m in members if m.role == Membership.Role.TECH_LEAD), None)
    return schemas.TeamOut(
        slug=team.slug,
        name=team.name,
        squad=team.squad.name,
        lead=person_out(lead),
        members=len(members),
        url=_absolute(team.get_absolute_url()),
        quarter=quarter.slug,
        as_of=day,
        recorded=recorded,
        verdict=figures.verdict,
        on_time_percent=figures.on_time_percent,
        total=figures.total,
        done=figures.done,
        on_time=figures.on_time,
        late=figures.late,
        overdue=figures.overdue,
        dropped=figures.dropped,
        excused=figures.excused,
        not_due=figures.not_due,
        at_risk=figures.at_risk,
        off_track=figures.off_track,
    )


# --- Milestones -----------------------------------------------------------------------------


@router.get(
    "/milestones", response={200: list[schemas.MilestoneOut], **ERRORS}, tags=["milestones"]
)
@paginate(Paged)
def list_milestones(
    request: HttpRequest,
    team: Query[TeamSlug | None] = None,
    quarter: Query[QuarterSlug | None] = None,
    status: Query[schemas.StatusName | None] = None,
):
    """Milestones of every team and quarter, or of the team, quarter and status asked for, by
    quarter (latest first), team and position: each as it is now, restatements of a closed
    quarter included (that quarter's figures are the recorded ones, in `/quarters` and
    `/teams`). Two queries a page."""
    milestones = Milestone.objects.select_related("team", "quarter", "owner").order_by(
        "-quarter__start", "team__name", "position", "pk"
    )
    if team is not None:
        milestones = milestones.filter(team__slug=team)
    if quarter is not None:
        milestones = milestones.filter(quarter=find_quarter(quarter))
    if status is not None:
        milestones = milestones.filter(status=status)
    return MappedPage(milestones, milestone_out)


@router.get(
    "/milestones/{milestone_id}",
    response={200: schemas.MilestoneOut, **ERRORS},
    tags=["milestones"],
)
def read_milestone(
    request: HttpRequest, milestone_id: Path[Annotated[int, PydanticField(ge=1, le=2**53)]]
):
    """One milestone by its id."""
    milestone = (
        Milestone.objects.select_related("team", "quarter", "owner").filter(pk=milestone_id).first()
    )
    if milestone is None:
        raise Http404("There is no such milestone.")
    return milestone_out(milestone)


def milestone_out(milestone: Milestone) -> schemas.MilestoneOut:
    return schemas.MilestoneOut(
        id=milestone.pk,
        team=milestone.team.slug,
        quarter=milestone.quarter.slug,
        title=milestone.title,
        description=milestone.description,
        owner=person_out(milestone.owner),
        committed_date=milestone.committed_date,
        target_date=milestone.target_date,
        status=milestone.status,
        delivered_date=milestone.delivered_date,
        notes=milestone.notes,
        excused=milestone.excused,
        position=milestone.position,
        version=milestone.version,
        link=milestone.link,
        url=_absolute(milestone.get_absolute_url()),
    )


class MappedPage:
    """A queryset whose slices come out as the API's schemas: counted and sliced in the
    database, like the queryset itself."""

    def __init__(self, queryset, to_schema):
        self.queryset = queryset
        self.to_schema = to_schema

    def count(self) -> int:
        return self.queryset.count()

    def all(self) -> "MappedPage":
        return self

    def __getitem__(self, page: slice) -> list:
        return [self.to_schema(row) for row in self.queryset[page]]


# --- Reviews --------------------------------------------------------------------------------


@router.get("/reviews", response={200: list[schemas.ReviewOut], **ERRORS}, tags=["reviews"])
@paginate(Paged)
def list_reviews(
    request: HttpRequest,
    team: Query[TeamSlug | None] = None,
    quarter: Query[QuarterSlug | None] = None,
):
    """Biweekly reviews, latest first, each with its items (the milestones as they stood when
    it started) and its notes. Three queries a page."""
    reviews = (
        Review.objects.select_related("team", "quarter")
        .prefetch_related(Prefetch("items", queryset=ReviewItem.objects.order_by("position", "pk")))
        .order_by("-held_on", "team__name", "pk")
    )
    if team is not None:
        reviews = reviews.filter(team__slug=team)
    if quarter is not None:
        reviews = reviews.filter(quarter=find_quarter(quarter))
    return MappedPage(reviews, review_out)


def review_out(review: Review) -> schemas.ReviewOut:
    return schemas.ReviewOut(
        id=review.pk,
        team=review.team.slug,
        quarter=review.quarter.slug,
        held_on=review.held_on,
        summary=review.summary,
        closed=review.is_closed,
        closed_at=review.closed_at,
        url=_absolute(review.get_absolute_url()),
        items=[
            schemas.ReviewItemOut(
                milestone_id=item.milestone_id,
                title=item.title,
                status=item.status,
                committed_date=item.committed_date,
                target_date=item.target_date,
                delivered_date=item.delivered_date,
                owner_name=item.owner_name,
                on_agenda=item.on_agenda,
                note=item.note,
            )
            for item in review.items.all()
        ],
    )


# --- The API itself -------------------------------------------------------------------------


class SchemaDocs(Swagger):
    """Swagger UI served from ninja's own static files (nothing from a CDN, nothing inline:
    the strict CSP holds), reading the schema at /api/schema/."""

    def get_openapi_url(self, api, path_params) -> str:
        from django.urls import reverse

        return reverse("api_schema")


api_v1 = NinjaAPI(
    title="Milepost API",
    version="1",
    description=(
        "Read-only: quarters and their on-time figures, teams with their verdicts, milestones "
        "and reviews. Authenticate with a personal token from your profile page "
        "(`Authorization: Bearer mp_…`).\n\n"
        "**A closed quarter answers from its record.** The figures recorded when leadership "
        "closed it are what every answer gives, whatever was restated or corrected since: its "
        "org figure in `/quarters` (`figure_recorded: true`) and in "
        "`/quarters/{quarter}/figure` (`recorded: true`), and each team's verdict and counts in "
        "`/teams` (`recorded: true`). Not recorded, and said so (`false`): a quarter not closed "
        "(judged from its milestones now); a figure or teams `as_of` a past day (as they stood "
        "that day); the teams of a quarter closed before teams' figures were recorded (judged "
        "from its milestones now). `/milestones` lists each milestone as it is now, restatements "
        "included: the figures recorded at close are not recomputed from them."
    ),
    urls_namespace="api-v1",
    openapi_url=None,
    docs_url=None,
    docs=SchemaDocs(),
)
api_v1.add_router("/", router)
