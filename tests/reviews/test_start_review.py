"""Starting a review: the snapshot, the previous review and the date rules (the service), and
the start form (the view)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from milestones.models import Milestone
from reviews.models import Review
from reviews.selectors import review_page
from reviews.services import start_review
from tests.factories import QuarterFactory, TeamFactory
from tests.reviews.helpers import HTMX, PREVIOUS, TODAY, D, edit, hold, milestone


def test_starting_a_review_copies_every_milestone_of_the_teams_quarter(
    team, quarter, engineer, lead, outsider_lead
):
    search = milestone(
        team,
        quarter,
        title="Search",
        owner=engineer,
        committed_date=D(2026, 11, 20),
        target_date=D(2026, 12, 4),
        status=Milestone.Status.AT_RISK,
    )
    shipped = milestone(team, quarter, title="Export", owner=lead, done=True)
    milestone(outsider_lead.memberships.get().team, quarter, title="Not this team's")
    milestone(team, QuarterFactory(year=2026, number=3), title="Not this quarter's")

    review = hold(team, TODAY, user=lead)

    assert (review.team, review.quarter, review.held_on, review.started_by) == (
        team,
        quarter,
        TODAY,
        lead,
    )
    assert [
        (i.milestone_id, i.title, i.status, i.committed_date, i.target_date, i.delivered_date)
        for i in review.items.all()
    ] == [
        (search.pk, "Search", "at_risk", D(2026, 11, 20), D(2026, 12, 4), None),
        (shipped.pk, "Export", "done", shipped.committed_date, shipped.target_date,
         shipped.delivered_date),
    ]  # fmt: skip
    assert [(i.owner, i.owner_name) for i in review.items.all()] == [
        (engineer, engineer.name),
        (lead, lead.name),
    ]


def test_the_first_review_of_a_quarter_has_no_previous_one_and_goes_through_everything(
    team, quarter
):
    milestone(team, quarter, done=True)
    milestone(team, quarter, status=Milestone.Status.DROPPED)

    review = hold(team, TODAY)

    assert review.previous is None
    assert all(item.on_agenda for item in review.items.all())


def test_a_review_is_measured_against_the_teams_previous_review_of_the_quarter(team, quarter):
    milestone(team, quarter)
    earlier = hold(team, D(2026, 10, 28))
    previous = hold(team, PREVIOUS)
    hold(TeamFactory(name="Other"), D(2026, 11, 18))

    review = hold(team, TODAY)

    assert review.previous == previous
    assert previous.previous == earlier


def test_the_first_review_of_a_new_quarter_starts_afresh(team, quarter):
    september = QuarterFactory(year=2026, number=3)
    milestone(team, september)
    milestone(team, quarter)
    hold(team, D(2026, 9, 25))

    review = hold(team, D(2026, 10, 2))

    assert review.quarter == quarter
    assert review.previous is None


def test_milestones_closed_before_the_previous_review_and_untouched_since_are_off_the_agenda(
    team, quarter
):
    shipped = milestone(team, quarter, title="Shipped in October", done=True)
    open_one = milestone(team, quarter, title="Still open")
    hold(team, PREVIOUS)

    review = hold(team, TODAY)

    agenda = {item.milestone_id: item.on_agenda for item in review.items.all()}
    assert agenda == {shipped.pk: False, open_one.pk: True}


def test_milestones_done_dropped_or_added_since_the_previous_review_are_on_the_agenda(
    team, quarter
):
    done = milestone(team, quarter, status=Milestone.Status.AT_RISK)
    dropped = milestone(team, quarter)
    hold(team, PREVIOUS)
    edit(done, status=Milestone.Status.DONE, delivered_date=D(2026, 11, 20))
    edit(dropped, status=Milestone.Status.DROPPED)
    added = milestone(team, quarter, done=True, committed_date=D(2026, 11, 15))

    review = hold(team, TODAY)

    assert set(review.items.filter(on_agenda=True).values_list("milestone_id", flat=True)) == {
        done.pk,
        dropped.pk,
        added.pk,
    }


def test_a_milestone_reopened_after_it_was_off_the_agenda_comes_back_as_a_status_move(
    team, quarter
):
    shipped = milestone(team, quarter, done=True)
    hold(team, D(2026, 10, 28))
    hold(team, PREVIOUS)  # done before, unchanged: off the agenda, still in the snapshot
    edit(shipped, status=Milestone.Status.ON_TRACK, delivered_date=None)

    review = hold(team, TODAY)

    item = review.items.get()
    assert item.on_agenda
    change = review_page(review).diff.for_milestone(shipped.pk)
    assert change.reopened
    assert not change.added


def test_a_team_has_one_review_a_date(team, quarter):
    hold(team, TODAY)

    with pytest.raises(ValidationError) as caught:
        hold(team, TODAY)

    assert caught.value.error_dict["held_on"][0].code == "exists"
    assert hold(TeamFactory(name="Billing"), TODAY).held_on == TODAY


def test_the_database_refuses_a_second_review_of_a_team_on_one_date(team, quarter):
    Review.objects.create(team=team, quarter=quarter, held_on=TODAY)

    with pytest.raises(IntegrityError):
        Review.objects.create(team=team, quarter=quarter, held_on=TODAY)


def test_a_review_is_not_dated_in_the_future(team, quarter):
    with pytest.raises(ValidationError, match="today or earlier"):
        hold(team, D(2026, 11, 26))

    assert not Review.objects.exists()


def test_a_review_is_not_dated_before_the_teams_latest_one(team, quarter):
    hold(team, PREVIOUS)

    with pytest.raises(ValidationError, match="latest review is of Nov 11, 2026"):
        hold(team, D(2026, 11, 4))


def test_a_review_is_dated_in_a_quarter(team, quarter):
    with pytest.raises(ValidationError, match="No quarter contains Sep 30, 2026"):
        start_review(team=team, held_on=D(2026, 9, 30), user=None)


# --- The start form -----------------------------------------------------------------------


def test_the_lead_starts_a_review_and_lands_on_it(client, team, quarter, lead):
    milestone(team, quarter)
    client.force_login(lead)

    response = client.post(reverse("reviews:start", args=[team.slug]), {"held_on": TODAY})

    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == review.get_absolute_url()
    assert review.started_by == lead


def test_with_htmx_a_started_review_opens_in_the_browser(client, team, quarter, vp):
    client.force_login(vp)

    response = client.post(reverse("reviews:start", args=[team.slug]), {"held_on": TODAY}, **HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == Review.objects.get().get_absolute_url()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain POST", "htmx"])
def test_the_review_a_lead_lands_on_confirms_it_was_started(client, team, quarter, lead, headers):
    client.force_login(lead)

    started = client.post(reverse("reviews:start", args=[team.slug]), {"held_on": TODAY}, **headers)

    url = Review.objects.get().get_absolute_url()
    assert url in (started.get("Location"), started.get("HX-Redirect"))
    landed = client.get(url)  # what the browser loads next, after either redirect
    assert "Started the review of Nov 25, 2026." in landed.text
    assert "Started the review" not in client.get(url).text  # said once


def test_a_refused_date_is_shown_on_the_form(client, team, quarter, lead):
    hold(team, TODAY)
    client.force_login(lead)

    response = client.post(reverse("reviews:start", args=[team.slug]), {"held_on": TODAY}, **HTMX)

    assert response.status_code == 422
    assert "Platform already has a review on Nov 25, 2026." in response.text
    assert 'id="start-review"' in response.text
    assert "<html" not in response.text
    assert Review.objects.count() == 1


def test_without_javascript_a_refused_date_shows_the_list_page_with_the_error(
    client, team, quarter, lead
):
    client.force_login(lead)

    response = client.post(reverse("reviews:start", args=[team.slug]), {"held_on": ""})

    assert response.status_code == 422
    assert "Give the date of the review." in response.text
    assert "<h1>Platform reviews</h1>" in response.text
