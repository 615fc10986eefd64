from django.contrib import admin

from nudges.models import Nudge, SlackPost


@admin.register(Nudge)
class NudgeAdmin(admin.ModelAdmin):
    """What `send_nudges` sent, one row per person per day: to read. Deleting today's row of
    someone lets the next run that day e-mail them again."""

    list_display = ["sent_on", "user", "subject", "kinds", "sent_at"]
    list_filter = ["sent_on"]
    search_fields = ["user__username", "user__display_name", "subject"]
    list_select_related = ["user"]
    readonly_fields = ["user", "sent_on", "kinds", "subject", "sent_at"]
    date_hierarchy = "sent_on"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SlackPost)
class SlackPostAdmin(admin.ModelAdmin):
    """What `send_nudges` posted to Slack, one row per message and day whatever its channel
    (and, from before that rule, a few marked duplicate): to read. A row left "posting" by a run
    that died is never posted again by itself (it may have gone through); deleting it lets the
    next run that day post it."""

    list_display = ["day", "destination", "summary", "status", "attempts", "posted_at"]
    list_filter = ["status", "day"]
    readonly_fields = [
        "destination",
        "about",
        "day",
        "kinds",
        "summary",
        "payload",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "posted_at",
        "duplicate",
    ]
    date_hierarchy = "day"

    def has_add_permission(self, request) -> bool:
        return False
