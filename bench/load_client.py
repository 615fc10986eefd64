"""The load client of `bench/load.py`: virtual users driving the app servers over HTTP.

Run by `bench/load.py` as a process of its own (it never imports Django):

    .venv/bin/python bench/load_client.py PLAN.json RESULTS.json

PLAN.json names the servers, the duration and the people to play. Each virtual user is one
person with one cookie jar (a browser), who signs in through the real form (CSRF and all),
reads their team page, other teams, the teams list, milestone pages and the dashboard, and
edits milestones in place as htmx does: GET the edit row, POST it back with the version it
carried and a unique marker in the notes. Some edits are deliberately stale: the user saves
from one "tab" and then from a second tab opened at the same version, which must get 409.
Every request goes to the next server in turn (a round-robin load balancer); sessions live in
the shared database, so a form loaded from one server is posted to the other.

RESULTS.json gets every request (kind, status, milliseconds, server, start offset) and every
edit attempt (milestone, user, kind, version posted, marker, status), for `bench/load.py` to
aggregate and to check against the database.

Every loop is bounded: the users stop at the deadline, each request has a timeout, and the
process gives up on users still running a grace period after the deadline.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import requests

REQUEST_TIMEOUT = 30.0  # seconds; gunicorn's worker timeout is 30 s too
JOIN_GRACE = 45.0  # seconds after the deadline before the client stops waiting for a user


def _cpu_ms(timing: str) -> float | None:
    """The `cpu;dur=` of a Server-Timing header (config/timing.py), in ms, if there is one."""
    for metric in timing.split(","):
        name, _, rest = metric.strip().partition(";dur=")
        if name == "cpu":
            try:
                return float(rest)
            except ValueError:
                return None
    return None


# What each kind of person does, by weight (an edit is GET edit row + POST).
MIXES = {
    "lead": {
        "own team": 25,
        "other team": 8,
        "teams list": 4,
        "dashboard": 8,
        "milestone": 10,
        "edit": 35,
        "stale edit": 10,
    },
    "engineer": {
        "own team": 30,
        "other team": 8,
        "teams list": 4,
        "dashboard": 8,
        "milestone": 12,
        "edit": 30,
        "stale edit": 8,
    },
    "leadership": {
        "dashboard": 35,
        "other team": 20,
        "teams list": 10,
        "milestone": 15,
        "edit": 15,
        "stale edit": 5,
    },
}

# The status each kind of request must answer (an edit that lost a race may answer 409).
EXPECTED = {
    "sign-in form": {200},
    "sign-in": {302},
    "home": {302},
    "sign-out": {302},
    "dashboard": {200},
    "teams list": {200},
    "team page": {200},
    "milestone page": {200},
    "edit row": {200},
    "edit save": {200, 409},
    "stale edit": {409},
}


class FormFields(HTMLParser):
    """The named inputs, selects and textareas of a fragment, with the values a browser
    would post (checkboxes only when checked, a select's selected option)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {name: (value if value is not None else "") for name, value in attrs}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.values[name] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.values[self._select] = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            self.values.setdefault(self._select, self._select_first or "")
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The HTML parser keeps the newline a textarea starts with; browsers drop it.
            self.values[self._textarea] = "".join(self._text).removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_fields(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    parser.close()
    return parser.values


@dataclass
class Shared:
    servers: list[str]
    deadline: float
    started: float
    teams: list[list[Any]]  # [slug, [milestone ids]]
    run_id: str
    think: tuple[float, float]
    resign_every: tuple[int, int]
    ramp_up: float
    # "sign-in form": the ceiling run, every user GETs the sign-in form (which reads nothing)
    # back to back; "" plays the mix.
    only: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    samples: list[list[Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class VirtualUser(threading.Thread):
    def __init__(self, index: int, person: dict[str, Any], shared: Shared, seed: int):
        super().__init__(name=f"user-{index}", daemon=True)
        self.index = index
        self.person = person
        self.shared = shared
        self.rng = random.Random(seed)
        self.http = requests.Session()
        self.turn = index  # which server the next request goes to
        self.edits = 0
        mix = MIXES[person["role"]]
        self.actions = list(mix)
        self.weights = [mix[action] for action in self.actions]

    # -- plumbing

    def url(self, path: str) -> tuple[str, int]:
        server = self.turn % len(self.shared.servers)
        self.turn += 1
        return self.shared.servers[server] + path, server

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        data: dict[str, str] | None = None,
        htmx: bool = False,
    ) -> requests.Response | None:
        url, server = self.url(path)
        headers = {}
        if htmx:
            headers["HX-Request"] = "true"
        if method == "POST":
            headers["X-CSRFToken"] = self.http.cookies.get("csrftoken", "")
        start = time.monotonic()
        try:
            response = self.http.request(
                method,
                url,
                data=data,
                headers=headers,
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT,
            )
            _ = response.content
            status = response.status_code
            cpu = _cpu_ms(response.headers.get("Server-Timing", ""))
        except requests.RequestException as exc:
            response, status, cpu = None, 0, None
            with self.shared.lock:
                self.shared.problems.append(f"{kind} {method} {path}: {exc!r}")
        elapsed = (time.monotonic() - start) * 1000
        with self.shared.lock:
            self.shared.samples.append(
                [
                    kind,
                    status,
                    round(elapsed, 2),
                    server,
                    round(start - self.shared.started, 3),
                    cpu,
                ]
            )
        return response

    def time_left(self) -> bool:
        return time.monotonic() < self.shared.deadline

    def think(self) -> None:
        low, high = self.shared.think
        if high > 0:
            time.sleep(
                min(self.rng.uniform(low, high), max(0.0, self.shared.deadline - time.monotonic()))
            )

    # -- what people do

    def sign_in(self) -> bool:
        page = self.call("sign-in form", "GET", "/accounts/login/")
        if page is None or page.status_code != 200:
            return False
        token = form_fields(page.text).get("csrfmiddlewaretoken", "")
        response = self.call(
            "sign-in",
            "POST",
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": self.person["username"],
                "password": self.person["password"],
                "next": "",
            },
        )
        if response is None or response.status_code != 302:
            return False
        # Home sends a lead or an engineer to their team, leadership to the dashboard.
        home = self.call("home", "GET", "/")
        if home is None or home.status_code != 302:
            return False
        landing = home.headers.get("Location", "")
        kind = "dashboard" if "dashboard" in landing else "team page"
        self.call(kind, "GET", landing)
        return True

    def sign_out(self) -> None:
        self.call("sign-out", "POST", "/accounts/logout/", data={})
        self.http.cookies.clear()

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # a bug of the client: report it, never hang
            with self.shared.lock:
                self.shared.problems.append(f"{self.name} crashed: {exc!r}")

    def _run(self) -> None:
        if self.shared.only == "sign-in form":
            while self.time_left():
                self.call("sign-in form", "GET", "/accounts/login/")
            return
        # People do not all sign in at the same second: spread the first sign-ins (each one
        # costs the server a password hash, the dearest request of all) over the ramp-up.
        time.sleep(self.rng.uniform(0, self.shared.ramp_up))
        low, high = self.shared.resign_every
        while self.time_left():
            if not self.sign_in():
                time.sleep(0.5)
                continue
            for _ in range(self.rng.randint(low, high)):
                if not self.time_left():
                    return
                self.act(self.rng.choices(self.actions, self.weights)[0])
                self.think()
            if self.time_left():
                self.sign_out()

    def act(self, action: str) -> None:
        person, teams = self.person, self.shared.teams
        if action == "own team":
            self.call("team page", "GET", f"/teams/{person['team']}/")
        elif action == "other team":
            slug, _ = self.rng.choice(teams)
            self.call("team page", "GET", f"/teams/{slug}/")
        elif action == "teams list":
            self.call("teams list", "GET", "/teams/")
        elif action == "dashboard":
            self.call("dashboard", "GET", "/dashboard/")
        elif action == "milestone":
            slug, ids = self.rng.choice(teams)
            self.call("milestone page", "GET", f"/teams/{slug}/milestones/{self.rng.choice(ids)}/")
        elif action in ("edit", "stale edit"):
            if person["editable"]:
                slug, pk = self.rng.choice(person["editable"])
            else:  # leadership edits anything
                slug, ids = self.rng.choice(teams)
                pk = self.rng.choice(ids)
            self.edit(slug, pk, stale=action == "stale edit")

    def marker(self) -> str:
        self.edits += 1
        unique = uuid.uuid4().hex[:8]
        return f"load:{self.shared.run_id}:{self.person['username']}:{self.edits}:{unique}"

    def edit(self, slug: str, pk: int, *, stale: bool) -> None:
        path = f"/teams/{slug}/milestones/{pk}/edit/"
        row = self.call("edit row", "GET", path, htmx=True)
        if row is None or row.status_code != 200:
            return
        form = form_fields(row.text)
        if "version" not in form or "notes" not in form:
            with self.shared.lock:
                self.shared.problems.append(f"edit row of {pk} has no version or notes: {form}")
            return
        # The first tab saves; with `stale`, a second tab opened at the same version saves next.
        tabs = ("edit save", "stale edit") if stale else ("edit save",)
        for kind in tabs:
            marker = self.marker()
            data = {**form, "notes": marker}
            response = self.call(kind, "POST", path, data=data, htmx=True)
            with self.shared.lock:
                self.shared.edits.append(
                    {
                        "milestone": pk,
                        "user": self.person["username"],
                        "kind": "stale" if kind == "stale edit" else "fresh",
                        "version": int(form["version"]),
                        "marker": marker,
                        "status": 0 if response is None else response.status_code,
                    }
                )
            if kind == "edit save":
                self.think()


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    plan = json.loads(Path(argv[1]).read_text())
    started = time.monotonic()
    cpu_started = time.process_time()  # every thread's: the client's own share of the machine
    shared = Shared(
        servers=plan["servers"],
        deadline=started + plan["seconds"],
        started=started,
        teams=plan["teams"],
        run_id=plan["run_id"],
        think=tuple(plan["think"]),
        resign_every=tuple(plan["resign_every"]),
        ramp_up=plan["ramp_up"],
        only=plan.get("only", ""),
    )
    users = [
        VirtualUser(index, person, shared, seed=plan["seed"] * 1000 + index)
        for index, person in enumerate(plan["users"])
    ]
    for user in users:
        user.start()
    for user in users:
        user.join(max(0.1, shared.deadline + JOIN_GRACE - time.monotonic()))
    stuck = [user.name for user in users if user.is_alive()]
    if stuck:
        shared.problems.append(
            f"users still running {JOIN_GRACE:.0f} s after the deadline: {stuck}"
        )
    finished = time.monotonic()
    with shared.lock:
        result = {
            "seconds": round(finished - started, 3),
            "cpu_seconds": round(time.process_time() - cpu_started, 3),
            "deadline_seconds": plan["seconds"],
            "samples": list(shared.samples),
            "edits": list(shared.edits),
            "problems": list(shared.problems),
            "expected": {kind: sorted(codes) for kind, codes in EXPECTED.items()},
        }
    Path(argv[2]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
