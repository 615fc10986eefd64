"""Signing in and resetting a password: Django's views with Milepost's forms."""

import functools

from django.conf import settings
from django.contrib.auth.views import LoginView, PasswordResetView
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse

from teams import devices, resets, throttle
from teams.forms import ResetPasswordForm, SignInForm
from teams.google import google_sign_in_enabled


class SignInView(LoginView):
    """Password sign-in. A try the throttle refuses answers 429 with Retry-After; a right
    password gives the browser a new device cookie for the account (`teams.devices`)."""

    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        google = google_sign_in_enabled()
        return super().get_context_data(
            password_sign_in=settings.MILEPOST_PASSWORD_SIGN_IN,
            google_login_url=reverse("openid_connect_login", args=["google"]) if google else "",
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not settings.MILEPOST_PASSWORD_SIGN_IN:
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        devices.issue(response, throttle.normalise_username(form.get_user().get_username()))
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refusal is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.refusal.retry_after)
        return response


class ResetPasswordView(PasswordResetView):
    """Django's reset view; the e-mailed link starts with MILEPOST_BASE_URL, never with the
    Host header a request claims. `teams.resets` decides whether a link may be e-mailed: when
    not, the answer is the same as when it is (or when the address is nobody's), unless the
    client's address asked too often, which answers 429 with Retry-After."""

    form_class = ResetPasswordForm

    def form_valid(self, form):
        address = throttle.client_address(self.request)
        decision = resets.decide(form.cleaned_data["email"], address)
        if decision.refusal is not None:
            form.add_error(None, decision.refusal.message)
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(decision.refusal.retry_after)
            return response
        if not decision.send:
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {"base_url": settings.MILEPOST_BASE_URL}
        return super().form_valid(form)


def password_pages(view):
    """The password reset and change pages exist only while password sign-in is on."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.MILEPOST_PASSWORD_SIGN_IN:
            raise Http404("Password sign-in is turned off: sign in with Google.")
        return view(request, *args, **kwargs)

    return wrapped
