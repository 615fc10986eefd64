"""The demo organisation: 22 teams in 5 squads, four quarters of history (SPEC section 6),
and the next quarter in planning.

`build_demo(today)` is deterministic for a given date: the same date gives the same teams,
milestones, slips and deliveries. The finished quarters are closed by leadership (once their
grace has passed) and the last one is recorded at exactly 13 of 22 teams on time, as computed
by the dashboard's own function; the build checks it and fails loudly if a change to the rules
ever breaks that promise. The next quarter's planning has opened, and some teams have drafted
their milestones.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from demo.reviews import build_review_history
from demo.texts import NOTES, OBJECTS, VERBS, DemoNotes
from milestones import lifecycle
from milestones.changes import bump_every_quarter
from milestones.closing import close_quarter
from milestones.history import Source, history_source
from milestones.models import Milestone, Quarter, QuarterRecord, SlipExplanation, SlipReason
from milestones.quarters import quarter_bounds, quarter_of
from milestones.selectors import quarter_report, slip_moves, teams_with_members
from teams.models import Team, User
from teams.roster import import_roster

ROSTER = Path(__file__).parent / "demo_data" / "roster.csv"
PASSWORD = "milepost-demo"

# Quarters, oldest first: (goal, teams on time when finished). The last finished quarter is
# the motivating "13 of 22"; the organisation wants 15 this quarter.
FINISHED = [(12, 10), (12, 11), (13, 13)]
CURRENT_GOAL = 15
NEXT_GOAL = 16
GRACE_DAYS = 7
# Leadership closes a finished quarter this many days after its grace has passed.
CLOSED_AFTER_GRACE = 2
# How many teams have drafted their milestones of the next quarter.
DRAFTING_TEAMS = 8


@dataclass(frozen=True)
class DemoSignIns:
    leadership: User
    tech_lead: User
    engineer: User
    password: str = PASSWORD


def sign_in_lines(sign_ins: DemoSignIns, url: str = "http://127.0.0.1:8000/") -> list[str]:
    """What a new user reads to sign in to the demo: where, and the three accounts."""
    lines = [f"Sign in at {url} with:"]
    for role, user in [
        ("leadership", sign_ins.leadership),
        ("tech lead", sign_ins.tech_lead),
        ("engineer", sign_ins.engineer),
    ]:
        lines.append(f"  {role:<11} {user.username:<12} / {sign_ins.password}   ({user})")
    return lines


class DemoError(Exception):
    pass


def demo_quarters(today: datetime.date) -> list[tuple[int, int]]:
    """The three finished quarters before today's and today's, oldest first."""
    year, number = quarter_of(today)
    quarters = [(year, number)]
    for _ in range(3):
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
        quarters.insert(0, (year, number))
    return quarters


@transaction.atomic
def build_demo(today: datetime.date) -> DemoSignIns:
    rng = random.Random(f"milepost-demo-{today.isoformat()}")
    with history_source(Source.COMMAND):
        report = import_roster(ROSTER.read_text(encoding="utf-8"))
        if report.errors:
            raise DemoError(f"The demo roster has bad rows: {report.errors}")
        users = list(User.objects.order_by("pk"))
        # One hash for every demo account: hashing 68 passwords one by one takes ~20 seconds.
        hashed = make_password(PASSWORD)
        for user in users:
            user.password = hashed
        User.objects.bulk_update(users, ["password"])
        leaders = [u for u in users if u.is_leadership]
        for leader in leaders:
            leader.is_staff = leader.is_superuser = True
            leader.save(update_fields=["is_staff", "is_superuser"])

        teams = sorted(teams_with_members(Team.objects.filter(active=True)), key=lambda t: t.name)
        notes = DemoNotes(today, teams)
        keys = demo_quarters(today)
        for (year, number), (goal, on_time) in zip(keys, FINISHED, strict=False):
            quarter = _quarter(year, number, goal, locked=True)
            winners = set(rng.sample([t.pk for t in teams], on_time))
            for team in teams:
                _finished_quarter(
                    rng, quarter, team, on_time=team.pk in winners, lead=leaders[0], notes=notes
                )
        year, number = keys[-1]
        current = _quarter(
            year,
            number,
            CURRENT_GOAL,
            locked=today >= quarter_bounds(year, number)[0] + datetime.timedelta(days=14),
        )
        for team in teams:
            _current_quarter(rng, current, team, today, notes)
        build_review_history(today)
        _explain_slips(today, notes)
        _close_finished_quarters(keys[:-1], leaders[0], today)
        _plan_next_quarter(keys[-1], teams, today)
        bump_every_quarter()  # the dashboard's cache, on whichever server, goes stale

    last_finished = Quarter.objects.get(year=keys[-2][0], number=keys[-2][1])
    record = QuarterRecord.objects.filter(quarter=last_finished).first()
    figure = quarter_report(last_finished, today).figure
    if (figure.on_time, figure.teams) != (FINISHED[-1][1], len(teams)) or (
        record is not None and (record.on_time, record.teams) != (figure.on_time, figure.teams)
    ):
        raise DemoError(f"The demo's {last_finished} scores {figure.headline}, not 13 of 22.")

    return demo_sign_ins()


# Why the demo's target dates moved later (the commitment ledger), weighted so that the
# dashboard's Pareto has a clear head; a few slips came from the sheet, a few have no reason.
SLIP_REASONS = [
    ("Dependency late", 30, ["waiting on {other}'s API", "vendor contract signed late", ""]),
    ("Scope grew", 25, ["two more customer asks", "security review added work", ""]),
    ("Estimate wrong", 20, ["migration was bigger than sized", ""]),
    ("Interrupted by incidents", 12, ["two weeks on the outage follow-ups", "on-call heavy"]),
    ("Other", 5, ["team member on leave"]),
]
FROM_THE_SHEET = 0.1
UNEXPLAINED = 0.1


def _explain_slips(today: datetime.date, demo_notes: DemoNotes) -> None:
    """Give most of the demo's slips a reason, by whoever moved the date, when they moved it.

    Its own random generator, so the milestones (and the promised 13 of 22) do not change.
    """
    rng = random.Random(f"milepost-demo-slips-{today.isoformat()}")
    reasons = {reason.name: reason for reason in SlipReason.objects.all()}
    weighted = [(name, weight, notes) for name, weight, notes in SLIP_REASONS if name in reasons]
    if not weighted:
        return  # leadership removed the default list: nothing to pick from
    team_of = dict(Milestone.objects.values_list("pk", "team_id"))
    teams = {team.pk: team for team in demo_notes.teams}
    ids = list(team_of)
    from_sheet, explanations = [], []
    for pk, slips in slip_moves(ids).items():
        for slip in slips:
            roll = rng.random()
            if roll < FROM_THE_SHEET:
                from_sheet.append(slip.record_id)
                continue
            if roll < FROM_THE_SHEET + UNEXPLAINED:
                continue
            name, _, notes = rng.choices(weighted, weights=[w for _, w, _ in weighted])[0]
            explanations.append(
                SlipExplanation(
                    milestone_id=pk,
                    record_id=slip.record_id,
                    reason=reasons[name],
                    note=demo_notes.fill(rng.choice(notes), teams[team_of[pk]]),
                    given_by_id=slip.by,
                    given_at=slip.at,
                )
            )
    Milestone.history.filter(history_id__in=from_sheet).update(
        source=Source.SYNC, history_user=None
    )
    SlipExplanation.objects.bulk_create(explanations)


def _close_finished_quarters(keys, leader: User, today: datetime.date) -> None:
    """Leadership closes each finished quarter (nothing is left open in them) a couple of days
    after its grace, recording its figure; a quarter still in its grace stays open."""
    for year, number in keys:
        quarter = Quarter.objects.get(year=year, number=number)
        closed_on = lifecycle.last_day_of_grace(quarter) + datetime.timedelta(
            days=CLOSED_AFTER_GRACE
        )
        if not lifecycle.may_close(quarter, today) or closed_on > today:
            continue
        after = lifecycle.next_quarter_key(year, number)
        next_goal = Quarter.objects.get(year=after[0], number=after[1]).goal
        record = close_quarter(
            quarter=quarter, user=leader, decisions=[], next_goal=next_goal, today=closed_on
        )
        # Dated the day leadership closed it, so the demo is the same whenever it is built.
        at = _at(closed_on)
        Quarter.objects.filter(pk=quarter.pk).update(closed_at=at)
        QuarterRecord.objects.filter(pk=record.pk).update(recorded_at=at)
        latest = quarter.history.order_by("-history_date", "-history_id").first()
        Quarter.history.filter(history_id=latest.history_id).update(history_date=at)


def _plan_next_quarter(current_key, teams: list[Team], today: datetime.date) -> None:
    """The quarter after today's, its planning open (from today at the latest) and some teams'
    drafts in it. Its own random generator, so nothing else in the demo changes."""
    rng = random.Random(f"milepost-demo-planning-{today.isoformat()}")
    year, number = lifecycle.next_quarter_key(*current_key)
    start, end = quarter_bounds(year, number)
    quarter = Quarter.objects.create(
        year=year,
        number=number,
        start=start,
        end=end,
        goal=NEXT_GOAL,
        grace_days=GRACE_DAYS,
        planning_opens=min(start - lifecycle.PLANNING_LEAD, today),
    )
    drafting = rng.sample(teams, DRAFTING_TEAMS)
    for team in sorted(drafting, key=lambda t: t.name):
        committed = _committed_dates(rng, quarter, rng.randint(2, 4))
        for position, (title, day) in enumerate(
            zip(_titles(rng, len(committed)), committed, strict=True)
        ):
            milestone = Milestone(
                team=team,
                quarter=quarter,
                title=title,
                owner=rng.choice(team.members),
                committed_date=day,
                target_date=day,
                status=Milestone.Status.PLANNED,
                position=position,
            )
            _save(milestone, today, team.tech_lead)


def demo_sign_ins() -> DemoSignIns | None:
    """The accounts to show a new user: the first leader, and the first trio's lead and engineer."""
    leader = User.objects.filter(is_leadership=True).order_by("pk").first()
    trios = list(teams_with_members(Team.objects.filter(active=True).order_by("pk")))
    first_trio = next((t for t in trios if t.is_trio), None)
    if leader is None or first_trio is None:
        return None
    return DemoSignIns(
        leadership=leader, tech_lead=first_trio.tech_lead, engineer=first_trio.engineers[0]
    )


