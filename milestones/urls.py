from django.urls import path

from milestones import views

app_name = "milestones"

urlpatterns = [
    path("teams/<slug:slug>/", views.team_page, name="team"),
    path("teams/<slug:slug>/milestones/<int:pk>/", views.milestone_detail, name="detail"),
    path("teams/<slug:slug>/milestones/new/", views.milestone_create, name="create"),
    path("teams/<slug:slug>/milestones/<int:pk>/row/", views.milestone_row, name="row"),
    path("teams/<slug:slug>/milestones/<int:pk>/edit/", views.milestone_edit, name="edit"),
    path("teams/<slug:slug>/milestones/<int:pk>/move/", views.milestone_move, name="move"),
    path("teams/<slug:slug>/milestones/<int:pk>/drop/", views.milestone_drop, name="drop"),
    path("teams/<slug:slug>/milestones/<int:pk>/restore/", views.milestone_restore, name="restore"),
    path(
        "teams/<slug:slug>/milestones/<int:pk>/slips/<int:record_id>/reason/",
        views.slip_reason,
        name="slip_reason",
    ),
]
