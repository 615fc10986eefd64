from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("dashboard/", views.dashboard, name="index"),
    path("dashboard/teams.csv", views.dashboard_teams_csv, name="teams_csv"),
    path("dashboard/milestones.csv", views.dashboard_milestones_csv, name="milestones_csv"),
    path("quarters/<slug:slug>/settings/", views.quarter_settings, name="quarter_settings"),
]