def _quarter(year: int, number: int, goal: int, *, locked: bool) -> Quarter:
    start, end = quarter_bounds(year, number)
    return Quarter.objects.create(
        year=year,
        number=number,
        start=start,
        end=end,
        goal=goal,
        grace_days=GRACE_DAYS,
        locked=locked,
    )


def _titles(rng: random.Random, count: int) -> list[str]:
    titles: list[str] = []
    while len(titles) < count:
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
        if title not in titles:
            titles.append(title)
    return titles


def _committed_dates(rng: random.Random, quarter: Quarter, count: int) -> list[datetime.date]:
    span = (quarter.end - quarter.start).days
    return sorted(
        quarter.start + datetime.timedelta(days=rng.randint(20, span - 3)) for _ in range(count)
    )


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _save(milestone: Milestone, day: datetime.date, user: User | None) -> None:
    milestone._history_date = _at(day)
    milestone._history_user = user
    milestone.save()


def _plan(rng, quarter, team, committed: list[datetime.date], notes: DemoNotes) -> list[Milestone]:
    members = team.members
    planning_day = quarter.start + datetime.timedelta(days=rng.randint(1, 6))
    milestones = []
    for position, (title, day) in enumerate(
        zip(_titles(rng, len(committed)), committed, strict=True)
    ):
        milestone = Milestone(
            team=team,
            quarter=quarter,
            title=title,
            owner=rng.choice(members),
            committed_date=day,
            target_date=day,
            status=Milestone.Status.PLANNED,
            position=position,
            notes=notes.write(rng.choice(NOTES), team),
        )
        _save(milestone, planning_day, team.tech_lead)
        milestones.append(milestone)
    return milestones


