"""`{% page_url 'teams:list' %}`: what `{% url 'teams:list' %}` writes for a URL without
arguments, from one `reverse()` per URL name (and script prefix and URLconf) per process.

Why: every page's top bar links to seven such pages (base.html), each a `reverse()` per
request, the largest part of rendering the page around a trivial view (issue 17). A URL of
no arguments is the same on every request until the script prefix or URLconf changes, which
are part of the cache's key (the URLconf a request set, else ROOT_URLCONF, which tests and
the benchmark override).
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@functools.lru_cache(maxsize=256)
def _reversed(name: str, args: tuple, prefix: str, urlconf: str | None) -> str:
    # `prefix` and `urlconf` are the key: `reverse` reads them from the request's thread and
    # the settings.
    return reverse(name, args=args)


def remembered_reverse(name: str, args: tuple = ()) -> str:
    """`reverse(name, args=args)`, remembered per process for these very arguments (the
    milestone rows' `fast_url` passes stand-ins and fills them in by string)."""
    urlconf = get_urlconf()
    if urlconf is not None and not isinstance(urlconf, str):
        return reverse(name, args=args)  # a URLconf module object set on a request: not cached
    return _reversed(name, args, get_script_prefix(), urlconf or settings.ROOT_URLCONF)


@register.simple_tag
def page_url(name: str) -> str:
    """`reverse(name)`, remembered."""
    return remembered_reverse(name)
