"""The dashboard's cache: a live report is built once per change, whatever serves the request.

Keys carry the change counters of `milestones.changes` (read in one query per request), which
every write bumps in its own transaction: a report cached before a change has another key
than any report asked for after it, on every server, so nothing is ever invalidated and
nothing stale is ever served. Old keys simply age out.

Two levels:
- The last few reports this process used, as Python objects: the local-memory level, always.
  (Django's own local-memory backend pickles every value on each set and get: half a second
  for a 1,000-team report, more than the page's whole budget, to copy what this dict holds.)
- Django's cache framework (`CACHES["default"]`), when it is shared: with `MILEPOST_CACHE_URL`
  every server's workers share one Redis, so that a report one worker built serves all of
  them (one unpickle per worker and change, then the first level again).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from milestones.changes import Counters

T = TypeVar("T")

# Reports of how many (quarter, day, change) keys this process keeps unpickled: a few
# quarters' worth, each at most a few MB at 1,000 teams.
PROCESS_ENTRIES = 8

_process: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()


def key(kind: str, today, counters: Counters, quarter_ids: Iterable[int]) -> str:
    """The key of a `kind` of report on `today` over these quarters as their counters stand.

    The database's name keeps two databases (the tests', a restored copy) sharing a cache
    apart; the counters' tokens keep a restored database apart from its future.
    """
    parts = [
        f"{pk}.{counters.get(pk, (0, ''))[0]}.{counters.get(pk, (0, ''))[1]}"
        for pk in sorted(set(quarter_ids))
    ]
    database = connection.settings_dict.get("NAME", "")
    return f"milepost:{kind}:{database}:{today.isoformat()}:{','.join(parts)}"


def peek(cache_key: str) -> Any:
    """The value of `cache_key` from this process or the shared cache, else None."""
    with _lock:
        if cache_key in _process:
            _process.move_to_end(cache_key)
            return _process[cache_key]
    value = cache.get(cache_key) if settings.MILEPOST_CACHE_URL else None
    if value is not None:
        _remember(cache_key, value)
    return value


def keep(cache_key: str, value: Any) -> None:
    """Keep `value` under `cache_key`, in this process and the shared cache."""
    if settings.MILEPOST_CACHE_URL:
        cache.set(cache_key, value, timeout=settings.MILEPOST_REPORT_CACHE_SECONDS)
    _remember(cache_key, value)


def cached(cache_key: str, build: Callable[[], T]) -> T:
    """The value of `cache_key`: from this process, else the shared cache, else built (and
    kept in both)."""
    value = peek(cache_key)
    if value is None:
        value = build()
        keep(cache_key, value)
    return value


def _remember(cache_key: str, value: Any) -> None:
    with _lock:
        _process[cache_key] = value
        _process.move_to_end(cache_key)
        while len(_process) > PROCESS_ENTRIES:
            _process.popitem(last=False)


def clear_process_cache() -> None:
    """Forget the reports this process holds (the tests, between databases)."""
    with _lock:
        _process.clear()
