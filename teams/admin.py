from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from milestones.admin import CountsChangesAdmin
from milestones.models import Milestone
from teams.models import Membership, Squad, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "active"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["quarter", "title", "owner", "committed_date", "target_date", "status", "position"]
    autocomplete_fields = ["owner"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("quarter", "owner")


@admin.register(User)
class UserAdmin(CountsChangesAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "email", "is_leadership", "is_staff", "is_active"]
    list_filter = ["is_leadership", "is_staff", "is_active", "memberships__team__squad"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (
            "Milepost",
            {
                "fields": [
                    "display_name",
                    "is_leadership",
                    "nudges_opt_out",
                    "slack_member_id",
                    "slack_mention",
                ]
            },
        ),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Milepost", {"fields": ["display_name", "email", "is_leadership"]}),
    ]


@admin.register(Squad)
class SquadAdmin(CountsChangesAdmin):
    list_display = ["name", "product_manager", "designer", "customer_advocate"]
    search_fields = ["name"]
    autocomplete_fields = ["product_manager", "designer", "customer_advocate"]


@admin.register(Team)
class TeamAdmin(CountsChangesAdmin):
    list_display = ["name", "squad", "tab_title", "active"]
    list_filter = ["active", "squad"]
    search_fields = ["name", "slug", "sheet_tab_title", "memberships__user__display_name"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["squad"]
    inlines = [MembershipInline, MilestoneInline]


@admin.register(Membership)
class MembershipAdmin(CountsChangesAdmin):
    list_display = ["user", "team", "role", "active", "joined"]
    list_filter = ["role", "active", "team__squad", "team"]
    search_fields = ["user__display_name", "user__username", "user__email", "team__name"]
    autocomplete_fields = ["user", "team"]
    list_select_related = ["user", "team"]
