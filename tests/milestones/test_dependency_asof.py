"""Dependencies as they stood on a past day (milestones.asof.upstream_risks_as_of)."""

import datetime

from django.utils import timezone

from milestones import asof
from milestones.models import Dependency
from milestones.services import add_dependency, remove_dependency
from tests.dashboard.history import milestone_on, quarter_on, save_on
from tests.factories import TeamFactory

D = datetime.date


def dated(day: datetime.date, downstream) -> None:
    """Date the latest history record of the downstream's links on `day`."""
    latest = Dependency.history.filter(downstream_id=downstream.pk).latest("history_id")
    Dependency.history.filter(history_id=latest.history_id).update(
        history_date=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    )


def test_a_link_shows_from_the_day_it_was_made_until_the_day_it_was_removed(db):
    quarter = quarter_on(D(2026, 10, 1))
    checkout, payments = TeamFactory(name="Checkout"), TeamFactory(name="Payments")
    cart = milestone_on(D(2026, 10, 1), checkout, quarter, target_date=D(2026, 11, 10))
    api = milestone_on(
        D(2026, 10, 1),
        payments,
        quarter,
        committed_date=D(2026, 11, 20),
        target_date=D(2026, 11, 20),
    )
    add_dependency(downstream=cart, upstream=api, user=None)
    dated(D(2026, 10, 5), cart)
    remove_dependency(downstream=cart, upstream_id=api.pk, user=None)
    dated(D(2026, 10, 20), cart)

    assert asof.upstream_risks_as_of([cart], D(2026, 10, 4)) == {}
    (risk,) = asof.upstream_risks_as_of([cart], D(2026, 10, 10))[cart.pk]
    assert risk.reason.startswith("Waits on “")
    assert "(Payments): it is due Nov 20, 10 days after this milestone's target of Nov 10" in (
        risk.reason
    )
    assert asof.upstream_risks_as_of([cart], D(2026, 10, 21)) == {}


def test_the_upstream_is_judged_as_it_stood_that_day(db):
    quarter = quarter_on(D(2026, 10, 1))
    checkout, payments = TeamFactory(name="Checkout"), TeamFactory(name="Payments")
    cart = milestone_on(D(2026, 10, 1), checkout, quarter, target_date=D(2026, 11, 10))
    api = milestone_on(
        D(2026, 10, 1), payments, quarter, committed_date=D(2026, 11, 1), target_date=D(2026, 11, 1)
    )
    add_dependency(downstream=cart, upstream=api, user=None)
    dated(D(2026, 10, 2), cart)
    save_on(api, D(2026, 10, 15), target_date=D(2026, 11, 30))  # a slip on Oct 15

    assert asof.upstream_risks_as_of([cart], D(2026, 10, 14)) == {}
    assert cart.pk in asof.upstream_risks_as_of([cart], D(2026, 10, 16))
