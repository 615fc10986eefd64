"""Faults, quota and the request log: what tests and benchmarks use to make the emulator fail
as Google fails (429 RESOURCE_EXHAUSTED with ``Retry-After``, 5xx, a slow or hung server) and to
count the requests the sync makes."""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sheets_emulator.errors import DEFAULT_MESSAGES, ApiError
from sheets_emulator.store import is_count


@dataclass
class Fault:
    """The next ``remaining`` API requests wait ``delay`` seconds, then answer ``status`` (or,
    with no status, go on to be answered normally: a slow server)."""

    status: int | None
    remaining: int
    retry_after: int | None = None
    delay: float = 0.0
    message: str | None = None

    def error(self) -> ApiError:
        assert self.status is not None
        headers = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
        message = self.message or DEFAULT_MESSAGES.get(self.status, "Injected fault.")
        return ApiError(self.status, message, headers=headers)

    @classmethod
    def injected(
        cls,
        status: int | None,
        *,
        count: Any,
        retry_after: Any,
        delay: Any,
        message: str | None,
    ) -> Fault:
        """The fault ``SheetsEmulator.inject_faults`` asks for; ValueError says what is wrong
        with it (the values may come from a JSON body)."""
        if status is not None and not (is_count(status, minimum=400) and status <= 599):
            raise ValueError(f"status must be an HTTP error status (400-599), not {status!r}.")
        if not is_count(count, minimum=1):
            raise ValueError(f"count must be at least 1, not {count!r}.")
        if retry_after is not None and not is_count(retry_after, minimum=0):
            raise ValueError(f"retry_after must be whole seconds, not {retry_after!r}.")
        if not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0:
            raise ValueError(f"delay must be a number of seconds, not {delay!r}.")
        if status is None and not delay:
            raise ValueError("A fault needs a status, a delay, or both.")
        return cls(status, count, retry_after, float(delay), message)


class FaultQueue:
    """Faults waiting for the next API requests: they queue up behind each other."""

    def __init__(self) -> None:
        self._faults: deque[Fault] = deque()

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def take(self) -> Fault | None:
        """The fault the next request meets, if any; it counts as one of its ``remaining``."""
        if not self._faults:
            return None
        fault = self._faults[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            self._faults.popleft()
        return fault

    def pending(self) -> int:
        """How many requests the queued faults will still meet."""
        return sum(fault.remaining for fault in self._faults)

    def clear(self) -> None:
        self._faults.clear()


class MinuteQuota:
    """At most ``limit`` API requests in any 60 seconds; None: no limit."""

    WINDOW = 60.0

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self.limit: int | None = None
        self._admitted: deque[float] = deque()

    def set(self, limit: int | None) -> None:
        if limit is not None and not is_count(limit, minimum=0):
            raise ValueError(f"per_minute must be a whole number, not {limit!r}.")
        self.limit = limit
        self._admitted.clear()

    def admit(self) -> bool:
        if self.limit is None:
            return True
        now = self._clock()
        while self._admitted and now - self._admitted[0] >= self.WINDOW:
            self._admitted.popleft()
        if len(self._admitted) >= self.limit:
            return False
        self._admitted.append(now)
        return True


def quota_exceeded() -> ApiError:
    return ApiError(429, DEFAULT_MESSAGES[429])


class RequestLog:
    """Every API request answered (control routes aside), for tests and benchmarks."""

    def __init__(self, keep: int = 10_000):
        self._entries: deque[dict[str, Any]] = deque(maxlen=keep)
        self._by_kind: Counter[str] = Counter()
        self._by_status: Counter[int] = Counter()
        self._total = 0

    def reset(self) -> None:
        self._entries.clear()
        self._by_kind.clear()
        self._by_status.clear()
        self._total = 0

    def record(self, *, kind: str, method: str, path: str, status: int) -> None:
        self._total += 1
        self._by_kind[kind] += 1
        self._by_status[status] += 1
        self._entries.append(
            {"kind": kind, "method": method, "path": path, "status": status, "at": time.time()}
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "total": self._total,
            "by_kind": dict(self._by_kind),
            "by_status": {str(status): count for status, count in sorted(self._by_status.items())},
            "requests": list(self._entries),
        }
