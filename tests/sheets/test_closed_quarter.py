"""A closed quarter's milestones are on record: a sheet edit to one of their rows is kept as a
conflict, never taken into the app (SPEC section 2, after close only leadership restates)."""

import pytest
from django.utils import timezone

from milestones.models import Milestone
from sheets import merge
from sheets.models import SyncConflict
from tests.sheets.sheet import Tab

pytestmark = pytest.mark.django_db


def test_the_sheet_changes_nothing_of_a_closed_quarter_each_change_is_a_conflict():
    result = merge.merge_closed(
        base={"status": "on_track", "notes": ""},
        app={"status": "on_track", "notes": "kept"},
        sheet={"status": "done", "notes": ""},
    )

    assert result.pull == {}
    assert result.push == {"status": "on_track", "notes": "kept"}
    assert [(c.field, c.app, c.sheet) for c in result.conflicts] == [("status", "on_track", "done")]
    assert result.base == {"status": "on_track", "notes": "kept"}


def test_a_sheet_edit_to_a_closed_quarters_row_is_a_conflict_and_the_figure_stays(
    sheets_settings, roster, sync, sheet, q4
):
    sync()
    milestone = Milestone.objects.get(title="Cut p95 latency of webhook retries")
    q4.closed_at = timezone.now()
    q4.save(update_fields=["closed_at"])
    platform = Tab(sheet, "Platform")
    platform.set(milestone, "Status", "Done")

    result = sync()

    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.ON_TRACK
    conflict = SyncConflict.objects.get(milestone=milestone, status=SyncConflict.Status.OPEN)
    assert (conflict.field, conflict.sheet_value) == ("status", "done")
    assert platform.cell(milestone, "Status") == "On track"
    assert any("2026 Q4 is closed" in message.text for message in result.messages)
    assert sync().changes == []
