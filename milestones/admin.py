from django.contrib import admin
from django.db import models, transaction
from simple_history.admin import SimpleHistoryAdmin

from milestones.changes import bump_every_quarter
from milestones.models import Milestone, Quarter, QuarterRecord, SlipExplanation, SlipReason


class CountsChangesAdmin(admin.ModelAdmin):
    """An admin whose saves and deletes count as a change of every quarter's report
    (`milestones.changes`), in the admin's transaction. Coarse on purpose: admin edits are
    rare, and a milestone moved to another quarter, a team renamed or a person's name fixed
    changes more than one quarter's page."""

    def save_related(self, request, form, formsets, change):
        # After the object and its inlines (a team's memberships and milestones) are saved.
        super().save_related(request, form, formsets, change)
        bump_every_quarter()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        bump_every_quarter()

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            bump_every_quarter()


@admin.register(Quarter)
class QuarterAdmin(CountsChangesAdmin, SimpleHistoryAdmin):
    list_display = [
        "label",
        "start",
        "end",
        "goal",
        "grace_days",
        "locked",
        "excuse_dropped",
        "planning_opens",
        "closed_at",
    ]
    list_filter = ["year", "locked"]
    ordering = ["-start"]
    readonly_fields = ["closed_at"]

    def get_readonly_fields(self, request, obj=None):
        """A closed quarter's dates and settings change only as restatements, with a reason,
        on its settings page (`closing.save_quarter_settings`)."""
        if obj is not None and obj.is_closed:
            return ["closed_at", "year", "number", "start", "end", *Quarter.SETTINGS_FIELDS]
        return self.readonly_fields


@admin.register(QuarterRecord)
class QuarterRecordAdmin(admin.ModelAdmin):
    """The figures recorded at close: read here, written only by closing a quarter."""

    list_display = ["quarter", "on_time", "teams", "goal", "recorded_by", "recorded_at"]
    list_select_related = ["quarter", "recorded_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Milestone)
class MilestoneAdmin(CountsChangesAdmin, SimpleHistoryAdmin):
    # A ticket link typed without its scheme is an https address, as in the edit row.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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


@admin.register(SlipReason)
class SlipReasonAdmin(CountsChangesAdmin):
    """The list a person picks from when a target date moves later: leadership keeps it short.
    Retire a reason (untick active) rather than delete it: past slips keep theirs."""

    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]
    search_fields = ["name"]


@admin.register(SlipExplanation)
class SlipExplanationAdmin(CountsChangesAdmin):
    """The reasons given for slips, to read: they are given (and changed) on the milestone
    page, by whoever may move the milestone's target date."""

    list_display = ["milestone", "reason", "note", "given_by", "given_at"]
    list_filter = ["reason", "milestone__quarter"]
    search_fields = ["milestone__title", "note"]
    list_select_related = ["milestone", "reason", "given_by"]
    readonly_fields = ["milestone", "record", "given_by", "given_at"]
    date_hierarchy = "given_at"

    def has_add_permission(self, request) -> bool:
        return False  # a reason belongs to a move in a milestone's history
