"""Leadership's People and Organisation pages (`people:` URLs)."""

from django.urls import path

from teams import organisation, people

app_name = "people"

urlpatterns = [
    path("people/", people.people_list, name="list"),
    path("people/add/", people.person_add, name="add"),
    path("people/<int:pk>/", people.person_edit, name="edit"),
    path("people/<int:pk>/move/", people.person_move, name="move"),
    path("people/<int:pk>/make-lead/", people.person_make_lead, name="make_lead"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="reactivate"),
    path("people/sign-ins/clear/", people.clear_throttle, name="clear_throttle"),
    path("organisation/", organisation.organisation, name="organisation"),
    path("organisation/teams/add/", organisation.team_add, name="team_add"),
    path("organisation/teams/<int:pk>/", organisation.team_edit, name="team_edit"),
    path("organisation/squads/add/", organisation.squad_add, name="squad_add"),
    path("organisation/squads/<int:pk>/", organisation.squad_edit, name="squad_edit"),
    path("organisation/slip-reasons/add/", organisation.slip_reason_add, name="slip_reason_add"),
    path(
        "organisation/slip-reasons/<int:pk>/",
        organisation.slip_reason_edit,
        name="slip_reason_edit",
    ),
]
