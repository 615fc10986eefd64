from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Token name",
        help_text="What the token is for (a script, a spreadsheet), to recognise it later.",
    )
