"""What a milestone waits on, changed from its row of the team table (issue 16): the same
block, search and refusals as the milestone page, in place with htmx and as plain forms."""

import datetime

import pytest

from milestones.models import Dependency
from milestones.services import add_dependency
from tests.factories import MilestoneFactory, TeamFactory, trio
from tests.html import by_id, text

D = datetime.date
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def billing(db):
    return TeamFactory(name="Billing", slug="billing")


@pytest.fixture
def payments(billing, quarter):
    return MilestoneFactory(
        team=billing,
        quarter=quarter,
        title="Payments API",
        committed_date=D(2026, 12, 20),
        target_date=D(2026, 12, 20),
    )


def url(milestone, suffix=""):
    return f"/teams/{milestone.team.slug}/milestones/{milestone.pk}/waits-on/{suffix}"


def editor_of(response, milestone):
    return text(by_id(response, f"m{milestone.pk}-dependencies"))


def test_the_lead_opens_a_rows_editor_in_place_beneath_the_row(client, lead, milestone, payments):
    add_dependency(downstream=milestone, upstream=payments, user=None)
    client.force_login(lead)
    response = client.get(url(milestone), **HTMX)
    assert response.status_code == 200
    row = by_id(response, f"milestone-{milestone.pk}")
    assert row.startswith(f'<tbody id="milestone-{milestone.pk}"')
    assert "At risk from a dependency" in text(row)  # the display row, then its editor
    editor = editor_of(response, milestone)
    assert "Dependencies of Ship the importer" in editor
    assert "Payments API Billing" in editor
    assert "Remove the dependency on Payments API" in editor
    assert by_id(response, f"m{milestone.pk}-dependency-q")  # the search, its own ids


def test_the_rows_search_by_title_and_team_answers_only_its_results(
    client, lead, milestone, payments, quarter
):
    MilestoneFactory(quarter=quarter, title="Payments ledger", team=TeamFactory(name="Ledger"))
    client.force_login(lead)
    results_id = f"m{milestone.pk}-dependency-results"
    response = client.get(
        url(milestone), {"q": "pay", "team": "billing"}, HTTP_HX_TARGET=results_id, **HTMX
    )
    body = response.content.decode()
    assert body.lstrip().startswith(f'<div id="{results_id}">')
    assert "Payments API" in body
    assert "Payments ledger" not in body
    assert f'hx-post="{url(milestone, "add/")}"' in body
    assert f'hx-target="#milestone-{milestone.pk}"' in body


def test_adding_from_the_row_swaps_the_row_with_its_risk_and_says_so(
    client, lead, milestone, payments
):
    client.force_login(lead)
    response = client.post(url(milestone, "add/"), {"upstream": payments.pk}, **HTMX)
    assert response.status_code == 200
    assert Dependency.objects.get().upstream == payments
    assert "It now waits on “Payments API” (Billing)." in editor_of(response, milestone)
    assert 'data-testid="dependency-risk"' in by_id(response, f"milestone-{milestone.pk}")


@pytest.mark.parametrize(
    ("setup", "says"),
    [
        ("cycle", "that is a cycle"),
        ("duplicate", "already waits on"),
        ("self", "cannot wait on itself"),
        ("unknown", "Pick the milestone it waits on"),
    ],
)
def test_a_refusal_shows_beside_the_rows_search_and_writes_nothing(
    client, lead, milestone, payments, setup, says
):
    upstream = {"self": milestone.pk, "unknown": "nope"}.get(setup, payments.pk)
    if setup == "cycle":
        add_dependency(downstream=payments, upstream=milestone, user=None)
    if setup == "duplicate":
        add_dependency(downstream=milestone, upstream=payments, user=None)
    before = list(Dependency.objects.values_list("pk", flat=True))
    client.force_login(lead)
    response = client.post(url(milestone, "add/"), {"upstream": upstream}, **HTMX)
    assert response.status_code == 422
    error = by_id(response, f"m{milestone.pk}-dependency-error")
    assert says in text(error)
    field = by_id(response, f"m{milestone.pk}-dependency-q")
    assert f'aria-describedby="m{milestone.pk}-dependency-error"' in field
    assert list(Dependency.objects.values_list("pk", flat=True)) == before


