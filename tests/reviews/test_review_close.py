"""Closing a review makes it read-only; leadership alone reopens it."""

import pytest
from django.urls import reverse

from reviews.services import close_review, reopen_review
from tests.reviews.helpers import HTMX, TODAY, hold, milestone


@pytest.fixture
def review(team, quarter):
    milestone(team, quarter, title="Search")
    return hold(team, TODAY)


def close_url(review):
    return reverse("reviews:close", args=[review.team.slug, review.pk])


def reopen_url(review):
    return reverse("reviews:reopen", args=[review.team.slug, review.pk])


def test_the_lead_closes_the_review(client, lead, review):
    client.force_login(lead)

    response = client.post(close_url(review))

    assert response.status_code == 302
    assert response["Location"] == review.get_absolute_url()
    review.refresh_from_db()
    assert review.is_closed
    assert review.closed_by == lead


def test_with_htmx_closing_swaps_in_the_read_only_review(client, lead, review):
    client.force_login(lead)

    response = client.post(close_url(review), **HTMX)

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<article id="review"')
    assert "Closed" in response.text
    assert "<textarea" not in response.text
    assert "Close review" not in response.text


def test_closing_a_closed_review_keeps_who_closed_it(lead, vp, review):
    first = close_review(review=review, user=vp)

    again = close_review(review=review, user=lead)

    assert (again.closed_by, again.closed_at) == (vp, first.closed_at)


def test_the_page_of_a_closed_review_shows_notes_as_text_and_no_forms(client, lead, review):
    item = review.items.get()
    item.note = "Vendor is late"
    item.save()
    review.summary = "Fine fortnight."
    review.save()
    close_review(review=review, user=lead)
    client.force_login(lead)

    response = client.get(review.get_absolute_url())

    assert "Vendor is late" in response.text
    assert "Fine fortnight." in response.text
    assert "<form" not in response.text.split('<article id="review"')[1]


def test_leadership_reopens_a_closed_review(client, vp, lead, review):
    close_review(review=review, user=lead)
    client.force_login(vp)

    response = client.post(reopen_url(review))

    assert response.status_code == 302
    review.refresh_from_db()
    assert not review.is_closed
    assert (review.reopened_by, review.closed_by) == (vp, None)


def test_with_htmx_reopening_swaps_in_the_editable_review(client, vp, lead, review):
    close_review(review=review, user=lead)
    client.force_login(vp)

    response = client.post(reopen_url(review), **HTMX)

    assert response.status_code == 200
    assert "<textarea" in response.text
    assert f"reopened by {vp.name}" in response.text


def test_reopening_keeps_the_snapshot(lead, vp, review):
    before = list(review.items.values_list("title", "status", "target_date"))
    close_review(review=review, user=lead)

    reopen_review(review=review, user=vp)

    assert list(review.items.values_list("title", "status", "target_date")) == before


def test_only_leadership_sees_the_reopen_button(client, vp, lead, review):
    close_review(review=review, user=lead)

    client.force_login(lead)
    assert "Reopen review" not in client.get(review.get_absolute_url()).text
    client.force_login(vp)
    assert "Reopen review" in client.get(review.get_absolute_url()).text


def test_reopening_an_open_review_changes_nothing(vp, review):
    reopened = reopen_review(review=review, user=vp)

    assert not reopened.is_closed
    assert reopened.reopened_at is None
