"""The milestone page's dependencies: the lists, the search, adding and removing."""

import datetime

import pytest

from milestones.models import Dependency
from milestones.services import add_dependency, remove_dependency, update_milestone
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
    return f"/teams/{milestone.team.slug}/milestones/{milestone.pk}/{suffix}"


def test_the_page_lists_what_the_milestone_waits_on_with_the_risk_in_words(
    client, engineer, milestone, payments
):
    add_dependency(downstream=milestone, upstream=payments, user=None)
    client.force_login(engineer)
    section = text(by_id(client.get(url(milestone)), "dependencies"))
    assert "Payments API" in section
    assert "Billing" in section
    assert "it is due Dec 20, 10 days after this milestone's target of Dec 10" in section
    assert "Search titles" not in client.get(url(milestone)).content.decode()  # not theirs


def test_the_upstream_page_lists_what_waits_on_it(client, engineer, milestone, payments):
    add_dependency(downstream=milestone, upstream=payments, user=None)
    client.force_login(engineer)
    section = text(by_id(client.get(url(payments)), "dependencies"))
    assert "Waited on by" in section
    assert "Ship the importer" in section
    assert "Platform" in section


def test_a_lead_finds_another_teams_milestone_by_title_and_waits_on_it(
    client, lead, milestone, payments
):
    client.force_login(lead)
    results = client.get(url(milestone, "dependencies/search/"), {"q": "paym"}, **HTMX)
    assert "Payments API" in results.content.decode()
    response = client.post(url(milestone, "dependencies/"), {"upstream": payments.pk}, **HTMX)
    assert response.status_code == 200
    assert "It now waits on “Payments API” (Billing)." in text(by_id(response, "dependencies"))
    assert Dependency.objects.get().upstream == payments


def test_the_search_works_as_a_plain_form_and_filters_by_team(
    client, lead, milestone, payments, quarter
):
    MilestoneFactory(quarter=quarter, title="Payments ledger", team=TeamFactory(name="Ledger"))
    client.force_login(lead)
    response = client.get(url(milestone, "dependencies/search/"), {"q": "pay", "team": "billing"})
    found = text(by_id(response, "dependency-results"))
    assert "Payments API" in found
    assert "Payments ledger" not in found


def test_a_cycle_is_refused_beside_the_search_and_nothing_is_written(
    client, lead, milestone, payments
):
    add_dependency(downstream=payments, upstream=milestone, user=None)
    client.force_login(lead)
    response = client.post(url(milestone, "dependencies/"), {"upstream": payments.pk}, **HTMX)
    assert response.status_code == 422
    assert "that is a cycle" in text(by_id(response, "dependency-error"))
    assert Dependency.objects.count() == 1


def test_a_plain_form_adds_and_removes_and_redirects_to_the_page(client, lead, milestone, payments):
    client.force_login(lead)
    response = client.post(url(milestone, "dependencies/"), {"upstream": payments.pk})
    assert response.status_code == 302
    assert response["Location"].endswith("#dependencies")
    response = client.post(url(milestone, f"dependencies/{payments.pk}/remove/"))
    assert response.status_code == 302
    assert not Dependency.objects.exists()


def test_an_unknown_upstream_is_refused_with_a_message(client, lead, milestone):
    client.force_login(lead)
    response = client.post(url(milestone, "dependencies/"), {"upstream": "nope"}, **HTMX)
    assert response.status_code == 422
    assert "Pick the milestone it waits on" in text(by_id(response, "dependency-error"))


def test_a_slip_ledger_entry_lists_the_downstreams_it_put_at_risk(
    client, engineer, milestone, payments
):
    payments.committed_date = payments.target_date = D(2026, 12, 5)
    payments.save()
    add_dependency(downstream=milestone, upstream=payments, user=None)
    update_milestone(
        milestone=payments,
        version=payments.version,
        changes={"target_date": D(2026, 12, 15)},
        user=None,
    )
    client.force_login(engineer)
    entry = text(by_id(client.get(url(payments)), "ledger"))
    assert "Puts at risk: Ship the importer (Platform, target Dec 10)." in entry
    assert (
        "Endangers the on-time verdict of Platform: if what waits on it slips past committed + "
        "grace, the forecast is 1 of 2 teams on time (now 2 of 2)."
    ) in entry


