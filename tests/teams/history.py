"""A person's history as leadership reads it on their People page."""

from django.urls import reverse

from tests.html import text


def history_lines(client, leader, person) -> list[str]:
    """The lines of `person`'s history on their page ("who (source): what"), newest first, as
    `leader` reads them."""
    client.force_login(leader)
    page = client.get(reverse("people:edit", args=[person.pk]))
    assert page.status_code == 200
    lines = [f"{row.who} ({row.source}): {row.what}" for row in page.context["changes"]]
    shown = text(page)
    assert all(line in shown for line in lines)
    return lines
