"""Filling a review in: a note per item and the summary, in place with htmx or by plain POST."""

import pytest
from django.urls import reverse

from reviews import views
from reviews.forms import MAX_NOTE
from reviews.services import ReviewClosed, close_review, set_item_note, set_summary
from tests.factories import TeamFactory
from tests.reviews.helpers import HTMX, TODAY, hold, milestone


@pytest.fixture
def review(team, quarter):
    milestone(team, quarter, title="Search")
    return hold(team, TODAY)


@pytest.fixture
def item(review):
    return review.items.get()


def note_url(review, item):
    return reverse("reviews:item_note", args=[review.team.slug, review.pk, item.pk])


def summary_url(review):
    return reverse("reviews:summary", args=[review.team.slug, review.pk])


def test_the_lead_writes_a_note_in_place(client, lead, review, item):
    client.force_login(lead)

    response = client.post(note_url(review, item), {"note": "  Vendor is late  "}, **HTMX)

    assert response.status_code == 200
    item.refresh_from_db()
    assert item.note == "Vendor is late"
    # The partial: the note's form again, with the saved text and a confirmation.
    assert response.text.lstrip().startswith('<div class="review-note" id="note-')
    assert "Vendor is late</textarea>" in response.text
    assert "Saved" in response.text


def test_without_javascript_a_note_redirects_back_to_its_item(client, lead, review, item):
    client.force_login(lead)

    response = client.post(note_url(review, item), {"note": "Vendor is late"})

    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#item-{item.pk}"
    item.refresh_from_db()
    assert item.note == "Vendor is late"


def test_leadership_writes_notes_too(client, vp, review, item):
    client.force_login(vp)

    client.post(note_url(review, item), {"note": "Good catch"}, **HTMX)

    item.refresh_from_db()
    assert item.note == "Good catch"


def test_an_overlong_note_is_refused_and_given_back(client, lead, review, item):
    client.force_login(lead)
    typed = "x" * (MAX_NOTE + 1)

    response = client.post(note_url(review, item), {"note": typed}, **HTMX)

    assert response.status_code == 422
    assert f"{typed}</textarea>" in response.text
    assert "at most 4000 characters" in response.text
    item.refresh_from_db()
    assert item.note == ""


def test_without_javascript_an_overlong_note_shows_the_page_with_the_error(
    client, lead, review, item
):
    client.force_login(lead)

    response = client.post(note_url(review, item), {"note": "x" * (MAX_NOTE + 1)})

    assert response.status_code == 422
    assert "<h1" in response.text
    assert "at most 4000 characters" in response.text


def test_an_item_of_another_review_is_not_found_under_this_one(client, lead, quarter, review, item):
    other_team = TeamFactory(name="Billing")
    milestone(other_team, quarter)
    other_item = hold(other_team, TODAY).items.get()
    client.force_login(lead)

    response = client.post(note_url(review, other_item), {"note": "Misplaced"})

    assert response.status_code == 404
    other_item.refresh_from_db()
    assert other_item.note == ""


def test_the_lead_writes_the_summary_in_place(client, lead, review):
    client.force_login(lead)

    response = client.post(summary_url(review), {"summary": "A good fortnight."}, **HTMX)

    assert response.status_code == 200
    assert 'id="summary"' in response.text
    assert "Saved" in response.text
    review.refresh_from_db()
    assert review.summary == "A good fortnight."


def test_without_javascript_the_summary_redirects_back_to_it(client, lead, review):
    client.force_login(lead)

    response = client.post(summary_url(review), {"summary": "A good fortnight."})

    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#summary"


# --- A closed review --------------------------------------------------------------------------


def test_a_closed_review_refuses_a_note_and_the_services_say_why(lead, review, item):
    close_review(review=review, user=lead)

    with pytest.raises(ReviewClosed):
        set_item_note(item=item, note="Too late")
    with pytest.raises(ReviewClosed):
        set_summary(review=review, summary="Too late")

    item.refresh_from_db()
    review.refresh_from_db()
    assert (item.note, review.summary) == ("", "")


def test_a_note_on_a_review_closed_meanwhile_is_a_conflict_that_gives_the_text_back(
    client, lead, vp, review, item
):
    client.force_login(lead)
    close_review(review=review, user=vp)  # in another tab, say

    response = client.post(note_url(review, item), {"note": "Typed before it closed"}, **HTMX)

    assert response.status_code == 409
    # The whole review is swapped, read-only, with what was typed.
    assert response["HX-Retarget"] == "#review"
    assert response["HX-Reswap"] == "outerHTML"
    assert "This review was closed by" in response.text
    assert "Typed before it closed" in response.text
    assert "<textarea" not in response.text
    item.refresh_from_db()
    assert item.note == ""


def test_without_javascript_a_summary_on_a_closed_review_shows_the_page_read_only(
    client, lead, review
):
    close_review(review=review, user=lead)
    client.force_login(lead)

    response = client.post(summary_url(review), {"summary": "Too late"})

    assert response.status_code == 409
    assert "before your summary was saved" in response.text
    assert "Too late" in response.text
    assert "<textarea" not in response.text


def test_a_note_that_loses_the_race_with_a_close_is_a_conflict(
    client, monkeypatch, lead, vp, review, item
):
    """The view saw an open review; leadership closed it before the note's transaction ran."""

    def closed_just_before(**kwargs):
        close_review(review=kwargs["item"].review, user=vp)
        return set_item_note(**kwargs)

    monkeypatch.setattr(views, "set_item_note", closed_just_before)
    client.force_login(lead)

    response = client.post(note_url(review, item), {"note": "Just in time?"}, **HTMX)

    assert response.status_code == 409
    assert "Just in time?" in response.text
    item.refresh_from_db()
    assert item.note == ""
