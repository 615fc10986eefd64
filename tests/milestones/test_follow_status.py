"""`Milestone.follow_status`: what follows a status change, for the web and the sheet sync alike."""

import datetime

from milestones.models import Milestone

DAY = datetime.date(2026, 11, 20)


def _milestone(**fields) -> Milestone:
    fields.setdefault("status", Milestone.Status.ON_TRACK)
    fields.setdefault("target_date", datetime.date(2026, 12, 1))
    return Milestone(**fields)


def test_leaving_done_clears_the_delivered_date():
    milestone = _milestone(status=Milestone.Status.AT_RISK, delivered_date=DAY)
    milestone.follow_status(given={"status"})
    assert milestone.delivered_date is None


def test_a_change_that_sets_the_delivered_date_keeps_it_for_validation_to_judge():
    milestone = _milestone(status=Milestone.Status.AT_RISK, delivered_date=DAY)
    milestone.follow_status(given={"status", "delivered_date"})
    assert milestone.delivered_date == DAY


def test_done_without_a_date_takes_the_day_the_writer_knows():
    milestone = _milestone(status=Milestone.Status.DONE)
    milestone.follow_status(delivered_on=DAY)
    assert milestone.delivered_date == DAY


def test_done_without_a_date_and_no_day_known_is_left_for_clean_to_ask_for():
    milestone = _milestone(status=Milestone.Status.DONE)
    milestone.follow_status(given={"status"})
    assert milestone.delivered_date is None


def test_done_keeps_the_delivered_date_it_has():
    earlier = datetime.date(2026, 11, 2)
    milestone = _milestone(status=Milestone.Status.DONE, delivered_date=earlier)
    milestone.follow_status(delivered_on=DAY)
    assert milestone.delivered_date == earlier


def test_leaving_dropped_clears_the_excuse_unless_the_change_sets_it():
    reopened = _milestone(excused=True)
    reopened.follow_status(given={"status"})
    assert reopened.excused is False

    kept = _milestone(excused=True)
    kept.follow_status(given={"status", "excused"})
    assert kept.excused is True


def test_a_dropped_milestone_keeps_its_excuse():
    milestone = _milestone(status=Milestone.Status.DROPPED, excused=True)
    milestone.follow_status(given={"status"})
    assert milestone.excused is True
