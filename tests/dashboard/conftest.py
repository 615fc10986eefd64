"""A small organisation whose dashboard was worked out by hand (see `org` below)."""

import datetime
import re
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dashboard.table import DashboardRow, dashboard_rows
from milestones.models import Dependency, Milestone, Quarter
from milestones.selectors import quarter_report
from teams.models import Squad, Team, User
from tests.dashboard.history import dated_org  # noqa: F401 (the as-of tests' organisation)
from tests.factories import MilestoneFactory, QuarterFactory, SquadFactory, TeamFactory, trio

D = datetime.date
TODAY = D(2026, 11, 25)


@pytest.fixture
def frozen_today(monkeypatch):
    """The views read `timezone.localdate()`; pin it to Nov 25, 2026 (mid 2026 Q4)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def text(response) -> str:
    """The page's words without tags, whitespace squeezed."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", words)


def slip(milestone: Milestone, *targets: datetime.date) -> Milestone:
    """Move the target date through `targets`, one saved change (one history row) each."""
    for target in targets:
        milestone.target_date = target
        milestone.save()
    return milestone


@dataclass
class Org:
    quarter: Quarter  # 2026 Q4, goal 5, grace 7
    previous: Quarter  # 2026 Q3, goal 4
    growth: Squad
    core: Squad
    teams: dict[str, Team]
    milestones: dict[str, Milestone]
    engineer: User  # an engineer of Atlas: signed in, not leadership


@pytest.fixture
def org(db) -> Org:
    """Nine teams in two squads, judged on Nov 25, 2026 in 2026 Q4 (grace 7 days, goal 5).

    | team   | squad  | milestones of Q4                                   | verdict       |
    |--------|--------|----------------------------------------------------|---------------|
    | Atlas  | Growth | done Oct 20 (committed Oct 15), done Nov 1 (Nov 1) | on time       |
    | Beacon | Growth | done Oct 25 (committed Oct 10): late; one not due  | not on time   |
    | Comet  | Core   | only dropped milestones, not excused               | not on time   |
    | Dune   | Core   | nothing due yet (committed Dec 5 and Dec 15)       | on time       |
    | Ember  | Growth | done Nov 12 (Nov 10); a drop leadership excused    | on time       |
    | Flint  | Core   | off track, committed Nov 1: overdue by 17 days     | not on time   |
    | Grove  | Core   | done Oct 30 (Oct 30); at risk, not due yet         | on time, risk |
    | Haven  | Growth | none in Q4 (one in Q3)                             | not counted   |
    | Ghost  | Core   | inactive team, with milestones                     | not counted   |

    Teams on time: Atlas, Dune, Ember, Grove = 4 of 7 (Haven and Ghost are not counted), one
    short of the goal of 5. Forecast: Grove has an at-risk milestone, so 3 of 7.
    Milestones due: Atlas 2, Beacon 1, Comet 2, Ember 1 (the excused drop is not due), Flint 1,
    Grove 1 = 8, of which on time: Atlas 2, Ember 1, Grove 1 = 4, so 50%.
    Slips: Flint's target moved twice (Nov 1 → Nov 10 → Nov 20), Grove's once (Dec 8 → Dec 20).
    2026 Q3 (goal 4): Atlas and Beacon on time, Haven late: 2 of 3.
    """
    quarter = QuarterFactory(year=2026, number=4, goal=5, grace_days=7)
    previous = QuarterFactory(year=2026, number=3, goal=4, grace_days=7)
    QuarterFactory(year=2027, number=1, goal=6)  # planned ahead: not started, not in the trend
    growth, core = SquadFactory(name="Growth"), SquadFactory(name="Core")
    teams, engineers = {}, {}
    for name, squad in [
        ("Atlas", growth),
        ("Beacon", growth),
        ("Comet", core),
        ("Dune", core),
        ("Ember", growth),
        ("Flint", core),
        ("Grove", core),
        ("Haven", growth),
    ]:
        teams[name], _, engineers[name], _ = trio(name=name, slug=name.lower(), squad=squad)
    teams["Ghost"] = TeamFactory(name="Ghost", slug="ghost", squad=core, active=False)

    done, dropped = Milestone.Status.DONE, Milestone.Status.DROPPED
    at_risk, off_track = Milestone.Status.AT_RISK, Milestone.Status.OFF_TRACK
    planned, on_track = Milestone.Status.PLANNED, Milestone.Status.ON_TRACK
    rows = [
        # (quarter, team, title, committed, status, delivered)
        (quarter, "Atlas", "Atlas search", D(2026, 10, 15), done, D(2026, 10, 20)),
        (quarter, "Atlas", "Atlas export", D(2026, 11, 1), done, D(2026, 11, 1)),
        (quarter, "Beacon", "Beacon billing", D(2026, 10, 10), done, D(2026, 10, 25)),
        (quarter, "Beacon", "Beacon invoices", D(2026, 12, 10), on_track, None),
        (quarter, "Comet", "Comet sync", D(2026, 10, 20), dropped, None),
        (quarter, "Comet", "Comet import", D(2026, 12, 1), dropped, None),
        (quarter, "Dune", "Dune maps", D(2026, 12, 5), on_track, None),
        (quarter, "Dune", "Dune routes", D(2026, 12, 15), planned, None),
        (quarter, "Ember", "Ember alerts", D(2026, 11, 10), done, D(2026, 11, 12)),
        (quarter, "Ember", "=Ember formulas", D(2026, 11, 20), dropped, None),
        (quarter, "Flint", "Flint ledger", D(2026, 11, 1), off_track, None),
        (quarter, "Grove", "Grove audit", D(2026, 10, 30), done, D(2026, 10, 30)),
        (quarter, "Grove", "Grove rollout", D(2026, 12, 8), at_risk, None),
        (quarter, "Ghost", "Ghost relic", D(2026, 10, 1), dropped, None),
        (previous, "Atlas", "Atlas Q3", D(2026, 8, 1), done, D(2026, 8, 1)),
        (previous, "Beacon", "Beacon Q3", D(2026, 8, 1), done, D(2026, 8, 5)),
        (previous, "Haven", "Haven Q3", D(2026, 8, 1), done, D(2026, 9, 1)),
    ]
    milestones = {
        title: MilestoneFactory(
            quarter=q,
            team=teams[team],
            title=title,
            committed_date=committed,
            target_date=committed,
            status=status,
            delivered_date=delivered,
            excused=title == "=Ember formulas",
        )
        for q, team, title, committed, status, delivered in rows
    }
    slip(milestones["Flint ledger"], D(2026, 11, 10), D(2026, 11, 20))
    slip(milestones["Grove rollout"], D(2026, 12, 20))
    return Org(quarter, previous, growth, core, teams, milestones, engineers["Atlas"])


