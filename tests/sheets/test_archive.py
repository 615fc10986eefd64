"""The sheet at close (issue 15): the closed quarter's rows move from each team's tab to one
archive tab, ``Archive 2026-Q3``, in one request more whatever the number of teams, and
nothing else in the sheet changes (`sheets.archive`)."""

import datetime

import pytest
from django.urls import reverse

from milestones.closing import CARRY, DROP, Decision, close_quarter
from milestones.models import Milestone, Quarter, QuarterRecord
from sheets.client import open_spreadsheet
from sheets.preview import preview_sync
from sheets.run import sync_sheet
from teams.models import Team
from tests.factories import LeadershipFactory, MilestoneFactory, QuarterFactory, TeamFactory, trio
from tests.sheets.conftest import TODAY

pytestmark = pytest.mark.django_db

D = datetime.date
HEADER = ["ID", "Milestone", "Owner", "Target date", "Status", "Jira"]
OTHER_TAB = {"title": "By hand", "values": [["Plan", "Who"], ["Offsite", "=A2"]]}


def typed(day: datetime.date, locale: str) -> str:
    if locale == "en_GB":
        return f"{day.day:02}/{day.month:02}/{day.year}"
    return f"{day.month}/{day.day}/{day.year}"


def row(milestone: Milestone, jira: str, locale: str = "en_US") -> list[str]:
    return [
        str(milestone.pk),
        milestone.title,
        "",
        typed(milestone.target_date, locale),
        milestone.get_status_display(),
        jira,
    ]


class World:
    """`count` teams, each with two rows of the closed 2026 Q3 (one done, one carried over at
    close) between two rows of 2026 Q4, the second of which has a formula in its Jira cell."""

    def __init__(self, settings, emulator, count: int, *, locale: str = "en_US"):
        self.emulator = emulator
        self.q3 = QuarterFactory(year=2026, number=3)
        self.q4 = QuarterFactory(year=2026, number=4)
        self.vp = LeadershipFactory()
        tabs = [OTHER_TAB]
        self.teams = []
        self.carry = []
        for number in range(count):
            team = trio(TeamFactory(name=f"Team {count}-{number:02}", slug=f"t-{count}-{number}"))[
                0
            ]
            done = MilestoneFactory(team=team, quarter=self.q3, title="Old and done", done=True)
            carried = MilestoneFactory(team=team, quarter=self.q3, title="Old and open")
            formula = MilestoneFactory(team=team, quarter=self.q4, title="New with a formula")
            plain = MilestoneFactory(team=team, quarter=self.q4, title="New")
            self.carry.append(carried)
            self.teams.append(team)
            values = [
                HEADER,
                row(done, "ENG-1", locale),
                row(formula, '=CONCATENATE("ENG-", A3)', locale),
                row(carried, "ENG-3", locale),
                row(plain, "ENG-4", locale),
            ]
            tabs.append({"title": team.name, "values": values})
        data = {"spreadsheetId": f"org-{count}", "title": "Org", "locale": locale, "sheets": tabs}
        settings.MILEPOST_SHEETS_API_URL = emulator.url
        settings.MILEPOST_SHEET_KEY = self.key = emulator.load(data)
        settings.GOOGLE_APPLICATION_CREDENTIALS = ""

    def close_q3(self):
        decisions = [
            Decision(m.pk, CARRY, "Still wanted", committed_date=D(2026, 12, 10))
            for m in self.carry
        ]
        return close_quarter(
            quarter=self.q3, user=self.vp, decisions=decisions, next_goal=3, today=TODAY
        )

    def tab(self, title: str) -> dict:
        return next(t for t in self.emulator.dump(self.key)["sheets"] if t["title"] == title)


@pytest.fixture
def world(settings, sheets_emulator, db):
    def make(count=2, **options):
        return World(settings, sheets_emulator, count, **options)

    return make


def test_closing_moves_the_quarters_rows_from_each_team_tab_to_one_archive_tab(world):
    w = world(2)
    sync_sheet(today=TODAY)
    w.close_q3()

    result = sync_sheet(today=TODAY)

    archive = w.tab("Archive 2026-Q3")
    assert archive["values"][0] == ["Team", "ID", "Milestone", "Owner", "Target date", "Status",
                                    "Notes", "Jira"]  # fmt: skip
    archived = {(r[0], r[2], r[4], r[5], r[7]) for r in archive["values"][1:]}
    assert archived == {
        (team.name, title, "8/15/2026", status, jira)
        for team in w.teams
        for title, status, jira in (
            ("Old and done", "Done", "ENG-1"),
            ("Old and open", "On track", "ENG-3"),
        )
    }
    for team in w.teams:
        values = w.tab(team.name)["values"]
        # The new quarter's rows (the carried one added at the bottom), nothing of Q3.
        assert [r[1] for r in values] == ["Milestone", "New with a formula", "New", "Old and open"]
        carried = Milestone.objects.get(team=team, quarter=w.q4, title="Old and open")
        assert values[3][0] == str(carried.pk)
        # The formula of the row below the moved one is kept: it still names its own row.
        assert values[1][5] == '=CONCATENATE("ENG-", A2)'
        assert values[2][5] == "ENG-4"
    assert w.tab("By hand")["values"] == OTHER_TAB["values"]
    reports = {report.team: report.archived for report in result.teams}
    assert reports == {team.name: 2 for team in w.teams}
    assert result.errors == []


