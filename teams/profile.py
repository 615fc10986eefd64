from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from api.forms import ApiTokenForm
from api.tokens import live_tokens
from teams.forms import NudgesForm, SlackPreferencesForm
from teams.google import google_sign_in_enabled
from teams.http import MilepostRequest
from teams.models import Membership


@require_http_methods(["GET", "POST"])
def profile(request: MilepostRequest):
    """One's own name, e-mail and team, the opt-out of the reminder e-mails and one's Slack
    preferences (two forms: the Slack one posts `form=slack`)."""
    user = request.user
    posted = request.POST if request.method == "POST" else None
    slack_posted = posted is not None and posted.get("form") == "slack"
    form = NudgesForm(None if slack_posted else posted, instance=user)
    slack_form = SlackPreferencesForm(posted if slack_posted else None, instance=user)
    bound = slack_form if slack_posted else form
    if bound.is_bound and bound.is_valid():
        if not bound.has_changed():
            messages.info(request, "Nothing changed in your profile.")
        elif slack_posted:
            bound.save()
            messages.success(request, _slack_saved(user))
        else:
            bound.save()
            if user.nudges_opt_out:
                messages.success(request, "Milepost will send you no reminder e-mails.")
            else:
                messages.success(request, "Milepost will send you reminder e-mails again.")
        return redirect("profile")
    membership = Membership.objects.filter(user=user, active=True).select_related("team").first()
    context = {
        "form": form,
        "slack_form": slack_form,
        "membership": membership,
        "password_sign_in": settings.MILEPOST_PASSWORD_SIGN_IN,
        "google_linked": google_sign_in_enabled()
        and SocialAccount.objects.filter(user=user).exists(),
        # Personal API tokens (issue 20): made and revoked by `api.token_views`.
        "api_tokens": live_tokens(user),
        "api_token_form": ApiTokenForm(),
    }
    return render(request, "teams/profile.html", context, status=422 if bound.is_bound else 200)


def _slack_saved(user) -> str:
    if not user.slack_member_id:
        return "Your team's Slack nudges will name you (no member ID to mention)."
    if user.slack_mention:
        return "Your team's Slack nudges will mention you."
    return "Your team's Slack nudges will name you without mentioning you."
