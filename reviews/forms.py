"""The inputs of the review pages: they parse and bound what is typed; the rules are in
`reviews.services`."""

from django import forms

# Generous for a meeting's notes, and a bound on what one request may store.
MAX_NOTE = 4_000
MAX_SUMMARY = 20_000


class StartReviewForm(forms.Form):
    held_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Give the date of the review.", "invalid": "Enter a date."},
    )


class ReviewNoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=MAX_NOTE, widget=forms.Textarea)


class ReviewSummaryForm(forms.Form):
    summary = forms.CharField(required=False, max_length=MAX_SUMMARY, widget=forms.Textarea)
