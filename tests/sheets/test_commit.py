"""sheets.commit alone: a plan made here carried out in the database, IDs reserved for the
sheet, and edits made in the app meanwhile kept."""

import datetime

import pytest
from django.utils import timezone

from milestones.history import Source
from milestones.models import Milestone
from milestones.services import update_milestone
from sheets.commit import commit_plan, give_new_ids, leave_for_next_run, moved_milestones
from sheets.fields import app_values, values_to_json
from sheets.journal import Takeover
from sheets.models import SyncRun, SyncState
from sheets.plan import build_plan
from sheets.read import TabData
from tests.factories import MilestoneFactory, TeamFactory, trio
from tests.sheets.conftest import TODAY

pytestmark = pytest.mark.django_db

HEADER = ["Milestone", "Owner", "Target date", "Status", "Notes", "ID"]
DEC_1, DEC_18 = datetime.date(2026, 12, 1), datetime.date(2026, 12, 18)


@pytest.fixture
def team(q4):
    return trio(TeamFactory(name="Platform", slug="platform"))[0]


@pytest.fixture
def run(db):
    return SyncRun.objects.create(
        trigger=SyncRun.Trigger.COMMAND, status=SyncRun.Status.RUNNING, started_at=timezone.now()
    )


def plan_of(team, *rows, takeover=None):
    data = TabData("Platform", sheet_id=1, row_count=1000, column_count=26, values=[HEADER, *rows])
    return build_plan(
        teams=[team],
        tabs={"Platform": data},
        today=TODAY,
        takeover=takeover or Takeover(),
        all_teams=True,
        progress=lambda label, done, total: None,
    )


def synced(milestone, row=2):
    SyncState.objects.create(
        milestone=milestone,
        tab="Platform",
        row=row,
        values=values_to_json(app_values(milestone)),
        synced_at=timezone.now(),
    )
    return milestone


def test_adopted_rows_become_milestones_with_the_ids_reserved_for_the_sheet(team, run):
    plan = plan_of(team, ["Ship webhooks", "", "12/1/2026", "On track"])
    give_new_ids(plan)
    reserved = plan.tabs[0].new_rows[0].milestone.pk

    result = commit_plan(plan, run=run, today=TODAY, requests=3)

    milestone = Milestone.objects.get()
    assert (milestone.pk, milestone.title, milestone.target_date) == (
        reserved,
        "Ship webhooks",
        DEC_1,
    )
    assert milestone.history.get().source == Source.SYNC
    state = SyncState.objects.get(milestone=milestone)
    assert (state.tab, state.row) == ("Platform", 2)
    assert state.values == {
        "title": "Ship webhooks",
        "owner": None,
        "target_date": "2026-12-01",
        "status": "on_track",
        "notes": "",
    }
    assert result.counts.created_in_app == 1
    run.refresh_from_db()
    assert (run.status, run.created_in_app, run.requests, run.progress_label) == (
        SyncRun.Status.OK,
        1,
        3,
        "Finished",
    )
    assert result.run == run


def test_reserved_ids_are_never_given_to_a_milestone_created_meanwhile(team, run, q4):
    plan = plan_of(team, ["Ship webhooks", "", "12/1/2026", "On track"])
    give_new_ids(plan)
    reserved = plan.tabs[0].new_rows[0].milestone.pk

    meanwhile = MilestoneFactory(team=team, quarter=q4)
    commit_plan(plan, run=run, today=TODAY, requests=0)

    assert meanwhile.pk > reserved
    assert Milestone.objects.get(pk=reserved).title == "Ship webhooks"


def test_a_done_status_from_the_sheet_is_delivered_today_and_recorded_as_the_syncs(team, run, q4):
    milestone = synced(MilestoneFactory(team=team, quarter=q4, title="Ship", target_date=DEC_1))

    result = commit_plan(
        plan_of(team, ["Ship", "", "12/1/2026", "Done", "", str(milestone.pk)]),
        run=run,
        today=TODAY,
        requests=0,
    )

    milestone.refresh_from_db()
    assert (milestone.status, milestone.delivered_date, milestone.version) == (
        Milestone.Status.DONE,
        TODAY,
        2,
    )
    assert milestone.history.latest().source == Source.SYNC
    assert SyncState.objects.get(milestone=milestone).values["status"] == "done"
    assert result.counts.updated_in_app == 1


