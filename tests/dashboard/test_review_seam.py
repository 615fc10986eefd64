"""The seam reviews plug into: each team's review status, shown and sortable, never made up."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from milestones import dashboard
from milestones.selectors import quarter_report
from tests.dashboard.conftest import TODAY

D = datetime.date


def status(last_review_date, overdue):
    return SimpleNamespace(last_review_date=last_review_date, overdue=overdue)


@pytest.fixture
def rows(org):
    atlas, beacon, comet = (org.teams[name] for name in ("Atlas", "Beacon", "Comet"))
    return dashboard.dashboard_rows(
        quarter_report(org.quarter, TODAY),
        reviews={
            atlas.pk: status(D(2026, 11, 20), overdue=False),
            beacon.pk: status(D(2026, 10, 1), overdue=True),
            comet.pk: status(None, overdue=True),  # never held one
        },
    )


def test_rows_carry_the_review_status_they_are_given(rows):
    found = {row.team.name: (row.last_review, row.review_overdue) for row in rows}
    assert found["Atlas"] == (D(2026, 11, 20), False)
    assert found["Beacon"] == (D(2026, 10, 1), True)
    assert found["Comet"] == (None, True)
    assert found["Dune"] == (None, False)  # no status given: nothing shown, nothing flagged


def test_sorting_by_last_review_puts_teams_never_reviewed_last(rows):
    oldest_first = dashboard.sort_rows(rows, dashboard.Sort("last_review"))
    newest_first = dashboard.sort_rows(rows, dashboard.Sort("last_review", descending=True))
    assert [r.team.name for r in oldest_first][:3] == ["Beacon", "Atlas", "Comet"]
    assert [r.team.name for r in newest_first][:3] == ["Atlas", "Beacon", "Comet"]


def test_the_teams_csv_says_review_overdue_only_when_it_knows(rows):
    header, *lines = dashboard.team_csv(rows)
    overdue = header.index("Review overdue")
    by_team = {line[0]: line[overdue] for line in lines}
    assert (by_team["Atlas"], by_team["Beacon"], by_team["Dune"]) == (False, True, None)


def test_the_page_shows_a_dash_until_reviews_are_wired_in(client, vp, org, frozen_today):
    client.force_login(vp)
    response = client.get(reverse("milestones:dashboard"))
    assertContains(response, '<td><span class="muted">—</span></td>', count=8, html=True)
    assert "review overdue" not in response.content.decode()
