"""The demo organisation's review history (demo.reviews)."""

import datetime
import itertools
import random

import pytest
from django.conf import settings
from django.utils import timezone

from demo.organisation import build_demo
from demo.reviews import LAPSED_TEAMS, MEETING_TIME, _review_dates, build_review_history
from milestones.models import Milestone
from reviews.diff import differs, snapshot_of
from reviews.models import Review, ReviewItem
from reviews.selectors import review_status, team_reviews
from teams.models import Team
from tests.demo.conftest import kept_for_the_module
from tests.reviews.helpers import TODAY


@pytest.fixture(scope="module")
def _built_once(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        build_demo(TODAY)
        if not Review.objects.exists():  # until build_demo calls the hook itself
            build_review_history(TODAY)
        yield


@pytest.fixture
def demo(_built_once, db):
    """The demo organisation with its review history, as `seed_demo` builds it, built once for
    this module (see tests/demo/conftest.py); its active teams. Every database test here asks
    for it."""
    return list(Team.objects.filter(active=True).order_by("name"))


def test_every_team_reviews_every_two_weeks_and_a_few_have_let_it_lapse(demo):
    status = review_status(demo, TODAY)

    assert sum(s.overdue for s in status.values()) == LAPSED_TEAMS
    assert not any(s.never_reviewed for s in status.values())
    for team in demo:
        dates = sorted(Review.objects.filter(team=team).values_list("held_on", flat=True))
        gaps = {(b - a).days for a, b in itertools.pairwise(dates)}
        cadence = settings.MILEPOST_REVIEW_CADENCE_DAYS
        assert gaps <= {cadence, 2 * cadence, 3 * cadence}, team  # a meeting skipped here and there
        assert dates[-1] <= TODAY
    # Only a review of the last couple of days may still be open.
    still_open = Review.objects.filter(closed_at=None).values_list("held_on", flat=True)
    assert all((TODAY - day).days <= 2 for day in still_open)


def test_each_review_is_measured_against_the_previous_one_of_its_quarter(demo):
    for team in demo[:5]:
        reviews = list(Review.objects.filter(team=team).order_by("held_on"))
        for before, review in zip([None, *reviews], reviews, strict=False):
            same_quarter = before is not None and before.quarter_id == review.quarter_id
            assert review.previous_id == (before.pk if same_quarter else None)
            assert review.quarter.start <= review.held_on <= review.quarter.end


def test_the_history_tells_of_slips_deliveries_notes_and_summaries(demo):
    rows = [row for team in demo for row in team_reviews(team)]

    assert sum(len(row.diff.slips) for row in rows) > 20
    assert sum(len(row.diff.newly_done) for row in rows) > 50
    assert sum(len(row.diff.newly_dropped) for row in rows) > 0
    assert ReviewItem.objects.exclude(note="").count() > ReviewItem.objects.count() / 3
    closed = Review.objects.exclude(closed_at=None)
    assert not closed.filter(summary="").exists()
    assert "slipped" in " ".join(closed.values_list("summary", flat=True))


def test_the_latest_snapshots_agree_with_the_milestones_as_they_are(demo):
    """A review started today finds changes only where the demo made them after the last one."""
    for team in demo:
        latest = Review.objects.filter(team=team).order_by("-held_on").first()
        moment = timezone.make_aware(datetime.datetime.combine(latest.held_on, MEETING_TIME))
        live = {m.pk: m for m in Milestone.objects.filter(team=team, quarter=latest.quarter)}
        changed_since = set(
            Milestone.history.filter(team_id=team.pk, history_date__gt=moment).values_list(
                "id", flat=True
            )
        )
        for item in latest.items.all():
            if item.milestone_id not in changed_since:
                assert not differs(item, snapshot_of(live[item.milestone_id])), item


def test_every_review_is_held_on_a_weekday(demo):
    days = Review.objects.values_list("held_on", flat=True)
    assert {day.weekday() for day in days} <= {0, 1, 2, 3, 4}


@pytest.mark.parametrize("cadence", [10, 14])
def test_review_dates_fall_on_weekdays_whatever_the_cadence(cadence):
    for seed in range(20):
        dates = _review_dates(
            random.Random(seed), datetime.date(2026, 1, 1), TODAY, cadence, lapsed=seed % 3 == 0
        )
        assert dates, seed
        assert all(day.weekday() < 5 for day in dates), (seed, dates)
        assert dates[-1] <= TODAY


def test_no_review_note_says_a_team_waits_on_itself(demo):
    for team in demo:
        notes = ReviewItem.objects.filter(review__team=team).exclude(note="")
        for note in notes.values_list("note", flat=True):
            assert f"on {team.name}'s" not in note, (team.name, note)
