from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from teams import profile
from teams import views as team_views
from teams.signin import SignInView

urlpatterns = [
    path("", team_views.home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", profile.profile, name="profile"),
    path("teams/", include("teams.urls")),
    path("", include("milestones.urls")),
    path("", include("reviews.urls")),
    path("", include("dashboard.urls")),
    path("", include("sheets.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler500 = "config.errors.server_error"