def _slip(rng, milestone: Milestone, by: User | None, before: datetime.date, days: int) -> None:
    """Move the target date later by `days`, recorded a little before `before`."""
    when = max(
        milestone.quarter.start + datetime.timedelta(days=10),
        min(before, milestone.target_date) - datetime.timedelta(days=rng.randint(3, 12)),
    )
    milestone.target_date += datetime.timedelta(days=days)
    milestone.status = Milestone.Status.AT_RISK
    milestone.version += 1
    _save(milestone, when, by)


def _deliver(milestone: Milestone, day: datetime.date, by: User | None) -> None:
    milestone.status = Milestone.Status.DONE
    milestone.delivered_date = day
    milestone.target_date = max(milestone.target_date, day) if day > milestone.target_date else day
    milestone.version += 1
    _save(milestone, day, by)


def _drop(milestone: Milestone, day: datetime.date, by: User | None, *, excused: bool) -> None:
    milestone.status = Milestone.Status.DROPPED
    milestone.excused = excused
    milestone.version += 1
    _save(milestone, day, by)


def _finished_quarter(
    rng, quarter: Quarter, team: Team, *, on_time: bool, lead: User, notes: DemoNotes
) -> None:
    count = rng.randint(3, 6)
    milestones = _plan(rng, quarter, team, _committed_dates(rng, quarter, count), notes)
    grace = datetime.timedelta(days=GRACE_DAYS)
    misses = set() if on_time else set(rng.sample(range(count), rng.choice([1, 1, 1, 2])))
    for i, milestone in enumerate(milestones):
        owner = milestone.owner
        if i in misses:
            if rng.random() < 0.25:
                _drop(milestone, milestone.committed_date, team.tech_lead, excused=False)
                continue
            late_by = rng.randint(GRACE_DAYS + 2, GRACE_DAYS + 25)
            _slip(rng, milestone, owner, milestone.committed_date, late_by)
            delivered = min(
                milestone.committed_date + datetime.timedelta(days=late_by), quarter.end
            )
            if delivered <= milestone.committed_date + grace:
                delivered = milestone.committed_date + grace + datetime.timedelta(days=1)
            _deliver(milestone, delivered, owner)
        elif on_time and rng.random() < 0.06:
            # Leadership excused a drop (a reorg, a cancelled contract): not held against them.
            _drop(milestone, milestone.committed_date - grace, lead, excused=True)
        else:
            shift = rng.choice([-5, -3, -1, 0, 0, 0, 2, 4, GRACE_DAYS])
            if shift > 0:
                _slip(rng, milestone, owner, milestone.committed_date, shift)
            delivered = min(milestone.committed_date + datetime.timedelta(days=shift), quarter.end)
            _deliver(milestone, delivered, owner)


