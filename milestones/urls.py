from django.urls import path

from milestones.views import dashboard, milestones
from milestones.views import reviews as review_views
from milestones.views import sync as sync_views

app_name = "milestones"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/teams.csv", dashboard.dashboard_teams_csv, name="dashboard_teams_csv"),
    path(
        "dashboard/milestones.csv",
        dashboard.dashboard_milestones_csv,
        name="dashboard_milestones_csv",
    ),
    path("quarters/<slug:slug>/settings/", dashboard.quarter_settings, name="quarter_settings"),
    path("teams/<slug:slug>/milestones/<int:pk>/", milestones.milestone_detail, name="detail"),
    path("teams/<slug:slug>/milestones/new/", milestones.milestone_create, name="create"),
    path("teams/<slug:slug>/milestones/<int:pk>/row/", milestones.milestone_row, name="row"),
    path("teams/<slug:slug>/milestones/<int:pk>/edit/", milestones.milestone_edit, name="edit"),
    path("teams/<slug:slug>/milestones/<int:pk>/move/", milestones.milestone_move, name="move"),
    path("teams/<slug:slug>/milestones/<int:pk>/drop/", milestones.milestone_drop, name="drop"),
    path(
        "teams/<slug:slug>/milestones/<int:pk>/restore/",
        milestones.milestone_restore,
        name="restore",
    ),
    path(
        "teams/<slug:slug>/milestones/<int:pk>/slips/<int:record_id>/reason/",
        milestones.slip_reason,
        name="slip_reason",
    ),
    # Biweekly reviews (SPEC section 3).
    path("teams/<slug:slug>/reviews/", review_views.review_list, name="reviews"),
    path("teams/<slug:slug>/reviews/start/", review_views.review_start, name="review_start"),
    path("teams/<slug:slug>/reviews/<int:pk>/", review_views.review_detail, name="review"),
    path(
        "teams/<slug:slug>/reviews/<int:pk>/summary/",
        review_views.review_summary,
        name="review_summary",
    ),
    path(
        "teams/<slug:slug>/reviews/<int:pk>/items/<int:item_pk>/note/",
        review_views.review_item_note,
        name="review_item_note",
    ),
    path(
        "teams/<slug:slug>/reviews/<int:pk>/close/", review_views.review_close, name="review_close"
    ),
    path(
        "teams/<slug:slug>/reviews/<int:pk>/reopen/",
        review_views.review_reopen,
        name="review_reopen",
    ),
    # The sheet sync (SPEC section 4).
    path("sync/", sync_views.sync_page, name="sync"),
    path("sync/run/", sync_views.sync_now, name="sync_now"),
    path("sync/runs/<int:pk>/", sync_views.sync_run_detail, name="sync_run"),
    path("sync/runs/<int:pk>/status/", sync_views.sync_run_status, name="sync_run_status"),
    path("sync/conflicts/<int:pk>/", sync_views.sync_conflict, name="sync_conflict"),
    path(
        "sync/conflicts/<int:pk>/resolve/",
        sync_views.sync_conflict_resolve,
        name="sync_conflict_resolve",
    ),
]
