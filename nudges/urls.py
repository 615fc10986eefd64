"""Leadership's Slack page (`nudges:` URLs), beside the Organisation pages."""

from django.urls import path

from nudges import views

app_name = "nudges"

urlpatterns = [
    path("organisation/slack/", views.slack_settings, name="slack"),
    path("organisation/slack/<str:destination>/", views.slack_save, name="slack_save"),
    path("organisation/slack/<str:destination>/remove/", views.slack_remove, name="slack_remove"),
    path("organisation/slack/<str:destination>/test/", views.slack_test, name="slack_test"),
    path(
        "organisation/slack/<str:destination>/test/<int:pk>/",
        views.slack_test_status,
        name="slack_test_status",
    ),
]
