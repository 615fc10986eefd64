"""Forms read and re-show what people type in the milestone table.

They only parse: the rules live in the model's `clean()`, in `milestones.services` and in
`milestones.permissions`. A form is built with the fields the user may change, so what it
renders is what the server accepts; anything else posted is reported by
`MilestoneForm.changes_outside()` for the view to refuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import fields_for_model, model_to_dict

from milestones.closing import CARRY, DROP, Decision, decision_key
from milestones.models import CloseDecision, Milestone, Restatement, SlipExplanation, SlipReason
from milestones.ticket_links import TicketKeyWithoutTemplate, expand_ticket_key
from milestones.widget_html import (
    CheckboxInputHtml,
    DateInputHtml,
    HiddenInputHtml,
    RowErrorList,
    SelectHtml,
    TextareaHtml,
    TextInputHtml,
    UrlInputHtml,
)
from teams.models import Team, User


class DateInput(DateInputHtml):
    """The browser's own date picker; the value travels as ISO 8601 whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


WIDGETS = {
    "title": TextInputHtml(attrs={"autocomplete": "off"}),
    "owner": SelectHtml(),
    "link": UrlInputHtml(attrs={"autocomplete": "off", "placeholder": "https://"}),
    "description": TextareaHtml(attrs={"rows": 2}),
    "notes": TextareaHtml(attrs={"rows": 2}),
    "status": SelectHtml(),
    "excused": CheckboxInputHtml(),
    "committed_date": DateInput(),
    "target_date": DateInput(),
    "delivered_date": DateInput(),
}
LABELS = {"delivered_date": "Delivered date", "excused": "Excused drop"}
# Fields of the edit row that are not the milestone's: its version, a slip's reason, the
# reason of a restatement and the confirmation of a target date in the past.
NOT_MILESTONE_FIELDS = frozenset(
    {"version", "slip_reason", "slip_note", "restatement_reason", "confirm_past_target"}
)


class OwnerField(forms.ModelChoiceField):
    """The owner's select of an edit row: `current`, the owner the milestone has (one of the
    options by construction, `team_members(including=...)`), is taken as posted without a
    query. Why: most saves leave the owner as it is, and looking it up again was a query of
    every save (issue 17)."""

    current: User | None = None

    def to_python(self, value):
        current = self.current
        if current is not None and value not in self.empty_values and str(value) == str(current.pk):
            return current
        return super().to_python(value)


class TicketLinkField(forms.URLField):
    """The ticket link: a web address, or the tracker's key ("PLAT-123") made one by the
    organisation's template, as the sheet's link column reads it (`ticket_links`)."""

    def to_python(self, value):
        if isinstance(value, str):
            try:
                value = expand_ticket_key(value.strip())
            except TicketKeyWithoutTemplate as refused:
                raise ValidationError(str(refused), code="ticket_key") from None
        return super().to_python(value)


def _milestone_formfield(db_field, **kwargs):
    # A ticket link typed without its scheme ("jira.example.com/X-1") is an https address.
    if db_field.name == "link":
        kwargs["assume_scheme"] = "https"
        kwargs["form_class"] = TicketLinkField
    if db_field.name == "owner":
        kwargs["form_class"] = OwnerField
    return db_field.formfield(**kwargs)


def team_members(team: Team, *, including: int | None = None):
    """The people a milestone of this team may be assigned to (and its current owner)."""
    members = Q(memberships__team=team, memberships__active=True)
    # Only what an option shows (`User.name`): the other columns were most of the query.
    return (
        User.objects.filter(members | Q(pk=including) if including else members)
        .distinct()
        .only(*User.NAME_COLUMNS)
    )


def value_changed(current: Any, new: Any) -> bool:
    if isinstance(current, User) or isinstance(new, User):
        return getattr(current, "pk", None) != getattr(new, "pk", None)
    return current != new


class RowFormMixin:
    """Inputs of a table row live in cells of their own and reach their <form> through the
    `form` attribute; each is labelled for assistive technology by its column.

    Its widgets and error lists are `milestones.widget_html`'s, written in Python (speed).

    A row with a target date offers to confirm one in the past (`add_past_target_confirmation`)
    once the service has refused it (`services.PAST_TARGET`, code "past_target")."""

    html_id: str

    def add_past_target_confirmation(self) -> None:
        """The checkbox that confirms a target date in the past; the row shows it once the
        service has asked (`asks_to_confirm_past_target`)."""
        self.fields["confirm_past_target"] = forms.BooleanField(
            required=False,
            label="Yes, the target date is in the past",
            widget=CheckboxInputHtml,
        )

    @property
    def past_target_confirmed(self) -> bool:
        return bool(self.cleaned_data.get("confirm_past_target"))

    @property
    def asks_to_confirm_past_target(self) -> bool:
        """Whether the row shows the confirmation: asked for, or already ticked."""
        if not self.is_bound or "confirm_past_target" not in self.fields:
            return False
        return self.has_error("target_date", code="past_target") or bool(
            self.data.get("confirm_past_target")
        )

    def _label_inputs(self, labels: dict[str, str] | None = None) -> None:
        for name, field in self.fields.items():
            # The model's help texts are for the admin; a row has no room for them.
            field.help_text = ""
            field.widget.attrs["form"] = self.html_id
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = (labels or {}).get(name, str(field.label))

    def set_focus(self) -> None:
        """Autofocus the first field with an error, else the first field one can type in."""
        visible = [name for name, field in self.fields.items() if not field.widget.is_hidden]
        errored = [name for name in visible if name in self.errors] if self.is_bound else []
        for name in errored[:1] or visible[:1]:
            self.fields[name].widget.attrs["autofocus"] = True

    def add_model_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError beside the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            if name in self.fields:
                self.add_error(name, errors)
            else:
                label = "" if name == "__all__" else f"{_label(name)}: "
                self.add_error(None, [f"{label}{message}" for e in errors for message in e])


