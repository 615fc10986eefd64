"""Personal API tokens: a person reads the API with one of their own, as themselves."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApiToken(models.Model):
    """A token a person made on their profile page. Only a SHA-256 digest of it is stored:
    the token itself is shown once, when it is made, and cannot be shown again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text="What the token is for, to recognise it.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, shown on the profile page beside its name.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The day it was last used (updated at most once a day, not on every request).
    last_used_on = models.DateField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user"], condition=Q(revoked_at=None), name="api_token_live")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
