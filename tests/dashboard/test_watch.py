"""The lists under the table: at risk or off track, overdue, and the biggest slips."""

from django.urls import reverse
from pytest_django.asserts import assertContains

from dashboard.watch import watch_lists
from milestones.selectors import quarter_report
from tests.dashboard.conftest import TODAY


def titles(watch_list) -> list[str]:
    return [entry.milestone.title for entry in watch_list.entries]


def test_off_track_milestones_come_before_at_risk_ones(org):
    lists = watch_lists(quarter_report(org.quarter, TODAY), TODAY)
    assert titles(lists.at_risk) == ["Flint ledger", "Grove rollout"]


def test_overdue_lists_open_milestones_past_their_grace_with_the_days_over(org):
    lists = watch_lists(quarter_report(org.quarter, TODAY), TODAY)
    assert [(e.milestone.title, e.days_overdue) for e in lists.overdue.entries] == [
        ("Flint ledger", 17)
    ]


def test_biggest_slips_rank_by_days_past_the_committed_date(org):
    lists = watch_lists(quarter_report(org.quarter, TODAY), TODAY)
    assert [(e.milestone.title, e.days_slipped, e.slips) for e in lists.slipped.entries] == [
        ("Flint ledger", 19, 2),
        ("Beacon billing", 15, 0),  # delivered 15 days after its committed date
        ("Grove rollout", 12, 1),
        ("Atlas search", 5, 0),
        ("Ember alerts", 2, 0),
    ]


def test_dropped_milestones_are_not_slips(org):
    comet = org.milestones["Comet import"]
    comet.target_date = comet.committed_date.replace(day=28)
    comet.save()
    lists = watch_lists(quarter_report(org.quarter, TODAY), TODAY)
    assert "Comet import" not in titles(lists.slipped)


def test_long_lists_are_cut_and_say_how_many_more(org):
    lists = watch_lists(quarter_report(org.quarter, TODAY), TODAY, limit=2)
    assert titles(lists.slipped) == ["Flint ledger", "Beacon billing"]
    assert (lists.slipped.total, lists.slipped.more) == (5, 3)


def test_the_lists_need_no_query_of_their_own(org, django_assert_num_queries):
    report = quarter_report(org.quarter, TODAY)
    with django_assert_num_queries(0):
        lists = watch_lists(report, TODAY)
        urls = [entry.milestone.get_absolute_url() for entry in lists.slipped.entries]
    assert urls[0] == f"/teams/flint/milestones/{org.milestones['Flint ledger'].pk}/"


def test_each_entry_links_to_its_milestone(client, vp, org, frozen_today):
    client.force_login(vp)
    response = client.get(reverse("dashboard:index"))
    flint = org.milestones["Flint ledger"]
    assertContains(
        response, f'<a href="/teams/flint/milestones/{flint.pk}/">Flint ledger</a>', count=3
    )  # off track, overdue, and the biggest slip
