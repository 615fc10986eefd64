from django.urls import path

from milestones import views

app_name = "milestones"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("teams/<slug:slug>/milestones/<int:pk>/", views.milestone_detail, name="detail"),
]
