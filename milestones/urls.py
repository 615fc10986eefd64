from django.urls import path

from milestones.views import dashboard, milestones

app_name = "milestones"

urlpatterns = [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("teams/<slug:slug>/milestones/<int:pk>/", milestones.milestone_detail, name="detail"),
]
