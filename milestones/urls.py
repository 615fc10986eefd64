from django.urls import path

from milestones.views import close, dependency_forms, milestone, team

app_name = "milestones"

urlpatterns = [
    path("teams/<slug:slug>/", team.team_page, name="team"),
    path("teams/<slug:slug>/milestones/<int:pk>/", milestone.milestone_detail, name="detail"),
    path("teams/<slug:slug>/milestones/new/", team.milestone_create, name="create"),
    path("teams/<slug:slug>/milestones/<int:pk>/row/", team.milestone_row, name="row"),
    path("teams/<slug:slug>/milestones/<int:pk>/edit/", team.milestone_edit, name="edit"),
    path("teams/<slug:slug>/milestones/<int:pk>/move/", team.milestone_move, name="move"),
    path("teams/<slug:slug>/milestones/<int:pk>/drop/", team.milestone_drop, name="drop"),
    path("teams/<slug:slug>/milestones/<int:pk>/restore/", team.milestone_restore, name="restore"),
    path(
        "teams/<slug:slug>/milestones/<int:pk>/slips/<int:record_id>/reason/",
        milestone.slip_reason,
        name="slip_reason",
    ),
    path(
        "teams/<slug:slug>/milestones/<int:pk>/dependencies/search/",
        milestone.dependency_search,
        name="dependency_search",
    ),
    path(
        "teams/<slug:slug>/milestones/<int:pk>/dependencies/",
        milestone.dependency_add,
        name="dependency_add",
    ),
    path(
        "teams/<slug:slug>/milestones/<int:pk>/dependencies/<int:upstream_pk>/remove/",
        milestone.dependency_remove,
        name="dependency_remove",
    ),
    # What a milestone waits on, from its row of the team table.
    path(
        "teams/<slug:slug>/milestones/<int:pk>/waits-on/",
        dependency_forms.row_dependencies,
        name="row_dependencies",
    ),
    path(
        "teams/<slug:slug>/milestones/<int:pk>/waits-on/add/",
        dependency_forms.row_dependency_add,
        name="row_dependency_add",
    ),
    path(
        "teams/<slug:slug>/milestones/<int:pk>/waits-on/<int:upstream_pk>/remove/",
        dependency_forms.row_dependency_remove,
        name="row_dependency_remove",
    ),
    path("quarters/<slug:slug>/close/", close.close_page, name="close_quarter"),
    path("quarters/<slug:slug>/record/", close.record_page, name="quarter_record"),
    path("quarters/<slug:slug>/lock/", close.lock_planning_submit, name="lock_planning"),
]
