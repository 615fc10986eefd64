"""`make bench`: what the dashboard, the team and milestone pages and the CSV exports cost as
the org grows.

For organisations of 25, 250 and 1,000 teams (ten milestones per team in each of four
quarters, with history and slips), built with bulk_create in a throwaway test database, it
reports for each page the SQL queries of one request, the median time to render it and the
peak memory one request allocates (tracemalloc), beside a trivial view served by the same
process and the same middleware: on a noisy machine the milliseconds move, the ratio to the
trivial view holds. Each ratio is printed beside its goal (issue 17, `GOALS`).

The dashboard is measured twice: "after a change", where one milestone is changed through
`milestones.services` before each timed request (so its cached report is stale and rebuilt),
and "unchanged", served from the cache.

    .venv/bin/python bench/run.py [--sizes 25 250 1000] [--runs N] [--pages "team page" ...]

The database is the project's (SQLite in memory by default, PostgreSQL's `test_<name>` when
DATABASE_URL points there), created and destroyed by Django's test machinery. It prints a
table and writes it as JSON to bench/results/dashboard.json. A benchmark, not a test: it
asserts nothing but that every page answers 200.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "dashboard.json"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    override_settings,
    setup_databases,
    teardown_databases,
)
from django.urls import include, path, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from milestones.changes import bump_every_quarter  # noqa: E402
from milestones.models import Milestone, Quarter  # noqa: E402
from milestones.quarters import ensure_quarter, quarter_of  # noqa: E402
from teams.models import Membership, Squad, Team, User  # noqa: E402

MILESTONES_PER_QUARTER = 10
QUARTERS = 4
TEAMS_PER_SQUAD = 5
BATCH = 2_000

DASHBOARD_CHANGED = "dashboard (after a change)"
DASHBOARD_UNCHANGED = "dashboard (unchanged)"
PAGE_NAMES = (
    DASHBOARD_CHANGED,
    DASHBOARD_UNCHANGED,
    "team page",
    "milestone page",
    "teams CSV",
    "milestones CSV",
    "teams list",
)
# Issue 17's goals: the most each page may cost, as a multiple of the trivial view, by number
# of teams (None: no goal at that size).
GOALS: dict[str, dict[int, float | None]] = {
    DASHBOARD_CHANGED: {25: 10, 250: 25, 1000: 60},
    DASHBOARD_UNCHANGED: {25: 5, 250: 5, 1000: 5},
    "team page": {25: 8, 250: 8, 1000: 8},
    "milestone page": {25: 8, 250: 8, 1000: 8},
    "teams CSV": {25: None, 250: None, 1000: 60},
    "milestones CSV": {25: None, 250: None, 1000: 60},
    "teams list": {25: None, 250: None, 1000: None},  # the issue sets it none; measured
}


def goal_for(page: str, teams: int) -> float | None:
    """The goal at the largest size not above `teams` (the issue sets them at 25/250/1,000)."""
    goals = GOALS.get(page, {})
    sizes = [size for size in goals if size <= teams]
    return goals[max(sizes)] if sizes else None


def trivial(request):
    """The yardstick: the full middleware stack (session, user, CSRF, htmx) and no work."""
    return HttpResponse("ok", content_type="text/plain")


# This module is the URLconf while it measures: the project's pages plus the yardstick.
urlpatterns = [
    path("bench/trivial/", trivial, name="bench-trivial"),
    path("", include("config.urls")),
]


# --- Building an organisation ----------------------------------------------------------------


def quarters_until(today: datetime.date) -> list[Quarter]:
    """The quarter containing today and the three before it, oldest first."""
    year, number = quarter_of(today)
    found = []
    for _ in range(QUARTERS):
        found.append(ensure_quarter(year, number, goal=0))
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
    return found[::-1]


@dataclass
class Org:
    vp: User  # leadership, to sign in with
    team: Team  # a team in the middle, for the team page
    milestone: Milestone  # one of its milestones this quarter, for the milestone page
    changes: int = 0


def change_one(org: Org) -> None:
    """One milestone changed as a lead would change it (through the service, so every cache
    keyed by the quarter's change counter goes stale): its status flips between on track and
    at risk, which the dashboard's figures and watch lists show."""
    from milestones.services import update_milestone

    milestone = Milestone.objects.get(pk=org.milestone.pk)
    status = (
        Milestone.Status.AT_RISK
        if milestone.status != Milestone.Status.AT_RISK
        else Milestone.Status.ON_TRACK
    )
    org.milestone = update_milestone(
        milestone=milestone, version=milestone.version, changes={"status": status}, user=org.vp
    )
    org.changes += 1


def build_org(teams: int, today: datetime.date, seed: int = 2026) -> Org:
    """`teams` trios in squads of five, ten milestones each per quarter, some slipped."""
    rng = random.Random(seed)
    password = make_password("password")  # hashing once, not 3,000 times
    quarters = quarters_until(today)
    for quarter, goal_share in zip(quarters, (0.55, 0.6, 0.6, 0.65), strict=True):
        quarter.goal = round(teams * goal_share)
        quarter.save()

    squads = Squad.objects.bulk_create(
        Squad(name=f"Squad {n:03}") for n in range(max(1, teams // TEAMS_PER_SQUAD))
    )
    team_rows = Team.objects.bulk_create(
        (
            Team(name=f"Team {n:04}", slug=f"team-{n:04}", squad=squads[n % len(squads)])
            for n in range(teams)
        ),
        batch_size=BATCH,
    )
    users = User.objects.bulk_create(
        (
            User(
                username=f"t{n:04}-{role}", display_name=f"Person {n:04} {role}", password=password
            )
            for n in range(teams)
            for role in ("lead", "eng1", "eng2")
        ),
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        (
            Membership(
                team=team_rows[index // 3],
                user=user,
                role=Membership.Role.TECH_LEAD if index % 3 == 0 else Membership.Role.ENGINEER,
            )
            for index, user in enumerate(users)
        ),
        batch_size=BATCH,
    )

    milestones = []
    for quarter in quarters:
        span = (quarter.end - quarter.start).days
        for team_index, team in enumerate(team_rows):
            for position in range(MILESTONES_PER_QUARTER):
                committed = quarter.start + datetime.timedelta(days=rng.randint(10, span - 5))
                milestones.append(
                    _milestone(
                        rng, team, quarter, position, committed, today, users[team_index * 3]
                    )
                )
    milestones = Milestone.objects.bulk_create(milestones, batch_size=BATCH)

    # History as the app writes it: a creation record for every milestone, then a change
    # record for each slip (a later target date).
    history = Milestone.history
    created_at = timezone.now() - datetime.timedelta(days=400)
    history.bulk_history_create(milestones, batch_size=BATCH, default_date=created_at)
    slipped = []
    for milestone in milestones:
        if rng.random() < 0.3 and milestone.status != Milestone.Status.DROPPED:
            milestone.target_date += datetime.timedelta(days=rng.randint(3, 21))
            slipped.append(milestone)
    Milestone.objects.bulk_update(slipped, ["target_date"], batch_size=BATCH)
    history.bulk_history_create(
        slipped, batch_size=BATCH, update=True, default_date=created_at + datetime.timedelta(1)
    )

    # As a database the app wrote would have them: every quarter's change counter.
    bump_every_quarter()
    vp = User.objects.create(username="bench-vp", is_leadership=True, password=password)
    team = team_rows[len(team_rows) // 2]
    milestone = (
        Milestone.objects.filter(team=team, quarter=quarters[-1])
        .exclude(status__in=[Milestone.Status.DONE, Milestone.Status.DROPPED])
        .order_by("position")
        .first()
    ) or Milestone.objects.filter(team=team, quarter=quarters[-1]).first()
    if milestone.status in (Milestone.Status.DONE, Milestone.Status.DROPPED):
        milestone.status, milestone.delivered_date = Milestone.Status.ON_TRACK, None
        milestone.save()
    return Org(vp, team, milestone)


def _milestone(rng, team, quarter, position, committed, today, owner) -> Milestone:
    """A milestone whose status is plausible for its dates on `today`."""
    grace = datetime.timedelta(days=quarter.grace_days)
    roll = rng.random()
    status, delivered = Milestone.Status.ON_TRACK, None
    if roll < 0.05:
        status = Milestone.Status.DROPPED
    elif committed + grace < today or roll < 0.3:
        if roll < 0.85 or committed > today:
            late_by = rng.choice((0, 0, 0, 2, 5, 9, 15))
            delivered = min(committed + datetime.timedelta(days=late_by), today)
            status = Milestone.Status.DONE
        else:
            status = Milestone.Status.OFF_TRACK
    elif roll < 0.45:
        status = Milestone.Status.AT_RISK
    return Milestone(
        team=team,
        quarter=quarter,
        title=f"{team.name} milestone {quarter.slug}-{position}",
        owner=owner,
        committed_date=committed,
        target_date=committed,
        status=status,
        delivered_date=delivered,
        position=position,
    )


# --- Measuring -------------------------------------------------------------------------------


def queries_of(client: Client, url: str) -> int:
    """The SQL queries of one request, after a warm-up request (which must answer 200)."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: the benchmark needs 200.")
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    # Read now: the captured queries are a view of the log, which the next request resets.
    return len(queries)


def read(response) -> int:
    """The body's length, read to the end (a streamed response too)."""
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def timed(client: Client, url: str) -> float:
    start = time.perf_counter()
    read(client.get(url))
    return (time.perf_counter() - start) * 1000


def peak_kib(client: Client, url: str, before: Callable[[], None] | None = None) -> float:
    """The peak memory one request allocates (Python objects, tracemalloc), in KiB."""
    if before is not None:
        before()
    tracemalloc.start()
    try:
        read(client.get(url))
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def measure(
    client: Client,
    url: str,
    trivial_url: str,
    runs: int,
    before: Callable[[], None] | None = None,
) -> tuple[float, float]:
    """Median milliseconds of the page and of the trivial view, requested in turn; `before`
    runs (untimed) before each request of the page.

    Interleaving makes both medians see the same moments of a noisy machine, so their ratio
    means something even when the milliseconds do not.
    """
    page, trivial = [], []
    for _ in range(runs):
        trivial.append(timed(client, trivial_url))
        if before is not None:
            before()
        page.append(timed(client, url))
    return statistics.median(page), statistics.median(trivial)


def pages(org: Org) -> dict[str, str]:
    dashboard = reverse("dashboard:index")
    return {
        DASHBOARD_CHANGED: dashboard,
        DASHBOARD_UNCHANGED: dashboard,
        "team page": reverse("milestones:team", args=[org.team.slug]),
        "milestone page": reverse("milestones:detail", args=[org.team.slug, org.milestone.pk]),
        "teams CSV": reverse("dashboard:teams_csv"),
        "milestones CSV": reverse("dashboard:milestones_csv"),
        "teams list": reverse("teams:list"),
    }


def runs_for(teams: int, asked: int | None) -> int:
    if asked:
        return asked
    return 21 if teams <= 25 else 11 if teams <= 250 else 7


def bench_size(size: int, runs: int, only: list[str] | None = None) -> list[dict]:
    started = time.perf_counter()
    org = build_org(size, timezone.localdate())
    built = time.perf_counter() - started
    print(
        f"{size:>5} teams: {Milestone.objects.count():,} milestones and "
        f"{Milestone.history.count():,} history rows built in {built:.1f} s; "
        f"{runs} timed requests per page",
        file=sys.stderr,
    )
    client = Client()
    client.force_login(org.vp)
    trivial_url = reverse("bench-trivial")
    common = {"teams": size, "milestones": size * MILESTONES_PER_QUARTER * QUARTERS, "runs": runs}
    trivial_queries = queries_of(client, trivial_url)
    rows, trivial_times = [], []
    for name, url in pages(org).items():
        if only and name not in only:
            continue
        before = (lambda: change_one(org)) if name == DASHBOARD_CHANGED else None
        if before is not None:
            before()
        queries = queries_of(client, url)
        median, trivial = measure(client, url, trivial_url, runs, before)
        trivial_times.append(trivial)
        ratio = round(median / trivial, 1)
        goal = goal_for(name, size)
        rows.append(
            {
                **common,
                "page": name,
                "url": url,
                "queries": queries,
                "median_ms": round(median, 2),
                "trivial_median_ms": round(trivial, 2),
                "ratio_to_trivial": ratio,
                "goal_ratio": goal,
                "goal_met": None if goal is None else ratio <= goal,
                "peak_kib": round(peak_kib(client, url, before), 1),
            }
        )
    yardstick = {
        **common,
        "page": "trivial view",
        "url": trivial_url,
        "queries": trivial_queries,
        "median_ms": round(statistics.median(trivial_times), 2),
        "trivial_median_ms": round(statistics.median(trivial_times), 2),
        "ratio_to_trivial": 1.0,
        "goal_ratio": None,
        "goal_met": None,
        "peak_kib": round(peak_kib(client, trivial_url), 1),
    }
    return [yardstick, *rows]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 250, 1000])
    parser.add_argument("--runs", type=int, default=None, help="timed requests per page")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--pages", nargs="+", choices=PAGE_NAMES, default=None, help="only these pages"
    )
    args = parser.parse_args(argv)

    rows = []
    # Not setup_test_environment(): its instrumented template rendering copies the context at
    # every template and partial, which would measure the test harness, not the page.
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        for size in args.sizes:
            # A fresh database for each size: nothing left over from the one before.
            old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
            try:
                rows += bench_size(size, runs_for(size, args.runs), args.pages)
            finally:
                teardown_databases(old_config, verbosity=0)
    print_table(rows)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "generated_at": timezone.now().isoformat(timespec="seconds"),
                "database": connection.vendor,
                "python": platform.python_version(),
                "django": django.get_version(),
                "machine": platform.machine(),
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(f"\nWritten to {shown}")
    return 0


def print_table(rows: list[dict]) -> None:
    header = (
        f"{'teams':>6}  {'page':<27} {'queries':>7} {'median ms':>10} {'x trivial':>10} "
        f"{'goal':>7}  {'':<4} {'peak KiB':>9}"
    )
    print(header)
    print("-" * len(header))
    previous = None
    for row in rows:
        if previous is not None and row["teams"] != previous:
            print()
        previous = row["teams"]
        goal = row.get("goal_ratio")
        verdict = "" if goal is None else ("ok" if row["goal_met"] else "MISS")
        print(
            f"{row['teams']:>6}  {row['page']:<27} {row['queries']:>7} "
            f"{row['median_ms']:>10.1f} {row['ratio_to_trivial']:>10.1f} "
            f"{'' if goal is None else f'<= {goal:g}':>7}  {verdict:<4} "
            f"{row.get('peak_kib', 0):>9.0f}"
        )


if __name__ == "__main__":
    sys.exit(main())