def test_a_conflict_is_recorded_with_the_run(team, run, q4):
    milestone = synced(MilestoneFactory(team=team, quarter=q4, title="Ship", target_date=DEC_1))
    Milestone.objects.filter(pk=milestone.pk).update(target_date=DEC_18, version=2)

    commit_plan(
        plan_of(team, ["Ship", "", "12/20/2026", "On track", "", str(milestone.pk)]),
        run=run,
        today=TODAY,
        requests=0,
    )

    [conflict] = milestone.sync_conflicts.all()
    assert (conflict.field, conflict.sheet_value, conflict.app_value, conflict.base_value) == (
        "target_date",
        "2026-12-20",
        "2026-12-18",
        "2026-12-01",
    )
    assert conflict.run == run
    run.refresh_from_db()
    assert (run.status, run.conflicts) == (SyncRun.Status.PARTIAL, 1)


def test_the_journals_a_run_took_over_are_cleared_when_it_commits(team, run):
    died = SyncRun.objects.create(
        trigger=SyncRun.Trigger.COMMAND,
        status=SyncRun.Status.FAILED,
        journal={"adopted": [["platform", "x"]], "conflicts": []},
    )
    plan = plan_of(team, takeover=Takeover(runs=(died.pk,)))

    commit_plan(plan, run=run, today=TODAY, requests=0)

    died.refresh_from_db()
    assert died.journal == {}


def test_a_milestone_saved_before_the_sheet_write_is_left_out_of_it(team, q4):
    edited = synced(MilestoneFactory(team=team, quarter=q4, title="Ship", position=0))
    first = MilestoneFactory(team=team, quarter=q4, title="First", position=1)
    second = MilestoneFactory(team=team, quarter=q4, title="Second", position=2)
    plan = plan_of(team, ["Ship", "", "12/1/2026", "At risk", "", str(edited.pk)])
    Milestone.objects.filter(pk__in=[edited.pk, first.pk]).update(version=5)

    moved = moved_milestones(plan)
    left = leave_for_next_run(plan, moved)

    assert moved == {edited.pk: 5, first.pk: 5}
    [tab] = left.tabs
    assert tab.links == ()
    assert [(a.milestone, a.row_number) for a in tab.appends] == [(second, 3)]
    assert "was saved in the app during the sync" in left.messages[-1].text


def test_a_milestone_saved_during_the_sheet_write_keeps_its_edit_and_the_sheets_waits(
    team, run, q4
):
    milestone = synced(MilestoneFactory(team=team, quarter=q4, title="Ship", target_date=DEC_1))
    milestone.refresh_from_db()
    milestone = update_milestone(
        milestone=milestone, version=milestone.version, changes={"target_date": DEC_18}, user=None
    )
    # The sheet changed the status; the plan pushes the new date and pulls the status.
    plan = plan_of(team, ["Ship", "", "12/1/2026", "At risk", "", str(milestone.pk)])
    # The sheet write is done; someone saves the milestone before the commit.
    update_milestone(
        milestone=milestone, version=milestone.version, changes={"notes": "on hold"}, user=None
    )

    result = commit_plan(plan, run=run, today=TODAY, requests=0)

    milestone.refresh_from_db()
    assert (milestone.status, milestone.notes) == (Milestone.Status.ON_TRACK, "on hold")
    assert result.counts.updated_in_app == 0
    assert "what the sheet changed in it is left for the next run" in result.messages[-1].text
    # The base: the date the sheet now shows, the status of the last sync.
    values = SyncState.objects.get(milestone=milestone).values
    assert (values["target_date"], values["status"]) == ("2026-12-18", "on_track")
    # The next run takes the status and pushes the notes: no conflict.
    again = plan_of(team, ["Ship", "", "12/18/2026", "At risk", "", str(milestone.pk)])
    [link] = again.tabs[0].links
    assert link.merge.pull == {"status": Milestone.Status.AT_RISK}
    assert again.conflicts == ()
