"""sheets.report: a run's result, counts and changes in words, from a plan made here."""

import datetime

from milestones.models import Milestone, Quarter
from sheets import parse
from sheets.merge import FieldConflict, MilestoneMerge
from sheets.models import SyncRun
from sheets.plan import AppendedRow, LinkedRow, PlannedConflict, SyncPlan, TabPlan
from sheets.report import SyncMessage, describe_tab, planned_counts, result_of
from teams.models import Team

PLATFORM = Team(pk=1, name="Platform", slug="platform")
DEC_1, DEC_18 = datetime.date(2026, 12, 1), datetime.date(2026, 12, 18)


def tab_with_a_conflict_and_an_append():
    ship = Milestone(pk=5, team=PLATFORM, title="Ship", target_date=DEC_18, status="at_risk")
    merged = MilestoneMerge(
        pull={"status": "at_risk"},
        push={"target_date": DEC_18},
        conflicts=[FieldConflict("target_date", DEC_18, DEC_1, DEC_1)],
    )
    link = LinkedRow(ship, parse.SheetRow(number=2, id=5), merged, state=None, write_id=False)
    cut = Milestone(pk=6, team=PLATFORM, title="Cut", target_date=DEC_1, status="planned")
    append = AppendedRow(cut, restored=True, row_number=9)
    tab = TabPlan(
        PLATFORM, "Platform", None, parse.new_tab_layout(), links=(link,), appends=(append,)
    )
    conflict = PlannedConflict(
        ship, "target_date", DEC_1, "12/1/2026", DEC_18, DEC_1, True, "Platform", 2, "D"
    )
    return tab, conflict


def test_a_tabs_changes_are_told_row_by_row():
    tab, _ = tab_with_a_conflict_and_an_append()

    assert describe_tab(tab, {}) == [
        "Platform row 2: 'Ship' Status from the sheet: At risk",
        "Platform row 2: 'Ship' Target date conflict: the sheet says Dec 1, 2026, the app "
        "Dec 18, 2026; the app's value stays",
        "Platform row 9: 'Cut' (ID 6) restored to the sheet",
    ]


def test_a_plan_with_a_conflict_or_an_error_is_a_partial_run_counted_per_team():
    tab, conflict = tab_with_a_conflict_and_an_append()
    error = SyncMessage("error", "'soon' is not a date", team="Platform", tab="Platform", row=3)
    plan = SyncPlan(quarter=Quarter(pk=1), tabs=(tab,), conflicts=(conflict,), messages=(error,))

    result = result_of(plan, planned_counts(plan), dry_run=True, requests=2)

    assert result.status == SyncRun.Status.PARTIAL
    counts = result.counts
    assert (counts.updated_in_app, counts.updated_in_sheet, counts.created_in_sheet) == (1, 1, 1)
    assert (counts.restored, counts.conflicts, counts.errors) == (1, 1, 1)
    [team] = result.teams
    assert (team.slug, team.pulled, team.pushed, team.conflicts) == ("platform", 1, 2, 1)
    assert result.errors == [error]
    assert error.where == "Platform row 3"


def test_a_plan_that_meets_nothing_is_an_ok_run():
    plan = SyncPlan(quarter=Quarter(pk=1))

    assert (
        result_of(plan, planned_counts(plan), dry_run=False, requests=2).status == SyncRun.Status.OK
    )