def test_without_javascript_the_team_page_opens_the_editor_adds_and_removes(
    client, lead, milestone, payments
):
    client.force_login(lead)
    page = client.get(url(milestone), {"q": "payments"})
    assert page.status_code == 200
    assert "<h1>Platform</h1>" in page.content.decode()  # the whole team page
    assert "Payments API" in text(by_id(page, f"m{milestone.pk}-dependency-results"))

    added = client.post(url(milestone, "add/"), {"upstream": payments.pk})
    assert added.status_code == 302
    assert added["Location"] == f"{url(milestone)}#m{milestone.pk}-dependencies"
    after = client.get(added["Location"])
    assert "It now waits on “Payments API” (Billing)." in after.content.decode()  # the message
    assert "Payments API" in text(by_id(after, f"m{milestone.pk}-dependencies"))

    refused = client.post(url(milestone, "add/"), {"upstream": payments.pk})
    assert refused.status_code == 422
    assert "<h1>Platform</h1>" in refused.content.decode()
    assert "already waits on" in text(by_id(refused, f"m{milestone.pk}-dependency-error"))

    removed = client.post(url(milestone, f"{payments.pk}/remove/"))
    assert removed.status_code == 302
    assert not Dependency.objects.exists()


def test_removing_from_the_row_in_place_clears_its_mark(client, lead, milestone, payments):
    add_dependency(downstream=milestone, upstream=payments, user=None)
    client.force_login(lead)
    response = client.post(url(milestone, f"{payments.pk}/remove/"), **HTMX)
    assert response.status_code == 200
    assert "Removed the dependency." in editor_of(response, milestone)
    assert "At risk from a dependency" not in text(by_id(response, f"milestone-{milestone.pk}"))


def test_only_those_who_manage_the_table_get_the_rows_dependencies_button(
    client, lead, engineer, milestone
):
    button = f'id="m{milestone.pk}-waits-on"'
    client.force_login(engineer)
    assert button not in client.get("/teams/platform/").content.decode()
    assert client.get(url(milestone), **HTMX).status_code == 403
    client.force_login(lead)
    assert button in client.get("/teams/platform/").content.decode()


@pytest.mark.parametrize("links", [1, 12])
def test_the_rows_editor_costs_the_same_queries_whatever_its_links(
    client, lead, team, milestone, quarter, django_assert_num_queries, links
):
    for n in range(links):
        MilestoneFactory(team=team, quarter=quarter, position=n + 1)
        other, *_ = trio()
        upstream = MilestoneFactory(team=other, quarter=quarter, title=f"Up {n}")
        add_dependency(downstream=milestone, upstream=upstream, user=None)
    client.force_login(lead)
    # Session, user, the milestone, its links either way (what it waits on, what waits on it),
    # the membership, the teams to search, the quarters and the milestones found; then the
    # table's: its milestones, their history and what they wait on.
    with django_assert_num_queries(11):
        response = client.get(url(milestone), {"q": "Up"}, **HTMX)
    assert f"Up {links - 1}" in editor_of(response, milestone)


@pytest.mark.parametrize("links", [1, 12])
def test_the_team_page_with_a_rows_editor_open_costs_the_same_queries_whatever_its_links(
    client, lead, team, milestone, quarter, django_assert_num_queries, links
):
    for n in range(links):
        MilestoneFactory(team=team, quarter=quarter, position=n + 1)
        other, *_ = trio()
        upstream = MilestoneFactory(team=other, quarter=quarter, title=f"Up {n}")
        add_dependency(downstream=milestone, upstream=upstream, user=None)
    client.force_login(lead)
    # The team page's ten, the lead's membership (read for the editor before the page could
    # tell it from the team's members) and the editor's: the milestone, its links either way
    # and the teams to search (no search asked).
    with django_assert_num_queries(14):
        response = client.get(url(milestone))
    assert f"Up {links - 1}" in editor_of(response, milestone)
