from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.token_views import api_token_create, api_token_revoke
from config.health import healthz
from teams import profile
from teams import views as team_views
from teams.signin import ResetPasswordView, SignInView, password_pages

urlpatterns = [
    path("", team_views.home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        password_pages(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        password_pages(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        password_pages(ResetPasswordView.as_view()),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        password_pages(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        password_pages(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        password_pages(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("accounts/profile/", profile.profile, name="profile"),
    path("accounts/profile/tokens/", api_token_create, name="api_token_create"),
    path("accounts/profile/tokens/<int:pk>/revoke/", api_token_revoke, name="api_token_revoke"),
    path("teams/", include("teams.urls")),
    path("", include("teams.people_urls")),
    path("", include("milestones.urls")),
    path("", include("reviews.urls")),
    path("", include("dashboard.urls")),
    path("", include("sheets.urls")),
    path("", include("nudges.urls")),
    path("api/", include("api.urls")),
    # Sign in with Google: only allauth's OpenID Connect views (its own account pages are not
    # used: people come from the roster, passwords from Django's views above).
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler500 = "config.errors.server_error"
