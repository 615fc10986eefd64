"""`Server-Timing` on every response, when `MILEPOST_SERVER_TIMING` is on: what the request cost
this process, as the browser's developer tools and `make load` read it.

    Server-Timing: app;dur=12.4, cpu;dur=9.8

`app` is the wall time from this middleware to the response, `cpu` the CPU time this process
spent on it (`time.process_time`: a sync gunicorn worker serves one request at a time, so it
is the request's). Under load the wall time includes waiting for a CPU that other workers
hold; the CPU time does not, which makes it the figure to compare pages by (issue 17). The
database's own CPU is not in it. Off by default: timings tell an observer something about
what a request did. A streamed response (the CSV exports) is timed to its first byte.

It is the first middleware, so that the rest of the stack is timed too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        if not settings.MILEPOST_SERVER_TIMING:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wall, cpu = time.perf_counter(), time.process_time()
        response = self.get_response(request)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        response["Server-Timing"] = f"app;dur={wall * 1000:.1f}, cpu;dur={cpu * 1000:.1f}"
        return response
