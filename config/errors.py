"""Error pages that never need the database: a server error page, and a 503 when the database
is unreachable (a restart or fail-over of PostgreSQL, say).

Django calls `server_error` (config.urls.handler500) while the exception is being handled, so
it can tell a database outage from a bug. Neither page reads the session or the user: either
could be what failed. Every write in Milepost is one transaction, so a request that meets the
outage has changed nothing: the page says so.
"""

import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER_SECONDS = 30


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    _, error, _ = sys.exc_info()
    if isinstance(error, DatabaseError):
        body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        return HttpResponse(body, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    return HttpResponseServerError(loader.get_template("500.html").render({}))
