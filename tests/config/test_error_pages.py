"""The 403, 404 and 500 pages: styled, say why, link home."""

import pytest
from django.urls import reverse

from tests.factories import MilestoneFactory, QuarterFactory, trio
from tests.html import text


def test_a_refused_change_says_why_and_links_home(client, db):
    team, _lead, engineer, _ = trio(name="Platform", slug="platform")
    client.force_login(engineer)
    response = client.post(reverse("reviews:start", args=[team.slug]), {"held_on": "2026-11-25"})
    assert response.status_code == 403
    assert "Only the team's tech lead or leadership starts its review." in text(response)
    assert 'href="/"' in response.content.decode()
    assert b"milepost.css" in response.content


def test_an_unknown_page_says_what_was_asked_for_and_links_home(client, db):
    _team, lead, *_ = trio(name="Platform", slug="platform")
    client.force_login(lead)
    response = client.get("/teams/no-such-team/")
    assert response.status_code == 404
    body = text(response)
    assert "There is nothing here" in body
    assert "/teams/no-such-team/" in body
    assert 'href="/"' in response.content.decode()
    assert b"milepost.css" in response.content


def test_a_milestone_under_another_teams_address_is_not_found_with_the_styled_page(client, db):
    team, lead, *_ = trio(name="Platform", slug="platform")
    other = trio(name="Billing", slug="billing")[0]
    milestone = MilestoneFactory(team=other, quarter=QuarterFactory())
    client.force_login(lead)
    response = client.get(reverse("milestones:detail", args=[team.slug, milestone.pk]))
    assert response.status_code == 404
    assert "belongs to another team" in text(response)


@pytest.mark.urls("tests.config.urls_failing")
def test_a_server_error_page_says_it_is_not_the_users_fault_and_links_home(client, db):
    client.raise_request_exception = False
    response = client.get("/bug/")
    assert response.status_code == 500
    body = text(response)
    assert "not something you did" in body
    assert 'href="/"' in response.content.decode()
