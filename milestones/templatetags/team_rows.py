"""`{% milestone_row_cells row %}`: the cells of a team table's display row (title, owner,
dates, status, delivery and the actions), written in Python.

Why: the team page's ten rows were most of its rendering (issue 17): each row resolved some
ninety template variables and nine `{% fast_url %}`s and three `{% csrf_token %}`s, and its
title cell a dozen more variables and tags. Here a row reads its milestone once and each URL
is one string replacement; the markup is the template's (whitespace aside), escaped the same
way (`format_html` below is Django's, without its wrapper for lazy strings), and a day is
formatted once per language (`milestones.days`).
"""

from __future__ import annotations

import html

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from milestones.days import short_day
from milestones.templatetags.fast_urls import fast_url

register = template.Library()


def _escape(value) -> str:
    """`conditional_escape`: what is marked safe stays as it is, anything else is escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def format_html(template_text: str, *args) -> str:
    """`django.utils.html.format_html` (positional arguments): a tenth of the team page went
    to its escaping machinery, called some forty times a row."""
    return template_text.format(*map(_escape, args))


def _csrf_input(token) -> str:
    """What `{% csrf_token %}` writes."""
    if not token or token == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def _title_cell(row, slug: str, as_of) -> str:
    """The title, its ticket link, where it was carried from or into (not as of a day), why
    it is at risk from a dependency and its notes (the first 140 characters)."""
    milestone = row.milestone
    title = milestone.title
    parts = [
        format_html(
            '<td><a class="milestone-title" href="{}">{}</a>',
            fast_url("milestones:detail", slug, milestone.pk),
            title,
        )
    ]
    if milestone.link:
        parts.append(
            format_html(
                ' <a class="ticket-link" href="{}" rel="noopener noreferrer">Ticket'
                '<span class="visually-hidden"> of {}</span></a>',
                milestone.link,
                title,
            )
        )
    if not as_of:
        if milestone.carried_from_id:
            parts.append(
                format_html(
                    ' <p class="carried">Carried over from <a href="{}">{}</a></p>',
                    fast_url("milestones:detail", slug, milestone.carried_from_id),
                    milestone.carried_from.quarter,
                )
            )
        # The reverse link raises when there is none; the template's `{% if %}` read that as
        # false.
        carried_to = getattr(milestone, "carried_to", None)
        if carried_to:
            parts.append(
                format_html(
                    ' <p class="carried">Carried into <a href="{}">{}</a></p>',
                    fast_url("milestones:detail", slug, carried_to.pk),
                    carried_to.quarter,
                )
            )
    if row.dependency_risks:
        parts.append(
            format_html(
                ' <p class="dependency-risk" data-testid="dependency-risk" title="{0}">'
                '<span class="risk-mark" aria-hidden="true">⚠</span> '
                "<strong>At risk from a dependency:</strong> {0}</p>",
                row.dependency_reason,
            )
        )
    if milestone.notes:
        parts.append(
            format_html(
                ' <p class="row-notes" title="{}">{}</p>',
                milestone.notes,
                Truncator(milestone.notes).chars(140),
            )
        )
    parts.append("</td>")
    return "".join(parts)


@register.simple_tag(takes_context=True)
def milestone_row_cells(context, row) -> SafeString:
    milestone = row.milestone
    slug, pk, title = context["team"].slug, milestone.pk, milestone.title
    focus = context.get("focus")
    status = milestone.status
    slipped = row.days_slipped
    parts = [
        _title_cell(row, slug, context.get("as_of")),
        format_html("<td>{}</td>", (milestone.owner.name if milestone.owner_id else "") or "—"),
        format_html('<td class="date">{}</td>', short_day(milestone.committed_date)),
        format_html('<td class="date">{}', short_day(milestone.target_date)),
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
            short_day(milestone.delivered_date) or "—",
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
