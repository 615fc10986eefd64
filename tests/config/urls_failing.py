"""URLs whose views fail, for the error-page tests."""

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.urls import path

from config.urls import handler500, urlpatterns


@login_not_required
def database_down(request):
    raise OperationalError("could not connect to server: Connection refused")


@login_not_required
def bug(request):
    raise ZeroDivisionError


urlpatterns = [*urlpatterns, path("down/", database_down), path("bug/", bug)]

__all__ = ["handler500", "urlpatterns"]
