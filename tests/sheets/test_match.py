"""sheets.match alone: tabs to teams, rows to milestones, on tabs and rows given here."""

import datetime

import pytest
from django.utils import timezone

from sheets.match import match_rows, match_tabs, row_key
from sheets.models import SyncState
from sheets.parse import ID, BadCell, SheetRow
from sheets.read import TabData
from tests.factories import MilestoneFactory, TeamFactory

pytestmark = pytest.mark.django_db

HEADER = ["Milestone", "Owner", "Target date", "Status", "ID"]


def tab(title, *rows, header=HEADER, sheet_id=1):
    return TabData(
        title, sheet_id=sheet_id, row_count=1000, column_count=26, values=[header, *rows]
    )


def tabs(*found):
    return {data.title: data for data in found}


def row(number, title, id=None):
    return SheetRow(number=number, id=id, values={"title": title}, texts={"title": title})


def rows_of(team, rows, *, milestones=(), orphans=frozenset()):
    in_quarter = sorted(
        (m for m in milestones if m.team_id == team.pk), key=lambda m: (m.position, m.pk)
    )
    return match_rows(
        rows,
        team=team,
        tab_title=team.tab_title,
        id_column="E",
        milestones={m.pk: m for m in milestones},
        in_quarter=in_quarter,
        orphans=orphans,
    )


# --- Tabs -------------------------------------------------------------------------------------


def test_a_team_finds_its_tab_by_its_stored_title_ignoring_case():
    team = TeamFactory(name="Platform", sheet_tab_title="Platform (Q4)")
    found = tabs(tab("platform (q4)"), tab("Platform"))

    matched = match_tabs([team], found, all_teams=False)

    assert matched.tabs[team.pk].title == "platform (q4)"
    assert matched.titles_to_store == {}


def test_a_linked_team_follows_its_sheet_id_before_any_title_and_stores_the_new_title():
    team = TeamFactory(name="Platform")
    found = tabs(tab("Platform", sheet_id=1), tab("Platform (2027)", sheet_id=7))

    matched = match_tabs([team], found, all_teams=False, links={team.pk: 7})

    assert matched.tabs[team.pk].title == "Platform (2027)"
    assert matched.titles_to_store == {team.pk: "Platform (2027)"}
    [message] = matched.messages
    assert message.text.startswith("Platform's tab was renamed to 'Platform (2027)': following")


def test_a_linked_tab_that_is_gone_is_found_by_title_again():
    team = TeamFactory(name="Platform")

    matched = match_tabs(
        [team], tabs(tab("platform", sheet_id=3)), all_teams=False, links={team.pk: 7}
    )

    assert matched.tabs[team.pk].sheet_id == 3
    assert matched.titles_to_store == {}
    assert matched.messages == ()


def test_a_tab_titled_as_the_team_with_team_on_the_end_is_its_tab_and_the_title_is_stored():
    team = TeamFactory(name="Meetings")

    matched = match_tabs([team], tabs(tab("Meetings  Team")), all_teams=False)

    assert matched.tabs[team.pk].title == "Meetings  Team"
    assert matched.titles_to_store == {team.pk: "Meetings  Team"}
    assert matched.changes == ("Meetings: use tab 'Meetings  Team'",)
    [message] = matched.messages
    assert (message.level, message.team, message.tab) == ("info", "Meetings", "Meetings  Team")


def test_two_tabs_that_could_both_be_a_teams_are_left_for_a_person_to_choose():
    team = TeamFactory(name="Meetings")

    matched = match_tabs([team], tabs(tab("Meetings team"), tab("MEETINGS  TEAM")), all_teams=False)

    assert matched.tabs == {}


def test_tabs_of_no_team_are_reported_only_when_every_team_is_synced():
    team = TeamFactory(name="Platform")
    found = tabs(tab("Platform"), tab("Archive"), tab("Summary", header=["Team", "Rows"]))

    some = match_tabs([team], found, all_teams=False)
    every = match_tabs([team], found, all_teams=True)

    assert some.messages == ()
    assert [(m.level, m.tab) for m in every.messages] == [
        ("warning", "Archive"),
        ("info", "Summary"),
    ]
    assert "matches no team" in every.messages[0].text


# --- Rows -------------------------------------------------------------------------------------


def test_a_row_is_linked_to_the_milestone_its_id_names():
    team = TeamFactory()
    milestone = MilestoneFactory(team=team, title="Ship webhooks")

    matched = rows_of(
        team, [row(2, "Ship webhooks (renamed)", id=milestone.pk)], milestones=[milestone]
    )

    [link] = matched.links
    assert (link.milestone, link.row.number, link.write_id) == (milestone, 2, False)
    assert matched.unlinked == matched.rowless == ()


