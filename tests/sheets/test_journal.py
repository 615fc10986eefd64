"""sheets.journal alone: what a run saves before its sheet write, and what the next run takes
over from runs that failed or died."""

import datetime

import pytest

from milestones.models import Milestone, Quarter
from sheets import parse
from sheets.journal import (
    JournalConflict,
    Takeover,
    clear_journals,
    journal_of,
    save_journal,
    take_over_interrupted,
)
from sheets.models import SyncRun
from sheets.plan import NewRow, PlannedConflict, SyncPlan, TabPlan
from teams.models import Team

pytestmark = pytest.mark.django_db

Q4 = Quarter(pk=1, year=2026, number=4)
PLATFORM = Team(pk=1, name="Platform")
DEC_20 = datetime.date(2026, 12, 20)
DEC_8 = datetime.date(2026, 12, 8)


def conflict(milestone):
    return PlannedConflict(
        milestone=milestone,
        field="target_date",
        sheet_value=DEC_20,
        sheet_text="12/20/2026",
        app_value=DEC_8,
        base_value=None,
        has_base=False,
        tab="Platform",
        row=4,
        column="C",
    )


def adopting(title):
    row = parse.SheetRow(number=3, values={"title": title})
    new = NewRow(row=row, milestone=Milestone(title=title))
    tab = TabPlan(PLATFORM, "Platform", None, parse.new_tab_layout(), new_rows=(new,))
    return SyncPlan(quarter=Q4, tabs=(tab,))


def run(status, journal=None):
    return SyncRun.objects.create(
        trigger=SyncRun.Trigger.COMMAND, status=status, journal=journal or {}
    )


def test_a_plan_that_overwrites_nothing_and_adopts_nothing_has_no_journal():
    assert journal_of(SyncPlan(quarter=Q4)) == {}


def test_the_journal_names_the_rows_a_run_adopts_by_tab_and_title():
    assert journal_of(adopting("Ship  Webhooks")) == {
        "adopted": [["platform", "ship webhooks"]],
        "conflicts": [],
    }


def test_the_journal_keeps_the_sheet_value_of_each_conflicting_cell_as_json():
    plan = SyncPlan(quarter=Q4, conflicts=(conflict(Milestone(pk=12)),))

    [entry] = journal_of(plan)["conflicts"]

    assert entry == {
        "milestone": 12,
        "field": "target_date",
        "sheet_value": "2026-12-20",
        "sheet_text": "12/20/2026",
        "app_value": "2026-12-08",
        "base_value": None,
        "has_base": False,
        "tab": "Platform",
        "row": 4,
        "column": "C",
    }


def test_an_empty_journal_is_not_written():
    current = run(SyncRun.Status.RUNNING)

    save_journal(current, {})

    current.refresh_from_db()
    assert current.journal == {}


def test_a_run_left_running_is_marked_interrupted_and_its_journal_taken_over():
    journal = journal_of(adopting("Ship webhooks"))
    journal["conflicts"] = journal_of(
        SyncPlan(quarter=Q4, conflicts=(conflict(Milestone(pk=12)),))
    )["conflicts"]
    died = run(SyncRun.Status.RUNNING, journal)
    current = run(SyncRun.Status.RUNNING)

    takeover = take_over_interrupted(current)

    died.refresh_from_db()
    current.refresh_from_db()
    assert (died.status, died.progress_label) == (SyncRun.Status.FAILED, "Interrupted")
    assert "interrupted" in died.error
    assert current.status == SyncRun.Status.RUNNING
    assert takeover == Takeover(
        orphans=frozenset({("platform", "ship webhooks")}),
        conflicts=(
            JournalConflict(
                milestone=12,
                field="target_date",
                sheet_value=DEC_20,
                sheet_text="12/20/2026",
                app_value=DEC_8,
                base_value=None,
                has_base=False,
                tab="Platform",
                row=4,
                column="C",
            ),
        ),
        runs=(died.pk,),
    )


def test_only_failed_runs_with_a_journal_are_taken_over_and_clearing_ends_them():
    failed = run(SyncRun.Status.FAILED, {"adopted": [["bots", "a"]], "conflicts": []})
    run(SyncRun.Status.FAILED)
    run(SyncRun.Status.OK)
    current = run(SyncRun.Status.RUNNING)

    takeover = take_over_interrupted(current)
    clear_journals(takeover.runs)

    assert takeover.runs == (failed.pk,)
    assert takeover.orphans == {("bots", "a")}
    failed.refresh_from_db()
    assert failed.journal == {}
    assert take_over_interrupted(current) == Takeover()
