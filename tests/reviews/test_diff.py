"""What changed since the previous review, from two snapshots (reviews.diff.diff)."""

import dataclasses
import datetime

from reviews.diff import ItemChange, Snapshot, diff
from tests.reviews.helpers import snap

D = datetime.date


def moved(snapshot: Snapshot, **fields) -> Snapshot:
    return dataclasses.replace(snapshot, **fields)


def ids(changes: list[ItemChange]) -> list[int]:
    return [change.milestone_id for change in changes]


def test_on_the_first_review_of_a_quarter_everything_is_new():
    current = [snap(1), snap(2, status="done", delivered_date=D(2026, 10, 20))]

    result = diff(None, current)

    assert result.first
    assert ids(result.added) == [1, 2]
    assert ids(result.newly_done) == [2]
    assert result.slips == []
    assert result.status_moves == []
    assert result.removed == []


def test_a_review_after_an_empty_one_finds_every_milestone_new_but_is_not_the_first():
    result = diff([], [snap(1)])

    assert not result.first
    assert ids(result.added) == [1]


def test_nothing_changed_gives_an_empty_diff():
    before = [snap(1), snap(2, status="done", delivered_date=D(2026, 10, 20))]

    result = diff(before, [dataclasses.replace(s) for s in before])

    assert result.is_empty
    assert result.for_milestone(1) is None


def test_a_status_move_is_listed_with_both_statuses():
    result = diff([snap(1, status="on_track")], [snap(1, status="at_risk")])

    (change,) = result.status_moves
    assert (change.before.status, change.after.status) == ("on_track", "at_risk")
    assert ids(result.other_status_moves) == [1]
    assert change.labels == ["status moved"]


def test_a_slip_is_listed_with_its_days():
    result = diff([snap(1, target=D(2026, 12, 1))], [snap(1, target=D(2026, 12, 10))])

    (slip,) = result.slips
    assert slip.target_days == 9
    assert result.days_slipped == 9
    assert slip.labels == ["slipped 9 days"]


def test_days_slipped_adds_up_every_slip_and_ignores_pulled_in_milestones():
    before = [snap(1), snap(2), snap(3)]
    after = [
        moved(before[0], target_date=D(2026, 12, 2)),
        moved(before[1], target_date=D(2026, 12, 15)),
        moved(before[2], target_date=D(2026, 11, 20)),
    ]

    result = diff(before, after)

    assert ids(result.slips) == [1, 2]
    assert result.days_slipped == 1 + 14
    assert ids(result.pulled_in) == [3]
    assert result.for_milestone(3).labels == ["pulled in 11 days"]
    assert result.for_milestone(1).labels == ["slipped 1 day"]


def test_a_target_moved_earlier_then_later_between_two_reviews_is_one_net_slip():
    # Dec 1 at the previous review, pulled in to Nov 25, then pushed out to Dec 6: the
    # snapshots only see Dec 1 -> Dec 6.
    result = diff([snap(1, target=D(2026, 12, 1))], [snap(1, target=D(2026, 12, 6))])

    assert ids(result.slips) == [1]
    assert result.for_milestone(1).target_days == 5
    assert result.pulled_in == []


def test_a_target_moved_earlier_then_back_between_two_reviews_is_no_change():
    result = diff([snap(1, target=D(2026, 12, 1))], [snap(1, target=D(2026, 12, 1))])

    assert result.is_empty


def test_a_target_moved_earlier_at_one_review_and_later_at_the_next_is_pulled_in_then_a_slip():
    first, second, third = (
        snap(1, target=D(2026, 12, 1)),
        snap(1, target=D(2026, 11, 26)),
        snap(1, target=D(2026, 12, 4)),
    )

    earlier, later = diff([first], [second]), diff([second], [third])

    assert ids(earlier.pulled_in) == [1]
    assert earlier.slips == []
    assert earlier.for_milestone(1).target_days == -5
    assert ids(later.slips) == [1]
    assert later.pulled_in == []
    assert later.for_milestone(1).target_days == 8


