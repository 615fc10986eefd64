"""The demo's leadership sheet, built from the demo organisation (SPEC section 4, issue 8.9).

`build_demo_sheet(today)` writes nothing: it returns the spreadsheet (in the emulator's JSON
format, that of tests/data/sheet.json) as if last night's sync had just run, plus the
sync states that last night left, and then a day of edits on top:

* in the sheet: a status changed, a date slipped, a row added, a bad cell;
* on both sides: one target date the app moved since last night and the sheet moved
  elsewhere (a conflict);
* in the app: one status changed since last night (the sync pushes it);

so pressing "Sync now" shows a real merge, a conflict to resolve and a per-cell error.
`install_demo_sheet` saves those states (and last night's run) to the database.

Each team's tab has the sheet's own columns the app never maps (Jira, Comments), columns in
two orders, and a Summary tab of formulas the app never touches.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from milestones.models import Milestone, Quarter
from sheets import parse
from sheets.fields import app_values, values_to_json
from sheets.models import SyncConflict, SyncRun, SyncState
from teams.models import Team

SPREADSHEET_ID = "milepost-demo"
TITLE = "Engineering milestones (demo)"

# Two layouts, as real tabs differ: ID first, or ID after the sheet's own columns.
LAYOUTS = (
    ("ID", "Milestone", "Owner", "Target date", "Status", "Notes", "Jira"),
    ("Status", "Milestone", "Owner", "Due", "Notes", "Comments", "ID"),
)
# Header -> the key of a row's cells (below).
_KEY_OF = {
    "ID": "id",
    "Milestone": "title",
    "Owner": "owner",
    "Target date": "target_date",
    "Due": "target_date",
    "Status": "status",
    "Notes": "notes",
    "Jira": "jira",
    "Comments": "comments",
}


class DemoSheetError(Exception):
    pass


@dataclass
class DemoSheet:
    data: dict[str, Any]
    states: list[SyncState]
    quarter: Quarter
    edits: list[str] = field(default_factory=list)  # what the demo changed since last night


def build_demo_sheet(today: datetime.date) -> DemoSheet:
    quarter = Quarter.objects.containing(today).first()
    if quarter is None:
        raise DemoSheetError(f"No quarter contains {today}: build the demo organisation first.")
    teams = list(Team.objects.filter(active=True).order_by("name"))
    milestones = list(
        Milestone.objects.filter(team__in=teams, quarter=quarter)
        .select_related("owner", "team")
        .order_by("team__name", "position", "pk")
    )
    by_team: dict[int, list[Milestone]] = {team.pk: [] for team in teams}
    for milestone in milestones:
        by_team[milestone.team_id].append(milestone)
    # One open milestone from each of the first six teams that have one, for the six edits.
    firsts = (next((m for m in by_team[t.pk] if m.is_open), None) for t in teams)
    picks = [m for m in firsts if m is not None][:6]
    if len(teams) < 6 or len(picks) < 6:
        raise DemoSheetError(
            "The demo sheet needs six teams with an open milestone this quarter: "
            "run `manage.py seed_demo` first."
        )

    states: list[SyncState] = []
    rows_of: dict[int, dict[str, str]] = {}  # milestone pk -> its row's cells, by key
    tabs = []
    for index, team in enumerate(teams):
        layout = LAYOUTS[index % 2]
        rows = []
        for number, milestone in enumerate(by_team[team.pk], start=2):
            cells = _row(milestone, first_names=index % 3 == 1)
            rows_of[milestone.pk] = cells
            rows.append(cells)
            states.append(
                SyncState(
                    milestone=milestone,
                    tab=team.tab_title,
                    row=number,
                    values=values_to_json(app_values(milestone)),
                    synced_at=timezone.now(),
                )
            )
        tabs.append({"title": team.tab_title, "layout": layout, "rows": rows})
    state_of = {state.milestone_id: state for state in states}
    edits = []

    # 1. The sheet: a status changed.
    m = picks[0]
    new_status = "At risk" if m.status != Milestone.Status.AT_RISK else "On track"
    rows_of[m.pk]["status"] = new_status
    edits.append(f"{m.team}: {m.title!r} marked {new_status} in the sheet")
    # 2. The sheet: a date slipped two weeks.
    m = picks[1]
    rows_of[m.pk]["target_date"] = parse.format_date(m.target_date + datetime.timedelta(days=14))
    edits.append(f"{m.team}: {m.title!r} slipped two weeks in the sheet")
    # 3. The sheet: a row added, without an ID.
    team = teams[2]
    owner = team.engineers[0] if team.engineers else None
    added = {
        "title": "Beta of the partner API",
        "owner": owner.first_name_or_name if owner else "",
        "target_date": parse.format_date(quarter.end - datetime.timedelta(days=10)),
        "status": "Not started",
        "notes": "added in the sheet",
        "jira": "ENG-4242",
    }
    tabs[2]["rows"].append(added)
    edits.append(f"{team}: a row added in the sheet ({added['title']!r})")
    # 4. Both sides: the app moved a date a week since last night, the sheet three weeks.
    m = picks[3]
    state_of[m.pk].values["target_date"] = (m.target_date - datetime.timedelta(days=7)).isoformat()
    rows_of[m.pk]["target_date"] = parse.format_date(m.target_date + datetime.timedelta(days=21))
    edits.append(f"{m.team}: {m.title!r} moved on both sides (a conflict)")
    # 5. The sheet: a date that is not a date.
    m = picks[4]
    rows_of[m.pk]["target_date"] = "end of sprint"
    edits.append(f"{m.team}: {m.title!r} given the target date 'end of sprint' (a bad cell)")
    # 6. The app: a status changed since last night, which the sheet does not show yet.
    m = picks[5]
    before = Milestone.Status.PLANNED if m.status != Milestone.Status.PLANNED else "on_track"
    state_of[m.pk].values["status"] = before
    rows_of[m.pk]["status"] = Milestone.Status(before).label
    edits.append(f"{m.team}: {m.title!r} changed status in the app")

    sheets = [_summary(teams, tabs)]
    for tab in tabs:
        header = list(tab["layout"])
        values = [header] + [[row.get(_KEY_OF[name], "") for name in header] for row in tab["rows"]]
        sheets.append({"title": tab["title"], "values": _trim(values)})
    data = {
        "spreadsheetId": SPREADSHEET_ID,
        "title": TITLE,
        "locale": "en_US",
        "timeZone": "America/New_York",
        "sheets": sheets,
    }
    return DemoSheet(data=data, states=states, quarter=quarter, edits=edits)


@transaction.atomic
def install_demo_sheet(demo: DemoSheet, *, now: datetime.datetime | None = None) -> None:
    """Make the database agree with the demo sheet as of last night: the sync records of
    earlier demo sessions go, last night's states and run are saved."""
    now = now or timezone.now()
    SyncConflict.objects.all().delete()
    SyncState.objects.all().delete()
    SyncRun.objects.all().delete()
    SyncState.objects.bulk_create(demo.states)
    last_night = now.replace(hour=2, minute=0, second=0, microsecond=0) - datetime.timedelta(days=1)
    run = SyncRun.objects.create(
        trigger=SyncRun.Trigger.COMMAND,
        status=SyncRun.Status.OK,
        progress_label="Finished",
        requests=3,
    )
    SyncRun.objects.filter(pk=run.pk).update(
        created_at=last_night,
        started_at=last_night,
        finished_at=last_night + datetime.timedelta(seconds=2),
    )


