"""`make load`: two gunicorn servers on one PostgreSQL database, under load, checked after.

    .venv/bin/python bench/load.py [--seconds 60] [--users 40] [--workers 3] [--teams 250]

Step by step, all of it on loopback:

1. Drops and recreates a throwaway PostgreSQL database (`milepost_load` on 127.0.0.1 unless
   --database-url says otherwise; the name must contain "load"), migrates it, collects the
   static files to a temporary STATIC_ROOT and seeds an organisation: 250 teams in squads of
   five (a tech lead and two engineers each, one shared password hash), three leadership
   users and the current quarter with six milestones per team, with their history.
2. Builds the leadership sheet for those teams with the sync's own demo helper
   (`demo.sheet.build_demo_sheet`: a tab per team as last night's sync left it,
   plus a day of edits in the sheet) and serves it with `manage.py sheets_emulator`.
3. Starts TWO gunicorn servers (`gunicorn -c gunicorn.conf.py`, production settings: DEBUG
   off, a generated secret key, whitenoise) on two free loopback ports, and waits for their
   /healthz.
4. Measures its own ceiling first: for --ceiling-seconds, the same client with the same users
   GETs only the sign-in form (which reads nothing) back to back, on the same servers; the
   mix's throughput is then reported as a share of that ceiling (issue 17's goal: >= 30%).
   Then runs `bench/load_client.py` in a process of its own: virtual leads, engineers and
   leadership sign in through the real form, read team pages, the teams list, milestone
   pages and the dashboard, and edit milestones in place (some deliberately from a stale
   version), each request to the next server in turn, for --seconds.
5. A quarter of the way in, starts `manage.py sync_sheet` twice at once, once with each
   server's environment: exactly one may run, the other must say the lock is held (exit 2).
   The emulator holds the winner's first Sheets request for --sync-delay seconds, so that the
   lock is certainly held when the other process (slower to start) asks for it. Without the
   sync command (or with --no-sync) this step is skipped, and says so.
6. Checks the invariants against the database: every edit answered 2xx is in the database and
   in its milestone's history (found by the unique marker it wrote into the notes), at the
   version it was made from plus one, by its user, from the web; every stale edit got 409
   and left no trace; each milestone's history has every version from 1 to the current one
   exactly once (a lost update or a silent overwrite would break that); no 5xx; every request
   answered as its kind must be.

The table gives each page kind's latencies (p50, p95, p99, the p95 against issue 17's 500 ms)
and its CPU time a request from the servers' own Server-Timing header (which queueing does not
inflate), also as a multiple of "home"'s (a signed-in redirect of three queries, the nearest
to `make bench`'s trivial view). Below it, where the machine's CPU went a request
(`bench/machine_cpu.py`, from /proc): the app servers, PostgreSQL, the load client and the
rest; and what the app servers could spend a request if the mix ran at 30% of the ceiling
with the others as measured.

Prints that table, writes bench/results/load.json (and the servers' logs to
bench/results/load-logs/) and exits 1 if an invariant fails, 2 if the run could not be set up.
Servers, emulator and client are stopped on the way out, Ctrl-C and errors included.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.util
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import machine_cpu  # bench/machine_cpu.py, beside this script
import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "load.json"
LOGS = ROOT / "bench" / "results" / "load-logs"
BIN = Path(sys.executable).parent  # the venv's bin: gunicorn sits beside its python
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/milepost_load"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PASSWORD = "load-test-password"
MILESTONES_PER_TEAM = 6
TEAMS_PER_SQUAD = 5
FIRST_NAMES = (
    "Ada", "Ben", "Chloe", "Dev", "Esme", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kofi", "Lena",
    "Mateo", "Nia", "Omar", "Pia", "Quinn", "Ravi", "Sol", "Tara", "Uma", "Vik", "Wen",
)  # fmt: skip
WAIT_HEALTHY = 60.0  # seconds for a server to answer /healthz
SYNC_TIMEOUT = 300.0  # seconds for the two sync processes
STOP_TIMEOUT = 15.0  # seconds between SIGTERM and SIGKILL


class SetupFailed(Exception):
    """The run could not be set up (exit 2): nothing was measured."""


# --- Processes we start, and stop ------------------------------------------------------------


class Processes:
    """Every process this script starts, each in a session of its own (so a Ctrl-C in the
    terminal reaches only this script), stopped by its own process group on the way out."""

    def __init__(self):
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], *, env: dict[str, str], log: Path):
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append((name, process))
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        # A gunicorn master may be gone while a worker lingers: the group goes with it. Once:
        # a stopped process leaves the list, so its id is never signalled again.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        self.running = [(name, p) for name, p in self.running if p is not process]

    def stop_all(self) -> None:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C waits
        try:
            for _name, process in reversed(list(self.running)):
                self.stop(process)
        finally:
            signal.signal(signal.SIGINT, previous)
            self.running.clear()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- The throwaway database ---------------------------------------------------------------------


def check_database_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SetupFailed(f"--database-url {url!r}: the load test runs on PostgreSQL.")
    if (parts.hostname or "") not in LOOPBACK:
        raise SetupFailed(f"--database-url {url!r}: only a database on this machine (loopback).")
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name) or "load" not in name:
        raise SetupFailed(
            f"--database-url {url!r}: the database is dropped and recreated, so its name must "
            "be lower-case letters, digits and _ and contain 'load' (e.g. milepost_load)."
        )
    return name


def recreate_database(url: str, name: str) -> str:
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
            return admin.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        raise SetupFailed(
            f"Cannot recreate {name} through {admin_url}: {exc}. Is PostgreSQL running? "
            "(pg_ctlcluster --skip-systemctl-redirect 15 main start)"
        ) from None


# --- Seeding (in this process, through the ORM) ------------------------------------------------


def seed(teams: int, today: datetime.date, rng: random.Random) -> dict[str, Any]:
    """The organisation the load runs against; returns what the client needs."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from milestones.models import Milestone
    from milestones.quarters import ensure_quarter, quarter_of
    from teams.models import Membership, Squad, Team, User

    password = make_password(PASSWORD)  # hashed once for the whole organisation
    quarter = ensure_quarter(*quarter_of(today), goal=round(teams * 0.6))
    squads = Squad.objects.bulk_create(
        Squad(name=f"Squad {n:03}") for n in range(max(1, -(-teams // TEAMS_PER_SQUAD)))
    )
    team_rows = Team.objects.bulk_create(
        Team(name=f"Team {n:04}", slug=f"team-{n:04}", squad=squads[n // TEAMS_PER_SQUAD])
        for n in range(teams)
    )
    roles = ("lead", "eng1", "eng2")
    users = User.objects.bulk_create(
        User(
            username=f"t{n:04}-{role}",
            display_name=f"{FIRST_NAMES[(3 * n + k) % len(FIRST_NAMES)]} T{n:04}{role[0]}",
            email=f"t{n:04}-{role}@example.com",
            password=password,
        )
        for n in range(teams)
        for k, role in enumerate(roles)
    )
    Membership.objects.bulk_create(
        Membership(
            team=team_rows[index // 3],
            user=user,
            role=Membership.Role.TECH_LEAD if index % 3 == 0 else Membership.Role.ENGINEER,
        )
        for index, user in enumerate(users)
    )
    leadership = User.objects.bulk_create(
        User(
            username=f"leader{n}",
            display_name=f"Leader {n}",
            is_leadership=True,
            password=password,
        )
        for n in range(3)
    )

    milestones = []
    for n, team in enumerate(team_rows):
        lead, eng1, eng2 = users[3 * n : 3 * n + 3]
        owners = (eng1, eng1, eng2, eng2, lead, lead)
        for position in range(MILESTONES_PER_TEAM):
            committed = quarter.start + datetime.timedelta(days=10 + 14 * position)
            status, delivered = rng.choice(Milestone.OPEN_STATUSES[:3]), None
            if committed < today and rng.random() < 0.7:
                status = Milestone.Status.DONE
                late = rng.choice((0, 0, 0, 2, 5, 9))
                delivered = min(committed + datetime.timedelta(days=late), today)
            milestones.append(
                Milestone(
                    team=team,
                    quarter=quarter,
                    title=f"{team.name} milestone {position + 1}",
                    owner=owners[position],
                    committed_date=committed,
                    target_date=committed,
                    status=status,
                    delivered_date=delivered,
                    notes="seeded",
                    position=position,
                )
            )
    milestones = Milestone.objects.bulk_create(milestones)
    Milestone.history.bulk_history_create(
        milestones, default_date=timezone.now() - datetime.timedelta(days=30)
    )

    by_team: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in milestones:
        by_team[milestone.team_id].append(milestone)
    people = {}
    for n, team in enumerate(team_rows):
        for k, user in enumerate(users[3 * n : 3 * n + 3]):
            mine = by_team[team.pk] if k == 0 else [m for m in by_team[team.pk] if m.owner == user]
            people[user.username] = {
                "username": user.username,
                "password": PASSWORD,
                "role": "lead" if k == 0 else "engineer",
                "team": team.slug,
                "editable": [[team.slug, m.pk] for m in mine],
            }
    for user in leadership:
        people[user.username] = {
            "username": user.username,
            "password": PASSWORD,
            "role": "leadership",
            "team": "",
            "editable": [],
        }
    return {
        "quarter": str(quarter),
        "teams": [[team.slug, [m.pk for m in by_team[team.pk]]] for team in team_rows],
        "people": people,
        "team_slugs": [team.slug for team in team_rows],
        "leadership": [user.username for user in leadership],
        "milestones": len(milestones),
        "users": len(users) + len(leadership),
    }


def pick_users(org: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """Leadership (one in ten), then whole trios team after team: a lead and both engineers
    of a team share milestones, so some of their edits race each other, as in real life."""
    leaders = max(1, count // 10)
    chosen = [org["people"][name] for name in org["leadership"][:leaders]]
    for slug in org["team_slugs"]:
        number = slug.removeprefix("team-")
        for role in ("lead", "eng1", "eng2"):
            if len(chosen) >= count:
                return chosen
            chosen.append(org["people"][f"t{number}-{role}"])
    return chosen


def build_sheet(today: datetime.date, path: Path) -> dict[str, Any]:
    from demo.sheet import build_demo_sheet, install_demo_sheet

    demo = build_demo_sheet(today)
    install_demo_sheet(demo)
    path.write_text(json.dumps(demo.data, ensure_ascii=False))
    return {
        "spreadsheet": demo.data["spreadsheetId"],
        "tabs": len(demo.data["sheets"]),
        "edits_in_sheet": demo.edits,
    }


def sync_available() -> str:
    """Empty when the sync command and its sheet helper are there, else why not."""
    for module in (
        "sheets.management.commands.sync_sheet",
        "sheets_emulator.management.commands.sheets_emulator",
        "demo.sheet",
    ):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not there yet"
    return ""


# --- Servers ------------------------------------------------------------------------------------


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + WAIT_HEALTHY
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupFailed(f"{url} exited with {process.returncode}:\n{tail(log)}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise SetupFailed(f"{url}/healthz did not answer 200 within {WAIT_HEALTHY:.0f} s:\n{tail(log)}")


def wait_emulator(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + WAIT_HEALTHY
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupFailed(f"The emulator exited with {process.returncode}:\n{tail(log)}")
        try:
            if requests.get(f"{url}/_emulator/stats", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise SetupFailed(f"The emulator at {url} did not answer within {WAIT_HEALTHY:.0f} s.")


# --- The two syncs at once ----------------------------------------------------------------------


def run_two_syncs(
    processes: Processes, envs: list[dict[str, str]], emulator: str, delay: float
) -> dict[str, Any]:
    """`manage.py sync_sheet` with each server's environment, both started at once."""
    if delay:
        # The winner's first Sheets request waits `delay` s, so that its lock is certainly held
        # while the other process (a second or so to start Django) tries to claim it.
        requests.post(f"{emulator}/_emulator/faults", json={"delay": delay, "count": 1}, timeout=5)
    command = [str(BIN / "python"), "manage.py", "sync_sheet", "--no-color"]
    started = time.monotonic()
    runs = []
    for index, env in enumerate(envs):
        log = LOGS / f"sync-{'ab'[index]}.log"
        runs.append((log, processes.start(f"sync {'ab'[index]}", command, env=env, log=log)))
    ended: dict[int, float] = {}
    while len(ended) < len(runs) and time.monotonic() - started < SYNC_TIMEOUT:
        for index, (_, process) in enumerate(runs):
            if index not in ended and process.poll() is not None:
                ended[index] = time.monotonic()
        time.sleep(0.05)
    outcomes = []
    for index, (log, process) in enumerate(runs):
        if index not in ended:
            processes.stop(process)  # still running after SYNC_TIMEOUT
        outcomes.append(
            {
                "server_env": "ab"[index],
                "exit_code": process.returncode if index in ended else None,
                "seconds": round(ended.get(index, time.monotonic()) - started, 2),
                "output": tail(log, 12),
            }
        )
    return {"processes": outcomes, "emulator_delay_s": delay}


def check_syncs(sync: dict[str, Any], runs_before: set[int]) -> tuple[bool, str]:
    from sheets.models import SyncRun

    codes = [p["exit_code"] for p in sync["processes"]]
    ran = [p for p in sync["processes"] if p["exit_code"] in (0, 1)]
    held = [
        p
        for p in sync["processes"]
        if p["exit_code"] == 2 and "Another sync is running" in p["output"]
    ]
    new_runs = list(
        SyncRun.objects.exclude(pk__in=runs_before).values(
            "pk", "status", "started_at", "finished_at", "updated_in_app", "updated_in_sheet",
            "created_in_app", "created_in_sheet", "conflicts", "errors", "requests",
        )
    )  # fmt: skip
    for run in new_runs:
        for key in ("started_at", "finished_at"):
            run[key] = run[key].isoformat() if run[key] else None
    sync["runs"] = new_runs
    ok = (
        len(ran) == 1
        and len(held) == 1
        and len(new_runs) == 1
        and new_runs[0]["status"] in (SyncRun.Status.OK, SyncRun.Status.PARTIAL)
    )
    if ok:
        run = new_runs[0]
        detail = (
            f"server {ran[0]['server_env']} ran (exit {ran[0]['exit_code']}, run {run['pk']} "
            f"{run['status']}: {run['updated_in_app']} updated in app, {run['updated_in_sheet']} "
            f"in sheet, {run['conflicts']} conflicts, {run['errors']} bad cells, "
            f"{run['requests']} API requests); server {held[0]['server_env']} exit 2, lock held"
        )
    else:
        detail = f"exit codes {codes}, {len(new_runs)} new sync runs: {new_runs}"
    return ok, detail


# --- Figures and invariants ---------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest rank."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(share * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


# Issue 17's goals: the mix's throughput as a share of the ceiling, and the p95 of every page
# kind but the sign-in POST (password hashing, dear on purpose) at 40 users on 2 CPUs.
GOAL_CEILING_SHARE = 0.30
GOAL_P95_MS = 500.0
NO_P95_GOAL = {"sign-in"}
# Each page kind's CPU under load as a multiple of "home" in the same mix: a signed-in request
# that reads the session, the user and their membership and redirects, the closest the app has
# to `make bench`'s trivial view (which reads one query less). Queueing does not inflate CPU
# time, so these hold whatever the users' think time.
YARDSTICK = "home"


KIND_ORDER = (
    "sign-in form",
    "sign-in",
    "home",
    "dashboard",
    "teams list",
    "team page",
    "milestone page",
    "edit row",
    "edit save",
    "stale edit",
    "sign-out",
)


def figures(client: dict[str, Any]) -> dict[str, Any]:
    seconds = client["seconds"]
    by_kind: dict[str, list[list[Any]]] = defaultdict(list)
    for sample in client["samples"]:
        by_kind[sample[0]].append(sample)
    rows = []
    for kind in sorted(by_kind, key=lambda k: (*KIND_ORDER, k).index(k)):
        samples = by_kind[kind]
        times = sorted(s[2] for s in samples if s[1])
        cpu = sorted(s[5] for s in samples if len(s) > 5 and s[5] is not None)
        rows.append(
            {
                "kind": kind,
                "requests": len(samples),
                "rps": round(len(samples) / seconds, 1),
                "p50_ms": round(percentile(times, 0.50), 1),
                "p95_ms": round(percentile(times, 0.95), 1),
                "p99_ms": round(percentile(times, 0.99), 1),
                "max_ms": round(times[-1], 1) if times else 0.0,
                # The servers' own CPU time for the request (Server-Timing), whatever the
                # queueing: what a page costs, to compare pages and runs by.
                "cpu_p50_ms": round(percentile(cpu, 0.50), 1) if cpu else None,
                "cpu_seconds": round(sum(cpu) / 1000, 2) if cpu else None,
                "statuses": dict(sorted(Counter(str(s[1]) for s in samples).items())),
            }
        )
    all_samples = client["samples"]
    expected = client["expected"]
    unexpected = Counter(
        f"{s[0]} {s[1] or 'no answer'}" for s in all_samples if s[1] not in expected[s[0]]
    )
    times = sorted(s[2] for s in all_samples if s[1])
    return {
        "seconds": seconds,
        "requests": len(all_samples),
        "rps": round(len(all_samples) / seconds, 1),
        "p50_ms": round(percentile(times, 0.50), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "by_server": dict(sorted(Counter("ab"[s[3]] for s in all_samples).items())),
        "statuses": dict(sorted(Counter(str(s[1]) for s in all_samples).items())),
        "unexpected": dict(unexpected.most_common()),
        "pages": rows,
    }


def print_machine_cpu(load: dict, ceiling: dict | None) -> None:
    """Where the machine's CPU went, per request (bench/machine_cpu.py), and what that leaves
    the app servers at the goal's share of the ceiling."""
    mix = load.get("cpu")
    if not mix:
        print("\nMachine CPU: not measured (no /proc here)")
        return
    print(
        f"\nMachine CPU a request of the mix: {mix['machine_ms']:.1f} ms = app servers "
        f"{mix['servers_ms']:.1f} + PostgreSQL {mix['postgres_ms']:.1f} + load client "
        f"{mix['client_ms']:.1f} + the rest {mix['rest_ms']:.1f} (emulator, syncs, kernel, "
        f"other services); the machine was {100 * mix['busy']:.0f}% busy"
        + (f", {100 * mix['stolen']:.0f}% stolen by the host" if mix["stolen"] >= 0.01 else "")
    )
    top = (ceiling or {}).get("cpu")
    if top:
        print(
            f"Machine CPU a request of the ceiling: {top['machine_ms']:.1f} ms = app servers "
            f"{top['servers_ms']:.1f} + PostgreSQL {top['postgres_ms']:.1f} + load client "
            f"{top['client_ms']:.1f} + the rest {top['rest_ms']:.1f}; "
            f"{100 * top['busy']:.0f}% busy"
        )
    room = load.get("budget")
    if ceiling and room:
        print(
            f"At {100 * GOAL_CEILING_SHARE:.0f}% of the ceiling "
            f"({GOAL_CEILING_SHARE * ceiling['rps']:.0f} requests/s) on a fully busy machine a "
            f"request may cost {room['machine_ms']:.1f} ms; with PostgreSQL, the client and the "
            f"rest as measured, that leaves the app servers {room['servers_ms']:.1f} ms a "
            f"request (they spent {mix['servers_ms']:.1f})"
        )


def invariant(name: str, ok: bool, detail: str, evidence: list | None = None) -> dict:
    return {"invariant": name, "ok": ok, "detail": detail, "evidence": (evidence or [])[:10]}


def check_edits(edits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The invariants of the edits, against what the database holds now."""
    from milestones.models import Milestone
    from teams.models import User

    history = Milestone.history.model
    user_ids = dict(User.objects.values_list("username", "pk"))
    found: dict[str, list[tuple]] = defaultdict(list)
    for row in history.objects.filter(notes__startswith="load:").values_list(
        "notes", "id", "version", "history_user_id", "source"
    ):
        found[row[0]].append(row[1:])
    in_rows = set(
        Milestone.objects.filter(notes__startswith="load:").values_list("notes", flat=True)
    )

    saved = [e for e in edits if e["kind"] == "fresh" and 200 <= e["status"] < 300]
    refused = [e for e in edits if e["status"] == 409]
    stale = [e for e in edits if e["kind"] == "stale"]
    lost, wrong, leaked, stale_saved = [], [], [], []
    for edit in saved:
        # The edit's own record, then maybe later ones that left the notes alone (the sync
        # pulling a status from the sheet, say): all of them of this milestone.
        records = sorted(found.get(edit["marker"], []), key=lambda record: record[1])
        expected = (edit["milestone"], edit["version"] + 1, user_ids[edit["user"]], "web")
        if not records:
            lost.append(edit)
        elif records[0] != expected or {record[0] for record in records} != {edit["milestone"]}:
            wrong.append({**edit, "history": records})
    for edit in refused:
        if edit["marker"] in found or edit["marker"] in in_rows:
            leaked.append({**edit, "history": found.get(edit["marker"], [])})
    for edit in stale:
        if edit["status"] != 409:
            stale_saved.append(edit)

    # Every write bumps the version and leaves a historical record: each milestone's history
    # holds every version from 1 to the current one exactly once, and its latest record is
    # what the row holds. A lost update or a silent overwrite breaks one of the two.
    versions: dict[int, list[int]] = defaultdict(list)
    latest: dict[int, tuple] = {}
    for pk, version, notes, status, target in history.objects.order_by(
        "id", "history_date", "history_id"
    ).values_list("id", "version", "notes", "status", "target_date"):
        versions[pk].append(version)
        latest[pk] = (version, notes, status, target)
    gaps, drift = [], []
    for pk, version, notes, status, target in Milestone.objects.values_list(
        "pk", "version", "notes", "status", "target_date"
    ):
        if sorted(versions[pk]) != list(range(1, version + 1)):
            gaps.append({"milestone": pk, "version": version, "history": sorted(versions[pk])})
        elif latest[pk] != (version, notes, status, target):
            drift.append({"milestone": pk, "row": (version, notes, status), "latest": latest[pk]})

    return [
        invariant(
            "every 2xx edit is in the database and its history",
            not lost and not wrong,
            f"{len(saved)} saved edits checked; {len(lost)} missing, {len(wrong)} recorded "
            "at the wrong version, by the wrong user or more than once",
            lost + wrong,
        ),
        invariant(
            "every stale edit got 409",
            not stale_saved and bool(stale),
            f"{len(stale)} stale edits; answered {dict(Counter(e['status'] for e in stale))}",
            stale_saved,
        ),
        invariant(
            "a 409 changed nothing",
            not leaked,
            f"{len(refused)} edits refused with 409 ({len(refused) - len(stale)} fresh ones that "
            f"lost a race); {len(leaked)} of them left their marker behind",
            leaked,
        ),
        invariant(
            "each milestone's history has every version once, the row matches the latest",
            not gaps and not drift,
            f"{len(versions)} milestones; {len(gaps)} with missing or repeated versions, "
            f"{len(drift)} whose row differs from its latest record",
            gaps + drift,
        ),
    ]


def server_errors(logs: list[Path]) -> list[str]:
    """Tracebacks and worker timeouts the servers logged, one entry per logged message."""
    found = []
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        # A message starts with a timestamp: Django's "2026-11-25 04:53:29,123 ERROR ..." or
        # gunicorn's "[2026-11-25 04:53:29 +0000] [123] [CRITICAL] ...".
        for block in re.split(r"(?m)^(?=\[?\d{4}-\d{2}-\d{2} )", text):
            if any(mark in block for mark in ("Traceback", "WORKER TIMEOUT", "Internal Server")):
                found.append(f"{log.name}: {block.strip()[:4000]}")
    return found


# --- Output -----------------------------------------------------------------------------------


def print_report(report: dict[str, Any]) -> None:
    load = report["load"]
    config = report["config"]
    print()
    print(
        f"{config['users']} virtual users, {config['servers']} gunicorn servers x "
        f"{config['workers']} workers, {config['teams']} teams / {report['seed']['milestones']} "
        f"milestones on PostgreSQL {report['postgres']}, {config['cpus']} CPUs, "
        f"{load['seconds']:.0f} s"
    )
    header = (
        f"{'page':<15} {'requests':>8} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  "
        f"{'p95 goal':<14} {'cpu p50':>8} {'cpu s':>6} {'x home':>7}  statuses"
    )
    print(header)
    print("-" * (len(header) + 20))
    for row in load["pages"]:
        statuses = " ".join(f"{code}:{n}" for code, n in row["statuses"].items())
        goal = ""
        if row["kind"] not in NO_P95_GOAL:
            goal = f"<= {GOAL_P95_MS:.0f} {'ok' if row['p95_ms'] <= GOAL_P95_MS else 'MISS'}"
        cpu_p50 = "" if row.get("cpu_p50_ms") is None else f"{row['cpu_p50_ms']:.1f}"
        cpu_s = "" if row.get("cpu_seconds") is None else f"{row['cpu_seconds']:.1f}"
        times = "" if row.get("cpu_ratio") is None else f"x{row['cpu_ratio']:.1f}"
        print(
            f"{row['kind']:<15} {row['requests']:>8} {row['rps']:>7.1f} {row['p50_ms']:>8.1f} "
            f"{row['p95_ms']:>8.1f} {row['p99_ms']:>8.1f}  {goal:<14} {cpu_p50:>8} {cpu_s:>6} "
            f"{times:>7}  {statuses}"
        )
    print("-" * (len(header) + 20))
    print(
        f"{'all':<15} {load['requests']:>8} {load['rps']:>7.1f} {load['p50_ms']:>8.1f} "
        f"{load['p95_ms']:>8.1f} {load['p99_ms']:>8.1f}  by server {load['by_server']}"
    )
    spent = sum(row.get("cpu_seconds") or 0 for row in load["pages"])
    if spent:
        print(
            f"(cpu p50: the servers' own CPU ms a request, from Server-Timing, whatever the "
            f"queueing; cpu s: {spent:.1f} s in all over {load['seconds']:.0f} s on "
            f"{config['cpus']} CPUs, beside PostgreSQL's and the client's; x home: cpu p50 as a "
            f"multiple of home's, a signed-in redirect of three queries)"
        )
    ceiling = report.get("ceiling")
    if ceiling:
        share = ceiling["share"]
        verdict = "ok" if share >= GOAL_CEILING_SHARE else "MISS"
        print(
            f"\nCeiling (the sign-in form alone, same client and servers, "
            f"{ceiling['seconds']:.0f} s): {ceiling['rps']:.1f} requests/s, p50 "
            f"{ceiling['p50_ms']:.1f} ms; the mix ran at {load['rps']:.1f} requests/s = "
            f"{100 * share:.0f}% of it (goal >= {100 * GOAL_CEILING_SHARE:.0f}%: {verdict})"
        )
    print_machine_cpu(load, ceiling)
    print(f"\nStatuses: {load['statuses']}")
    print(f"Unexpected: {load['unexpected'] or 'none'}")
    if report["client_problems"]:
        print(f"Client problems ({len(report['client_problems'])}):")
        for problem in report["client_problems"][:5]:
            print(f"  {problem}")
    sync = report["sync"]
    if sync.get("skipped"):
        print(f"\nSync: skipped ({sync['skipped']})")
    for process in sync.get("processes", []):
        last = process["output"].strip().splitlines()[-1:] or [""]
        print(
            f"\nsync_sheet with server {process['server_env']}'s environment: exit "
            f"{process['exit_code']} after {process['seconds']} s: {last[0][:160]}",
            end="",
        )
    print(f"\nLoad average (1/5/15 min) before and after: {report['config']['load_average']}")
    print("\nInvariants:")
    for check in report["invariants"]:
        mark = "ok  " if check["ok"] else "FAIL"
        print(f"  {mark} {check['invariant']}: {check['detail']}")
    if report["server_errors"]:
        print(f"\nThe servers logged {len(report['server_errors'])} errors; the first:")
        print(report["server_errors"][0][:3000])


# --- Main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="load duration (default 60)")
    parser.add_argument("--users", type=int, default=40, help="virtual users (default 40)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per server")
    parser.add_argument("--teams", type=int, default=250, help="teams to seed (default 250)")
    parser.add_argument(
        "--think-ms", type=float, default=250.0, help="each user waits 0..this between actions"
    )
    parser.add_argument(
        "--sync-at", type=float, default=0.25, help="share of the run after which to sync"
    )
    parser.add_argument(
        "--sync-delay",
        type=float,
        default=2.0,
        help="seconds the emulator holds the winning sync's first request (0: none)",
    )
    parser.add_argument("--no-sync", action="store_true", help="skip the two syncs")
    parser.add_argument(
        "--ceiling-seconds",
        type=float,
        default=15.0,
        help="seconds of the ceiling run (the sign-in form alone) before the mix; 0: none",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 500 or not 1 <= args.workers <= 16 or not 0 < args.seconds <= 3600:
        parser.error("--users 1..500, --workers 1..16 and --seconds 1..3600")
    if args.teams < 6 or args.users > 3 * args.teams + 3:
        parser.error("at least 6 teams, and no more users than people")

    def stop_on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_sigterm)
    # Even when started in the background of a shell that ignores SIGINT for its children.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    processes = Processes()
    scratch = Path(tempfile.mkdtemp(prefix="milepost-load-"))
    try:
        return run(args, processes, scratch)
    except SetupFailed as exc:
        print(f"load: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nload: interrupted; stopping the servers.", file=sys.stderr)
        return 130
    finally:
        processes.stop_all()
        shutil.rmtree(scratch, ignore_errors=True)


def run(args: argparse.Namespace, processes: Processes, scratch: Path) -> int:
    name = check_database_url(args.database_url)
    print(f"Recreating the database {name} ...", file=sys.stderr)
    postgres = recreate_database(args.database_url, name)
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True, exist_ok=True)

    emulator_port, *server_ports = free_port(), free_port(), free_port()
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    app_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MILEPOST_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SESSION_COOKIE_SECURE": "0",
        "DJANGO_CSRF_COOKIE_SECURE": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": args.database_url,
        "DJANGO_STATIC_ROOT": str(scratch / "static"),
        "MILEPOST_SHEETS_API_URL": emulator_url,
        "MILEPOST_SHEET_KEY": "milepost-demo",
        "MILEPOST_LOG_LEVEL": "WARNING",
        "MILEPOST_SERVER_TIMING": "1",  # each response's CPU time, for the table's cpu columns
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(app_env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    print("Migrating and collecting static files ...", file=sys.stderr)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    today = timezone.localdate()
    started = time.monotonic()
    org = seed(args.teams, today, random.Random(args.seed))
    print(
        f"Seeded {args.teams} teams, {org['users']} people and {org['milestones']} milestones "
        f"in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )

    sheet: dict[str, Any] = {}
    skip_sync = "--no-sync given" if args.no_sync else sync_available()
    if not skip_sync:
        sheet = build_sheet(today, scratch / "sheet.json")
        log = LOGS / "emulator.log"
        emulator = processes.start(
            "emulator",
            [
                str(BIN / "python"),
                "manage.py",
                "sheets_emulator",
                "--port",
                str(emulator_port),
                "--load",
                str(scratch / "sheet.json"),
            ],
            env=app_env,
            log=log,
        )
        wait_emulator(emulator_url, emulator, log)

    servers, envs = [], []
    for index, port in enumerate(server_ports):
        env = {
            **app_env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(args.workers),
            "GUNICORN_ACCESS_LOG": "",  # one line a request would cost the servers' CPU
            "GUNICORN_LOG_LEVEL": "warning",
        }
        log = LOGS / f"server-{'ab'[index]}.log"
        process = processes.start(
            f"server {'ab'[index]}",
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
            env=env,
            log=log,
        )
        servers.append((f"http://127.0.0.1:{port}", process, log))
        envs.append(env)
    for url, process, log in servers:
        wait_healthy(url, process, log)
    print(f"Servers up: {', '.join(url for url, _, _ in servers)}", file=sys.stderr)
    server_pids = [process.pid for _, process, _ in servers]

    from sheets.models import SyncRun

    runs_before = set(SyncRun.objects.values_list("pk", flat=True))
    users = pick_users(org, args.users)
    plan = {
        "servers": [url for url, _, _ in servers],
        "seconds": args.seconds,
        "teams": org["teams"],
        "users": users,
        "run_id": secrets.token_hex(4),
        "seed": args.seed,
        "think": [0.0, args.think_ms / 1000],
        "resign_every": [30, 60],
        "ramp_up": min(10.0, args.seconds * 0.15),
    }
    ceiling = None
    if args.ceiling_seconds > 0:
        print(
            f"Measuring the ceiling: the sign-in form alone for {args.ceiling_seconds:.0f} s ...",
            file=sys.stderr,
        )
        ceiling_plan = {**plan, "seconds": args.ceiling_seconds, "only": "sign-in form"}
        (scratch / "ceiling.json").write_text(json.dumps(ceiling_plan))
        ceiling_log = LOGS / "ceiling-client.log"
        ceiling_cpu = machine_cpu.Snapshot.take(server_pids)
        process = processes.start(
            "ceiling client",
            [str(BIN / "python"), str(ROOT / "bench" / "load_client.py"),
             str(scratch / "ceiling.json"), str(scratch / "ceiling-result.json")],
            env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            log=ceiling_log,
        )  # fmt: skip
        if process.wait(args.ceiling_seconds + 120) != 0:
            raise SetupFailed(f"The ceiling run failed:\n{tail(ceiling_log)}")
        ceiling_result = json.loads((scratch / "ceiling-result.json").read_text())
        measured = figures(ceiling_result)
        ceiling = {
            "seconds": measured["seconds"],
            "requests": measured["requests"],
            "rps": measured["rps"],
            "p50_ms": measured["p50_ms"],
            "p95_ms": measured["p95_ms"],
            "cpu": machine_cpu.account(
                ceiling_cpu,
                machine_cpu.Snapshot.take(server_pids),
                client_cpu_s=ceiling_result.get("cpu_seconds"),
                requests=measured["requests"],
                cpus=os.cpu_count() or 1,
            ),
        }
    (scratch / "plan.json").write_text(json.dumps(plan))
    client_log = LOGS / "client.log"
    print(f"Driving them with {len(users)} users for {args.seconds:.0f} s ...", file=sys.stderr)
    mix_cpu = machine_cpu.Snapshot.take(server_pids)
    client = processes.start(
        "client",
        [str(BIN / "python"), str(ROOT / "bench" / "load_client.py"), str(scratch / "plan.json"),
         str(scratch / "client.json")],
        env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        log=client_log,
    )  # fmt: skip
    load_started = time.monotonic()
    load_average = {"before": os.getloadavg()}

    sync: dict[str, Any] = {"skipped": skip_sync} if skip_sync else {}
    if not skip_sync:
        time.sleep(max(0.0, args.seconds * args.sync_at - (time.monotonic() - load_started)))
        if client.poll() is None:
            print(
                "Starting sync_sheet from both servers' environments at once ...", file=sys.stderr
            )
            sync = run_two_syncs(processes, envs, emulator_url, args.sync_delay)
            sync["started_after_s"] = round(args.seconds * args.sync_at, 1)

    try:
        code = client.wait(max(1.0, args.seconds + 120 - (time.monotonic() - load_started)))
    except subprocess.TimeoutExpired:
        raise SetupFailed(f"The load client did not finish:\n{tail(client_log)}") from None
    if code != 0 or not (scratch / "client.json").exists():
        raise SetupFailed(f"The load client failed (exit {code}):\n{tail(client_log)}")
    load_average["after"] = os.getloadavg()
    result = json.loads((scratch / "client.json").read_text())
    mix_cpu_after = machine_cpu.Snapshot.take(server_pids)
    for _, process, _ in servers:
        processes.stop(process)

    load = figures(result)
    home = next((r for r in load["pages"] if r["kind"] == YARDSTICK), None)
    if home and home.get("cpu_p50_ms"):
        for row in load["pages"]:
            if row.get("cpu_p50_ms") is not None:
                row["cpu_ratio"] = round(row["cpu_p50_ms"] / home["cpu_p50_ms"], 1)
    load["cpu"] = machine_cpu.account(
        mix_cpu,
        mix_cpu_after,
        client_cpu_s=result.get("cpu_seconds"),
        requests=load["requests"],
        cpus=os.cpu_count() or 1,
    )
    if ceiling:
        ceiling["share"] = round(load["rps"] / ceiling["rps"], 3) if ceiling["rps"] else 0.0
        if load["cpu"] and ceiling["rps"]:
            load["budget"] = machine_cpu.budget(
                load["cpu"],
                ceiling_rps=ceiling["rps"],
                share=GOAL_CEILING_SHARE,
                cpus=os.cpu_count() or 1,
            )
    invariants = check_edits(result["edits"])
    fives = sum(n for code, n in load["statuses"].items() if code.startswith("5"))
    invariants.append(invariant("no 5xx", fives == 0, f"{fives} responses 5xx"))
    invariants.append(
        invariant(
            "every request answered as its kind must be",
            not load["unexpected"],
            f"unexpected: {load['unexpected'] or 'none'}",
            result["problems"],
        )
    )
    if skip_sync:
        print(f"Sync lock check skipped: {skip_sync}.", file=sys.stderr)
    elif "processes" in sync:
        invariants.append(invariant("one sync at a time", *check_syncs(sync, runs_before)))
        with contextlib.suppress(requests.RequestException, ValueError):
            stats = requests.get(f"{emulator_url}/_emulator/stats", timeout=5).json()
            sync["emulator_requests"] = stats.get("by_kind")
    else:
        invariants.append(
            invariant("one sync at a time", False, "the load ended before the sync started")
        )

    report = {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "config": {
            "users": len(users),
            "roles": dict(Counter(user["role"] for user in users)),
            "servers": len(servers),
            "workers": args.workers,
            "teams": args.teams,
            "think_ms": args.think_ms,
            "seconds": args.seconds,
            "cpus": os.cpu_count(),
            # The machine's load average (1, 5, 15 min) as the load began and ended: anything
            # else running on it shows here.
            "load_average": {k: [round(x, 2) for x in v] for k, v in load_average.items()},
            "database": name,
        },
        "postgres": postgres,
        "python": platform.python_version(),
        "django": django.get_version(),
        "seed": {k: org[k] for k in ("quarter", "milestones", "users")},
        "sheet": sheet,
        "load": load,
        "ceiling": ceiling,
        "goals": {"ceiling_share": GOAL_CEILING_SHARE, "p95_ms": GOAL_P95_MS},
        "edits": dict(Counter(f"{e['kind']} {e['status']}" for e in result["edits"])),
        "client_problems": result["problems"],
        "invariants": invariants,
        "sync": sync,
        "server_errors": server_errors([log for _, _, log in servers]),
    }
    connection.close()
    print_report(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"\nWritten to {shown} (server logs in {LOGS.relative_to(ROOT)}/)")
    failed = [check["invariant"] for check in invariants if not check["ok"]]
    if failed:
        print(f"\nFAILED: {'; '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