def test_a_milestone_added_and_done_between_reviews_is_new_and_newly_done():
    before = [snap(1)]
    after = [snap(1), snap(2, status="done", delivered_date=D(2026, 11, 20))]

    result = diff(before, after)

    assert ids(result.added) == [2]
    assert ids(result.newly_done) == [2]
    # Not a status move nor a slip: there was nothing to move from.
    assert result.status_moves == []
    assert result.slips == []
    assert result.for_milestone(2).labels == ["new", "done"]


def test_a_milestone_done_since_the_previous_review_is_newly_done_and_a_status_move():
    before = [snap(1, status="at_risk")]
    after = [snap(1, status="done", delivered_date=D(2026, 11, 30))]

    result = diff(before, after)

    assert ids(result.newly_done) == [1]
    assert ids(result.status_moves) == [1]
    assert result.other_status_moves == []
    assert result.for_milestone(1).labels == ["done"]


def test_a_milestone_dropped_since_the_previous_review_is_newly_dropped():
    result = diff([snap(1, status="off_track")], [snap(1, status="dropped")])

    assert ids(result.newly_dropped) == [1]
    assert result.other_status_moves == []
    assert result.newly_done == []
    assert result.for_milestone(1).labels == ["dropped"]


def test_a_milestone_dropped_before_the_previous_review_is_not_dropped_again():
    result = diff([snap(1, status="dropped")], [snap(1, status="dropped")])

    assert result.newly_dropped == []
    assert result.is_empty


def test_a_milestone_added_and_dropped_between_reviews_is_new_and_newly_dropped():
    result = diff([], [snap(1, status="dropped")])

    assert ids(result.added) == [1]
    assert ids(result.newly_dropped) == [1]


def test_a_done_milestone_reopened_is_a_status_move_labelled_reopened():
    before = [snap(1, status="done", delivered_date=D(2026, 11, 20))]

    result = diff(before, [snap(1, status="at_risk")])

    assert ids(result.other_status_moves) == [1]
    assert result.for_milestone(1).reopened
    assert result.for_milestone(1).labels == ["reopened"]
    assert result.newly_done == []


def test_an_owner_change_is_listed_without_a_status_move():
    before = [snap(1, owner_id=7, owner_name="Ada Lovelace")]

    result = diff(before, [snap(1, owner_id=8, owner_name="Grace Hopper")])

    (change,) = result.owner_changes
    assert (change.before.owner_name, change.after.owner_name) == ("Ada Lovelace", "Grace Hopper")
    assert result.status_moves == []
    assert result.slips == []
    assert change.labels == ["new owner"]


def test_an_owner_removed_is_an_owner_change():
    result = diff([snap(1, owner_id=7)], [snap(1, owner_id=None, owner_name="")])

    assert ids(result.owner_changes) == [1]


def test_a_corrected_delivered_date_and_a_new_committed_date_are_changes():
    done = snap(1, status="done", delivered_date=D(2026, 11, 20))
    before = [done, snap(2)]
    after = [
        moved(done, delivered_date=D(2026, 11, 18)),
        moved(before[1], committed_date=D(2026, 12, 15)),
    ]

    result = diff(before, after)

    assert result.for_milestone(1).labels == ["delivery date corrected"]
    assert result.for_milestone(2).labels == ["re-committed"]
    assert result.for_milestone(2).committed_days == 14
    assert result.newly_done == []


def test_a_milestone_deleted_since_the_previous_review_is_removed():
    result = diff([snap(1), snap(2)], [snap(2)])

    assert ids(result.removed) == [1]
    assert result.for_milestone(1).after is None
    assert result.for_milestone(1).labels == ["deleted"]


def test_several_changes_to_one_milestone_are_all_told():
    before = [snap(1, status="on_track", target=D(2026, 12, 1), owner_id=7, title="Search")]
    after = [snap(1, status="at_risk", target=D(2026, 12, 8), owner_id=8, title="Search v2")]

    change = diff(before, after).for_milestone(1)

    assert change.labels == ["status moved", "slipped 7 days", "new owner", "renamed"]


def test_changes_follow_the_current_snapshots_order_and_deleted_ones_come_last():
    before = [snap(1), snap(2), snap(3)]
    after = [moved(before[2], status="at_risk"), snap(4), moved(before[0], status="at_risk")]

    result = diff(before, after)

    assert ids(list(result.changes)) == [3, 4, 1, 2]