class MilestoneForm(RowFormMixin, forms.Form):
    """The edit row of one milestone, with the fields `fields` (what the user may change).

    `version` is the version the edit started from, for optimistic concurrency.
    """

    version = forms.IntegerField(min_value=1, widget=HiddenInputHtml)

    def __init__(
        self,
        data=None,
        *,
        milestone: Milestone,
        fields: Iterable[str],
        may_drop: bool,
    ):
        self.milestone = milestone
        allowed = set(fields)
        # Leadership's excuse only means something on a dropped milestone.
        if milestone.status != Milestone.Status.DROPPED:
            allowed.discard("excused")
        names = [name for name in Milestone.EDITABLE_FIELDS if name in allowed]
        super().__init__(
            data,
            initial={**model_to_dict(milestone, fields=names), "version": milestone.version},
            auto_id=f"m{milestone.pk}-%s",
            error_class=RowErrorList,
        )
        self.html_id = f"m{milestone.pk}-form"
        self.fields.update(
            fields_for_model(
                Milestone,
                fields=names,
                widgets=WIDGETS,
                labels=LABELS,
                formfield_callback=_milestone_formfield,
            )
        )
        if "owner" in self.fields:
            owner = self.fields["owner"]
            owner.queryset = team_members(milestone.team, including=milestone.owner_id)
            owner.empty_label = "No owner"
            owner.current = milestone.owner
        if "status" in self.fields and not may_drop:
            # Offered choices only: a posted "dropped" still parses, so the view can answer
            # 403 (what this user may not do) rather than 422 (what nobody can type).
            self.fields["status"].widget.choices = [
                choice
                for choice in Milestone.Status.choices
                if choice[0] != Milestone.Status.DROPPED or milestone.status == choice[0]
            ]
        if "target_date" in self.fields:
            # Why the target moves later (the commitment ledger): always in the row, needed
            # only when the date moves later, so the row works the same without JavaScript.
            self.fields["slip_reason"] = forms.ModelChoiceField(
                queryset=SlipReason.objects.filter(active=True),
                required=False,
                empty_label="Pick a reason",
                label="Reason the target moves later",
                widget=SelectHtml,
            )
            self.fields["slip_note"] = forms.CharField(
                max_length=SlipExplanation._meta.get_field("note").max_length,
                required=False,
                label="Note on the move",
                widget=TextInputHtml,
            )
            self.add_past_target_confirmation()
        if milestone.quarter.is_closed:
            # The quarter is on record: every change to it is a restatement, with a reason.
            self.fields["restatement_reason"] = forms.CharField(
                max_length=Restatement._meta.get_field("reason").max_length,
                required=False,
                label="Why the closed quarter's record changes",
                widget=TextInputHtml,
            )
        self._label_inputs()
        if "slip_reason" in self.fields:
            self.fields[
                "slip_reason"
            ].help_text = (
                "Needed when the target date moves later; it goes in the milestone's ledger."
            )
            self.fields["slip_note"].widget.attrs["placeholder"] = "Note (optional)"

    @property
    def slip_reason(self) -> SlipReason | None:
        """The reason picked for moving the target later (the service asks for one then)."""
        return self.cleaned_data.get("slip_reason")

    @property
    def slip_note(self) -> str:
        return self.cleaned_data.get("slip_note", "")

    @property
    def restatement_reason(self) -> str:
        return self.cleaned_data.get("restatement_reason", "")

    def changes(self) -> dict[str, Any]:
        """The cleaned values that differ from the milestone as loaded."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in NOT_MILESTONE_FIELDS
            and value_changed(getattr(self.milestone, name), value)
        }

    def changes_outside(self) -> set[str]:
        """Milestone fields posted that this form does not offer, with a value that would
        change the milestone: changes this user may not make."""
        attempted = set()
        for name in Milestone.EDITABLE_FIELDS:
            if name in self.fields or name not in self.data:
                continue
            raw = self.data.get(name)
            if name == "owner":
                changed = (raw or "") != str(self.milestone.owner_id or "")
            else:
                try:
                    value = _milestone_formfield(Milestone._meta.get_field(name)).clean(raw)
                except ValidationError:
                    changed = True
                else:
                    changed = value_changed(getattr(self.milestone, name), value)
            if changed:
                attempted.add(name)
        return attempted


class NewMilestoneForm(RowFormMixin, forms.Form):
    """The add row at the foot of a team's table."""

    NAMES = ("title", "owner", "committed_date", "target_date")

    def __init__(self, data=None, *, team: Team, owners: list[User] | None = None):
        """`owners`: the team's members in the order of their names, when the caller has
        them (`selectors.members_by_name`); else the owner's options are read by a query."""
        super().__init__(data, auto_id="new-%s", error_class=RowErrorList)
        self.html_id = "add-milestone-form"
        self.fields.update(fields_for_model(Milestone, fields=self.NAMES, widgets=WIDGETS))
        owner = self.fields["owner"]
        owner.queryset = team_members(team)
        owner.empty_label = "No owner"
        if owners is not None:
            # The options the queryset would give, from the members the team page read
            # already: one query less on every team page (issue 17). A posted owner is still
            # checked against the queryset.
            owner.widget.choices = [
                ("", owner.empty_label),
                *((owner.prepare_value(user), owner.label_from_instance(user)) for user in owners),
            ]
        self.fields["target_date"].required = False
        self.add_past_target_confirmation()
        self.fields["title"].widget.attrs["placeholder"] = "New milestone…"
        self._label_inputs(
            {
                "title": "Title of the new milestone",
                "owner": "Owner of the new milestone",
                "committed_date": "Committed date of the new milestone",
                "target_date": "Target date of the new milestone",
            }
        )
        self.fields["target_date"].help_text = "Empty: same as committed"

    def milestone_values(self) -> dict[str, Any]:
        """The new milestone's fields, as `services.create_milestone` takes them."""
        return {name: self.cleaned_data[name] for name in self.NAMES}


