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
