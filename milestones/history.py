"""Where a change came from, recorded on every historical row (SPEC section 2).

A context variable carries the source: the web middleware sets "web" (or "admin" under the
admin), the sheet sync wraps its writes in `history_source(Source.SYNC)`, and anything else
(management commands, shells) records "command".
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class Source(models.TextChoices):
    WEB = "web", "web"
    ADMIN = "admin", "admin"
    SYNC = "sync", "sheet sync"
    COMMAND = "command", "command"


_current: ContextVar[str] = ContextVar("milepost_history_source", default=Source.COMMAND)


def current_source() -> str:
    return _current.get()


@contextmanager
def history_source(source: str) -> Iterator[None]:
    token = _current.set(source)
    try:
        yield
    finally:
        _current.reset(token)


class HistorySourceModel(models.Model):
    """Abstract base of every historical model: adds the source of the change."""

    source = models.CharField(max_length=10, choices=Source.choices, default=Source.COMMAND)

    class Meta:
        abstract = True


def set_history_source(sender, history_instance, **kwargs) -> None:
    """simple-history's pre_create_historical_record receiver."""
    history_instance.source = current_source()


class HistorySourceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._admin_prefix is None:
            self._admin_prefix = reverse("admin:index")
        source = Source.ADMIN if request.path.startswith(self._admin_prefix) else Source.WEB
        with history_source(source):
            return self.get_response(request)
