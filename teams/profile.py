from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from api.forms import ApiTokenForm
from api.tokens import live_tokens
from teams.forms import NudgesForm
from teams.google import google_sign_in_enabled
from teams.http import MilepostRequest
from teams.models import Membership


@require_http_methods(["GET", "POST"])
def profile(request: MilepostRequest):
    """One's own name, e-mail and team, and the opt-out of the reminder e-mails."""
    user = request.user
    form = NudgesForm(request.POST if request.method == "POST" else None, instance=user)
    if form.is_bound and form.is_valid():
        if form.has_changed():
            form.save()
            if user.nudges_opt_out:
                messages.success(request, "Milepost will send you no reminder e-mails.")
            else:
                messages.success(request, "Milepost will send you reminder e-mails again.")
        else:
            messages.info(request, "Nothing changed in your profile.")
        return redirect("profile")
    membership = Membership.objects.filter(user=user, active=True).select_related("team").first()
    context = {
        "form": form,
        "membership": membership,
        "password_sign_in": settings.MILEPOST_PASSWORD_SIGN_IN,
        "google_linked": google_sign_in_enabled()
        and SocialAccount.objects.filter(user=user).exists(),
        # Personal API tokens (issue 20): made and revoked by `api.token_views`.
        "api_tokens": live_tokens(user),
        "api_token_form": ApiTokenForm(),
    }
    return render(request, "teams/profile.html", context, status=422 if form.is_bound else 200)
