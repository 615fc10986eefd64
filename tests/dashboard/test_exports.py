"""CSV exports of the per-team table and of the quarter's milestones: a header row, ISO dates,
and UTF-8 with a byte-order mark so that Excel and Google Sheets both read it right."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from dashboard.exports import MILESTONE_CSV_HEADER, TEAM_CSV_HEADER, csv_cell, team_csv
from milestones.models import Milestone
from milestones.services import add_dependency
from tests.dashboard.conftest import grow_org
from tests.factories import MilestoneFactory, QuarterFactory, TeamFactory

D = datetime.date

TEAMS_CSV = reverse("dashboard:teams_csv")
MILESTONES_CSV = reverse("dashboard:milestones_csv")


@pytest.fixture
def get(client, org, frozen_today):
    client.force_login(org.engineer)  # anyone signed in may export what they may read
    return lambda url, **params: client.get(url, params)


def body(response) -> bytes:
    """The streamed file, read once and kept (a stream is read only once)."""
    if not hasattr(response, "read_body"):
        response.read_body = b"".join(response.streaming_content)
    return response.read_body


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))


def test_the_teams_csv_is_an_attachment_excel_reads_as_utf8(get):
    response = get(TEAMS_CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="milepost-2026-q4-teams.csv"'
    assert body(response).startswith(b"\xef\xbb\xbfTeam,Squad,Tech lead,")
    assert b"\r\n" in body(response)


def test_the_teams_csv_has_the_figures_of_the_table(get):
    found = {row["Team"]: row for row in rows(get(TEAMS_CSV))}
    assert list(found) == ["Atlas", "Beacon", "Comet", "Dune", "Ember", "Flint", "Grove", "Haven"]
    assert list(found["Flint"]) == list(TEAM_CSV_HEADER)
    flint = found["Flint"]
    assert (flint["Squad"], flint["Trio"], flint["Done"], flint["Total"]) == (
        "Core",
        "yes",
        "0",
        "1",
    )
    assert (flint["Overdue"], flint["Off track"], flint["Slips"], flint["Days slipped"]) == (
        "1",
        "1",
        "2",
        "19",
    )
    assert (flint["On-time share (%)"], flint["Team on time"]) == ("0", "no")
    ember = found["Ember"]
    assert (ember["On time"], ember["Dropped"], ember["Excused"], ember["Team on time"]) == (
        "1",
        "0",
        "1",
        "yes",
    )
    grove = found["Grove"]
    assert (grove["Team on time"], grove["Forecast on time"]) == ("yes", "no")
    # Nothing due yet: no share; no milestones at all: no verdict.
    assert found["Dune"]["On-time share (%)"] == ""
    assert (found["Haven"]["Team on time"], found["Haven"]["Total"]) == ("", "0")
    # Flint never held a review: no date, and overdue from day one.
    assert (flint["Last review"], flint["Review overdue"]) == ("", "yes")


def test_the_teams_csv_follows_the_filter_and_sort_of_the_page(get, org):
    response = get(TEAMS_CSV, squad=org.core.pk, sort="-days_slipped")
    assert [row["Team"] for row in rows(response)] == ["Flint", "Grove", "Comet", "Dune"]
    assert response["Content-Disposition"] == (
        'attachment; filename="milepost-2026-q4-core-teams.csv"'
    )


def test_the_milestones_csv_lists_every_milestone_of_the_quarter(get, org):
    response = get(MILESTONES_CSV)
    assert response["Content-Disposition"] == (
        'attachment; filename="milepost-2026-q4-milestones.csv"'
    )
    found = rows(response)
    assert list(found[0]) == list(MILESTONE_CSV_HEADER)
    # Active teams only (Ghost is not), team by team, each in its table order.
    assert [(row["Team"], row["Row"], row["Title"]) for row in found[:4]] == [
        ("Atlas", "1", "Atlas search"),
        ("Atlas", "2", "Atlas export"),
        ("Beacon", "1", "Beacon billing"),
        ("Beacon", "2", "Beacon invoices"),
    ]
    assert len(found) == 13


def test_the_milestones_csv_has_iso_dates_and_the_verdict_of_each_milestone(get, org):
    flint = org.milestones["Flint ledger"]
    row = next(r for r in rows(get(MILESTONES_CSV)) if r["Title"] == "Flint ledger")
    assert row == {
        "ID": str(flint.pk),
        "Team": "Flint",
        "Squad": "Core",
        "Row": "1",
        "Title": "Flint ledger",
        "Owner": "",
        "Status": "Off track",
        "Committed date": "2026-11-01",
        "Target date": "2026-11-20",
        "Delivered date": "",
        "On time": "overdue",
        "Excused": "no",
        "Days slipped": "19",
        "Slips": "2",
        "Days overdue": "17",
        "Link": f"http://testserver/teams/flint/milestones/{flint.pk}/",
        "Upstream IDs": "",
        "At risk from a dependency": "no",
        "Dependency risk": "",
        "Ticket link": "",
    }


def test_the_milestones_csv_carries_each_ticket_link(get, org):
    flint = org.milestones["Flint ledger"]
    Milestone.objects.filter(pk=flint.pk).update(link="https://jira.example.com/browse/FL-7")
    row = next(r for r in rows(get(MILESTONES_CSV)) if r["Title"] == "Flint ledger")
    assert row["Ticket link"] == "https://jira.example.com/browse/FL-7"


def test_the_milestones_csv_can_be_one_squads(get, org):
    response = get(MILESTONES_CSV, squad=org.growth.pk)
    assert {row["Squad"] for row in rows(response)} == {"Growth"}
    assert "milepost-2026-q4-growth-milestones.csv" in response["Content-Disposition"]


def test_a_past_quarter_can_be_exported(get):
    response = get(MILESTONES_CSV, quarter="2026-q3")
    assert [row["Title"] for row in rows(response)] == ["Atlas Q3", "Beacon Q3", "Haven Q3"]


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused(get):
    row = next(r for r in rows(get(MILESTONES_CSV)) if r["Excused"] == "yes")
    assert row["Title"] == "'=Ember formulas"


def test_names_beyond_ascii_survive_the_round_trip(get, org):
    org.teams["Atlas"].name = "Atlas — Zürich Ærø"
    org.teams["Atlas"].save()
    response = get(TEAMS_CSV)
    assert "Atlas — Zürich Ærø".encode() in body(response)
    assert rows(response)[0]["Team"] == "Atlas — Zürich Ærø"


def test_the_teams_csv_says_review_overdue_only_when_it_knows(reviewed_rows):
    header, *lines = team_csv(reviewed_rows)
    overdue = header.index("Review overdue")
    by_team = {line[0]: line[overdue] for line in lines}
    assert (by_team["Atlas"], by_team["Beacon"], by_team["Dune"]) == (False, True, None)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (0, "0"),
        (42, "42"),
        ("-10% latency", "'-10% latency"),
        ("+1 region", "'+1 region"),
        ("@mention", "'@mention"),
        ("plain", "plain"),
    ],
)
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell


def test_without_quarters_there_is_nothing_to_export(client, vp):
    client.force_login(vp)
    assert client.get(TEAMS_CSV).status_code == 404
    assert client.get(MILESTONES_CSV).status_code == 404


def test_anonymous_visitors_cannot_export(client, org):
    assert client.get(TEAMS_CSV).status_code == 302
    assert client.get(MILESTONES_CSV).status_code == 302


# Session, user, quarters. Both exports are the dashboard's cached report: the quarters again,
# the change counters, and to build it the teams, memberships, milestones and their history,
# the teams' last reviews, their review calls (forecast calibration), the quarter's
# dependencies, the trend, the reasons given for slips and the review days. The milestones'
# export also reads what they wait on.
CSV_QUERIES = {TEAMS_CSV: 14, MILESTONES_CSV: 15}


@pytest.mark.parametrize("teams", [5, 200])
@pytest.mark.parametrize("url", [TEAMS_CSV, MILESTONES_CSV])
def test_an_export_costs_the_same_queries_for_5_and_200_teams(
    client, vp, teams, url, frozen_today, django_assert_num_queries
):
    grow_org(QuarterFactory(year=2026, number=4), teams)
    client.force_login(vp)
    with django_assert_num_queries(CSV_QUERIES[url]):
        response = client.get(url)
    assert response.status_code == 200


def test_the_milestones_export_lists_what_each_milestone_waits_on_and_the_risk(
    client, vp, frozen_today
):
    quarter = QuarterFactory(year=2026, number=4)
    checkout, payments = TeamFactory(name="Checkout"), TeamFactory(name="Payments")
    cart = MilestoneFactory(
        team=checkout, quarter=quarter, title="Cart", target_date=D(2026, 12, 10)
    )
    api = MilestoneFactory(
        team=payments,
        quarter=quarter,
        title="API",
        committed_date=D(2026, 12, 15),
        target_date=D(2026, 12, 15),
    )
    add_dependency(downstream=cart, upstream=api, user=None)
    client.force_login(vp)
    found = {row["Title"]: row for row in rows(client.get(MILESTONES_CSV))}
    assert found["Cart"]["Upstream IDs"] == str(api.pk)
    assert found["Cart"]["At risk from a dependency"] == "yes"
    assert found["Cart"]["Dependency risk"].startswith(
        "Waits on “API” (Payments): it is due Dec 15"
    )
    assert found["API"]["Upstream IDs"] == ""
    assert found["API"]["At risk from a dependency"] == "no"


def _fresh(get) -> bytes:
    """The milestones CSV with every cache forgotten: every row's cells written anew."""
    from django.core.cache import cache as django_cache

    from dashboard import cache, incremental

    django_cache.clear()
    cache.clear_process_cache()
    incremental.forget_all()
    return body(get(MILESTONES_CSV))