class SlipReasonForm(forms.Form):
    """The reason of one slip, given on the milestone page (after the move, or to change it).

    `current` is the reason it has now, offered even when leadership has since retired it.
    """

    reason = forms.ModelChoiceField(
        queryset=SlipReason.objects.none(),
        empty_label="Pick a reason",
        error_messages={"required": "Pick a reason."},
    )
    note = forms.CharField(
        max_length=SlipExplanation._meta.get_field("note").max_length, required=False
    )

    def __init__(self, data=None, *, current: int | None = None):
        super().__init__(data)
        active = Q(active=True)
        self.fields["reason"].queryset = SlipReason.objects.filter(
            active | Q(pk=current) if current else active
        )


class CloseQuarterForm(forms.Form):
    """The close page: for each open milestone carry it over (with its committed date in the
    next quarter) or drop it, with a reason; then the next quarter's goal.

    It only parses; `closing.close_quarter` checks that each decision is complete and raises
    its errors keyed by the fields below (`decision_key`), which `add_service_errors` shows
    beside them.
    """

    next_goal = forms.IntegerField(min_value=0, max_value=32767, label="Goal of the next quarter")

    def __init__(self, data=None, *, milestones: list[Milestone], next_goal: int, carry_on=None):
        super().__init__(data, initial={"next_goal": next_goal})
        self.milestones = milestones
        reason_length = CloseDecision._meta.get_field("reason").max_length
        for milestone in milestones:
            pk = milestone.pk
            self.fields[decision_key(pk, "action")] = forms.ChoiceField(
                choices=CloseDecision.Action.choices,
                required=False,
                widget=forms.RadioSelect,
                label=f"Carry over or drop “{milestone.title}”",
            )
            self.fields[decision_key(pk, "committed_date")] = forms.DateField(
                required=False,
                widget=DateInput(),
                label="Committed date in the next quarter",
                initial=carry_on(milestone) if carry_on else None,
            )
            self.fields[decision_key(pk, "reason")] = forms.CharField(
                required=False, max_length=reason_length, label="Reason"
            )

    def rows(self) -> list[tuple[Milestone, Any, Any, Any]]:
        """(milestone, action field, committed date field, reason field) for the template."""
        return [
            (
                m,
                self[decision_key(m.pk, "action")],
                self[decision_key(m.pk, "committed_date")],
                self[decision_key(m.pk, "reason")],
            )
            for m in self.milestones
        ]

    def decisions(self) -> list[Decision]:
        """The decisions made on the page; a milestone with none is left for the service to
        report."""
        found = []
        for milestone in self.milestones:
            action = self.cleaned_data.get(decision_key(milestone.pk, "action"))
            if action not in (CARRY, DROP):
                continue
            found.append(
                Decision(
                    milestone_id=milestone.pk,
                    action=action,
                    reason=self.cleaned_data.get(decision_key(milestone.pk, "reason")) or "",
                    committed_date=self.cleaned_data.get(
                        decision_key(milestone.pk, "committed_date")
                    ),
                )
            )
        return found

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


def _label(name: str) -> str:
    return str(LABELS.get(name) or Milestone._meta.get_field(name).verbose_name).capitalize()
