"""nudges 0004: each Slack message goes out once a day whatever its channel. Every row is kept
as it was; where a day has two rows of one message (a webhook was added after it had gone), the
row that best says it went stays the day's claim and the others are marked duplicate."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

BEFORE = [("nudges", "0003_slack_test_message")]
AFTER = [("nudges", "0004_one_slack_post_per_message_per_day")]
MONDAY = datetime.date(2026, 11, 23)
TUESDAY = datetime.date(2026, 11, 24)
FIELDS = ["pk", "destination", "about", "day", "kinds", "summary", "payload", "status"]


@pytest.mark.django_db(transaction=True)
def test_every_slack_post_is_kept_and_a_days_second_rows_of_a_message_are_marked(migrator):
    old = migrator.apply_tested_migration(BEFORE)
    SlackPost = old.apps.get_model("nudges", "SlackPost")
    morning = timezone.make_aware(datetime.datetime(2026, 11, 23, 7, 30))

    def row(destination: str, about: str, day: datetime.date, status: str, hours: int) -> int:
        return SlackPost.objects.create(
            destination=destination,
            about=about,
            day=day,
            kinds="review_overdue",
            summary=f"{about} to {destination}",
            payload={"text": f"{about} to {destination}"},
            status=status,
            created_at=morning + datetime.timedelta(hours=hours),
        ).pk

    # Monday: Platform's nudge went to the organisation's channel, then to its own as well.
    monday_first = row("org", "team-1", MONDAY, "sent", 0)
    monday_again = row("team-1", "team-1", MONDAY, "sent", 6)
    # Tuesday: it failed in the organisation's channel, then went to its own: that one counts.
    tuesday_failed = row("org", "team-1", TUESDAY, "failed", 24)
    tuesday_went = row("team-1", "team-1", TUESDAY, "sent", 30)
    once = [row("org", "digest", MONDAY, "sent", 0), row("squad-2", "team-2", MONDAY, "failed", 0)]
    before = list(SlackPost.objects.order_by("pk").values_list(*FIELDS))

    new = migrator.apply_tested_migration(AFTER)

    SlackPost = new.apps.get_model("nudges", "SlackPost")
    assert list(SlackPost.objects.order_by("pk").values_list(*FIELDS)) == before
    marked = dict(SlackPost.objects.values_list("pk", "duplicate"))
    assert marked == {
        monday_first: False,
        monday_again: True,
        tuesday_failed: True,
        tuesday_went: False,
        once[0]: False,
        once[1]: False,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        SlackPost.objects.create(
            destination="squad-1", about="team-1", day=MONDAY, kinds="", summary="", payload={}
        )

    back = migrator.apply_tested_migration(BEFORE)
    SlackPost = back.apps.get_model("nudges", "SlackPost")
    assert list(SlackPost.objects.order_by("pk").values_list(*FIELDS)) == before
