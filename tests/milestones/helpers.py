"""What the browser sends (htmx's header, an edit row's fields as a form posts them) and what
the tests of a milestone's slips share: moving its target as the sync would, the URL of a
slip's reason, the ledger's text."""

import datetime

from django.urls import reverse

from milestones.history import Source, history_source
from milestones.models import Milestone
from milestones.services import update_milestone
from tests.html import text

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, milestone: Milestone) -> str:
    return reverse(f"milestones:{name}", args=[milestone.team.slug, milestone.pk])


def row_data(milestone: Milestone, **changes) -> dict[str, str]:
    """Every field of the edit row at the milestone's current values (and its version), with
    `changes` applied: what a browser posts when a person changes those inputs."""
    data = {
        "version": milestone.version,
        "title": milestone.title,
        "description": milestone.description,
        "notes": milestone.notes,
        "owner": milestone.owner_id or "",
        "committed_date": milestone.committed_date.isoformat(),
        "target_date": milestone.target_date.isoformat(),
        "status": milestone.status,
        "delivered_date": milestone.delivered_date.isoformat() if milestone.delivered_date else "",
    }
    data.update(changes)
    return {name: "" if value is None else str(value) for name, value in data.items()}


def engineer_data(milestone: Milestone, **changes) -> dict[str, str]:
    """Only the fields an engineer's edit row shows."""
    data = row_data(milestone, **changes)
    fields = {
        "version",
        "status",
        "target_date",
        "delivered_date",
        "notes",
        "slip_reason",
        "slip_note",
        "confirm_past_target",
    }
    return {name: value for name, value in data.items() if name in fields}


def reload(milestone: Milestone) -> Milestone:
    return Milestone.objects.get(pk=milestone.pk)


def latest_record(milestone: Milestone):
    return milestone.history.order_by("-history_id").first()


def move(milestone: Milestone, target: datetime.date, *, source: str = Source.COMMAND, user=None):
    """Move the target date as the sheet sync or a command would: no reason asked."""
    with history_source(source):
        update_milestone(
            milestone=reload(milestone),
            version=reload(milestone).version,
            changes={"target_date": target},
            user=user,
        )
    return latest_record(milestone)


def reason_url(milestone: Milestone, record) -> str:
    return reverse(
        "milestones:slip_reason", args=[milestone.team.slug, milestone.pk, record.history_id]
    )


def ledger_text(client, milestone: Milestone) -> str:
    page = text(client.get(url("detail", milestone)))
    return page.split("Commitment ledger", 1)[1].split("History", 1)[0]
