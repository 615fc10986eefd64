from django.conf import settings
from django.db import models
from django.utils import timezone


class Nudge(models.Model):
    """An e-mail the daily nudges sent someone: at most one per person per day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges"
    )
    sent_on = models.DateField()
    kinds = models.CharField(
        max_length=100, help_text="What it was about, comma-separated (review_overdue, …)."
    )
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_on", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "sent_on"], name="one_nudge_per_person_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.sent_on})"


class SlackWebhook(models.Model):
    """A Slack incoming webhook set by leadership: the organisation's, a team's or a squad's.

    The URL is a secret (anyone holding it posts to the channel): it is kept encrypted
    (`nudges.webhooks`), and only `hint`, a masked form, is ever shown.
    """

    class Scope(models.TextChoices):
        ORG = "org", "organisation"
        TEAM = "team", "team"
        SQUAD = "squad", "squad"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    team = models.OneToOneField(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    squad = models.OneToOneField(
        "teams.Squad", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url_encrypted = models.TextField(help_text="The webhook's URL, encrypted (Fernet).")
    hint = models.CharField(max_length=200, help_text="The URL masked, to recognise it by.")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope"], condition=models.Q(scope="org"), name="one_org_slack_webhook"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(scope="org", team__isnull=True, squad__isnull=True)
                    | models.Q(scope="team", team__isnull=False, squad__isnull=True)
                    | models.Q(scope="squad", team__isnull=True, squad__isnull=False)
                ),
                name="slack_webhook_scope_matches_its_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Slack webhook of {self.team or self.squad or 'the organisation'}"


class SlackPost(models.Model):
    """A message `send_nudges` posts (or tried to post) to a Slack webhook: each message (a
    team's nudge, the digest) at most once a day, whatever channel it goes to, claimed before
    it is posted (`nudges.slack`)."""

    class Status(models.TextChoices):
        PENDING = "pending", "posting"  # claimed; posting now, or the run died meanwhile
        SENT = "sent", "posted"
        FAILED = "failed", "failed, to retry"
        EXPIRED = "expired", "failed, not retried"  # a nudge of a day gone by

    destination = models.CharField(
        max_length=30,
        help_text="Where it went (or goes on its next try): org, team-<id> or squad-<id>.",
    )
    about = models.CharField(max_length=30, help_text="digest, or team-<id> for a team's nudge.")
    day = models.DateField()
    kinds = models.CharField(max_length=100)
    summary = models.CharField(max_length=200)
    payload = models.JSONField(help_text="The Block Kit message, as posted.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    posted_at = models.DateTimeField(null=True, blank=True)
    duplicate = models.BooleanField(
        default=False,
        help_text=(
            "A second row of the day's message, for another channel: kept from before each "
            "message went out once a day whatever its channel (migration 0004); never set since."
        ),
    )

    class Meta:
        ordering = ["-day", "destination", "about"]
        constraints = [
            models.UniqueConstraint(
                fields=["about", "day"],
                condition=models.Q(duplicate=False),
                name="one_slack_post_per_message_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.summary} → {self.destination} ({self.day}, {self.status})"


class SlackTestMessage(models.Model):
    """A "Send a test message" pressed on the Slack page. The view records it and enqueues
    `nudges.tasks.post_slack_test_message`, which posts it in a background worker (so a Slack
    that hangs never holds a web worker) and records how it went; the page shows that."""

    class Status(models.TextChoices):
        QUEUED = "queued", "waiting for a worker"
        POSTING = "posting", "posting"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    # Not done yet: waiting for a worker, or being posted (or its worker died doing so).
    PENDING = (Status.QUEUED, Status.POSTING)

    destination = models.CharField(
        max_length=30, help_text="Which webhook: org, team-<id> or squad-<id>."
    )
    what = models.CharField(
        max_length=300, help_text="What that channel gets, as the test message says it."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, help_text="What went wrong (never the webhook's URL).")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Test message to {self.destination} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING
