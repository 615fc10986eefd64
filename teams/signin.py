"""The sign-in page: Django's LoginView with the throttled form."""

from django.contrib.auth.views import LoginView

from teams.forms import SignInForm


class SignInView(LoginView):
    """Password sign-in. A try the throttle refuses answers 429 with Retry-After."""

    authentication_form = SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.refusal.retry_after)
        return response