def _row(milestone: Milestone, *, first_names: bool) -> dict[str, str]:
    """A milestone's row as last night's sync left it (owners by first name in some tabs, as
    people type them)."""
    owner = ""
    if milestone.owner_id:
        owner = milestone.owner.first_name_or_name if first_names else milestone.owner.name
    return {
        "id": str(milestone.pk),
        "title": milestone.title,
        "owner": owner,
        "target_date": parse.format_date(milestone.target_date),
        "status": Milestone.Status(milestone.status).label,
        "notes": milestone.notes,
        "jira": f"ENG-{1000 + milestone.pk}",
        "comments": "",
    }


def _trim(values: list[list[str]]) -> list[list[str]]:
    trimmed = []
    for row in values:
        row = ["" if cell is None else str(cell) for cell in row]
        while row and row[-1] == "":
            row.pop()
        trimmed.append(row)
    return trimmed


def _summary(teams: list[Team], tabs: list[dict[str, Any]]) -> dict[str, Any]:
    values = [["Team", "Milestones", "Done", "At risk"]]
    for team, tab in zip(teams, tabs, strict=True):
        header = tab["layout"]
        title = "'" + tab["title"].replace("'", "''") + "'"
        milestone = _letter(header.index("Milestone"))
        status = _letter(header.index("Status"))
        values.append(
            [
                team.name,
                f"=COUNTA({title}!{milestone}2:{milestone})",
                f'=COUNTIF({title}!{status}2:{status},"Done")',
                f'=COUNTIF({title}!{status}2:{status},"At risk")',
            ]
        )
    return {"title": "Summary", "values": values}


def _letter(index: int) -> str:
    return chr(ord("A") + index)
