"""sheets.plan alone: the plan made from tabs given here and the app's data, nothing written."""

import datetime

import pytest
from django.utils import timezone

from milestones.models import Milestone
from sheets.fields import app_values, values_to_json
from sheets.journal import JournalConflict, Takeover
from sheets.models import SyncConflict, SyncState
from sheets.plan import SyncRefused, build_plan
from sheets.read import TabData
from tests.factories import MilestoneFactory, TeamFactory, trio
from tests.sheets.conftest import TODAY

pytestmark = pytest.mark.django_db

HEADER = ["Milestone", "Owner", "Target date", "Status", "ID"]
DEC_1, DEC_18 = datetime.date(2026, 12, 1), datetime.date(2026, 12, 18)


@pytest.fixture
def platform(q4):
    team, lead, *_ = trio(TeamFactory(name="Platform", slug="platform"))
    return team, lead


def tab(title, *rows, header=HEADER):
    return TabData(title, sheet_id=1, row_count=1000, column_count=26, values=[header, *rows])


def plan_of(teams, *tabs, takeover=None, progress=None):
    return build_plan(
        teams=teams,
        tabs={data.title: data for data in tabs},
        today=TODAY,
        takeover=takeover or Takeover(),
        all_teams=True,
        progress=progress or (lambda label, done, total: None),
    )


def synced(milestone, row=2):
    """The milestone as the last sync left it: both sides had its current values."""
    SyncState.objects.create(
        milestone=milestone,
        tab=milestone.team.tab_title,
        row=row,
        values=values_to_json(app_values(milestone)),
        synced_at=timezone.now(),
    )
    return Milestone.objects.select_related("sync_state").get(pk=milestone.pk)


def test_a_row_of_no_milestone_is_a_new_milestone_in_the_plan_and_nothing_is_saved(platform):
    team, lead = platform

    plan = plan_of([team], tab("Platform", ["Ship webhooks", lead.name, "12/1/2026", "On track"]))

    [planned] = plan.tabs
    [new] = planned.new_rows
    assert new.milestone.pk is None
    assert (new.milestone.title, new.milestone.owner_id) == ("Ship webhooks", lead.pk)
    assert new.milestone.committed_date == new.milestone.target_date == DEC_1
    assert not Milestone.objects.exists()
    assert plan.changes == ("Platform row 2: new milestone 'Ship webhooks'",)


def test_a_done_row_adopted_is_delivered_on_its_target_date_when_that_has_passed(platform):
    team, _ = platform

    plan = plan_of([team], tab("Platform", ["Shipped", "", "11/2/2026", "Done"]))

    [new] = plan.tabs[0].new_rows
    assert (new.milestone.status, new.milestone.delivered_date) == (
        Milestone.Status.DONE,
        datetime.date(2026, 11, 2),
    )


def test_a_row_without_a_date_the_app_can_read_is_not_adopted_and_says_why(platform):
    team, _ = platform

    plan = plan_of([team], tab("Platform", ["Ship webhooks", "", "soon", "On track"]))

    assert plan.tabs[0].new_rows == ()
    assert [(m.level, m.column, m.value) for m in plan.messages] == [
        ("error", "C", "soon"),
        ("warning", "", ""),
    ]
    assert "needs a title and a target date" in plan.messages[1].text


def test_a_tab_without_an_id_column_gets_one_after_its_widest_row(platform):
    team, _ = platform

    plan = plan_of(
        [team],
        tab("Platform", ["Ship webhooks", "", "12/1/2026", "", "", "note"], header=HEADER[:4]),
    )

    [planned] = plan.tabs
    assert planned.layout.id_column == 6
    assert planned.header == {6: "ID"}
    assert "Platform: add an ID column in G" in plan.changes


def test_a_team_without_a_tab_gets_one_with_a_header_and_its_milestones_appended(platform, q4):
    team, _ = platform
    milestone = MilestoneFactory(team=team, quarter=q4)

    plan = plan_of([team])

    [planned] = plan.tabs
    assert planned.create
    assert planned.header == {
        0: "ID",
        1: "Milestone",
        2: "Owner",
        3: "Target date",
        4: "Status",
        5: "Notes",
    }
    [append] = planned.appends
    assert (append.milestone, append.row_number, append.restored) == (milestone, 2, False)
    assert plan.messages[0].text == "Platform had no tab in the sheet: tab 'Platform' is created."


def test_a_tab_without_a_title_column_is_skipped_with_an_error(platform):
    team, _ = platform

    plan = plan_of([team], tab("Platform", ["Sam", "12/1/2026"], header=["Owner", "Due"]))

    [planned] = plan.tabs
    assert planned.skipped
    assert planned.errors == 1
    assert "no Milestone (or Title) column" in plan.messages[0].text


