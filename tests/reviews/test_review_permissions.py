"""Who may start, fill in, close and reopen a team's review (SPEC section 1), by plain POST.

The team's lead and leadership run the review; engineers, even the owner of a milestone in it,
and other teams' leads may not; only leadership reopens a closed one. Anonymous visitors are
sent to sign in. A refused request changes nothing.
"""

import pytest
from django.urls import reverse

from reviews.models import Review, ReviewItem
from reviews.services import close_review
from tests.reviews.helpers import PREVIOUS, TODAY, hold, milestone

ANONYMOUS, LEADERSHIP, LEAD, OWNER, ENGINEER, OTHER_LEAD = (
    "anonymous",
    "leadership",
    "lead",
    "owner",
    "engineer",
    "other_lead",
)
RUNNERS = {LEADERSHIP, LEAD}


@pytest.fixture
def people(vp, lead, engineer, other_engineer, outsider_lead):
    return {
        ANONYMOUS: None,
        LEADERSHIP: vp,
        LEAD: lead,
        OWNER: engineer,
        ENGINEER: other_engineer,
        OTHER_LEAD: outsider_lead,
    }


@pytest.fixture
def review(team, quarter, engineer):
    milestone(team, quarter, title="Search", owner=engineer)
    return hold(team, PREVIOUS)


def state():
    return (
        list(Review.objects.order_by("pk").values_list("pk", "summary", "closed_at")),
        list(ReviewItem.objects.order_by("pk").values_list("pk", "note")),
    )


def post_as(client, people, persona, url, data=None):
    if people[persona] is not None:
        client.force_login(people[persona])
    return client.post(url, data or {})


def assert_outcome(response, persona, allowed):
    if persona == ANONYMOUS:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif persona in allowed:
        assert response.status_code == 302
        assert not response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403


PERSONAS = [ANONYMOUS, LEADERSHIP, LEAD, OWNER, ENGINEER, OTHER_LEAD]


@pytest.mark.parametrize("persona", PERSONAS)
def test_starting_a_review_is_for_the_lead_and_leadership(client, people, team, review, persona):
    before = state()

    response = post_as(
        client,
        people,
        persona,
        reverse("reviews:start", args=[team.slug]),
        {"held_on": TODAY.isoformat()},
    )

    assert_outcome(response, persona, RUNNERS)
    if persona not in RUNNERS:
        assert state() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_writing_a_note_is_for_the_lead_and_leadership(client, people, review, persona):
    item = review.items.get()
    before = state()

    response = post_as(
        client,
        people,
        persona,
        reverse("reviews:item_note", args=[review.team.slug, review.pk, item.pk]),
        {"note": "Owner says it is fine"},
    )

    assert_outcome(response, persona, RUNNERS)
    if persona not in RUNNERS:
        assert state() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_writing_the_summary_is_for_the_lead_and_leadership(client, people, review, persona):
    before = state()

    response = post_as(
        client,
        people,
        persona,
        reverse("reviews:summary", args=[review.team.slug, review.pk]),
        {"summary": "A good fortnight"},
    )

    assert_outcome(response, persona, RUNNERS)
    if persona not in RUNNERS:
        assert state() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_closing_is_for_the_lead_and_leadership(client, people, review, persona):
    before = state()

    response = post_as(
        client,
        people,
        persona,
        reverse("reviews:close", args=[review.team.slug, review.pk]),
    )

    assert_outcome(response, persona, RUNNERS)
    review.refresh_from_db()
    assert review.is_closed == (persona in RUNNERS)
    if persona not in RUNNERS:
        assert state() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_reopening_is_for_leadership_alone(client, people, lead, review, persona):
    close_review(review=review, user=lead)
    before = state()

    response = post_as(
        client,
        people,
        persona,
        reverse("reviews:reopen", args=[review.team.slug, review.pk]),
    )

    assert_outcome(response, persona, {LEADERSHIP})
    review.refresh_from_db()
    assert review.is_closed == (persona != LEADERSHIP)
    if persona != LEADERSHIP:
        assert state() == before


def test_a_user_on_no_team_may_not_run_a_review(client, loner, team, review):
    client.force_login(loner)

    response = client.post(reverse("reviews:close", args=[team.slug, review.pk]))

    assert response.status_code == 403


def test_an_engineer_refused_a_closed_review_gets_403_not_409(client, lead, engineer, review):
    """403 says "never you"; 409 is kept for those who could edit it were it open."""
    close_review(review=review, user=lead)
    client.force_login(engineer)

    response = client.post(
        reverse("reviews:summary", args=[review.team.slug, review.pk]),
        {"summary": "Sneaky"},
    )

    assert response.status_code == 403


@pytest.mark.parametrize("name", ["close", "reopen", "summary", "item_note"])
def test_a_review_posted_to_under_another_teams_slug_is_not_found(
    client, vp, review, outsider_lead, name
):
    other_slug = outsider_lead.memberships.get().team.slug
    args = [other_slug, review.pk]
    if name == "item_note":
        args.append(review.items.get().pk)
    client.force_login(vp)
    before = state()

    response = client.post(reverse(f"reviews:{name}", args=args), {"note": "x"})

    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("name", ["start", "close", "reopen", "summary"])
def test_the_writes_answer_get_with_method_not_allowed(client, lead, review, name):
    args = [review.team.slug] if name == "start" else [review.team.slug, review.pk]
    client.force_login(lead)

    assert client.get(reverse(f"reviews:{name}", args=args)).status_code == 405