def _current_quarter(
    rng, quarter: Quarter, team: Team, today: datetime.date, notes: DemoNotes
) -> None:
    count = rng.randint(3, 6)
    milestones = _plan(rng, quarter, team, _committed_dates(rng, quarter, count), notes)
    grace = datetime.timedelta(days=GRACE_DAYS)
    for milestone in milestones:
        owner = milestone.owner
        deadline = milestone.committed_date + grace
        roll = rng.random()
        if deadline < today:
            if roll < 0.7:
                shift = rng.choice([-4, -2, 0, 0, 1, 3])
                _deliver(
                    milestone,
                    min(milestone.committed_date + datetime.timedelta(days=shift), today),
                    owner,
                )
            elif roll < 0.82:
                late_by = rng.randint(GRACE_DAYS + 1, GRACE_DAYS + 14)
                _slip(rng, milestone, owner, milestone.committed_date, late_by)
                delivered = milestone.committed_date + datetime.timedelta(days=late_by)
                if delivered <= today:
                    _deliver(milestone, delivered, owner)
            elif roll < 0.88:
                _drop(milestone, milestone.committed_date, team.tech_lead, excused=False)
            else:
                _slip(rng, milestone, owner, today, rng.randint(GRACE_DAYS + 5, 30))
                milestone.status = rng.choice(
                    [Milestone.Status.AT_RISK, Milestone.Status.OFF_TRACK]
                )
                milestone.version += 1
                _save(milestone, today - datetime.timedelta(days=2), owner)
        elif milestone.committed_date - datetime.timedelta(days=7) < today and roll < 0.25:
            _deliver(milestone, today - datetime.timedelta(days=rng.randint(0, 3)), owner)
        else:
            if roll < 0.2:
                _slip(rng, milestone, owner, today, rng.randint(3, 21))
            status = rng.choices(
                [
                    Milestone.Status.ON_TRACK,
                    Milestone.Status.PLANNED,
                    Milestone.Status.AT_RISK,
                    Milestone.Status.OFF_TRACK,
                ],
                weights=[74, 14, 9, 3],
            )[0]
            if status != milestone.status:
                milestone.status = status
                milestone.version += 1
                _save(milestone, min(today, quarter.start + datetime.timedelta(days=30)), owner)
