"""The milestone page (`milestones.views.milestone.milestone_detail`): its details, the
commitment ledger (each move of the dates, with its reason and who) and the history timeline;
a constant number of queries whatever the length of the history."""

import datetime

import pytest

from milestones.history import Source, history_source
from milestones.models import Milestone, SlipReason
from tests.factories import SlipExplanationFactory, TeamFactory
from tests.html import text
from tests.milestones.helpers import (
    HTMX,
    engineer_data,
    ledger_text,
    move,
    reason_url,
    row_data,
    url,
)

D = datetime.date


def page_of(client, milestone) -> str:
    response = client.get(url("detail", milestone))
    assert response.status_code == 200
    return text(response)


def history_part(page: str) -> str:
    return page.split("History", 1)[1]


def test_milestone_page_shows_its_details(client, loner, milestone):
    client.force_login(loner)
    page = page_of(client, milestone)
    assert "Ship the importer" in page
    assert "Committed Dec 10 · on time until Dec 17" in page
    assert "Owner " + milestone.owner.name in page


def test_history_says_who_changed_which_field_from_what_to_what_and_from_where(
    client, lead, engineer, milestone
):
    client.force_login(engineer)
    client.post(
        url("edit", milestone),
        engineer_data(milestone, status="at_risk", notes="Vendor late"),
        **HTMX,
    )
    page = history_part(page_of(client, milestone))
    assert f"{engineer.name} via web" in page
    assert "Status On track → changed to At risk" in page
    assert "Notes — → changed to Vendor late" in page
    assert "Created" in page


def test_history_names_the_source_of_each_change(client, loner, milestone):
    with history_source(Source.SYNC):
        milestone.notes = "from the sheet"
        milestone.save()
    client.force_login(loner)
    page = history_part(page_of(client, milestone))
    assert "via sheet sync" in page
    assert "via command" in page  # the factory created it outside a request


def test_history_shows_owners_by_name(client, lead, other_engineer, milestone):
    client.force_login(lead)
    client.post(url("edit", milestone), row_data(milestone, owner=other_engineer.pk), **HTMX)
    page = history_part(page_of(client, milestone))
    assert f"Owner {milestone.owner.name} → changed to {other_engineer.name}" in page


def test_history_lists_the_newest_change_first(client, lead, milestone):
    client.force_login(lead)
    client.post(url("edit", milestone), row_data(milestone, title="Second title"), **HTMX)
    page = history_part(page_of(client, milestone))
    assert page.index("Second title") < page.index("Created")


def test_the_ledger_lists_each_move_of_the_target_and_the_days_slipped(
    client, lead, milestone, scope_grew
):
    client.force_login(lead)
    for version, target in enumerate(["2026-12-14", "2026-12-11", "2026-12-21"], start=1):
        current = Milestone.objects.get(pk=milestone.pk)
        assert current.version == version
        client.post(
            url("edit", milestone),
            row_data(current, target_date=target, slip_reason=scope_grew.pk),
            **HTMX,
        )
    page = page_of(client, milestone)
    ledger = page.split("Commitment ledger", 1)[1].split("History", 1)[0]
    assert "moved later 2 times, 14 days in all" in ledger
    assert f"{lead.name} via web Target Dec 10 → Dec 14 +4 days Reason Scope grew" in ledger
    assert f"{lead.name} via web Target Dec 14 → Dec 11 moved earlier by 3 days" in ledger
    assert f"{lead.name} via web Target Dec 11 → Dec 21 +10 days Reason Scope grew" in ledger
    assert "Days slipped 11 days past the committed date" in page


def test_a_milestone_that_never_slipped_says_so(client, loner, milestone):
    client.force_login(loner)
    page = page_of(client, milestone)
    assert "The target date has never moved later." in page
    assert "Days slipped None" in page


def test_those_who_may_edit_get_a_link_to_the_edit_row(client, engineer, other_engineer, milestone):
    client.force_login(engineer)
    assert url("edit", milestone) in client.get(url("detail", milestone)).content.decode()
    client.force_login(other_engineer)
    assert url("edit", milestone) not in client.get(url("detail", milestone)).content.decode()


