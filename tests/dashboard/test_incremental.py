"""The dashboard after one team's change (`dashboard.incremental`): the report before it with
that team read again is the report built whole, and it is used only when that one change is
all that happened since."""

import re

import pytest
from django.core.cache import cache as django_cache
from django.urls import reverse

from dashboard import cache, incremental, report
from milestones.changes import bump, changed_team, read_counters
from milestones.models import Milestone, SlipReason
from milestones.services import (
    add_dependency,
    create_milestone,
    drop_milestone,
    move_milestone,
    restore_milestone,
    update_milestone,
)
from tests.dashboard.conftest import TODAY, grow_org
from tests.factories import QuarterFactory

URL = reverse("dashboard:index")


@pytest.fixture
def as_vp(client, vp, org, frozen_today):
    client.force_login(vp)
    bump([org.quarter.pk])  # the quarter's counter exists: a team's change can follow it
    return client


def _page(client, **query) -> str:
    """The page without what differs between two requests (the masked CSRF tokens)."""
    html = client.get(URL, query).content.decode()
    return re.sub(r'(csrfmiddlewaretoken" value=|"x-csrftoken": )"[^"]+"', r"\1-", html)


def _whole(client, **query) -> str:
    """The page with every cache forgotten: built whole."""
    django_cache.clear()
    cache.clear_process_cache()
    incremental.forget_all()
    return _page(client, **query)


def _get(name, org) -> Milestone:
    return Milestone.objects.get(pk=org.milestones[name].pk)


def _edit(name, org, vp, **changes):
    milestone = _get(name, org)
    return update_milestone(
        milestone=milestone, version=milestone.version, changes=changes, user=vp
    )


CHANGES = {
    "status": lambda org, vp: _edit("Dune maps", org, vp, status=Milestone.Status.OFF_TRACK),
    "slip with a reason": lambda org, vp: update_milestone(
        milestone=_get("Grove rollout", org),
        version=_get("Grove rollout", org).version,
        changes={"target_date": TODAY.replace(month=12, day=28)},
        user=vp,
        slip_reason=SlipReason.objects.get_or_create(name="Scope grew")[0],
    ),
    "delivered": lambda org, vp: _edit(
        "Flint ledger", org, vp, status=Milestone.Status.DONE, delivered_date=TODAY
    ),
    "drop": lambda org, vp: drop_milestone(
        milestone=_get("Atlas export", org), version=_get("Atlas export", org).version, user=vp
    ),
    "restore": lambda org, vp: restore_milestone(
        milestone=_get("Comet sync", org), version=_get("Comet sync", org).version, user=vp
    ),
    "add": lambda org, vp: create_milestone(
        team=org.teams["Haven"],
        quarter=org.quarter,
        user=vp,
        title="Haven harbour",
        committed_date=TODAY.replace(day=1),
    ),
    "move": lambda org, vp: move_milestone(
        milestone=_get("Beacon invoices", org), direction="up", user=vp
    ),
    "title": lambda org, vp: _edit("Grove audit", org, vp, title="<Grove> & audit"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_one_teams_change_updates_the_report_as_building_it_whole_would(
    as_vp, org, vp, change, monkeypatch
):
    _page(as_vp, sort="-slips")
    CHANGES[change](org, vp)
    with monkeypatch.context() as patched:
        patched.setattr(report, "dashboard_parts", _refuse_whole)
        updated = _page(as_vp, sort="-slips")
    assert updated == _whole(as_vp, sort="-slips")


def test_an_upstream_teams_slip_updates_the_teams_waiting_on_it_as_building_it_whole_would(
    as_vp, org, vp, monkeypatch
):
    # Dune waits on Grove's rollout; Grove's slip past Dune's target puts Dune at risk: the
    # update re-reads Grove only, and the waiting list and dependency views must still say so.
    add_dependency(downstream=_get("Dune maps", org), upstream=_get("Grove rollout", org), user=vp)
    before = _page(as_vp)
    grove = _get("Grove rollout", org)
    update_milestone(
        milestone=grove,
        version=grove.version,
        changes={"target_date": TODAY.replace(month=12, day=30)},
        user=vp,
        slip_reason=SlipReason.objects.get_or_create(name="Scope grew")[0],
    )
    with monkeypatch.context() as patched:
        patched.setattr(report, "dashboard_parts", _refuse_whole)
        updated = _page(as_vp)
    assert updated != before
    assert updated == _whole(as_vp)


def _refuse_whole(*args, **kwargs):
    raise AssertionError("the report was built whole")


def test_two_changes_since_build_it_whole(as_vp, org, vp, monkeypatch):
    _page(as_vp)
    _edit("Dune maps", org, vp, status=Milestone.Status.AT_RISK)
    _edit("Dune routes", org, vp, status=Milestone.Status.AT_RISK)
    built = []
    whole = report.dashboard_parts
    monkeypatch.setattr(
        report, "dashboard_parts", lambda *a, **k: built.append(1) or whole(*a, **k)
    )
    _page(as_vp)
    assert built == [1]


def test_a_change_of_another_kind_builds_it_whole(as_vp, org, monkeypatch):
    _page(as_vp)
    bump([org.quarter.pk])  # not a team's: a team's name, a review, the quarter's settings
    built = []
    whole = report.dashboard_parts
    monkeypatch.setattr(
        report, "dashboard_parts", lambda *a, **k: built.append(1) or whole(*a, **k)
    )
    _page(as_vp)
    assert built == [1]


def test_a_teams_change_names_the_team_and_the_count_it_follows(org):
    bump([org.quarter.pk])
    before = read_counters()[org.quarter.pk][1]
    bump([org.quarter.pk], team_id=org.teams["Dune"].pk)
    token = read_counters()[org.quarter.pk][1]
    assert len(token) <= 32
    assert changed_team(before, token) == org.teams["Dune"].pk
    # The same count reached from another state (a restored database) is not followed.
    assert changed_team("0123456789abcdef", token) is None
    assert changed_team(before, before) is None


@pytest.mark.parametrize("teams", [5, 60])
def test_the_update_costs_the_same_queries_for_5_and_60_teams(
    client, vp, teams, frozen_today, django_assert_num_queries
):
    quarter = QuarterFactory(year=2026, number=4)
    QuarterFactory(year=2026, number=3)
    grow_org(quarter, teams)
    bump([quarter.pk])
    client.force_login(vp)
    client.get(URL)
    milestone = Milestone.objects.filter(quarter=quarter).order_by("pk").first()
    update_milestone(
        milestone=milestone,
        version=milestone.version,
        changes={"status": Milestone.Status.OFF_TRACK},
        user=vp,
    )
    # Session, user, quarters, counters; the team's milestones and slips, its review status
    # and calls; the dependencies, the slip reasons and the review days (whole: 14).
    with django_assert_num_queries(11):
        response = client.get(URL)
    assert response.context["report"].headline.figure.teams == teams
