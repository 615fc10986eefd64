"""What the API answers, field by field: the OpenAPI schema is generated from these."""

import datetime
from typing import Any, Literal

from ninja import Field, Schema

QuarterStateName = Literal["upcoming", "planning", "locked", "in_progress", "ended", "closed"]
StatusName = Literal["planned", "on_track", "at_risk", "off_track", "done", "dropped"]


class Message(Schema):
    detail: str


class InvalidInput(Schema):
    detail: list[dict[str, Any]] = Field(description="What was wrong with each parameter.")


class FigureOut(Schema):
    headline: str = Field(examples=["13 of 22 teams on time"])
    on_time: int = Field(description="Teams on time.")
    teams: int = Field(description="Active teams with at least one milestone in the quarter.")
    goal: int = Field(description="How many teams leadership wants on time.")
    goal_met: bool
    forecast: int = Field(description="Teams on time so far with nothing at risk or off track.")
    milestones_on_time: int
    milestones_due: int
    milestone_percent: int | None = Field(description="Due milestones on time, in percent.")


class QuarterOut(Schema):
    slug: str = Field(examples=["2026-q4"])
    label: str = Field(examples=["2026 Q4"])
    year: int
    number: int
    start: datetime.date
    end: datetime.date
    goal: int
    grace_days: int
    state: QuarterStateName
    state_label: str
    figure: FigureOut
    figure_recorded: bool = Field(
        description="The figure recorded when the quarter was closed, not computed now."
    )


class QuarterFigureOut(Schema):
    quarter: str = Field(description="The quarter's slug.")
    state: QuarterStateName
    as_of: datetime.date | None = Field(description="The past day the figure is as of, if any.")
    recorded: bool = Field(description="The figure recorded at close (never with as_of).")
    figure: FigureOut


class PersonOut(Schema):
    username: str
    name: str


class TeamOut(Schema):
    slug: str
    name: str
    squad: str
    lead: PersonOut | None
    members: int
    url: str
    quarter: str
    as_of: datetime.date | None
    recorded: bool = Field(
        description="The verdict and counts recorded at the quarter's close, whatever "
        "restatements changed since; false: judged from the milestones as they are (or as of "
        "`as_of`), for a quarter not closed, or closed before teams' figures were recorded."
    )
    verdict: Literal["on time", "not on time", "no milestones"]
    on_time_percent: int | None
    total: int
    done: int
    on_time: int
    late: int
    overdue: int
    dropped: int
    excused: int
    not_due: int
    at_risk: int
    off_track: int


class MilestoneOut(Schema):
    id: int
    team: str = Field(description="The team's slug.")
    quarter: str = Field(description="The quarter's slug.")
    title: str
    description: str
    owner: PersonOut | None
    committed_date: datetime.date
    target_date: datetime.date
    status: StatusName
    delivered_date: datetime.date | None
    notes: str
    excused: bool
    position: int
    version: int
    link: str = Field(description="The ticket or epic behind the milestone; empty if none.")
    url: str = Field(description="The milestone's page in Milepost.")


class ReviewItemOut(Schema):
    milestone_id: int | None
    title: str
    status: StatusName
    committed_date: datetime.date
    target_date: datetime.date
    delivered_date: datetime.date | None
    owner_name: str
    on_agenda: bool
    note: str


class ReviewOut(Schema):
    id: int
    team: str
    quarter: str
    held_on: datetime.date
    summary: str
    closed: bool
    closed_at: datetime.datetime | None
    url: str
    items: list[ReviewItemOut]
