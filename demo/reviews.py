"""Review history for the demo organisation (SPEC sections 3 and 6).

Every active team has held its review every two weeks since the first demo quarter, on its own
weekday, skipping the odd one (holidays, an offsite). Each review's snapshot is what the team's
milestones were on that day, rebuilt from their history, so the diffs between reviews show the
demo's real slips, deliveries and drops; the notes and summaries follow from those diffs. A
few teams have let their review lapse (more than the cadence ago: "review overdue"), and a
review held in the last couple of days may still be open.

`build_review_history(today)` runs after the demo's milestones are built, in the same
transaction, and is deterministic for a given date like the rest of the demo.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from milestones.models import Milestone, Quarter
from milestones.selectors import teams_with_members
from reviews import diff as reviews
from reviews.models import Review, ReviewItem
from teams.models import Team, User

# Teams that have let their review lapse in the demo: they show "review overdue".
LAPSED_TEAMS = 3
# A review is skipped now and then: a holiday, an offsite, a lead off sick.
SKIP_RATE = 0.07
MEETING_TIME = datetime.time(15, 0)
CLOSING_TIME = datetime.time(16, 0)
NOTE_RATE = 0.75

SLIP_NOTES = [
    "Waiting on the vendor's sandbox; {owner} agreed the new date with them.",
    "Scope grew after the design review; the admin part moves to a follow-up.",
    "Lost three days to the EU incident.",
    "Depends on {other}'s queue migration, which slipped too.",
    "The estimate was optimistic: re-planned with the squad.",
    "Security review found issues to fix before launch.",
]
DONE_NOTES = [
    "Shipped behind a flag; rolling out to 10% this week.",
    "Done. The customer advocate announces it in the newsletter.",
    "Delivered; follow-ups are in the backlog.",
    "Released. Demo at Friday's squad showcase.",
    "Live for all accounts, no incidents.",
]
RISK_NOTES = [
    "{owner} confirms the date by Friday.",
    "Needs a scope decision from the product manager.",
    "Waiting on the security review.",
    "Load tests show a p95 regression; {owner} is on it.",
    "Two open questions with design; meeting on Tuesday.",
]
NEW_NOTES = [
    "Added after planning, at leadership's request.",
    "Split out of a bigger milestone to ship sooner.",
    "A commitment from the enterprise deal.",
]
DROP_NOTES = [
    "Dropped: superseded by the squad's new plan.",
    "Dropped after the customer cancelled the contract.",
    "Dropped to make room for the security work.",
]
TRACK_NOTES = [
    "On track.",
    "Good progress; first pieces merged.",
    "Design done, build started.",
    "On track; {owner} demos it next review.",
]
PULL_IN_NOTES = ["Simpler than feared: pulled in.", "Reused the billing component; earlier."]
TAKEAWAYS = [
    "Good fortnight overall.",
    "We keep the committed dates; no re-planning needed.",
    "Flag the dependency on Platform at the squad sync.",
    "Quiet fortnight; mostly groundwork.",
    "Demo at the squad showcase next week.",
]
SLIP_TAKEAWAYS = [
    "Focus for the next two weeks: getting “{title}” back on its date.",
    "Pairing on “{title}” next sprint.",
    "{owner} to confirm the new date of “{title}” by Friday.",
]
DROP_TAKEAWAYS = [
    "Ask leadership whether the drop of “{title}” is excused.",
    "The drop of “{title}” goes on the quarter review's agenda.",
]


def build_review_history(today: datetime.date) -> int:
    """Give every active team of the demo its review history up to `today`; returns how many
    reviews were made. Expects no reviews yet (a fresh demo)."""
    rng = random.Random(f"milepost-reviews-{today.isoformat()}")
    cadence = settings.MILEPOST_REVIEW_CADENCE_DAYS
    quarters = list(Quarter.objects.order_by("start"))
    if not quarters:
        return 0
    teams = sorted(teams_with_members(Team.objects.filter(active=True)), key=lambda t: t.name)
    lapsed = {team.pk for team in rng.sample(teams, min(LAPSED_TEAMS, len(teams)))}
    names = {user.pk: user.name for user in User.objects.all()}
    history = _history_by_team([team.pk for team in teams])

    plans: list[tuple[Team, list[_Held]]] = []
    for team in teams:
        dates = _review_dates(rng, quarters[0].start, today, cadence, lapsed=team.pk in lapsed)
        plans.append((team, _replay(dates, quarters, history[team.pk], names)))

    with transaction.atomic():
        return _save(rng, plans, today)


class _Held:
    """One review as the demo holds it: its date, quarter, snapshot and previous review."""

    def __init__(self, held_on: datetime.date, quarter: Quarter, snapshots: list[Any]):
        self.held_on = held_on
        self.quarter = quarter
        self.snapshots = snapshots
        self.previous: _Held | None = None
        self.review: Review | None = None


def _history_by_team(team_ids: list[int]) -> dict[int, list[Any]]:
    """Every historical record of the teams' milestones, in the order they were saved."""
    records: dict[int, list[Any]] = defaultdict(list)
    for record in Milestone.history.filter(team_id__in=team_ids).order_by("history_id"):
        records[record.team_id].append(record)
    return records