def test_a_field_changed_on_both_sides_is_a_conflict_and_the_apps_value_is_pushed(platform, q4):
    team, _ = platform
    milestone = synced(MilestoneFactory(team=team, quarter=q4, title="Ship", target_date=DEC_1))
    Milestone.objects.filter(pk=milestone.pk).update(target_date=DEC_18, version=2)

    plan = plan_of(
        [team], tab("Platform", ["Ship", "", "12/20/2026", "On track", str(milestone.pk)])
    )

    [link] = plan.tabs[0].links
    assert link.merge.push == {"target_date": DEC_18}
    [conflict] = plan.conflicts
    assert (conflict.field, conflict.sheet_value, conflict.app_value, conflict.base_value) == (
        "target_date",
        datetime.date(2026, 12, 20),
        DEC_18,
        DEC_1,
    )
    assert (conflict.tab, conflict.row, conflict.column, conflict.sheet_text) == (
        "Platform",
        2,
        "C",
        "12/20/2026",
    )


def test_a_sheet_edit_supersedes_the_open_conflict_on_that_field(platform, q4):
    team, _ = platform
    milestone = synced(MilestoneFactory(team=team, quarter=q4, title="Ship", target_date=DEC_1))
    open_conflict = SyncConflict.objects.create(
        milestone=milestone,
        field="status",
        sheet_value="done",
        app_value="on_track",
        tab="Platform",
        row=2,
        column="D",
        detected_at=timezone.now(),
    )

    plan = plan_of([team], tab("Platform", ["Ship", "", "12/1/2026", "At risk", str(milestone.pk)]))

    assert plan.tabs[0].links[0].merge.pull == {"status": Milestone.Status.AT_RISK}
    assert plan.superseded == (open_conflict,)


def test_a_cell_the_model_refuses_is_an_error_and_the_rest_of_the_row_merges(platform, q4):
    team, _ = platform
    milestone = synced(MilestoneFactory(team=team, quarter=q4, title="Ship", target_date=DEC_1))

    plan = plan_of([team], tab("Platform", ["", "", "12/1/2026", "At risk", str(milestone.pk)]))

    [error] = plan.messages
    assert (error.level, error.row, error.column, error.text) == (
        "error",
        2,
        "A",
        "This field cannot be blank.",
    )
    assert plan.tabs[0].links[0].merge.pull == {"status": Milestone.Status.AT_RISK}
    assert plan.tabs[0].errors == 1


def test_a_conflict_met_by_a_run_that_died_is_planned_again(platform, q4):
    team, _ = platform
    milestone = synced(MilestoneFactory(team=team, quarter=q4, title="Ship", target_date=DEC_18))
    lost = JournalConflict(
        milestone=milestone.pk,
        field="target_date",
        sheet_value=datetime.date(2026, 12, 20),
        sheet_text="12/20/2026",
        app_value=DEC_18,
        base_value=DEC_1,
        has_base=True,
        tab="Platform",
        row=2,
        column="C",
    )
    row = ["Ship", "", "12/18/2026", "On track", str(milestone.pk)]

    plan = plan_of([team], tab("Platform", row), takeover=Takeover(conflicts=(lost,), runs=(4,)))

    [conflict] = plan.conflicts
    assert (conflict.milestone, conflict.sheet_value, conflict.base_value) == (
        milestone,
        datetime.date(2026, 12, 20),
        DEC_1,
    )
    assert "met by an interrupted run is recorded" in plan.messages[-1].text
    assert plan.consumed_journals == (4,)


def test_a_conflict_of_a_run_that_died_is_dropped_when_the_app_has_the_sheets_value(platform, q4):
    team, _ = platform
    milestone = synced(MilestoneFactory(team=team, quarter=q4, title="Ship", target_date=DEC_18))
    lost = JournalConflict(
        milestone=milestone.pk,
        field="target_date",
        sheet_value=DEC_18,
        sheet_text="12/18/2026",
        app_value=DEC_1,
        base_value=None,
        has_base=False,
        tab="Platform",
        row=2,
        column="C",
    )

    plan = plan_of([team], takeover=Takeover(conflicts=(lost,)))

    assert plan.conflicts == ()


def test_without_a_quarter_the_run_is_refused(db):
    with pytest.raises(SyncRefused, match="no quarter"):
        plan_of([TeamFactory()])


def test_progress_counts_the_teams_merged(platform):
    team, _ = platform
    other = TeamFactory(name="Search")
    said = []

    plan_of([team, other], progress=lambda *update: said.append(update))

    assert said == [("Merging Platform", 0, 2), ("Merging Search", 1, 2), ("Merged", 2, 2)]
