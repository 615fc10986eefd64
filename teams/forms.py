"""The inputs of signing in and of a person's own profile page."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError

from teams.models import User


class NudgesForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["nudges_opt_out"]
        labels = {"nudges_opt_out": "Send me no reminder e-mails"}
        help_texts = {
            "nudges_opt_out": "No reminders about your team's review or stale milestones, and "
            "no weekly digest."
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
