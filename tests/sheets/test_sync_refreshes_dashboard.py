"""The sheet sync's commit counts a change of every quarter (`milestones.changes`): the next
dashboard shows what the sync brought in, never the report cached before it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from milestones.models import Milestone
from tests.sheets.conftest import TODAY
from tests.sheets.sheet import Tab

pytestmark = pytest.mark.django_db


def test_an_edit_synced_from_the_sheet_changes_the_next_dashboard(
    client, sheets_settings, roster, sync, sheet, monkeypatch
):
    from tests.factories import LeadershipFactory

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    sync()
    latency = Milestone.objects.get(title="Cut p95 latency of webhook retries")
    client.force_login(LeadershipFactory())
    url = reverse("dashboard:index")

    def platform_at_risk() -> int:
        rows = client.get(url).context["report"].table.rows
        return next(row for row in rows if row.team.name == "Platform").figures.at_risk

    before = platform_at_risk()
    assert latency.status != Milestone.Status.AT_RISK

    Tab(sheet, "Platform").set(latency, "Status", "At risk")
    sync()

    latency.refresh_from_db()
    assert latency.status == Milestone.Status.AT_RISK
    assert platform_at_risk() == before + 1
