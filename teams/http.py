from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from teams.models import User


class MilepostRequest(HttpRequest):
    """The request as Milepost's views see it (typed once, for editors and type checkers)."""

    user: User
    htmx: HtmxDetails