def test_a_slip_lists_the_downstreams_by_their_targets_on_the_day_of_the_slip(
    client, engineer, milestone, payments, quarter
):
    """The downstream later moved its own target past the upstream's (no risk today), a link
    made after the slip was not there to be put at risk, one removed since was: the entry is
    the slip's day's, not today's."""
    payments.committed_date = payments.target_date = D(2026, 12, 5)
    payments.save()
    removed = MilestoneFactory(
        team=TeamFactory(name="Ledger"), quarter=quarter, title="Books", target_date=D(2026, 12, 8)
    )
    add_dependency(downstream=milestone, upstream=payments, user=None)
    add_dependency(downstream=removed, upstream=payments, user=None)
    update_milestone(
        milestone=payments,
        version=payments.version,
        changes={"target_date": D(2026, 12, 15)},
        user=None,
    )
    update_milestone(
        milestone=milestone,
        version=milestone.version,
        changes={"target_date": D(2026, 12, 20)},
        user=None,
    )
    remove_dependency(downstream=removed, upstream_id=payments.pk, user=None)
    later = MilestoneFactory(quarter=quarter, title="Late comer", target_date=D(2026, 12, 9))
    add_dependency(downstream=later, upstream=payments, user=None)
    client.force_login(engineer)
    entry = text(by_id(client.get(url(payments)), "ledger"))
    assert (
        "Puts at risk: Books (Ledger, target Dec 8); Ship the importer (Platform, target Dec 10)."
    ) in entry
    assert "Late comer" not in entry


@pytest.mark.parametrize("links", [1, 12])
def test_the_milestone_page_queries_do_not_grow_with_its_dependencies(
    client, lead, milestone, quarter, django_assert_num_queries, links
):
    for n in range(links):
        other, *_ = trio()
        add_dependency(
            downstream=milestone,
            upstream=MilestoneFactory(team=other, quarter=quarter, title=f"Up {n}"),
            user=None,
        )
        down = MilestoneFactory(
            team=other, quarter=quarter, title=f"Down {n}", target_date=D(2026, 12, 12)
        )
        add_dependency(downstream=down, upstream=milestone, user=None)
    # A slip past every downstream's target: the ledger lists them all, and what it costs.
    update_milestone(
        milestone=milestone,
        version=milestone.version,
        changes={"target_date": D(2026, 12, 20)},
        user=None,
    )
    client.force_login(lead)
    # Session, user, the milestone, its history, owners named, the membership, the reasons to
    # pick from, its links either way (what it waits on and what waits on it, one query), what
    # waited on it at the slip (the links' history, the downstreams' history), the slip's cost
    # (the quarter's milestones), the teams to search, the quarters and the milestones found.
    with django_assert_num_queries(14):
        response = client.get(url(milestone, "dependencies/search/"), {"q": "Up"})
    assert text(by_id(response, "ledger")).count("Puts at risk") == 1
    assert f"Down {links - 1}" in text(by_id(response, "ledger"))
    section = text(by_id(response, "dependencies"))
    assert f"Up {links - 1}" in section
    assert f"Down {links - 1}" in section
    # Everything found is already waited on: the search offers none of it again.
    assert "Wait on this" not in text(by_id(response, "dependency-results"))


# --- The team page ------------------------------------------------------------------------------


def test_a_team_row_at_risk_from_a_dependency_carries_the_mark_and_the_reason(
    client, engineer, milestone, payments
):
    add_dependency(downstream=milestone, upstream=payments, user=None)
    client.force_login(engineer)
    mark = by_id(client.get("/teams/platform/"), f"milestone-{milestone.pk}")
    assert "At risk from a dependency: Waits on “Payments API” (Billing): it is due Dec 20" in text(
        mark
    )
    assert 'title="Waits on “Payments API” (Billing)' in mark


def test_a_team_row_waiting_on_something_due_earlier_has_no_mark(
    client, engineer, milestone, payments
):
    payments.committed_date = payments.target_date = D(2026, 12, 1)
    payments.save()
    add_dependency(downstream=milestone, upstream=payments, user=None)
    client.force_login(engineer)
    assert "At risk from a dependency" not in client.get("/teams/platform/").content.decode()


@pytest.mark.parametrize("size", [2, 20])
def test_the_team_page_queries_do_not_grow_with_dependencies(
    client, lead, team, quarter, billing, django_assert_max_num_queries, size
):
    for n in range(size):
        down = MilestoneFactory(team=team, quarter=quarter, position=n)
        up = MilestoneFactory(team=billing, quarter=quarter, target_date=D(2026, 12, 30))
        add_dependency(downstream=down, upstream=up, user=None)
    client.force_login(lead)
    with django_assert_max_num_queries(11):
        response = client.get("/teams/platform/")
    assert response.content.decode().count('data-testid="dependency-risk"') == size
