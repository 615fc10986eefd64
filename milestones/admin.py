from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from milestones.models import Milestone, Quarter


@admin.register(Quarter)
class QuarterAdmin(SimpleHistoryAdmin):
    list_display = ["label", "start", "end", "goal", "grace_days", "locked", "excuse_dropped"]
    list_filter = ["year", "locked"]
    ordering = ["-start"]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "team",
        "quarter",
        "owner",
        "committed_date",
        "target_date",
        "status",
        "delivered_date",
    ]
    list_filter = ["quarter", "status", "excused", "team__squad", "team"]
    search_fields = ["title", "description", "notes", "team__name", "owner__display_name"]
    autocomplete_fields = ["owner", "team"]
    list_select_related = ["team", "quarter", "owner"]
    date_hierarchy = "target_date"
    readonly_fields = ["version", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        # An admin edit is an edit like any other: a browser still holding the old version
        # must get a 409, not overwrite it.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)
