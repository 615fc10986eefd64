"""Leadership keeps the list of slip reasons in the admin and reads there the reasons given and
the nudges sent."""

import datetime

from django.urls import reverse

from milestones.models import SlipReason
from tests.factories import (
    LeadershipFactory,
    MilestoneFactory,
    NudgeFactory,
    SlipExplanationFactory,
)


def staff(client):
    user = LeadershipFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_leadership_reorders_and_retires_reasons_from_the_list(client, db):
    staff(client)
    response = client.get(reverse("admin:milestones_slipreason_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Interrupted by incidents" in content
    assert 'name="form-0-position"' in content
    assert 'name="form-0-active"' in content


def test_reasons_given_are_read_in_the_admin_but_not_added_there(client, db):
    staff(client)
    milestone = MilestoneFactory()
    milestone.target_date += datetime.timedelta(days=5)
    milestone.save()
    SlipExplanationFactory(
        record=milestone.history.order_by("-history_id").first(),
        reason=SlipReason.objects.get(name="Scope grew"),
        note="Two more endpoints",
    )
    listing = client.get(reverse("admin:milestones_slipexplanation_changelist"))
    assert listing.status_code == 200
    assert "Two more endpoints" in listing.content.decode()
    assert client.get(reverse("admin:milestones_slipexplanation_add")).status_code == 403


def test_the_nudges_sent_are_read_in_the_admin_and_the_opt_out_is_set_there(client, db):
    admin_user = staff(client)
    NudgeFactory(user=admin_user, subject="Platform: your review is overdue")
    listing = client.get(reverse("admin:nudges_nudge_changelist"))
    assert listing.status_code == 200
    assert "Platform: your review is overdue" in listing.content.decode()
    assert client.get(reverse("admin:nudges_nudge_add")).status_code == 403
    person = client.get(reverse("admin:teams_user_change", args=[admin_user.pk]))
    assert 'name="nudges_opt_out"' in person.content.decode()
