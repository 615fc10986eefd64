"""The load balancer's health check, the CSP header and the error pages that need no database
(sign-in throttling: tests/teams/test_throttle.py and test_sign_in.py)."""

import pytest
from django.db import DatabaseError, OperationalError

from milestones import services
from tests.factories import MilestoneFactory, trio


def test_healthz_answers_without_a_session(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


class UnreachableDatabase:
    def cursor(self):
        raise DatabaseError("connection refused")


def test_healthz_says_503_when_the_database_is_unreachable(client, db, monkeypatch):
    monkeypatch.setattr("config.health.connection", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_pages_carry_a_strict_content_security_policy(client, db):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.urls("tests.config.urls_failing")
def test_an_unreachable_database_gives_a_clean_503_page_that_needs_no_database(client, db):
    client.raise_request_exception = False
    response = client.get("/down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"cannot reach its database" in response.content
    assert b"Nothing you sent was half-saved" in response.content


@pytest.mark.urls("tests.config.urls_failing")
def test_a_bug_gives_the_plain_error_page(client, db):
    client.raise_request_exception = False
    response = client.get("/bug/")
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


def test_a_write_that_meets_an_outage_changes_nothing(client, db, monkeypatch):
    """The outage strikes after the milestone is saved, inside the request's transaction: the
    whole edit is rolled back and the page says so."""
    team, lead, *_ = trio()
    milestone = MilestoneFactory(team=team, title="Importer")
    real_save = services._save

    def save_then_fail(*args, **kwargs):
        real_save(*args, **kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "_save", save_then_fail)
    client.raise_request_exception = False
    client.force_login(lead)
    response = client.post(
        f"/teams/{team.slug}/milestones/{milestone.pk}/edit/",
        {
            "version": milestone.version,
            "title": "Half-saved?",
            "status": "on_track",
            "owner": "",
            "committed_date": milestone.committed_date,
            "target_date": milestone.target_date,
            "notes": "",
            "description": "",
        },
    )
    assert response.status_code == 503
    milestone.refresh_from_db()
    assert (milestone.title, milestone.version) == ("Importer", 1)
    assert milestone.history.count() == 1