def grow_org(quarter: Quarter, teams: int) -> None:
    """`teams` trios across four squads, each with a done milestone and a slipped one; each
    team's done milestone waits on the slipped one of the team before it (a dependency)."""
    squads = [SquadFactory(name=f"Squad {n}") for n in range(4)]
    before = None
    for n in range(teams):
        team = trio(name=f"Team {n:03}", slug=f"team-{n:03}", squad=squads[n % 4])[0]
        done = MilestoneFactory(team=team, quarter=quarter, done=True)
        slipped = MilestoneFactory(team=team, quarter=quarter, status=Milestone.Status.AT_RISK)
        slip(slipped, quarter.end)
        if before is not None:
            Dependency.objects.create(downstream=done, upstream=before)
        before = slipped


def status(last_review_date, overdue):
    return SimpleNamespace(last_review_date=last_review_date, overdue=overdue)


@pytest.fixture
def reviewed_rows(org) -> list[DashboardRow]:
    """The table's rows of `org` given the review status of three teams (none for the rest)."""
    atlas, beacon, comet = (org.teams[name] for name in ("Atlas", "Beacon", "Comet"))
    return dashboard_rows(
        quarter_report(org.quarter, TODAY),
        reviews={
            atlas.pk: status(D(2026, 11, 20), overdue=False),
            beacon.pk: status(D(2026, 10, 1), overdue=True),
            comet.pk: status(None, overdue=True),  # never held one
        },
    )
