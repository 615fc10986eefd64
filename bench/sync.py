"""`make bench`: what a full sheet sync costs as the organisation grows, beside a naive script.

For organisations of 25, 250 and 1,000 teams with ten milestones each, synced last night, it
makes one edit in the sheet and one in the app in every team, then measures one full sync:
Sheets API requests (the emulator's counter), wall time, and peak Python memory (tracemalloc,
on for every run alike). Beside it runs a naive baseline on the same starting state: the
script a person would write with gspread, reading each tab with its own calls
(``spreadsheet.worksheet(title)`` and ``get_all_values()``), merging row by row with a query
per row, and writing each tab back with its own ``batch_update``. The same three-way merge
decides in both, so the figures differ only by how they talk to Google and the database;
on a noisy machine the seconds move, the ratios hold.

    .venv/bin/python bench/sync.py [--sizes 25 250 1000] [--no-baseline]

The emulator runs in a process of its own (`manage.py sheets_emulator`), so neither its
memory nor its CPU is counted as the sync's. The database is a throwaway test database
(SQLite in memory by default, PostgreSQL's `test_<name>` when DATABASE_URL points there).
It prints a table and writes it as JSON to bench/results/sync.json. A benchmark, not a
test: it asserts only that both ways leave the same milestones and the same sheet.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "sync.json"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from milestones.history import Source, history_source  # noqa: E402
from milestones.models import Milestone  # noqa: E402
from milestones.quarters import ensure_quarter  # noqa: E402
from sheets import parse  # noqa: E402
from sheets.client import open_spreadsheet  # noqa: E402
from sheets.fields import (  # noqa: E402
    app_values,
    cell_value,
    values_from_json,
    values_to_json,
)
from sheets.merge import merge_milestone  # noqa: E402
from sheets.models import SyncRun, SyncState  # noqa: E402
from sheets.run import sync_sheet  # noqa: E402
from teams.models import Membership, Squad, Team, User  # noqa: E402

TODAY = datetime.date(2026, 11, 25)
ROWS = 10
HEADER = ["ID", "Milestone", "Owner", "Target date", "Status", "Notes", "Jira"]
SHEET_ID = "bench"
BATCH = 2_000


# --- The emulator, in its own process ---------------------------------------------------------


class Emulator:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "sheets_emulator", "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        )
        for line in self.process.stdout:
            match = re.search(r"listening on (http://\S+)", line)
            if match:
                self.url = match[1]
                break
        else:
            raise RuntimeError("The Sheets emulator did not start.")
        self.session = requests.Session()

    def load(self, data: dict[str, Any]) -> None:
        response = self.session.put(
            f"{self.url}/_emulator/spreadsheets/{data['spreadsheetId']}", json=data, timeout=60
        )
        response.raise_for_status()

    def dump(self) -> dict[str, Any]:
        return self.session.get(f"{self.url}/_emulator/spreadsheets/{SHEET_ID}", timeout=60).json()

    def requests(self) -> int:
        return self.session.get(f"{self.url}/_emulator/stats", timeout=60).json()["total"]

    def reset_stats(self) -> None:
        self.session.post(f"{self.url}/_emulator/stats/reset", timeout=60).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


# --- An organisation synced last night, and a day of edits ------------------------------------


def build(size: int) -> dict[str, Any]:
    """`size` teams of three with ten milestones each, the sheet as last night's sync left
    it, then in every team one status changed in the sheet and one date moved in the app."""
    quarter = ensure_quarter(2026, 4)
    squad = Squad.objects.create(name="Bench")
    teams = Team.objects.bulk_create(
        Team(name=f"Team {n:04}", slug=f"team-{n:04}", squad=squad) for n in range(size)
    )
    users = User.objects.bulk_create(
        (
            User(
                username=f"t{n}-{role}",
                display_name=f"{first} {last}{n}",
                email=f"t{n}-{role}@example.com",
            )
            for n in range(size)
            for role, first, last in (("l", "Lee", "Lead"), ("a", "Ada", "Eng"), ("b", "Bo", "Eng"))
        ),
        batch_size=BATCH,
    )
    Membership.objects.bulk_create(
        (
            Membership(
                team=teams[index // 3],
                user=user,
                role=Membership.Role.TECH_LEAD if index % 3 == 0 else Membership.Role.ENGINEER,
            )
            for index, user in enumerate(users)
        ),
        batch_size=BATCH,
    )
    milestones = Milestone.objects.bulk_create(
        (
            Milestone(
                team=team,
                quarter=quarter,
                title=f"Milestone {row} of {team.name}",
                owner=users[3 * n + row % 3],
                committed_date=quarter.start + datetime.timedelta(days=7 * row),
                target_date=quarter.start + datetime.timedelta(days=7 * row),
                status=Milestone.Status.ON_TRACK,
                notes="" if row % 2 else "from planning",
                position=row,
            )
            for n, team in enumerate(teams)
            for row in range(ROWS)
        ),
        batch_size=BATCH,
    )
    owners = {user.pk: user for user in users}
    for milestone in milestones:
        milestone.owner = owners[milestone.owner_id]
    SyncState.objects.bulk_create(
        (
            SyncState(
                milestone=m,
                tab=m.team.name,
                row=m.position + 2,
                values=values_to_json(app_values(m)),
                synced_at=timezone.now(),
            )
            for m in milestones
        ),
        batch_size=BATCH,
    )
    tabs = [{"title": "Summary", "values": [["Teams", "Rows"], [str(size), "=COUNTA(A:A)"]]}]
    for n, team in enumerate(teams):
        rows = [HEADER]
        for m in milestones[n * ROWS : (n + 1) * ROWS]:
            rows.append(
                [
                    str(m.pk),
                    m.title,
                    m.owner.name,
                    parse.format_date(m.target_date),
                    "On track",
                    m.notes,
                    f"ENG-{m.pk}",
                ]
            )
        rows[2][4] = "At risk"  # edited in the sheet
        tabs.append({"title": team.name, "values": rows})
    moved = [m for m in milestones if m.position == 3]  # edited in the app
    for m in moved:
        m.target_date += datetime.timedelta(days=7)
        m.version += 1
    Milestone.objects.bulk_update(moved, ["target_date", "version"], batch_size=BATCH)
    return {"spreadsheetId": SHEET_ID, "title": "Bench", "sheets": tabs}


# --- The naive script -------------------------------------------------------------------------


def naive_sync() -> None:
    """Each tab read and written with its own gspread calls, each row with its own queries."""
    spreadsheet = open_spreadsheet()
    quarter = ensure_quarter(2026, 4)
    for team in Team.objects.order_by("name"):
        worksheet = spreadsheet.worksheet(team.tab_title)
        values = worksheet.get_all_values()
        members = [
            parse.Member(m.user.pk, m.user.name, m.user.email, m.user.username)
            for m in team.memberships.select_related("user")
        ]
        tab = parse.parse_tab(
            team.tab_title,
            values,
            members=members,
            team_name=team.name,
            quarter_start=quarter.start,
            quarter_end=quarter.end,
        )
        updates = []
        for row in tab.rows:
            milestone = Milestone.objects.select_related("owner").get(pk=row.id)
            state = SyncState.objects.get(milestone=milestone)
            result = merge_milestone(
                base=values_from_json(state.values), app=app_values(milestone), sheet=row.values
            )
            if result.pull:
                for name, value in result.pull.items():
                    setattr(milestone, "owner_id" if name == "owner" else name, value)
                milestone.version += 1
                with history_source(Source.SYNC):
                    milestone.save()
            for name in result.push:
                column = tab.layout.columns[name]
                updates.append(
                    {
                        "range": f"{chr(65 + column)}{row.number}",
                        "values": [[cell_value(name, milestone)]],
                    }
                )
            new_values = {**state.values, **values_to_json(result.base)}
            if new_values != state.values:
                state.values = new_values
                state.save()
        if updates:
            worksheet.batch_update(updates, value_input_option="USER_ENTERED")


# --- Measuring --------------------------------------------------------------------------------


def measure(emulator: Emulator, size: int, way: str) -> dict[str, Any]:
    data = build(size)
    emulator.load(data)
    emulator.reset_stats()
    tracemalloc.start()
    started = time.perf_counter()
    if way == "engine":
        result = sync_sheet(today=TODAY)
        assert result.status == SyncRun.Status.OK, (result.status, result.error, result.errors)
    else:
        naive_sync()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = emulator.dump()
    outcome = {
        "statuses": sorted(Milestone.objects.values_list("title", "status", "target_date")),
        "sheet": [tab["values"] for tab in after["sheets"]],
    }
    return {
        "teams": size,
        "rows": size * ROWS,
        "way": way,
        "requests": emulator.requests(),
        "seconds": round(seconds, 3),
        "peak_mib": round(peak / 2**20, 1),
        "_outcome": outcome,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 250, 1000])
    parser.add_argument("--no-baseline", action="store_true", help="measure the engine only")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    emulator = Emulator()
    settings.MILEPOST_SHEETS_API_URL = emulator.url
    settings.MILEPOST_SHEET_KEY = SHEET_ID
    settings.GOOGLE_APPLICATION_CREDENTIALS = ""
    settings.MILEPOST_SHEETS_TIMEOUT = 120.0
    ways = ["engine"] if args.no_baseline else ["engine", "naive"]
    rows = []
    try:
        for size in args.sizes:
            outcomes = []
            for way in ways:
                # A fresh database for each run: both start from the same state.
                old_config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
                try:
                    row = measure(emulator, size, way)
                finally:
                    teardown_databases(old_config, verbosity=0)
                outcomes.append(row.pop("_outcome"))
                rows.append(row)
                print_row(row, rows)
            if len(outcomes) == 2:
                assert outcomes[0] == outcomes[1], f"the two ways disagree at {size} teams"
    finally:
        emulator.stop()
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


def print_row(row: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    if len(rows) == 1:
        header = (
            f"{'teams':>6} {'rows':>6}  {'way':<7} {'requests':>8} {'seconds':>8} "
            f"{'peak MiB':>9} {'x requests':>10} {'x seconds':>10}"
        )
        print(header)
        print("-" * len(header))
    engine = next(r for r in rows if r["teams"] == row["teams"] and r["way"] == "engine")
    ratio_requests = row["requests"] / engine["requests"]
    ratio_seconds = row["seconds"] / engine["seconds"] if engine["seconds"] else 0
    print(
        f"{row['teams']:>6} {row['rows']:>6}  {row['way']:<7} {row['requests']:>8} "
        f"{row['seconds']:>8.2f} {row['peak_mib']:>9.1f} {ratio_requests:>10.1f} "
        f"{ratio_seconds:>10.1f}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
