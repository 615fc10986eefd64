"""Days slipped by reason on the dashboard (issue 10): a Pareto chart, drawn on the server, and
its table, over the hand-computed organisation of tests/dashboard/conftest.py (the chart's
layout is tested in test_charts.py).

Its slips: Flint's target Nov 1 → Nov 10 (9 days) → Nov 20 (10 days), Grove's Dec 8 → Dec 20
(12 days), 31 days in all, all made by a command (no reason given).
"""

import datetime
import itertools
import re

import pytest
from django.urls import reverse

from milestones.models import SlipReason
from tests.factories import SlipExplanationFactory, SlipReasonFactory
from tests.html import by_id, text

URL = reverse("dashboard:index")
D = datetime.date


@pytest.fixture
def as_vp(client, vp):
    client.force_login(vp)
    return client


def moves_of(milestone):
    """The historical records of a milestone that moved its target later, oldest first."""
    records = list(milestone.history.order_by("history_date", "history_id"))
    return [b for a, b in itertools.pairwise(records) if b.target_date > a.target_date]


def rows(response) -> list[tuple]:
    return [
        (t.label, t.slips, t.days, t.percent, t.cumulative_percent)
        for t in response.context["report"].slip_reasons.totals
    ]


def test_without_reasons_every_slip_counts_as_no_reason_given(as_vp, org, frozen_today):
    response = as_vp.get(URL)
    assert rows(response) == [("No reason given", 3, 31, 100, 100)]


def test_reasons_given_split_the_days_most_first_with_the_cumulative_share(
    as_vp, org, frozen_today
):
    first, second = moves_of(org.milestones["Flint ledger"])
    [grove] = moves_of(org.milestones["Grove rollout"])
    dependency = SlipReason.objects.get(name="Dependency late")
    SlipExplanationFactory(record=first, reason=dependency)
    SlipExplanationFactory(record=grove, reason=dependency)
    SlipExplanationFactory(record=second, reason=SlipReason.objects.get(name="Estimate wrong"))
    response = as_vp.get(URL)
    assert rows(response) == [
        ("Dependency late", 2, 21, 68, 68),
        ("Estimate wrong", 1, 10, 32, 100),
    ]
    section = text(by_id(response, "slip-reasons"))
    assert "Dependency late 2 21 68% 68%" in section
    assert "Estimate wrong 1 10 32% 100%" in section
    assert "All 3 31 100%" in section


def test_the_chart_is_an_svg_with_a_text_alternative_and_no_inline_style(as_vp, org, frozen_today):
    [grove] = moves_of(org.milestones["Grove rollout"])
    SlipExplanationFactory(record=grove, reason=SlipReasonFactory(name="Scope grew"))
    html = as_vp.get(URL).content.decode()
    assert '<svg class="chart" viewBox="0 0 720 ' in html
    assert (
        '<desc id="pareto-desc">No reason given: 19 days in 2 slips, 61% of the days (61% with '
        "the reasons above); Scope grew: 12 days in 1 slip, 39% of the days (100% with the "
        "reasons above).</desc>"
    ) in html
    assert "style=" not in html
    assert re.search(r'<g class="pareto-bar unexplained">\s*<title>No reason given', html)


def test_a_quarter_without_slips_says_so(as_vp, org, frozen_today):
    response = as_vp.get(URL, {"quarter": "2026-q3"})
    assert response.context["report"].slip_reasons.totals == []
    assert "No target date has moved later in 2026 Q3." in text(response)


def test_only_the_active_teams_of_the_quarter_count(as_vp, org, frozen_today):
    ghost = org.milestones["Ghost relic"]
    ghost.target_date = D(2026, 10, 30)
    ghost.save()  # a slip of an inactive team
    assert rows(as_vp.get(URL)) == [("No reason given", 3, 31, 100, 100)]
