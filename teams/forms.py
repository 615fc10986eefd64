"""The inputs of signing in, of a person's own profile page and of leadership's People pages."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model

from teams.models import Membership, Squad, Team, User


class NudgesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["nudges_opt_out"]
        labels = {"nudges_opt_out": "Send me no reminder e-mails"}
        help_texts = {
            "nudges_opt_out": "No reminders about your team's review or stale milestones, and "
            "no weekly digest."
        }


class SlackPreferencesForm(forms.ModelForm):
    """One's Slack member ID, and whether the team's Slack nudges @-mention one."""

    class Meta:
        model = User
        fields = ["slack_member_id", "slack_mention"]
        labels = {
            "slack_member_id": "Slack member ID",
            "slack_mention": "Mention me in my team's Slack nudges",
        }
        help_texts = {
            "slack_member_id": "Optional. To find it, open your profile in Slack, click ⋮ (More) "
            "and choose “Copy member ID”; it looks like U0123ABCDE.",
            "slack_mention": "When you have a member ID, your team's nudge in its Slack channel "
            "@-mentions you, so Slack notifies you; otherwise it only names you.",
        }
        widgets = {
            "slack_member_id": forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "U0123ABCDE"}
            )
        }


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying so when the throttle asks for a pause."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            refusal = getattr(self.request, "sign_in_refusal", None)
            if refusal is not None:
                raise ValidationError(refusal.message, code="throttled") from None
            raise

    @property
    def refusal(self):
        return getattr(self.request, "sign_in_refusal", None)


class ResetPasswordForm(PasswordResetForm):
    """Django's reset form, also for people who have no password yet.

    The roster import and leadership's People page make people without a password; asking
    for a reset link is how they set their first one. Inactive people (leavers) get nothing.
    """

    def get_users(self, email):
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email.casefold() == email.casefold()
        )


# --- Leadership's People pages: they parse; `teams.services` validates and writes ----------


def show_model_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (the rest above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class PersonForm(forms.Form):
    """A person's own fields; on the Add page also the team they join and their role."""

    def __init__(self, data=None, *, initial=None, adding: bool = False, prefix=None):
        super().__init__(data, initial=initial, prefix=prefix)
        self.fields.update(
            fields_for_model(User, fields=["username", "display_name", "email", "is_leadership"])
        )
        self.fields["display_name"].label = "Name"
        self.fields["display_name"].required = True
        self.fields["email"].required = True
        self.fields["email"].help_text = (
            "Their work address: password-reset links go there, and signing in with Google "
            "finds them by it."
        )
        if adding:
            self.fields["team"] = forms.ModelChoiceField(
                queryset=Team.objects.filter(active=True).select_related("squad"),
                required=False,
                empty_label="No team (leadership, or a squad role)",
            )
            self.fields["role"] = forms.ChoiceField(
                choices=Membership.Role.choices, initial=Membership.Role.ENGINEER
            )


class MoveForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.filter(active=True), empty_label=None)
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.ENGINEER)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100)
    squad = forms.ModelChoiceField(queryset=Squad.objects.all(), empty_label=None)
    active = forms.BooleanField(required=False, initial=True)


class SquadForm(forms.Form):
    name = forms.CharField(max_length=100)


class SlipReasonEditForm(forms.Form):
    name = forms.CharField(max_length=80)
    position = forms.IntegerField(min_value=0, max_value=32767, initial=0)
    active = forms.BooleanField(required=False, initial=True)


class ClearThrottleForm(forms.Form):
    kind = forms.ChoiceField(choices=[("account", "account"), ("address", "address")])
    key = forms.CharField(max_length=150)
