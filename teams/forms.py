"""The inputs of a person's own profile page."""

from django import forms

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