def test_a_milestone_id_under_another_teams_slug_is_not_found(client, loner, milestone):
    TeamFactory(name="Billing", slug="billing")
    client.force_login(loner)
    assert client.get(f"/teams/billing/milestones/{milestone.pk}/").status_code == 404


@pytest.mark.parametrize("changes", [1, 20])
def test_milestone_page_costs_the_same_queries_whatever_the_length_of_its_history(
    client, lead, engineer, other_engineer, milestone, django_assert_num_queries, changes
):
    for n in range(changes):
        milestone.target_date += datetime.timedelta(days=1)
        milestone.owner = engineer if n % 2 else other_engineer
        milestone._history_user = lead
        milestone.save()
    client.force_login(lead)
    # session, user, milestone + team + quarter + owner, history + users + reasons given,
    # owners named, the user's membership, the reasons to pick from (the lead may give them),
    # its links either way (what it waits on, what waits on it), what ever waited on it (the
    # links' history: its slips list what they put at risk), the teams to search for an
    # upstream (the lead links)
    with django_assert_num_queries(10):
        response = client.get(url("detail", milestone))
    assert history_part(text(response)).count(f"{lead.name} via") == changes
    assert len(response.context["ledger"].slips) == changes


# --- The commitment ledger --------------------------------------------------------------------


def test_the_ledger_shows_the_commitment_and_each_move_with_its_reason_and_who(
    client, lead, vp, milestone
):
    client.force_login(lead)
    scope = SlipReason.objects.get(name="Scope grew")
    client.post(
        url("edit", milestone),
        row_data(milestone, target_date="2026-12-17", slip_reason=scope.pk, slip_note="Two APIs"),
        **HTMX,
    )
    move(milestone, D(2026, 12, 24), source=Source.SYNC)
    move(milestone, D(2026, 12, 20))
    Milestone.objects.filter(pk=milestone.pk).update(committed_date=D(2026, 12, 12))
    page = ledger_text(client, milestone)
    assert "Committed to Dec 10 on" in page
    assert (
        f"{lead.name} via web Target Dec 10 → Dec 17 +7 days Reason Scope grew — Two APIs" in page
    )
    assert (
        "Milepost via sheet sync Target Dec 17 → Dec 24 +7 days Reason Changed in the sheet" in page
    )
    assert "Target Dec 24 → Dec 20 moved earlier by 4 days" in page
    assert "moved later 2 times, 14 days in all. 1 without a reason." in page


def test_a_slip_made_in_the_app_without_a_reason_reads_no_reason_given(client, lead, milestone):
    move(milestone, D(2026, 12, 17))
    client.force_login(lead)
    assert "+7 days Reason No reason given" in ledger_text(client, milestone)


def test_a_change_of_the_committed_date_is_in_the_ledger(client, lead, milestone):
    client.force_login(lead)
    client.post(url("edit", milestone), row_data(milestone, committed_date="2026-12-08"), **HTMX)
    assert f"{lead.name} via web Committed date Dec 10 → Dec 8" in ledger_text(client, milestone)


def test_only_those_who_may_move_the_target_see_the_reason_form(
    client, engineer, other_engineer, milestone
):
    record = move(milestone, D(2026, 12, 17))
    client.force_login(engineer)  # the owner
    assert reason_url(milestone, record) in client.get(url("detail", milestone)).content.decode()
    client.force_login(other_engineer)
    assert (
        reason_url(milestone, record) not in client.get(url("detail", milestone)).content.decode()
    )


@pytest.mark.parametrize("slips", [1, 15])
def test_the_ledger_costs_the_same_queries_whatever_the_number_of_slips_and_reasons(
    client, lead, milestone, django_assert_num_queries, slips
):
    reasons = list(SlipReason.objects.all())
    for n in range(slips):
        record = move(milestone, milestone.target_date + datetime.timedelta(days=n + 1), user=lead)
        if n % 3:
            SlipExplanationFactory(record=record, reason=reasons[n % len(reasons)], given_by=lead)
    client.force_login(lead)
    # session, user, milestone, history + users + reasons given + who gave them, owners named,
    # the user's membership, the reasons to pick from, the upstream and downstream milestones
    # (one query), what ever waited on it (the links' history), the teams to search for an
    # upstream
    with django_assert_num_queries(10):
        response = client.get(url("detail", milestone))
    assert len(response.context["ledger"].slips) == slips
