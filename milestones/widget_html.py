"""Form widgets of the milestone rows written in Python: the same markup as Django's
`django/forms/widgets/input.html` (and the input types that include it), `textarea.html`,
`select.html` and `select_option.html` (whitespace aside), without a template render per
widget; and the rows' error lists, which write nothing without a template when empty.

Why: the team page's add row renders four widgets on every request, the edit row a dozen
widgets and as many (empty) error lists; through the form renderer each was a template with
an included attributes template, about a tenth of the team page's cost and a third of the
edit row's (issue 17). A subclass that sets its own `template_name` keeps the template.
"""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorList
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def attributes_html(attrs: dict) -> str:
    """What `django/forms/widgets/attrs.html` writes: ` name="value"`, a bare ` name` for
    True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


# Django's input templates, each only `input.html` with its type.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "date", "url", "hidden", "checkbox", "number")
)


class _InputHtml:
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        if self.template_name not in _INPUT_TEMPLATES:
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        value_html = "" if shown is None else f' value="{conditional_escape(shown)}"'
        return mark_safe(
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{value_html}'
            f"{attributes_html(widget['attrs'])}>"
        )


class TextInputHtml(_InputHtml, forms.TextInput):
    pass


class UrlInputHtml(_InputHtml, forms.URLInput):
    pass


class DateInputHtml(_InputHtml, forms.DateInput):
    pass


class HiddenInputHtml(_InputHtml, forms.HiddenInput):
    pass


class CheckboxInputHtml(_InputHtml, forms.CheckboxInput):
    pass


class TextareaHtml(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        if self.template_name != "django/forms/widgets/textarea.html":
            return super().render(name, value, attrs, renderer)
        widget = self.get_context(name, value, attrs)["widget"]
        shown = widget["value"]
        return mark_safe(
            f'<textarea name="{conditional_escape(widget["name"])}"'
            f"{attributes_html(widget['attrs'])}>\n"
            f"{conditional_escape(shown) if shown else ''}</textarea>"
        )


class RowErrorList(ErrorList):
    """Django's error list, written without its template when it is empty (most fields of
    most rows, every time the row renders)."""

    def render(self, template_name=None, context=None, renderer=None) -> SafeString:
        if not self.data:
            return mark_safe("")
        return super().render(template_name, context, renderer)

    __str__ = render
    __html__ = render


class SelectHtml(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [
            f'<select name="{conditional_escape(widget["name"])}"'
            f"{attributes_html(widget['attrs'])}>"
        ]
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                parts.append(
                    f'\n  <option value="{conditional_escape(option["value"])}"'
                    f"{attributes_html(option['attrs'])}>{conditional_escape(option['label'])}"
                    "</option>"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))
