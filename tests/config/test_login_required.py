"""Every page but sign-in requires a signed-in user: walk the URL resolver so a new page is
covered the day it is added."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages anyone may open, by URL name.
PUBLIC = {
    "login",
    "healthz",
    # A forgotten password is reset without signing in: the e-mailed token is the permission.
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # Sign in with Google: the button's POST and Google's answer.
    "openid_connect_login",
    "openid_connect_callback",
}
# The API (issue 20) is for programs: it answers 401 itself, never a redirect to a form.
API = {"api_schema"}
API_NAMESPACE = "api-v1:"
SAMPLE_KWARGS = {"slug": "platform", "pk": "1", "quarter": "2026-q4", "path": "x"}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns == "admin":
                continue  # the admin has its own sign-in, tested by Django
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


def concrete(route: str) -> str:
    def fill(match):
        return SAMPLE_KWARGS.get(match.group("name"), "1")

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, route)
    return "/" + path.lstrip("^").rstrip("$")


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


def test_the_walk_finds_the_pages():
    names = {name for name, _ in ROUTES}
    assert {"home", "teams:list", "milestones:team", "dashboard:index"} <= names


def is_api(name: str) -> bool:
    return name in API or name.startswith(API_NAMESPACE)


@pytest.mark.parametrize(
    ("name", "route"), [r for r in ROUTES if r[0] not in PUBLIC and not is_api(r[0])]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_user_is_sent_to_sign_in(client, db, name, route, method):
    response = getattr(client, method)(concrete(route))
    assert response.status_code == 302, f"{name} ({route}) answered {response.status_code}"
    assert response["Location"].startswith("/accounts/login/?next=")


def test_sign_in_page_is_open(client, db):
    assert client.get("/accounts/login/").status_code == 200


@pytest.mark.parametrize(
    ("name", "route"), [r for r in ROUTES if is_api(r[0]) and r[0] != "api-v1:api-root"]
)
def test_anonymous_api_request_gets_401(client, db, name, route):
    response = client.get(concrete(route))
    assert response.status_code == 401, f"{name} ({route}) answered {response.status_code}"
