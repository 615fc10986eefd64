"""A Slack incoming-webhook receiver on loopback, for the tests of posting to Slack.

A real HTTP server on 127.0.0.1 (a free port, in a thread) that answers like Slack's webhooks
(200 "ok") and records every JSON body it gets, by webhook. It can be told to answer 500, or 429
with a Retry-After, the next N times, or to answer late (a timeout). Nothing of `requests` is
mocked: the app posts to it over HTTP as it would to hooks.slack.com.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SlackReceiver:
    base: str = ""
    received: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    scripted: list[Answer] = field(default_factory=list)  # the next answers, then 200 "ok"
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, name: str = "org") -> str:
        """A webhook URL of this receiver; `name` tells the channels apart."""
        return f"{self.base}/services/T0{name.upper()}/B0{name.upper()}/{name}-secret-0123abcd"

    def bodies(self, name: str = "org") -> list[dict]:
        return self.received[name]

    def fail(self, times: int = 1, status: int = 500, body: str = "internal_error") -> None:
        self.scripted += [Answer(status, body) for _ in range(times)]

    def rate_limit(self, times: int = 1, retry_after: str = "1") -> None:
        self.scripted += [
            Answer(429, "rate_limited", {"Retry-After": retry_after}) for _ in range(times)
        ]

    def answer(self, name: str, body: bytes) -> Answer:
        with self.lock:
            self.attempts[name] += 1
            if self.scripted:
                return self.scripted.pop(0)
            self.received[name].append(json.loads(body))
            return Answer(200, "ok")


def _handler(receiver: SlackReceiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if receiver.delay:
                time.sleep(receiver.delay)
            parts = self.path.strip("/").split("/")
            name = parts[-1].removesuffix("-secret-0123abcd") if parts else ""
            if self.headers.get("Content-Type") != "application/json":
                answer = Answer(400, "invalid_payload")
            else:
                answer = receiver.answer(name, body)
            payload = answer.body.encode()
            try:
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the app gave up waiting (a timeout test)

        def log_message(self, format, *args):  # quiet
            pass

    return Handler


@pytest.fixture
def slack_receiver(settings):
    """The receiver, running; the app may post to loopback webhooks while it runs."""
    receiver = SlackReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MILEPOST_SLACK_ALLOW_LOOPBACK = True
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
