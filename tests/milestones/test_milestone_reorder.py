import pytest

from milestones.models import Milestone
from tests.factories import MilestoneFactory, QuarterFactory
from tests.html import by_id, text
from tests.milestones.helpers import HTMX, url


@pytest.fixture
def table(team, quarter, engineer):
    """Three milestones of Platform in 2026 Q4: A, B, C, top to bottom."""
    return [
        MilestoneFactory(team=team, quarter=quarter, owner=engineer, title=title, position=pos)
        for pos, title in enumerate("ABC")
    ]


def order(team, quarter) -> str:
    return "".join(m.title for m in Milestone.objects.filter(team=team, quarter=quarter))


def test_lead_moves_a_milestone_up(client, lead, team, quarter, table):
    client.force_login(lead)
    response = client.post(url("move", table[2]), {"direction": "up"}, **HTMX)
    assert response.status_code == 200
    assert order(team, quarter) == "ACB"
    rows = by_id(response, "milestone-table")
    assert rows.index(">A<") < rows.index(">C<") < rows.index(">B<")


def test_lead_moves_a_milestone_down(client, lead, team, quarter, table):
    client.force_login(lead)
    client.post(url("move", table[0]), {"direction": "down"}, **HTMX)
    assert order(team, quarter) == "BAC"


def test_moving_the_first_milestone_up_changes_nothing(client, lead, team, quarter, table):
    client.force_login(lead)
    response = client.post(url("move", table[0]), {"direction": "up"}, **HTMX)
    assert response.status_code == 200
    assert order(team, quarter) == "ABC"
    assert Milestone.objects.get(pk=table[0].pk).version == 1


def test_a_move_writes_only_the_two_rows_that_swapped(client, lead, table):
    client.force_login(lead)
    client.post(url("move", table[1]), {"direction": "up"}, **HTMX)
    versions = {m.title: m.version for m in Milestone.objects.all()}
    assert versions == {"A": 2, "B": 2, "C": 1}
    record = Milestone.objects.get(title="B").history.order_by("-history_id").first()
    assert (record.history_user, record.source, record.position) == (lead, "web", 0)


def test_tied_positions_are_renumbered_before_a_move(client, lead, team, quarter, engineer):
    for title in "XYZ":
        MilestoneFactory(team=team, quarter=quarter, owner=engineer, title=title, position=0)
    client.force_login(lead)
    client.post(url("move", Milestone.objects.get(title="Z")), {"direction": "up"}, **HTMX)
    assert order(team, quarter) == "XZY"
    assert list(Milestone.objects.values_list("position", flat=True)) == [0, 1, 2]


def test_move_buttons_are_labelled_buttons_that_keep_the_focus_across_the_swap(client, lead, table):
    client.force_login(lead)
    response = client.post(url("move", table[2]), {"direction": "up"}, **HTMX)
    button = by_id(response, f"m{table[2].pk}-up")
    assert button.startswith("<button")
    assert 'aria-label="Move C up"' in button


def test_the_ends_of_the_table_mark_their_move_buttons_as_unavailable(client, lead, team, table):
    client.force_login(lead)
    page = client.get(f"/teams/{team.slug}/")
    assert 'aria-disabled="true"' in by_id(page, f"m{table[0].pk}-up")
    assert 'aria-disabled="true"' not in by_id(page, f"m{table[1].pk}-up")
    assert 'aria-disabled="true"' in by_id(page, f"m{table[2].pk}-down")


def test_a_move_says_what_moved(client, lead, table):
    client.force_login(lead)
    response = client.post(url("move", table[1]), {"direction": "down"}, **HTMX)
    assert "Moved “B” down." in text(by_id(response, "flash"))


def test_plain_post_moves_and_redirects_to_the_row(client, lead, team, quarter, table):
    client.force_login(lead)
    response = client.post(url("move", table[1]), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#milestone-{table[1].pk}")
    assert order(team, quarter) == "BAC"


def test_engineers_cannot_reorder(client, engineer, team, quarter, table):
    client.force_login(engineer)
    assert client.post(url("move", table[1]), {"direction": "up"}, **HTMX).status_code == 403
    assert order(team, quarter) == "ABC"


@pytest.mark.parametrize("direction", ["", "sideways"])
def test_a_move_that_is_neither_up_nor_down_is_a_bad_request(client, lead, table, direction):
    client.force_login(lead)
    response = client.post(url("move", table[1]), {"direction": direction}, **HTMX)
    assert response.status_code == 400


def test_moves_stay_inside_the_quarter(client, lead, team, quarter, engineer, table):
    other_quarter = QuarterFactory(year=2026, number=3)
    MilestoneFactory(team=team, quarter=other_quarter, owner=engineer, title="Q3", position=0)
    client.force_login(lead)
    client.post(url("move", table[0]), {"direction": "up"}, **HTMX)
    # A is the first of 2026 Q4: it does not swap with the first of 2026 Q3.
    assert order(team, quarter) == "ABC"
    assert {m.title: m.version for m in Milestone.objects.filter(title__in=["A", "Q3"])} == {
        "A": 1,
        "Q3": 1,
    }
