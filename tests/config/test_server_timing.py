"""`Server-Timing` (config/timing.py): on when MILEPOST_SERVER_TIMING says so, absent otherwise."""

import re

from django.test import Client, override_settings
from django.urls import reverse

TIMING = re.compile(r"^app;dur=(\d+\.\d), cpu;dur=(\d+\.\d)$")


def test_every_response_says_what_it_cost_when_asked(db, lead):
    with override_settings(MILEPOST_SERVER_TIMING=True):
        client = Client()  # the middleware is read when a client's first request is served
        anonymous = client.get(reverse("login"))
        client.force_login(lead)
        signed_in = client.get(reverse("teams:list"))
    for response in (anonymous, signed_in):
        found = TIMING.match(response["Server-Timing"])
        assert found, response["Server-Timing"]
        wall, cpu = (float(value) for value in found.groups())
        assert wall > 0
        assert cpu > 0


def test_no_timing_is_sent_by_default(db, lead):
    client = Client()
    client.force_login(lead)
    assert not client.get(reverse("teams:list")).has_header("Server-Timing")
