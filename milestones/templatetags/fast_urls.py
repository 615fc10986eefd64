"""`{% fast_url 'milestones:edit' team.slug milestone.pk %}`: what `{% url %}` writes for a URL
of a slug and an id, from one `reverse()` per URL name (and script prefix) per process.

Why: a team's table links each row to its page, its edit row, its move, drop and restore
forms, seven `reverse()`s a row; they were a quarter of the team page's rendering. The
pattern is reversed once with stand-ins (`report_rows.UrlMaker`'s) and filled in by string.
"""

from __future__ import annotations

import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

from milestones.report_rows import PK_STAND_IN, SLUG_STAND_IN

register = template.Library()


@functools.lru_cache(maxsize=64)
def _pattern(name: str, prefix: str, urlconf: str | None) -> str:
    # `prefix` and `urlconf` are the key: `reverse` reads them from the request's thread.
    return reverse(name, args=[SLUG_STAND_IN, PK_STAND_IN])


@register.simple_tag
def fast_url(name: str, slug: str, pk: int) -> str:
    """`reverse(name, args=[slug, pk])` by string (a slug and an id need no quoting)."""
    urlconf = get_urlconf()
    pattern = _pattern(name, get_script_prefix(), urlconf if isinstance(urlconf, str) else None)
    return pattern.replace(SLUG_STAND_IN, str(slug)).replace(str(PK_STAND_IN), str(int(pk)))
