"""Each Slack message (a team's nudge, the digest) goes out at most once a day whatever channel
it resolves to: the claim is one row per message and day, no longer per channel as well.

A day on which a webhook was added after the message had gone to the channel it used to fall
back on has two rows of it (it was posted twice). Every row is kept: of each such message and
day, the row that best says it went (posted, else posting, else failed, else given up on; the
earliest first) stays the day's claim, and the others are marked `duplicate`, outside the new
unique constraint. A failed duplicate is never retried: the next run gives it up, as it does
a failed nudge that is not today's claim.
"""

from django.db import migrations, models
from django.db.models import Count

# Which of a day's rows of one message stays its claim: the one that best says it went.
RANK = {"sent": 0, "pending": 1, "failed": 2, "expired": 3}


def mark_duplicates(apps, schema_editor):
    SlackPost = apps.get_model("nudges", "SlackPost")
    twice = (
        SlackPost.objects.values("about", "day")
        .annotate(rows=Count("pk"))
        .filter(rows__gt=1)
        .values_list("about", "day")
    )
    for about, day in twice:
        rows = SlackPost.objects.filter(about=about, day=day).values_list(
            "pk", "status", "created_at"
        )
        ranked = sorted(rows, key=lambda row: (RANK.get(row[1], len(RANK)), row[2], row[0]))
        SlackPost.objects.filter(pk__in=[pk for pk, _, _ in ranked[1:]]).update(duplicate=True)


class Migration(migrations.Migration):
    dependencies = [
        ("nudges", "0003_slack_test_message"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="slackpost",
            name="one_slack_post_per_subject_per_day",
        ),
        migrations.AddField(
            model_name="slackpost",
            name="duplicate",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "A second row of the day's message, for another channel: kept from before "
                    "each message went out once a day whatever its channel (migration 0004); "
                    "never set since."
                ),
            ),
        ),
        migrations.AlterField(
            model_name="slackpost",
            name="destination",
            field=models.CharField(
                help_text=(
                    "Where it went (or goes on its next try): org, team-<id> or squad-<id>."
                ),
                max_length=30,
            ),
        ),
        migrations.RunPython(mark_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="slackpost",
            constraint=models.UniqueConstraint(
                condition=models.Q(("duplicate", False)),
                fields=("about", "day"),
                name="one_slack_post_per_message_per_day",
            ),
        ),
    ]