def test_a_row_without_an_id_is_adopted_by_its_title():
    team = TeamFactory()
    milestone = MilestoneFactory(team=team, title="Ship  Webhooks")

    matched = rows_of(team, [row(3, "ship webhooks")], milestones=[milestone])

    [link] = matched.links
    assert (link.milestone, link.row.number) == (milestone, 3)
    assert link.write_id  # its ID is written into the row


def test_a_title_adopts_one_row_only_and_the_second_row_is_left_unlinked():
    team = TeamFactory()
    milestone = MilestoneFactory(team=team, title="Ship webhooks")

    matched = rows_of(
        team, [row(2, "Ship webhooks"), row(3, "Ship webhooks")], milestones=[milestone]
    )

    assert [link.row.number for link in matched.links] == [2]
    assert [r.number for r in matched.unlinked] == [3]


def test_a_row_with_an_id_is_not_adopted_by_title_into_another_milestone():
    team = TeamFactory()
    first = MilestoneFactory(team=team, title="Ship webhooks", position=0)
    second = MilestoneFactory(team=team, title="Ship webhooks", position=1)

    matched = rows_of(
        team,
        [row(2, "Ship webhooks"), row(3, "Ship webhooks", id=first.pk)],
        milestones=[first, second],
    )

    assert {(link.row.number, link.milestone) for link in matched.links} == {
        (3, first),
        (2, second),
    }


def test_a_second_row_with_the_same_id_is_an_error_and_the_first_row_wins():
    team = TeamFactory()
    milestone = MilestoneFactory(team=team)

    matched = rows_of(
        team, [row(2, "A", id=milestone.pk), row(5, "B", id=milestone.pk)], milestones=[milestone]
    )

    assert [link.row.number for link in matched.links] == [2]
    problem = matched.problems[5]
    assert (problem.level, problem.column, problem.value) == ("error", "E", str(milestone.pk))
    assert "also on row 2: the first row wins" in problem.text


def test_an_id_of_another_teams_milestone_is_an_error_and_the_row_is_left_alone():
    team, other = TeamFactory(name="Bots"), TeamFactory(name="Platform")
    theirs = MilestoneFactory(team=other)

    matched = rows_of(team, [row(2, "Theirs", id=theirs.pk)], milestones=[theirs])

    assert matched.links == matched.unlinked == ()
    assert matched.problems[2].text.startswith(
        f"ID {theirs.pk} is a milestone of Platform, not of Bots"
    )


def test_an_id_of_no_milestone_is_an_error_and_the_row_is_left_alone():
    team = TeamFactory()

    matched = rows_of(team, [row(2, "Gone", id=999)])

    assert matched.links == matched.unlinked == ()
    assert "is no milestone of the app" in matched.problems[2].text


def test_a_row_a_run_that_died_gave_an_id_is_adopted_again():
    team = TeamFactory(name="Platform")

    matched = rows_of(
        team, [row(2, "Ship webhooks", id=999)], orphans={row_key("PLATFORM", "ship webhooks")}
    )

    [unlinked] = matched.unlinked
    assert (unlinked.number, unlinked.id) == (2, None)
    assert matched.problems[2].level == "info"


def test_an_id_of_a_synced_milestone_is_trusted_even_if_its_title_was_adopted_by_a_run_that_died():
    team = TeamFactory(name="Platform")
    milestone = MilestoneFactory(team=team, title="Ship webhooks")
    SyncState.objects.create(milestone=milestone, tab="Platform", row=2, synced_at=timezone.now())

    matched = rows_of(
        team,
        [row(2, "Ship webhooks", id=milestone.pk)],
        milestones=[milestone],
        orphans={row_key("Platform", "Ship webhooks")},
    )

    [link] = matched.links
    assert link.milestone == milestone
    assert matched.problems == {}


def test_milestones_without_a_row_are_listed_in_table_order():
    team = TeamFactory()
    later = MilestoneFactory(team=team, position=2)
    linked = MilestoneFactory(team=team, position=0)
    first = MilestoneFactory(team=team, position=1, target_date=datetime.date(2026, 12, 1))

    matched = rows_of(team, [row(2, "x", id=linked.pk)], milestones=[later, linked, first])

    assert matched.rowless == (first, later)


def test_a_row_with_an_unreadable_id_is_neither_linked_nor_adopted():
    team = TeamFactory()
    milestone = MilestoneFactory(team=team, title="Ship webhooks")
    unreadable = row(2, "Ship webhooks")
    unreadable.errors.append(BadCell(4, ID, "#abc", "'#abc' is not a milestone ID"))

    matched = rows_of(team, [unreadable], milestones=[milestone])

    assert matched.links == matched.unlinked == ()
    assert matched.rowless == (milestone,)
