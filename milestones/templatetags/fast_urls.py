"""`{% fast_url 'milestones:edit' team.slug milestone.pk %}`: what `{% url %}` writes for a URL
of a slug and an id, from one `reverse()` per URL name (and script prefix) per process.

Why: a team's table links each row to its page, its edit row, its move, drop and restore
forms, seven `reverse()`s a row; they were a quarter of the team page's rendering. The
pattern is reversed once with stand-ins (`report_rows.UrlMaker`'s; `page_urls.remembered_reverse`
remembers it) and filled in by string.
"""

from __future__ import annotations

from django import template

from milestones.report_rows import PK_STAND_IN, SLUG_STAND_IN
from teams.templatetags.page_urls import remembered_reverse

register = template.Library()


@register.simple_tag
def fast_url(name: str, slug: str, pk: int) -> str:
    """`reverse(name, args=[slug, pk])` by string (a slug and an id need no quoting)."""
    pattern = remembered_reverse(name, (SLUG_STAND_IN, PK_STAND_IN))
    return pattern.replace(SLUG_STAND_IN, str(slug)).replace(str(PK_STAND_IN), str(int(pk)))
