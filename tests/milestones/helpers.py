"""What the browser sends: htmx's header, and an edit row's fields as a form posts them."""

from django.urls import reverse

from milestones.models import Milestone

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
    }
    return {name: value for name, value in data.items() if name in fields}
