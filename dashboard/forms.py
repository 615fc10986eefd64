from django import forms

from dashboard.quarter_changes import SETTINGS_FIELDS
from milestones.models import Quarter, Restatement

# A grace longer than a quarter would make "close to the committed date" meaningless.
MAX_GRACE_DAYS = 92


class QuarterSettingsForm(forms.ModelForm):
    """The rules leadership sets for one quarter (SPEC section 2)."""

    grace_days = forms.IntegerField(
        label="Grace (days)",
        min_value=0,
        max_value=MAX_GRACE_DAYS,
        help_text=Quarter._meta.get_field("grace_days").help_text,
    )

    class Meta:
        model = Quarter
        fields = list(SETTINGS_FIELDS)
        labels = {"goal": "On-time goal (teams)", "locked": "Locked"}
        widgets = {"planning_opens": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "locked": "Locking freezes committed dates: from then on only leadership moves them.",
        }

    def __init__(self, *args, active_teams: int, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields[
            "goal"
        ].help_text = f"How many teams leadership wants on time; {active_teams} teams are active."
        if self.instance.is_closed:
            # After close a change is a restatement (`closing.save_quarter_settings`).
            self.fields["reason"] = forms.CharField(
                label="Reason for the restatement",
                max_length=Restatement._meta.get_field("reason").max_length,
                help_text=f"{self.instance} is closed: its recorded figure stays, and this "
                "change is listed with its reason beside it.",
            )

    @property
    def changed_settings(self) -> list[str]:
        """The settings the form changes (the reason is none)."""
        return [name for name in self.changed_data if name != "reason"]
