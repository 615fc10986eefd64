"""The dashboard after some teams' changes (`dashboard.incremental`): the report before them
with those teams read again is the report built whole, and it is used only when such changes
of this quarter are all that happened since."""

import re

import pytest
from django.core.cache import cache as django_cache
from django.urls import reverse

from dashboard import cache, incremental, report
from milestones.changes import (
    ENTRY,
    TRAIL_ENTRIES,
    bump,
    changed_teams,
    read_counters,
    read_trail,
)
from milestones.closing import close_quarter
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


def _counting_whole(monkeypatch) -> list:
    built = []
    whole = report.dashboard_parts
    monkeypatch.setattr(
        report, "dashboard_parts", lambda *a, **k: built.append(1) or whole(*a, **k)
    )
    return built


def test_several_teams_changes_since_update_those_teams_as_building_it_whole_would(
    as_vp, org, vp, monkeypatch
):
    _page(as_vp, sort="-slips")
    _edit("Dune maps", org, vp, status=Milestone.Status.AT_RISK)
    CHANGES["slip with a reason"](org, vp)  # Grove
    _edit("Dune routes", org, vp, status=Milestone.Status.OFF_TRACK)
    CHANGES["drop"](org, vp)  # Atlas
    with monkeypatch.context() as patched:
        patched.setattr(report, "dashboard_parts", _refuse_whole)
        updated = _page(as_vp, sort="-slips")
    assert updated == _whole(as_vp, sort="-slips")


def test_a_change_of_another_kind_among_teams_changes_builds_it_whole(as_vp, org, vp, monkeypatch):
    _page(as_vp)
    _edit("Dune maps", org, vp, status=Milestone.Status.AT_RISK)
    bump([org.quarter.pk])  # a review, a team's name: not one team's milestones
    _edit("Dune routes", org, vp, status=Milestone.Status.AT_RISK)
    built = _counting_whole(monkeypatch)
    _page(as_vp)
    assert built == [1]


def test_more_changes_than_the_trail_keeps_build_it_whole(as_vp, org, vp, monkeypatch):
    _page(as_vp)
    dune = org.teams["Dune"].pk
    for _ in range(TRAIL_ENTRIES + 1):
        bump([org.quarter.pk], team_id=dune)
    assert len(read_trail(org.quarter.pk)) == TRAIL_ENTRIES * ENTRY
    built = _counting_whole(monkeypatch)
    _page(as_vp)
    assert built == [1]


def test_too_many_teams_changed_builds_it_whole(as_vp, org, vp, monkeypatch):
    _page(as_vp)
    for team in org.teams.values():  # every team: reading them all is reading the whole
        bump([org.quarter.pk], team_id=team.pk)
    built = _counting_whole(monkeypatch)
    _page(as_vp)
    assert built == [1]


def test_a_change_of_another_kind_builds_it_whole(as_vp, org, monkeypatch):
    _page(as_vp)
    bump([org.quarter.pk])  # not a team's: a team's name, a review, the quarter's settings
    built = _counting_whole(monkeypatch)
    _page(as_vp)
    assert built == [1]


def test_the_trail_names_the_teams_changed_since_a_count_it_passed_through(org):
    bump([org.quarter.pk])
    before = read_counters()[org.quarter.pk]
    dune, grove = org.teams["Dune"].pk, org.teams["Grove"].pk
    bump([org.quarter.pk], team_id=dune)
    one = read_counters()[org.quarter.pk]
    assert changed_teams(before, one, read_trail(org.quarter.pk)) == {dune}
    bump([org.quarter.pk], team_id=grove)
    bump([org.quarter.pk], team_id=dune)
    now = read_counters()[org.quarter.pk]
    trail = read_trail(org.quarter.pk)
    assert changed_teams(before, now, trail) == {dune, grove}
    assert changed_teams(one, now, trail) == {dune, grove}
    assert changed_teams(now, now, trail) is None
    # The same count reached from another state (a restored database) is not followed.
    assert changed_teams((before[0], "0123456789abcdef"), now, trail) is None
    # Nor a count further back than the trail reaches.
    assert changed_teams((before[0] - 1, before[1]), now, trail) is None


def test_a_change_of_another_kind_or_of_two_quarters_names_no_team(org):
    other = QuarterFactory(year=2026, number=1)
    bump([org.quarter.pk])
    before = read_counters()[org.quarter.pk]
    bump([org.quarter.pk, other.pk], team_id=org.teams["Dune"].pk)
    assert (
        changed_teams(before, read_counters()[org.quarter.pk], read_trail(org.quarter.pk)) is None
    )


def test_a_quarters_first_change_is_on_its_trail(org):
    quarter = QuarterFactory(year=2025, number=2)
    bump([quarter.pk], team_id=org.teams["Dune"].pk)
    now = read_counters()[quarter.pk]
    assert changed_teams((0, ""), now, read_trail(quarter.pk)) == {org.teams["Dune"].pk}


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
    for team_id in (
        Milestone.objects.filter(quarter=quarter).values_list("team_id", flat=True).distinct()[:3]
    ):
        milestone = Milestone.objects.filter(quarter=quarter, team_id=team_id).first()
        update_milestone(
            milestone=milestone,
            version=milestone.version,
            changes={"status": Milestone.Status.OFF_TRACK},
            user=vp,
        )
    # Session, user, quarters, counters, the trail; the three teams' milestones and slips, their
    # review status and calls; the dependencies, the slip reasons and the review days (whole:
    # 14).
    with django_assert_num_queries(12):
        response = client.get(URL)
    assert response.context["report"].headline.figure.teams == teams


def test_a_restatement_of_a_closed_quarter_keeps_the_recorded_verdicts_as_building_it_whole_would(
    as_vp, org, vp, monkeypatch
):
    close_quarter(quarter=org.previous, user=vp, decisions=[], next_goal=5, today=TODAY)
    before = _page(as_vp, quarter=org.previous.slug)
    atlas = _get("Atlas Q3", org)
    update_milestone(
        milestone=atlas,
        version=atlas.version,
        changes={"delivered_date": TODAY.replace(month=9, day=25)},
        user=vp,
        restatement_reason="Shipped late, per the audit",
    )
    with monkeypatch.context() as patched:
        patched.setattr(report, "dashboard_parts", _refuse_whole)
        updated = _page(as_vp, quarter=org.previous.slug)
    assert updated != before  # the restated figure beside the recorded one
    assert updated == _whole(as_vp, quarter=org.previous.slug)
