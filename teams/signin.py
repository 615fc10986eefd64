"""Signing in and resetting a password: Django's views with Milepost's forms."""

from django.conf import settings
from django.contrib.auth.views import LoginView, PasswordResetView

from teams.forms import ResetPasswordForm, SignInForm


class SignInView(LoginView):
    """Password sign-in. A try the throttle refuses answers 429 with Retry-After."""

    authentication_form = SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.refusal.retry_after)
        return response


class ResetPasswordView(PasswordResetView):
    """Django's reset view; the e-mailed link starts with MILEPOST_BASE_URL, never with the
    Host header a request claims."""

    form_class = ResetPasswordForm

    def form_valid(self, form):
        self.extra_email_context = {"base_url": settings.MILEPOST_BASE_URL}
        return super().form_valid(form)