def _review_dates(
    rng: random.Random,
    first_quarter_start: datetime.date,
    today: datetime.date,
    cadence: int,
    *,
    lapsed: bool,
) -> list[datetime.date]:
    """A team's meeting days: every `cadence` days on its own weekday, now and then one skipped
    (never two in a row).

    A lapsed team stopped a few weeks ago (its last review is more than the cadence old); the
    others held their latest review within the cadence, so no skip falls in the last period.
    """
    day = first_quarter_start + datetime.timedelta(days=rng.randint(8, 8 + cadence - 1))
    while day.weekday() >= 5:  # the team's meeting day is a weekday (Monday for a weekend)
        day += datetime.timedelta(days=1)
    step = datetime.timedelta(days=cadence)
    stop = (
        today - datetime.timedelta(days=rng.randint(cadence + 1, 2 * cadence)) if lapsed else today
    )
    dates: list[datetime.date] = []
    last: datetime.date | None = None  # the last meeting's day on the cadence, before _weekday
    while day <= stop:
        recent = (today - day).days < cadence
        skipped_last = last is not None and (day - last) > step
        if recent or skipped_last or rng.random() >= SKIP_RATE:
            dates.append(_weekday(day, today))
            last = day
        day += step
    return dates


def _weekday(day: datetime.date, today: datetime.date) -> datetime.date:
    """Teams meet on weekdays. With a cadence of whole weeks every meeting falls on the team's
    weekday; with another, a Saturday or Sunday meeting is held the Monday after, or the Friday
    before when that Monday is still to come."""
    if day.weekday() < 5:
        return day
    monday = day + datetime.timedelta(days=7 - day.weekday())
    return monday if monday <= today else day - datetime.timedelta(days=day.weekday() - 4)


def _replay(
    dates: list[datetime.date],
    quarters: list[Quarter],
    records: list[Any],
    names: dict[int, str],
) -> list[_Held]:
    """The snapshot of each review date, from the milestones' history as of the meeting.

    A milestone stands as its last saved record dated by the meeting. (The demo backdates its
    records, not always in the order it saves them: the last saved is what the live row says,
    so a review started today finds no change the demo did not make.)
    """
    held: list[_Held] = []
    for day in dates:
        quarter = next((q for q in quarters if q.start <= day <= q.end), None)
        if quarter is None:
            continue
        moment = timezone.make_aware(datetime.datetime.combine(day, MEETING_TIME))
        state: dict[int, Any] = {}
        for record in records:
            if record.history_date > moment:
                continue
            if record.history_type == "-":
                state.pop(record.id, None)
            else:
                state[record.id] = record
        snapshots = sorted(
            (
                reviews.snapshot_of(record, names.get(record.owner_id, ""))
                for record in state.values()
                if record.quarter_id == quarter.pk
            ),
            key=lambda s: (s.position, s.milestone_id),
        )
        if not snapshots:
            continue  # the team is still planning the quarter: nothing to review yet
        review = _Held(day, quarter, snapshots)
        if held and held[-1].quarter.pk == quarter.pk:
            review.previous = held[-1]
        held.append(review)
    return held


