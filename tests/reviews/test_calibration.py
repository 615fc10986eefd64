"""Forecast calibration on its edges: what counts as a call, what it is scored against, and how
far ahead a slip was seen coming. Plain functions over unsaved rows: no database."""

import datetime

import pytest

from milestones.models import Milestone
from milestones.ontime import Rules
from reviews.calibration import Calibration, Call, calibrate, combine

D = datetime.date
RULES = Rules(grace_days=7)
TODAY = D(2026, 11, 25)
COMMITTED = D(2026, 11, 1)  # + 7 days of grace: due after Nov 8
LATER = D(2026, 12, 15)  # not due on TODAY
Status = Milestone.Status


def milestone(pk, status=Status.ON_TRACK, committed=COMMITTED, delivered=None) -> Milestone:
    return Milestone(
        id=pk,
        status=status,
        committed_date=committed,
        target_date=committed,
        delivered_date=delivered,
    )


def on_time(pk=1, **kwargs) -> Milestone:
    return milestone(pk, Status.DONE, delivered=COMMITTED, **kwargs)


def late(pk=1) -> Milestone:
    return milestone(pk, Status.DONE, delivered=D(2026, 11, 20))


def overdue(pk=1) -> Milestone:
    return milestone(pk, Status.OFF_TRACK)  # open, past Nov 8 on TODAY


def call(status, held_on, pk=1) -> Call:
    return Call(pk, status, held_on)


def score(calls, milestones, today=TODAY) -> Calibration:
    return calibrate(calls, milestones, RULES, today)


def test_no_reviews_make_no_calls_and_nothing_to_say():
    result = score([], [on_time(), late(2)])
    assert (result.calls, result.share, result.rate, result.slipped) == (0, None, None, 0)
    assert result.is_empty
    assert result.median_days_ahead is None


def test_planned_makes_no_call():
    result = score([call("planned", D(2026, 10, 14)), call("planned", D(2026, 10, 28))], [late()])
    assert (result.calls, result.pending) == (0, 0)
    # It was seen open and never flagged: a slip not seen coming.
    assert (result.slipped, result.not_seen) == (1, 1)


def test_done_and_dropped_snapshots_make_no_call():
    calls = [call("done", D(2026, 11, 11)), call("dropped", D(2026, 11, 11), pk=2)]
    result = score(calls, [on_time(), milestone(2, Status.DROPPED)])
    assert result.calls == 0
    assert result.is_empty


def test_on_track_delivered_within_the_grace_is_a_correct_call():
    delivered_in_grace = milestone(1, Status.DONE, delivered=COMMITTED + datetime.timedelta(7))
    result = score([call("on_track", D(2026, 10, 14))], [delivered_in_grace])
    assert (result.calls, result.correct) == (1, 1)


def test_at_risk_that_delivered_on_time_is_a_wrong_call():
    result = score([call("at_risk", D(2026, 10, 14))], [on_time()])
    assert (result.calls, result.correct, result.pessimistic, result.optimistic) == (1, 0, 1, 0)


@pytest.mark.parametrize(
    ("statuses", "share", "label"),
    [
        ([], None, "—"),
        (["at_risk"], None, "0 of 1"),
        (["on_track", "at_risk"], None, "1 of 2"),
        (["on_track", "on_track", "at_risk"], 67, "67%"),
    ],
)
def test_a_percentage_only_from_three_calls_on_and_the_count_below(statuses, share, label):
    # Each call is a review of the same milestone, delivered on time: on track was right.
    calls = [call(s, D(2026, 10, 7) + datetime.timedelta(14 * i)) for i, s in enumerate(statuses)]
    result = score(calls, [on_time()])
    assert (result.calls, result.share, result.calls_right_label) == (len(statuses), share, label)


def test_on_track_then_late_is_a_wrong_call_and_each_review_is_its_own_call():
    calls = [
        call("on_track", D(2026, 10, 14)),
        call("on_track", D(2026, 10, 28)),
        call("at_risk", D(2026, 11, 11)),  # right, at last
    ]
    result = score(calls, [late()])
    assert (result.calls, result.correct, result.optimistic) == (3, 1, 2)
    assert result.share == 33


def test_off_track_and_overdue_is_a_correct_call():
    result = score([call("off_track", D(2026, 10, 28))], [overdue()])
    assert (result.calls, result.correct) == (1, 1)


