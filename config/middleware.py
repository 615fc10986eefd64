"""Responses for a signed-in person are theirs alone: no shared cache or browser back-button
cache may keep a page or a CSV export after they sign out."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in request.

    It sits after the authentication middleware; whitenoise answers static files before it,
    so they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Checked after the view: signing in makes the response private, and signing out
        # leaves a page that only says so.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # `private` replaces a `public` a view may have set.
            patch_cache_control(response, private=True, no_store=True)
        return response