def test_the_milestones_csv_after_a_teams_change_is_the_csv_written_anew(get, org, vp):
    # The rows of teams that did not change keep their cells from the export before; the
    # changed team's are written again.
    from milestones.changes import bump
    from milestones.services import update_milestone

    bump([org.quarter.pk])
    before = body(get(MILESTONES_CSV))
    milestone = Milestone.objects.get(pk=org.milestones["Dune maps"].pk)
    update_milestone(
        milestone=milestone,
        version=milestone.version,
        changes={"status": Milestone.Status.OFF_TRACK, "title": "=Dune maps, reworked"},
        user=vp,
    )
    after = body(get(MILESTONES_CSV))
    assert after != before
    assert "'=Dune maps, reworked" in after.decode("utf-8-sig")
    assert after == _fresh(get)


def test_the_milestones_csv_counts_days_overdue_from_the_day_asked(get, org, monkeypatch):
    from django.utils import timezone

    today = body(get(MILESTONES_CSV))
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: D(2026, 11, 30))
    later = rows(get(MILESTONES_CSV))
    assert body(get(MILESTONES_CSV)) != today
    overdue = [row for row in later if row["Days overdue"] not in ("", "0")]
    assert overdue, "the org has an overdue milestone"
    assert later == list(csv.DictReader(io.StringIO(_fresh(get).decode("utf-8-sig"))))
