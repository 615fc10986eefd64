"""The sheet sync's pages (SPEC section 4)."""

from django.urls import path

from sheets import views, views_mapping

app_name = "sheets"

urlpatterns = [
    path("sync/", views.sync_page, name="sync"),
    path("sync/run/", views.sync_now, name="sync_now"),
    path("sync/runs/<int:pk>/", views.sync_run_detail, name="run"),
    path("sync/runs/<int:pk>/status/", views.sync_run_status, name="run_status"),
    path("sync/conflicts/<int:pk>/", views.sync_conflict, name="conflict"),
    path("sync/conflicts/<int:pk>/resolve/", views.sync_conflict_resolve, name="resolve_conflict"),
    path("sync/preview/", views_mapping.sync_preview, name="preview"),
    path("sync/teams/<slug:slug>/columns/", views_mapping.sync_column_mapping, name="columns"),
]
