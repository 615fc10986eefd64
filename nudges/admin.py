from django.contrib import admin

from nudges.models import Nudge


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
