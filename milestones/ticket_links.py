"""A ticket link typed as the tracker's key ("PLAT-123") rather than its address: the one rule,
for the sheet's link column (`sheets.parse.parse_link`) and the milestone forms alike.

With MILEPOST_TICKET_URL_TEMPLATE (``https://jira.example.com/browse/{key}``) a key becomes
that address; without it a key is refused with a message saying what to type, since guessing
the tracker's address would be wrong. Anything else is left to the URL rule of the model.
"""

from __future__ import annotations

import re

from django.conf import settings

# A bare ticket key as trackers spell them: "PLAT-123", "ENG_OPS-7".
TICKET_KEY = re.compile(r"[A-Z][A-Z0-9_]*-[0-9]+")


class TicketKeyWithoutTemplate(ValueError):
    """A ticket key was given where an address is needed, and no template makes it one."""


def expand_ticket_key(text: str, *, template: str | None = None) -> str:
    """`text` with a bare ticket key made an address by `template` (None: the setting);
    anything that is not a key, as it is. Raises `TicketKeyWithoutTemplate` for a key when
    there is no template."""
    if not TICKET_KEY.fullmatch(text):
        return text
    if template is None:
        template = settings.MILEPOST_TICKET_URL_TEMPLATE
    if not template:
        raise TicketKeyWithoutTemplate(
            f"{text!r} is a ticket key, not a web address: type the ticket's link "
            "(https://…), or have the administrator set MILEPOST_TICKET_URL_TEMPLATE"
        )
    return template.replace("{key}", text)
