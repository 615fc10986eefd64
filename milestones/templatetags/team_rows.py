"""`{% milestone_row_cells row %}`: the cells of a team table's display row after its title
(owner, dates, status, delivery and the actions), written in Python.

Why: the team page's ten rows were most of its rendering (issue 17): each row resolved some
ninety template variables and nine `{% fast_url %}`s and three `{% csrf_token %}`s. Here a row
reads its milestone once and each URL is one string replacement; the markup is the template's,
escaped the same way (`format_html`). The title cell, which varies most, stays in the template.
"""

from __future__ import annotations

from django import template
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from milestones.templatetags.fast_urls import fast_url

register = template.Library()


def _day(value) -> str:
    return format_date(value, "M j") if value else ""


def _csrf_input(token) -> str:
    """What `{% csrf_token %}` writes."""
    if not token or token == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


@register.simple_tag(takes_context=True)
def milestone_row_cells(context, row) -> SafeString:
    milestone = row.milestone
    slug, pk, title = context["team"].slug, milestone.pk, milestone.title
    focus = context.get("focus")
    status = milestone.status
    slipped = row.days_slipped
    parts = [
        format_html("<td>{}</td>", (milestone.owner.name if milestone.owner_id else "") or "—"),
        format_html('<td class="date">{}</td>', _day(milestone.committed_date)),
        format_html('<td class="date">{}', _day(milestone.target_date)),
    ]
    if slipped and milestone.is_open:
        parts.append(
            format_html(
                ' <span class="slip" title="{0} days past the committed date">+{0}d</span>',
                slipped,
            )
        )
    parts.append(
        format_html(
            '</td><td><span class="status-badge status-{}">{}</span></td><td class="date">{}',
            status,
            milestone.get_status_display(),
            _day(milestone.delivered_date) or "—",
        )
    )
    if status == "done" and slipped:
        parts.append(
            format_html(
                ' <span class="slip" title="Delivered {0} days after the committed date">'
                "+{0}d</span>",
                slipped,
            )
        )
    parts.append(
        format_html(
            '</td><td><span class="delivery-badge delivery-{}">{}</span></td>'
            '<td class="actions"><div class="row-actions">',
            row.delivery,
            row.delivery.label,
        )
    )
    if row.editable:
        url = fast_url("milestones:edit", slug, pk)
        parts.append(
            format_html(
                '<a id="m{}-edit" class="button small secondary" href="{}" hx-get="{}" '
                'hx-target="closest tbody" hx-swap="outerHTML"{}>Edit'
                '<span class="visually-hidden"> {}</span></a>',
                pk,
                url,
                url,
                mark_safe(" autofocus") if focus == "edit" else "",
                title,
            )
        )
    if context.get("can_manage"):
        csrf = mark_safe(_csrf_input(context.get("csrf_token")))
        url = fast_url("milestones:row_dependencies", slug, pk)
        move = fast_url("milestones:move", slug, pk)
        parts.append(
            format_html(
                '<a id="m{0}-waits-on" class="button small secondary" '
                'href="{1}#m{0}-dependencies" hx-get="{1}" hx-target="closest tbody" '
                'hx-swap="outerHTML">Dependencies<span class="visually-hidden"> of {2}</span></a>'
                '<form class="inline move" method="post" action="{3}" hx-post="{3}" '
                'hx-target="#milestones" hx-swap="outerHTML">{4}'
                '<button type="submit" id="m{0}-up" class="icon" name="direction" value="up" '
                'aria-label="Move {2} up"{5}>↑</button>'
                '<button type="submit" id="m{0}-down" class="icon" name="direction" '
                'value="down" aria-label="Move {2} down"{6}>↓</button></form>',
                pk,
                url,
                title,
                move,
                csrf,
                mark_safe(' aria-disabled="true"') if row.is_first else "",
                mark_safe(' aria-disabled="true"') if row.is_last else "",
            )
        )
        action, label = ("restore", "Restore") if status == "dropped" else ("drop", "Drop")
        url = fast_url(f"milestones:{action}", slug, pk)
        parts.append(
            format_html(
                '<form class="inline" method="post" action="{0}" hx-post="{0}" '
                'hx-target="closest tbody" hx-swap="outerHTML">{1}'
                '<input type="hidden" name="version" value="{2}">'
                '<button type="submit" id="m{3}-{4}" class="small quiet"{5}>{6}'
                '<span class="visually-hidden"> {7}</span></button></form>',
                url,
                csrf,
                milestone.version,
                pk,
                action,
                mark_safe(" autofocus") if focus == action else "",
                label,
                title,
            )
        )
    parts.append("</div></td>")
    return mark_safe("".join(parts))
