import datetime
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory


def sign_ins(*args):
    out = StringIO()
    call_command("demo_sign_ins", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--today", "2026-11-25", "--verbosity", "0")


@pytest.fixture
def server():
    """A server that answers every request, if only with a 404."""

    class NotFound(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


def test_prints_where_to_sign_in_and_the_three_demo_accounts(seeded):
    out = sign_ins("--url", "http://127.0.0.1:8123/")
    assert out.splitlines() == [
        "Sign in at http://127.0.0.1:8123/ with:",
        "  leadership  nhaddad      / milepost-demo   (Nikolai Haddad)",
        "  tech lead   mobrien      / milepost-demo   (Mateo O'Brien)",
        "  engineer    pokafor      / milepost-demo   (Pedro Okafor)",
    ]


def test_waits_for_a_server_that_answers_even_with_an_error_status(seeded, server):
    assert sign_ins("--url", server, "--wait", "5").startswith(f"Sign in at {server} with:")


def test_a_server_that_never_answers_is_an_error(seeded):
    started = datetime.datetime.now()
    with pytest.raises(CommandError, match=re.escape("Nothing answered at http://127.0.0.1:9/")):
        sign_ins("--url", "http://127.0.0.1:9/", "--wait", "0.5")  # the discard port: closed
    assert (datetime.datetime.now() - started).total_seconds() < 5


def test_prints_nothing_for_a_database_that_is_not_the_demos(db):
    UserFactory()
    assert sign_ins() == ""


def test_waits_for_every_server_it_is_told_of(seeded, server):
    with pytest.raises(
        CommandError, match=re.escape("Nothing answered at http://127.0.0.1:9/stats")
    ):
        sign_ins("--url", server, "--ready", "http://127.0.0.1:9/stats", "--wait", "0.5")
