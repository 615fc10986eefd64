"""CSRF the django-htmx way (the token in hx-headers on <body>), and no change over GET."""

import json
import re

import pytest
from django.test import Client

from milestones.models import Milestone
from tests.milestones.helpers import HTMX, engineer_data, url


def csrf_from_body(html: str) -> str:
    headers = re.search(r"<body hx-headers='([^']+)'>", html).group(1)
    return json.loads(headers)["x-csrftoken"]


@pytest.fixture
def strict_client(engineer) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(engineer)
    return client


def test_an_htmx_post_carries_the_token_from_the_body_and_is_accepted(strict_client, milestone):
    token = csrf_from_body(strict_client.get("/teams/platform/").content.decode())
    response = strict_client.post(
        url("edit", milestone),
        engineer_data(milestone, notes="with the token"),
        HTTP_X_CSRFTOKEN=token,
        **HTMX,
    )
    assert response.status_code == 200
    assert Milestone.objects.get(pk=milestone.pk).notes == "with the token"


def test_a_post_without_the_token_is_refused(strict_client, milestone):
    strict_client.get("/teams/platform/")
    response = strict_client.post(
        url("edit", milestone), engineer_data(milestone, notes="forged"), **HTMX
    )
    assert response.status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).notes == ""


def test_every_plain_form_of_the_table_carries_the_token(client, lead, milestone):
    client.force_login(lead)
    html = client.get("/teams/platform/").content.decode()
    forms = re.findall(r'<form[^>]*method="post".*?</form>', html, flags=re.S)
    assert len(forms) >= 3  # move, drop, add (and sign-out)
    for form in forms:
        assert 'name="csrfmiddlewaretoken"' in form


@pytest.mark.parametrize("action", ["move", "drop", "restore"])
def test_actions_refuse_get(client, lead, milestone, action):
    client.force_login(lead)
    response = client.get(url(action, milestone), {"direction": "up", "version": 1})
    assert response.status_code == 405
    assert Milestone.objects.get(pk=milestone.pk).version == 1