def test_a_slip_flagged_before_the_committed_date_was_seen_days_ahead():
    calls = [
        call("on_track", D(2026, 10, 14)),
        call("off_track", D(2026, 10, 28)),  # the second flag does not move the first
        call("at_risk", D(2026, 10, 21)),  # the first flag, whatever the order of the rows
    ]
    result = score(calls, [late()])
    assert result.days_ahead == [11]  # Nov 1 minus Oct 21
    assert (result.slipped, result.seen, result.seen_ahead, result.not_seen) == (1, 1, 1, 0)
    assert result.median_days_ahead == 11


def test_a_slip_flagged_only_after_the_committed_date_counts_negative_days():
    result = score([call("on_track", D(2026, 10, 28)), call("at_risk", D(2026, 11, 11))], [late()])
    assert result.days_ahead == [-10]
    assert (result.seen, result.seen_ahead) == (1, 0)


def test_a_slip_never_flagged_was_not_seen_coming():
    result = score([call("on_track", D(2026, 10, 14))], [overdue()])
    assert (result.slipped, result.seen, result.not_seen, result.days_ahead) == (1, 0, 1, [])


def test_a_milestone_no_review_saw_open_is_no_slip_of_the_reviews():
    # Already done (late) when the only review looked at it: nothing was left to foresee.
    result = score([call("done", D(2026, 11, 25))], [late()])
    assert result.slipped == 0
    # Never reviewed at all.
    assert score([], [late()]).slipped == 0


def test_calls_on_a_milestone_not_yet_due_are_pending_not_scored():
    not_due = milestone(1, Status.ON_TRACK, committed=LATER)
    result = score([call("on_track", D(2026, 11, 11)), call("at_risk", D(2026, 11, 25))], [not_due])
    assert (result.calls, result.pending, result.share) == (0, 2, None)
    assert not result.is_empty


def test_dropped_excused_and_deleted_milestones_are_not_scored():
    milestones = [milestone(1, Status.DROPPED), milestone(2, Status.DROPPED)]
    milestones[1].excused = True
    calls = [call("on_track", D(2026, 10, 14), pk) for pk in (1, 2, 3)]  # 3 is gone
    result = score(calls, milestones)
    assert (result.calls, result.pending, result.slipped) == (0, 0, 0)


def test_reviews_after_today_do_not_count():
    calls = [call("at_risk", D(2026, 11, 11))]
    result = score(calls, [overdue()], today=D(2026, 11, 10))
    # On Nov 10 the review of Nov 11 had not happened: no call, and nothing seen open.
    assert (result.calls, result.slipped) == (0, 0)


def test_the_median_of_days_ahead_is_over_the_flagged_slips_only():
    calls = [
        call("at_risk", D(2026, 10, 22), pk=1),  # 10 days ahead
        call("at_risk", D(2026, 10, 28), pk=2),  # 4 days ahead
        call("at_risk", D(2026, 11, 11), pk=3),  # 10 days after
        call("on_track", D(2026, 10, 14), pk=4),  # never flagged
    ]
    result = score(calls, [late(1), late(2), overdue(3), late(4)])
    assert sorted(result.days_ahead) == [-10, 4, 10]
    assert result.median_days_ahead == 4
    assert (result.slipped, result.not_seen, result.seen_ahead) == (4, 1, 2)


def test_combine_adds_teams_up():
    a = score([call("on_track", D(2026, 10, 14))], [on_time()])
    b = score([call("on_track", D(2026, 10, 14)), call("at_risk", D(2026, 10, 21))], [late()])
    total = combine([a, b])
    assert (total.calls, total.correct, total.optimistic, total.slipped) == (3, 2, 1, 1)
    assert total.days_ahead == [11]
    assert total.share == 67


@pytest.mark.parametrize(
    ("status", "outcome", "right"),
    [
        ("on_track", on_time(), True),
        ("on_track", late(), False),
        ("on_track", overdue(), False),
        ("at_risk", on_time(), False),
        ("at_risk", late(), True),
        ("off_track", overdue(), True),
    ],
)
def test_a_call_is_right_when_it_matches_the_outcome(status, outcome, right):
    assert score([call(status, D(2026, 10, 14))], [outcome]).correct == int(right)
