"""The team page as of a past day: the table and its figures as they stood at the end of that day,
read-only, with a banner, a date form that works without JavaScript and the team's review
days; a constant number of queries."""

import datetime

import pytest

from milestones.models import Milestone
from tests.dashboard.history import D, milestone_on, quarter_on, save_on
from tests.factories import ReviewFactory
from tests.html import by_id, text

URL = "/teams/platform/"


@pytest.fixture
def dated(team, engineer):
    """Platform's 2026 Q4 (created Oct 1): "Ship the importer" committed Nov 10, on track from
    Oct 1, done on Nov 12 (on time, within the grace); "Billing v2" committed Nov 5, off track,
    added Oct 20. Reviews on Oct 21 and Nov 4."""
    quarter = quarter_on(D(2026, 10, 1), grace_days=7)
    importer = milestone_on(
        D(2026, 10, 1),
        team,
        quarter,
        title="Ship the importer",
        owner=engineer,
        committed_date=D(2026, 11, 10),
        position=0,
    )
    save_on(importer, D(2026, 11, 12), status="done", delivered_date=D(2026, 11, 12))
    milestone_on(
        D(2026, 10, 20),
        team,
        quarter,
        title="Billing v2",
        status=Milestone.Status.OFF_TRACK,
        committed_date=D(2026, 11, 5),
        position=1,
    )
    for day in (D(2026, 10, 21), D(2026, 11, 4)):
        ReviewFactory(team=team, quarter=quarter, held_on=day)
    return quarter


def figures(response) -> str:
    return text(by_id(response, "team-figures"))


def test_the_team_page_as_of_a_day_pins_the_figures_before_and_after_a_change(client, lead, dated):
    client.force_login(lead)
    assert figures(client.get(URL, {"as_of": "2026-10-19"})).startswith("0 of 1 done · on time")
    before = client.get(URL, {"as_of": "2026-11-11"})
    # Billing v2's last day on time is Nov 12 (Nov 5 + 7 days of grace): overdue from Nov 13.
    assert figures(before).startswith("0 of 2 done · on time · 1 off track")
    after = client.get(URL, {"as_of": "2026-11-13"})
    assert figures(after).startswith("1 of 2 done · not on time · 1 off track · 1 overdue")
    assert "Ship the importer" in text(by_id(before, "milestone-table"))


def test_a_milestone_added_after_the_day_is_not_in_the_table(client, lead, dated):
    client.force_login(lead)
    table = text(by_id(client.get(URL, {"as_of": "2026-10-19"}), "milestone-table"))
    assert "Ship the importer" in table
    assert "Billing v2" not in table


def test_the_as_of_page_is_read_only_and_says_so(client, lead, dated):
    client.force_login(lead)
    response = client.get(URL, {"as_of": "2026-11-11"})
    page = response.content.decode()
    words = text(response)
    assert "As of 11 Nov 2026: the milestones as they stood at the end of that day" in words
    assert "read-only. Members are today's." in words
    assert 'href="?quarter=2026-q4">Back to the live page</a>' in page
    for control in ("-edit", "-drop", "-up", "Add milestone"):
        assert control not in page
    live = client.get(URL).content.decode()
    assert "-edit" in live
    assert "Add milestone" in live


def test_the_date_form_and_the_review_days(client, lead, dated):
    client.force_login(lead)
    response = client.get(URL, {"as_of": "2026-11-04"})
    page = response.content.decode()
    assert '<form class="as-of" method="get" action="" aria-label="As of a past day">' in page
    assert 'value="2026-11-04" min="2026-10-01" max="2026-11-25" required>' in page
    assert (
        '<a href="?quarter=2026-q4&amp;as_of=2026-11-04" aria-current="date" '
        'aria-label="As of the 4 November review">Nov 4</a>'
    ) in page
    assert [day for day, _ in response.context["review_links"]] == [D(2026, 10, 21), D(2026, 11, 4)]


def test_a_bad_day_shows_the_live_page_with_a_message(client, lead, dated):
    client.force_login(lead)
    response = client.get(URL, {"as_of": "2026-11-30"})
    assert response.context["as_of"] is None
    assert "30 Nov 2026 is in the future: showing the live figures." in text(response)
    assert figures(response).startswith("1 of 2 done")


@pytest.mark.parametrize("size", [1, 15])
def test_the_as_of_team_page_costs_the_same_queries_whatever_the_size(
    client, lead, engineer, team, django_assert_num_queries, size
):
    quarter = quarter_on(D(2026, 10, 1))
    for n in range(size):
        milestone = milestone_on(D(2026, 10, 1), team, quarter, owner=engineer, position=n)
        save_on(
            milestone, D(2026, 10, 9), target_date=milestone.target_date + datetime.timedelta(3)
        )
    client.force_login(lead)
    # session, user, team + squad, members, quarters, the quarter's history, the milestones'
    # history with owners, the last review, the review calls and the team's review days
    with django_assert_num_queries(10):
        response = client.get(URL, {"as_of": "2026-10-10"})
    assert figures(response).startswith(f"0 of {size} done")
    assert response.context["figures"].slips == size
