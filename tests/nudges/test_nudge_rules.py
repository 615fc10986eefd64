"""The plain rules of the nudges: stale, digest day, the digest's window, the subject."""

import datetime

import pytest

from milestones import ontime
from nudges import rules
from nudges.digest import Digest, digest_window, in_window
from nudges.rules import PlannedNudge, StaleLine, TeamNudge
from reviews import diff as reviews
from teams.models import Team, User
from tests.nudges.conftest import MONDAY, TUESDAY

D = datetime.date


@pytest.mark.parametrize(
    ("target", "last_change", "stale"),
    [
        (D(2026, 11, 20), D(2026, 11, 1), True),  # nothing since long before the date
        (D(2026, 11, 20), D(2026, 11, 20), True),  # a change on the day itself is before it passed
        (D(2026, 11, 20), D(2026, 11, 21), False),  # updated after the date passed
        (D(2026, 11, 20), None, True),  # no recorded change at all
        (D(2026, 11, 23), D(2026, 11, 1), False),  # the target is today: not past yet
        (D(2026, 11, 30), D(2026, 11, 1), False),  # still ahead
    ],
)
def test_a_milestone_is_stale_when_nothing_changed_since_its_target_date_passed(
    target, last_change, stale
):
    assert rules.is_stale(target, last_change, MONDAY) is stale


def test_the_digest_goes_out_on_monday_unless_another_weekday_is_set(settings):
    assert rules.is_digest_day(MONDAY)
    assert not rules.is_digest_day(TUESDAY)
    settings.MILEPOST_DIGEST_WEEKDAY = 1
    assert rules.is_digest_day(TUESDAY)
    assert not rules.is_digest_day(MONDAY)


def test_weekly_windows_follow_each_other_without_overlap_or_gap():
    first, last = digest_window(MONDAY)
    assert (first, last) == (D(2026, 11, 17), MONDAY)
    previous_last = digest_window(MONDAY - datetime.timedelta(days=7))[1]
    assert first - previous_last == datetime.timedelta(days=1)
    assert in_window(first, (first, last))
    assert not in_window(first - datetime.timedelta(days=1), (first, last))
    assert not in_window(None, (first, last))


def _team_nudge(overdue=True, stale=0) -> TeamNudge:
    team = Team(name="Platform", slug="platform")
    items = tuple(StaleLine(n, f"M{n}", team, D(2026, 11, 20), None, 3) for n in range(stale))
    status = reviews.ReviewStatus(None, None, overdue=True) if overdue else None
    return TeamNudge(team, status, items)


def _digest() -> Digest:
    figure = ontime.OrgFigure(
        on_time=12, teams=22, goal=13, forecast=11, milestones_on_time=0, milestones_due=0
    )
    return Digest(None, figure, digest_window(MONDAY), ())


def test_the_subject_says_what_the_e_mail_is_about():
    user = User(username="ada")
    assert rules.subject(PlannedNudge(user, _team_nudge())) == "Milepost: Platform needs a review"
    assert (
        rules.subject(PlannedNudge(user, _team_nudge(overdue=False, stale=2)))
        == "Milepost: Platform needs 2 milestone updates"
    )
    assert (
        rules.subject(PlannedNudge(user, _team_nudge(stale=1)))
        == "Milepost: Platform needs a review and 1 milestone update"
    )
    assert (
        rules.subject(PlannedNudge(user, digest=_digest()))
        == "Milepost weekly: 12 of 22 teams on time (goal 13)"
    )
    assert (
        rules.subject(PlannedNudge(user, _team_nudge(), _digest()))
        == "Milepost weekly: 12 of 22 teams on time (goal 13) · Platform needs a review"
    )


def test_the_kinds_recorded_list_every_part_of_the_e_mail():
    user = User(username="ada")
    assert PlannedNudge(user, _team_nudge(stale=1), _digest()).kinds == [
        rules.REVIEW_OVERDUE,
        rules.STALE_MILESTONES,
        rules.DIGEST,
    ]
    assert PlannedNudge(user, _team_nudge(overdue=False, stale=1)).kinds == [rules.STALE_MILESTONES]
