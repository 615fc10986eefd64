import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from milestones import ledger
from milestones.dependency_reads import upstream_risks
from milestones.history import Source
from milestones.lifecycle import QuarterState, quarter_state
from milestones.models import Dependency, Milestone, Quarter, QuarterRecord, SlipExplanation
from milestones.selectors import quarter_report, slip_moves
from nudges.rules import put_at_risk_by_slips
from teams.models import Squad, Team, User
from tests.demo.conftest import kept_for_the_module

TODAY = datetime.date(2026, 11, 25)


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--today", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield seed()


@pytest.fixture
def seeded(_seeded_once, db):
    """`seed_demo --today 2026-11-25` on an empty database, built once for this module (see
    tests/demo/conftest.py); its output. Every test here asks for it."""
    return _seeded_once


def test_demo_has_22_teams_in_5_squads_with_one_pair(seeded):
    teams = list(Team.objects.prefetch_related("memberships__user"))
    assert len(teams) == 22
    assert Squad.objects.count() == 5
    assert sum(not t.is_trio for t in teams) == 1
    assert User.objects.filter(is_leadership=True).count() == 2


def test_last_finished_quarter_scores_13_of_22(seeded):
    last_finished = Quarter.objects.get(year=2026, number=3)
    figure = quarter_report(last_finished, TODAY).figure
    assert figure.headline == "13 of 22 teams on time"
    assert figure.goal == 13


def test_demo_has_three_closed_quarters_the_current_one_and_the_next_in_planning(seeded):
    quarters = list(Quarter.objects.order_by("start"))
    assert [q.label for q in quarters] == [
        "2026 Q1",
        "2026 Q2",
        "2026 Q3",
        "2026 Q4",
        "2027 Q1",
    ]
    assert [quarter_state(q, TODAY) for q in quarters] == [
        QuarterState.CLOSED,
        QuarterState.CLOSED,
        QuarterState.CLOSED,
        QuarterState.IN_PROGRESS,
        QuarterState.PLANNING,
    ]


def test_the_last_finished_quarter_is_recorded_at_13_of_22(seeded):
    record = QuarterRecord.objects.get(quarter__year=2026, quarter__number=3)
    assert (record.on_time, record.teams, record.goal) == (13, 22, 13)
    assert record.recorded_by.username == "nhaddad"
    assert record.recorded_at.date() == datetime.date(2026, 10, 9)  # two days after its grace
    assert Quarter.objects.get(year=2026, number=4).goal == 15


def test_some_teams_have_drafted_the_next_quarter(seeded):
    drafts = Milestone.objects.filter(quarter__year=2027, quarter__number=1)
    assert drafts.values("team").distinct().count() == 8
    assert set(drafts.values_list("status", flat=True)) == {"planned"}


def test_every_team_has_three_to_six_milestones_a_quarter_so_far(seeded):
    for quarter in Quarter.objects.filter(start__lte=TODAY):
        for team in Team.objects.all():
            count = Milestone.objects.filter(team=team, quarter=quarter).count()
            assert 3 <= count <= 6, (quarter, team, count)


def test_demo_has_slips_in_history_and_nothing_delivered_after_today(seeded):
    assert not Milestone.objects.filter(delivered_date__gt=TODAY).exists()
    report = quarter_report(Quarter.objects.get(year=2026, number=4), TODAY)
    assert sum(row.figures.slips for row in report.rows) > 0
    statuses = set(Milestone.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Milestone.Status}


def test_the_same_date_builds_the_same_organisation(seeded):
    first = sorted(
        Milestone.objects.values_list(
            "team__name", "title", "status", "target_date", "delivered_date"
        )
    )
    seed("--force")
    second = sorted(
        Milestone.objects.values_list(
            "team__name", "title", "status", "target_date", "delivered_date"
        )
    )
    assert first == second


def test_refuses_a_database_that_is_not_empty(seeded):
    with pytest.raises(CommandError, match="not empty"):
        seed()


def test_if_empty_leaves_an_existing_organisation_alone_and_prints_sign_ins(seeded):
    count = Milestone.objects.count()
    out = seed("--if-empty")
    assert "not seeding" in out
    assert "nhaddad" in out
    assert Milestone.objects.count() == count


def test_if_empty_at_verbosity_0_prints_nothing(seeded):
    assert seed("--if-empty", "--verbosity", "0") == ""


def test_prints_a_leadership_a_lead_and_an_engineer_sign_in(seeded, client):
    out = seeded
    assert "leadership  nhaddad" in out
    assert "tech lead   mobrien" in out
    assert "engineer    pokafor" in out
    assert client.login(username="nhaddad", password="milepost-demo")


def test_most_demo_slips_have_a_reason_and_a_few_came_from_the_sheet(seeded):
    slips = [
        s
        for found in slip_moves(Milestone.objects.values_list("pk", flat=True)).values()
        for s in found
    ]
    explained = set(SlipExplanation.objects.values_list("record_id", flat=True))
    assert len(explained) > len(slips) / 2
    unexplained = [s for s in slips if s.record_id not in explained]
    assert {s.source for s in unexplained} >= {Source.SYNC, Source.COMMAND}
    totals = ledger.days_by_reason(
        slips, {e.record_id: e for e in SlipExplanation.objects.select_related("reason")}
    )
    assert totals[0].explained  # the Pareto's head is a real reason
    assert {t.label for t in totals} >= {"Dependency late", "Scope grew", "Changed in the sheet"}


def test_the_demo_has_a_dozen_cross_team_dependencies_three_put_at_risk_by_yesterdays_slip(seeded):
    links = list(Dependency.objects.select_related("downstream", "upstream__team"))
    assert len(links) == 12
    assert all(link.downstream.team_id != link.upstream.team_id for link in links)
    q4 = Quarter.objects.get(year=2026, number=4)
    at_risk = upstream_risks([link.downstream for link in links], TODAY)
    assert len(at_risk) == 3
    leads_told = put_at_risk_by_slips(set(Team.objects.values_list("pk", flat=True)), TODAY)
    assert sum(len(lines) for lines in leads_told.values()) == 3
    assert all(link.downstream.quarter_id == q4.pk for link in links)


def test_the_same_date_builds_the_same_dependencies(seeded):
    first = sorted(Dependency.objects.values_list("downstream__title", "upstream__title"))
    seed("--force")
    assert sorted(Dependency.objects.values_list("downstream__title", "upstream__title")) == first


def test_notes_never_have_a_team_wait_on_itself_and_do_not_repeat_within_a_quarter(seeded):
    milestones = Milestone.objects.select_related("team", "quarter").exclude(notes="")
    by_team_quarter: dict[tuple[int, int], list[str]] = {}
    for milestone in milestones:
        assert milestone.team.name not in milestone.notes, (milestone.team.name, milestone.notes)
        by_team_quarter.setdefault((milestone.team_id, milestone.quarter_id), []).append(
            milestone.notes
        )
    for notes in by_team_quarter.values():
        assert len(notes) == len(set(notes)), notes
    assert len({m.notes for m in milestones}) >= 40  # varied, and on other teams by name
    for explanation in SlipExplanation.objects.select_related("milestone__team"):
        assert explanation.milestone.team.name not in explanation.note