def test_the_formulas_value_is_unchanged_after_the_rows_above_it_leave(world, sheet_values):
    w = world(1)
    w.close_q3()
    sync_sheet(today=TODAY)
    team = w.teams[0]
    formula = Milestone.objects.get(team=team, title="New with a formula")
    assert sheet_values(w, team.name)[1] == [
        str(formula.pk), "New with a formula", "", "11/15/2026", "On track", f"ENG-{formula.pk}",
    ]  # fmt: skip


@pytest.fixture
def sheet_values(sheets_emulator):
    """The tab's values as people see them (formulas calculated)."""

    def read(world, title):
        return open_spreadsheet().worksheet(title).get_all_values()

    return read


def test_the_open_quarters_rows_are_untouched(world):
    w = world(1)
    sync_sheet(today=TODAY)
    team = w.teams[0]
    before = [r for r in w.tab(team.name)["values"] if r[1].startswith("New")]
    w.close_q3()

    sync_sheet(today=TODAY)

    after = [r for r in w.tab(team.name)["values"] if r[1].startswith("New")]
    assert [r[:5] for r in after] == [r[:5] for r in before]
    assert after[1] == before[1]  # the plain row, Jira cell and all


def requests_of_the_close(world, count):
    w = world(count)
    sync_sheet(today=TODAY)
    w.close_q3()
    w.emulator.reset_stats()
    result = sync_sheet(today=TODAY)
    assert sum(report.archived for report in result.teams) == 2 * count
    return w.emulator.stats()["by_kind"]


def test_the_move_costs_one_request_more_whatever_the_number_of_teams(world):
    small = requests_of_the_close(world, 2)
    Team.objects.update(active=False)
    QuarterRecord.objects.all().delete()
    Quarter.objects.update(closed_at=None)
    large = requests_of_the_close(world, 6)

    assert small == large
    # Read twice; the carried rows' dates, their cells; then the move.
    assert large == {"spreadsheets.get": 2, "spreadsheets.batchUpdate": 2, "values.batchUpdate": 1}


def test_a_second_run_moves_nothing_again(world):
    w = world(2)
    w.close_q3()
    sync_sheet(today=TODAY)
    archive = w.tab("Archive 2026-Q3")["values"]
    w.emulator.reset_stats()

    again = sync_sheet(today=TODAY)

    assert again.changes == []
    assert w.tab("Archive 2026-Q3")["values"] == archive
    assert "spreadsheets.batchUpdate" not in w.emulator.stats()["by_kind"]


def test_a_row_already_in_the_archive_is_not_copied_again(world):
    """A run that failed after the move, or a row copied by hand: the archive has the ID."""
    w = world(1)
    w.close_q3()
    team = w.teams[0]
    done = Milestone.objects.get(team=team, title="Old and done")
    data = w.emulator.dump(w.key)
    data["sheets"].append(
        {"title": "Archive 2026-Q3", "values": [["Team", "ID", "Milestone"],
                                                [team.name, str(done.pk), "Old and done"]]}
    )  # fmt: skip
    w.emulator.load(data)

    result = sync_sheet(today=TODAY)

    ids = [r[1] for r in w.tab("Archive 2026-Q3")["values"][1:]]
    assert sorted(ids) == sorted([str(done.pk), str(w.carry[0].pk)])
    assert "Old and done" not in [r[1] for r in w.tab(team.name)["values"]]
    assert any("already in 'Archive 2026-Q3'" in m.text for m in result.messages)


def test_a_row_with_a_formula_stays_and_the_run_says_so(world):
    w = world(1)
    team = w.teams[0]
    data = w.emulator.dump(w.key)
    tab = next(t for t in data["sheets"] if t["title"] == team.name)
    tab["values"][1][5] = '=CONCATENATE("ENG-", A2)'  # the done row of Q3
    w.emulator.load(data)
    w.close_q3()

    result = sync_sheet(today=TODAY)

    titles = [r[1] for r in w.tab(team.name)["values"]]
    assert titles.count("Old and done") == 1
    warning = next(m for m in result.messages if "stays in the tab" in m.text)
    assert (warning.team, warning.row) == (team.name, 2)
    assert "F2 holds a formula" in warning.text
    archived = [r[2] for r in w.tab("Archive 2026-Q3")["values"][1:]]
    assert archived == ["Old and open"]