def _save(rng: random.Random, plans: list[tuple[Team, list[_Held]]], today: datetime.date) -> int:
    """Write the reviews, link each to its previous one, then write the items: three bulk
    writes, whatever the size of the organisation."""
    made: list[_Held] = []
    for team, held in plans:
        lead = team.tech_lead
        for review in held:
            moment = timezone.make_aware(datetime.datetime.combine(review.held_on, MEETING_TIME))
            still_open = review is held[-1] and (today - review.held_on).days <= 2
            review.review = Review(
                team=team,
                quarter=review.quarter,
                held_on=review.held_on,
                started_at=moment,
                started_by=lead,
                closed_at=None if still_open else moment.replace(hour=CLOSING_TIME.hour),
                closed_by=None if still_open else lead,
            )
            made.append(review)
    Review.objects.bulk_create([review.review for review in made])
    for review in made:
        if review.previous is not None:
            review.review.previous = review.previous.review
    Review.objects.bulk_update(
        [review.review for review in made if review.previous is not None], ["previous"]
    )

    neighbours = _neighbours([team for team, _ in plans])
    items: list[ReviewItem] = []
    for review in made:
        previous = review.previous.snapshots if review.previous is not None else None
        on_agenda = reviews.agenda(review.snapshots, previous)
        diff = reviews.diff(previous, review.snapshots)
        notes: dict[int, str] = {}
        for snapshot in review.snapshots:
            if snapshot.milestone_id in on_agenda and rng.random() < NOTE_RATE:
                change = diff.for_milestone(snapshot.milestone_id)
                notes[snapshot.milestone_id] = _note(
                    rng,
                    snapshot,
                    change,
                    diff.first,
                    taken=set(notes.values()),
                    other=neighbours[review.review.team_id],
                )
        if review.review.closed_at is not None or rng.random() < 0.5:
            review.review.summary = _summary(rng, review, diff)
        items.extend(
            ReviewItem.of_snapshot(
                review.review,
                snapshot,
                on_agenda=snapshot.milestone_id in on_agenda,
                note=notes.get(snapshot.milestone_id, ""),
            )
            for snapshot in review.snapshots
        )
    Review.objects.bulk_update([review.review for review in made], ["summary"])
    ReviewItem.objects.bulk_create(items)
    return len(made)


def _neighbours(teams: list[Team]) -> dict[int, str]:
    """For each team, the name of a team it may depend on: the next one of its squad (in
    name order, round), or the next one of all when its squad has no other."""
    found = {}
    for team in teams:
        squad = [t for t in teams if t.squad_id == team.squad_id]
        pool = squad if len(squad) > 1 else teams
        if len(pool) > 1:
            found[team.pk] = pool[(pool.index(team) + 1) % len(pool)].name
        else:
            found[team.pk] = "another team"
    return found


def _note(
    rng: random.Random,
    snapshot: reviews.Snapshot,
    change: reviews.ItemChange | None,
    first: bool,
    taken: set[str],
    other: str = "another team",
) -> str:
    """A note that fits what happened to the milestone, not one said already in the review;
    a dependency is on `other`, never on the team itself."""
    owner = snapshot.owner_name.split()[0] if snapshot.owner_name else "The owner"
    if change is not None and not first:
        if change.newly_dropped:
            bank = DROP_NOTES
        elif change.newly_done:
            bank = DONE_NOTES
        elif change.slipped:
            bank = SLIP_NOTES
        elif change.pulled_in:
            bank = PULL_IN_NOTES
        elif change.added:
            bank = NEW_NOTES
        else:
            bank = RISK_NOTES if snapshot.status in ("at_risk", "off_track") else TRACK_NOTES
    elif snapshot.status in ("at_risk", "off_track"):
        bank = RISK_NOTES
    elif snapshot.status == "done":
        bank = DONE_NOTES
    elif snapshot.status == "dropped":
        bank = DROP_NOTES
    else:
        bank = TRACK_NOTES
    notes = [note.format(owner=owner, other=other) for note in bank]
    return rng.choice([note for note in notes if note not in taken] or notes)


def _summary(rng: random.Random, review: _Held, diff: reviews.ReviewDiff) -> str:
    open_count = sum(reviews.is_open(s) for s in review.snapshots)
    if diff.first:
        opening = (
            f"First review of {review.quarter}: {len(review.snapshots)} milestones, "
            f"{open_count} open."
        )
    else:
        parts = []
        if diff.newly_done:
            parts.append(f"{len(diff.newly_done)} delivered")
        if diff.slips:
            parts.append(f"{len(diff.slips)} slipped ({diff.days_slipped} days in all)")
        if diff.newly_dropped:
            parts.append(f"{len(diff.newly_dropped)} dropped")
        if diff.added:
            parts.append(f"{len(diff.added)} added")
        opening = (
            ("Since the last review: " + ", ".join(parts) + ".")
            if parts
            else "No change since the last review."
        )
    if diff.newly_dropped:
        takeaway = rng.choice(DROP_TAKEAWAYS).format(title=diff.newly_dropped[0].title)
    elif diff.slips:
        worst = max(diff.slips, key=lambda change: change.target_days).after
        owner = worst.owner_name.split()[0] if worst.owner_name else "The owner"
        takeaway = rng.choice(SLIP_TAKEAWAYS).format(title=worst.title, owner=owner)
    else:
        takeaway = rng.choice(TAKEAWAYS)
    return f"{opening} {takeaway}"
