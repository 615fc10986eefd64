"""The review page: what changed since the previous review, the items, and its cost."""

import datetime

import pytest
from django.urls import reverse

from milestones.models import Milestone
from milestones.services import add_dependency
from reviews.models import ReviewItem
from reviews.services import close_review, set_item_note
from tests.factories import trio
from tests.html import by_id, text
from tests.reviews.helpers import PREVIOUS, TODAY, D, edit, hold, milestone


def page(client, review):
    return client.get(reverse("reviews:detail", args=[review.team.slug, review.pk]))


def test_the_page_lists_what_changed_since_the_previous_review(
    client, team, quarter, engineer, other_engineer
):
    search = milestone(team, quarter, title="Search", target_date=D(2026, 12, 1))
    export = milestone(team, quarter, title="Export", status=Milestone.Status.AT_RISK)
    billing = milestone(team, quarter, title="Billing", owner=engineer)
    hold(team, PREVIOUS)
    edit(search, target_date=D(2026, 12, 10))
    edit(export, status=Milestone.Status.DONE, delivered_date=D(2026, 11, 20))
    edit(billing, owner=other_engineer)
    milestone(team, quarter, title="Audit log")
    review = hold(team, TODAY)
    client.force_login(engineer)

    response = page(client, review)

    assert response.status_code == 200
    text = response.text
    assert "Since November 11" in text
    assert 'Dec 1 → Dec 10 <strong class="bad">+9 days</strong>' in text
    assert 'id="done-title">Newly done' in text
    assert f"{engineer.name} → {other_engineer.name}" in text
    assert 'id="added-title">New' in text
    assert "Audit log" in text


def test_the_first_review_of_a_quarter_says_everything_is_new(client, team, quarter, lead):
    milestone(team, quarter, done=True)
    milestone(team, quarter)
    review = hold(team, TODAY)
    client.force_login(lead)

    response = page(client, review)

    assert "First review of 2026 Q4" in response.text
    assert "Everything is new: 2 milestones, 1 done." in response.text


def test_milestones_closed_before_and_unchanged_are_folded_away(client, team, quarter, lead):
    milestone(team, quarter, title="Shipped in October", done=True)
    milestone(team, quarter, title="Still open")
    hold(team, PREVIOUS)
    review = hold(team, TODAY)
    client.force_login(lead)

    response = page(client, review)

    assert "1 milestone closed before and unchanged since" in response.text
    assert response.context["page"].unchanged[0].title == "Shipped in October"
    assert [row.item.title for row in response.context["page"].items] == ["Still open"]


def test_a_closed_review_keeps_its_snapshot_when_the_milestone_changes_afterwards(
    client, team, quarter, lead
):
    search = milestone(team, quarter, title="Search", target_date=D(2026, 12, 1))
    review = hold(team, TODAY)
    close_review(review=review, user=lead)
    before = list(ReviewItem.objects.values())

    edit(
        search,
        title="Search v2",
        target_date=D(2026, 12, 20),
        status=Milestone.Status.OFF_TRACK,
        owner=lead,
    )

    assert list(ReviewItem.objects.values()) == before
    client.force_login(lead)
    text = page(client, review).text
    assert "Search v2" not in text
    assert "Dec 20" not in text
    assert "On track" in text


def test_the_diff_of_a_review_does_not_follow_the_live_milestones(client, team, quarter, lead):
    search = milestone(team, quarter, title="Search", target_date=D(2026, 12, 1))
    hold(team, PREVIOUS)
    edit(search, target_date=D(2026, 12, 8))
    review = hold(team, TODAY)

    edit(search, target_date=D(2026, 12, 1))  # pulled back in after the review

    client.force_login(lead)
    diff = page(client, review).context["page"].diff
    assert [change.target_days for change in diff.slips] == [7]