def test_dates_move_as_dates_in_the_spreadsheets_locale(world):
    w = world(1, locale="en_GB")
    w.close_q3()

    sync_sheet(today=TODAY)

    archive = w.tab("Archive 2026-Q3")["values"]
    assert {r[4] for r in archive[1:]} == {"15/08/2026"}
    q3 = Milestone.objects.filter(quarter=w.q3)
    assert set(q3.values_list("target_date", flat=True)) == {D(2026, 8, 15)}


def test_the_hand_made_archive_keeps_its_columns_and_gains_the_missing_ones(
    sheets_settings, roster, sync, sheet
):
    sync()
    q3 = QuarterFactory(year=2026, number=3)
    milestone = Milestone.objects.get(title="Cut p95 latency of webhook retries")
    q3.closed_at = datetime.datetime(2026, 10, 9, tzinfo=datetime.UTC)
    q3.save()
    Milestone.objects.filter(pk=milestone.pk).update(quarter=q3)

    result = sync()

    archive = sheet.worksheet("Archive 2026-Q3").get_all_values()
    assert archive[0][:3] == ["Team", "Milestone", "Status"]  # leadership's, as they were
    assert archive[0][3:7] == ["ID", "Owner", "Target date", "Notes"]
    assert archive[1][:3] == ["Platform", "Kafka upgrade", "Done"]
    assert archive[2][:4] == ["Platform", milestone.title, "In progress", str(milestone.pk)]
    platform = [r[0] for r in sheet.worksheet("Platform").get_all_values()]
    assert milestone.title not in platform
    assert {r.team: r.archived for r in result.teams if r.archived} == {"Platform": 1}
    assert sync().changes == []


def test_a_dropped_milestones_row_moves_too(world):
    w = world(1)
    decisions = [Decision(w.carry[0].pk, DROP, "Not needed")]
    close_quarter(quarter=w.q3, user=w.vp, decisions=decisions, next_goal=3, today=TODAY)

    sync_sheet(today=TODAY)

    titles = [r[1] for r in w.tab(w.teams[0].name)["values"]]
    assert titles == ["Milestone", "New with a formula", "New"]
    statuses = {r[2]: r[5] for r in w.tab("Archive 2026-Q3")["values"][1:]}
    assert statuses == {"Old and done": "Done", "Old and open": "Dropped"}


def test_a_merged_or_protected_row_stays_and_the_run_says_so(world):
    w = world(1)
    team = w.teams[0]
    data = w.emulator.dump(w.key)
    tab = next(t for t in data["sheets"] if t["title"] == team.name)
    tab["merges"] = ["F2:G2"]  # the done row of Q3
    tab["protected"] = [{"range": "A4:G4"}]  # the open one
    w.emulator.load(data)
    w.close_q3()

    result = sync_sheet(today=TODAY)

    titles = [r[1] for r in w.tab(team.name)["values"]]
    assert titles[:5] == ["Milestone", "Old and done", "New with a formula", "Old and open", "New"]
    stays = {m.row: m.text for m in result.messages if "stays in the tab" in m.text}
    assert "merged cells F2:G2" in stays[2]
    assert "may not edit" in stays[4]
    assert "Archive 2026-Q3" not in [t["title"] for t in w.emulator.dump(w.key)["sheets"]]
    assert [r.archived for r in result.teams] == [0]


def test_the_preview_lists_where_each_closed_quarters_row_goes_and_writes_nothing(world):
    w = world(2)
    first = w.teams[0]
    data = w.emulator.dump(w.key)
    tab = next(t for t in data["sheets"] if t["title"] == first.name)
    tab["values"][1][5] = '=CONCATENATE("ENG-", A2)'  # the done row of Q3: it stays
    w.emulator.load(data)
    w.close_q3()
    before = w.emulator.dump(w.key)

    previews = {preview.team: preview for preview in preview_sync(today=TODAY)}

    held, moved = previews[first.name].archived
    assert (held.number, moved.number) == (2, 4)
    assert "stays:" in held.detail
    assert "F2 holds a formula" in held.detail
    assert (moved.title, moved.detail) == ("Old and open", "to Archive 2026-Q3")
    assert [(row.number, row.title, row.detail) for row in previews[w.teams[1].name].archived] == [
        (2, "Old and done", "to Archive 2026-Q3"),
        (4, "Old and open", "to Archive 2026-Q3"),
    ]
    assert w.emulator.dump(w.key) == before


def test_the_preview_page_shows_the_rows_that_move_to_the_archive(world, client):
    w = world(1)
    w.close_q3()
    client.force_login(w.vp)

    page = client.get(reverse("sheets:preview")).content.decode()

    assert "Rows of a closed quarter" in page
    assert page.count("to Archive 2026-Q3") == 2