def test_a_review_still_reads_after_one_of_its_milestones_is_deleted(client, team, quarter, lead):
    gone = milestone(team, quarter, title="Deleted later")
    review = hold(team, TODAY)
    set_item_note(item=review.items.get(), note="We talked about it")

    gone.delete()

    client.force_login(lead)
    response = page(client, review)
    assert response.status_code == 200
    assert "Deleted later" in response.text
    assert "We talked about it" in response.text


def test_everyone_signed_in_reads_a_review_but_only_its_runners_see_the_forms(
    client, team, quarter, lead, engineer, outsider_lead
):
    milestone(team, quarter)
    review = hold(team, TODAY)

    for reader in (engineer, outsider_lead):
        client.force_login(reader)
        response = page(client, review)
        assert response.status_code == 200
        assert "<textarea" not in response.text
        assert "Close review" not in response.text

    client.force_login(lead)
    response = page(client, review)
    assert response.text.count("<textarea") == 2  # the item's note and the summary
    assert "Close review" in response.text


def test_a_review_under_another_teams_slug_is_not_found(client, team, quarter, lead):
    review = hold(team, TODAY)
    other = trio(name="Billing", slug="billing")[0]
    client.force_login(lead)

    response = client.get(reverse("reviews:detail", args=[other.slug, review.pk]))

    assert response.status_code == 404


def build_reviews(team, quarter, size: int):
    """Two reviews of `size` milestones, with slips, deliveries and notes between them; each
    milestone waits on one of another team due after it (a dependency at risk)."""
    milestones = [milestone(team, quarter, title=f"M{n}") for n in range(size)]
    other = trio()[0]
    for m in milestones:
        late = m.target_date + datetime.timedelta(days=30)
        upstream = milestone(other, quarter, committed_date=late, target_date=late)
        add_dependency(downstream=m, upstream=upstream, user=None)
    hold(team, PREVIOUS)
    for n, m in enumerate(milestones):
        if n % 3 == 0:
            edit(m, target_date=D(2026, 12, 10))
        elif n % 3 == 1:
            edit(m, status=Milestone.Status.DONE, delivered_date=D(2026, 11, 20))
    milestone(team, quarter, title="Added")
    review = hold(team, TODAY)
    for item in review.items.all():
        set_item_note(item=item, note=f"Note on {item.title}")
    return review


@pytest.mark.parametrize("size", [3, 30])
def test_the_review_page_costs_the_same_queries_whatever_its_size(
    client, team, quarter, lead, django_assert_num_queries, size
):
    review = build_reviews(team, quarter, size)
    client.force_login(lead)

    # Session, user, the review with its team, quarter and people, the items of both
    # snapshots, the next review, the user's membership (may they run it?), the team's open
    # milestones and what they wait on (dependencies at risk, issue 16).
    with django_assert_num_queries(8):
        response = page(client, review)

    assert response.status_code == 200
    assert len(response.context["page"].items) == size + 1
    still_open = Milestone.objects.filter(team=team, status__in=Milestone.OPEN_STATUSES).exclude(
        title="Added"  # added after the links were made
    )
    assert len(response.context["waiting"]) == still_open.count() > 0


def test_an_open_review_lists_the_teams_milestones_at_risk_from_a_dependency(
    client, team, quarter, lead
):
    checkout = milestone(team, quarter, title="Checkout", target_date=D(2026, 12, 10))
    payments = trio(name="Payments", slug="payments")[0]
    api = milestone(
        payments,
        quarter,
        title="Payments API",
        committed_date=D(2026, 12, 20),
        target_date=D(2026, 12, 20),
    )
    add_dependency(downstream=checkout, upstream=api, user=None)
    review = hold(team, TODAY)
    client.force_login(lead)
    assert text(by_id(page(client, review), "review-dependencies-title")) == (
        "At risk from a dependency 1"
    )
    listed = page(client, review).content.decode()
    assert "Waits on “Payments API” (Payments): it is due Dec 20" in listed
    close_review(review=review, user=None)
    assert "review-dependencies" not in page(client, review).content.decode()
