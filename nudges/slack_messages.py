"""What the nudges and the digest say on Slack: Block Kit messages (header, sections, context)
with mrkdwn links into the app.

Only the rendering is Slack's: what there is to say comes from `nudges.rules` and
`nudges.digest` (the same `TeamNudge` and `Digest` the e-mails render) and the links from
`nudges.links`. Each message carries a plain `text` too, which Slack shows in notifications
and where blocks cannot be shown. Lists are cut at `MOST_LINES` lines (the rest is one link
away), so that a section stays under Slack's 3,000 characters and a message under its 50
blocks.
"""

from __future__ import annotations

import datetime

from django.utils.dateformat import format as date_format

from nudges import rules
from nudges.digest import Digest
from nudges.links import DigestQuarterLinks, digest_links, team_links

MOST_LINES = 10
SECTION_CHARS = 2900  # Slack's limit is 3,000
HEADER_CHARS = 150  # Slack's limit for a header's text


def escape(text: str) -> str:
    """Slack's mrkdwn escapes: &, < and > (a title may hold any of them)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, text: str) -> str:
    return f"<{url}|{escape(text)}>"


def _day(day: datetime.date) -> str:
    return date_format(day, "M j")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _header(text: str) -> dict:
    if len(text) > HEADER_CHARS:
        text = text[: HEADER_CHARS - 1] + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": False}}


def _section(text: str) -> dict:
    if len(text) > SECTION_CHARS:
        text = text[: SECTION_CHARS - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _bullets(lines: list[str], more_url: str) -> str:
    """At most `MOST_LINES` lines, and as many whole lines as fit in a section with room to
    spare (a line is never cut, which would break its link); the rest as one link."""
    shown: list[str] = []
    for line in lines[:MOST_LINES]:
        if sum(len(s) + 1 for s in shown) + len(line) + 3 > SECTION_CHARS - 300:
            break
        shown.append(f"• {line}")
    if len(shown) < len(lines):
        shown.append(f"• {link(more_url, f'and {len(lines) - len(shown)} more')}")
    return "\n".join(shown)


def mention_or_name(user) -> str:
    """A person in mrkdwn: `<@member ID>` when they set one and want to be mentioned (Slack
    shows their name and notifies them), else their name."""
    mention = user.slack_mention_id
    return f"<@{mention}>" if mention else escape(user.name)


def team_blocks(nudge: rules.TeamNudge) -> dict:
    """A team's nudge for its channel: whatever of the review, stale milestones, planning
    and milestones put at risk applies today, in one message, closing with its tech lead."""
    team, found = nudge.team, team_links(nudge)
    title = rules.subject(rules.PlannedNudge(user=None, team=nudge))
    blocks = [_header(title.removeprefix("Milepost: "))]
    if nudge.review:
        review = nudge.review
        when = (
            "the team has not held one yet"
            if review.never_reviewed
            else f"the last one was on {_day(review.last_review_date)}, the next was due by "
            f"{_day(review.next_review_date)}"
        )
        blocks.append(
            _section(
                f"*{escape(team.name)}'s biweekly review is overdue*: {when}. "
                f"{link(found.reviews_url, 'Start it')}"
            )
        )
    if nudge.stale:
        lines = [
            f"{link(url, item.title)}: target {_day(item.target_date)} "
            f"({_plural(item.days_past, 'day')} ago)"
            for item, url in found.stale
        ]
        blocks.append(
            _section(
                f"*{_plural(len(lines), 'milestone')} past the target date with no update "
                f"since*\n{_bullets(lines, found.team_url)}\n"
                f"{link(found.team_url, 'Move the date, mark it done or say where it stands')}"
            )
        )
    if nudge.plan:
        blocks.append(
            _section(
                f"*{escape(nudge.plan)} starts on {_day(nudge.plan.start)}* and "
                f"{escape(team.name)} has no milestone for it yet. "
                f"{link(found.plan_url, 'Add them')}"
            )
        )
    if nudge.put_at_risk:
        lines = [
            f"{link(url, item.title)} (target {_day(item.target_date)}): "
            f"{escape(item.upstream_team)} moved what it waits on from {_day(item.from_date)} "
            f"to {_day(item.to_date)}. {escape(item.reason)} {escape(item.cost)}".rstrip()
            for item, url in found.put_at_risk
        ]
        blocks.append(
            _section(
                f"*Another team's slip put {_plural(len(lines), 'milestone')} at risk*\n"
                f"{_bullets(lines, found.team_url)}"
            )
        )
    lead = f"Tech lead: {mention_or_name(nudge.lead)} · " if nudge.lead else ""
    blocks.append(_context(f"{lead}Milepost · {link(found.team_url, f'{team.name} milestones')}"))
    return {"text": title, "blocks": blocks}


def digest_blocks(digest: Digest) -> dict:
    """Leadership's weekly digest for the organisation's channel: in a week across two
    quarters, each list once per quarter, named."""
    found, figure = digest_links(digest), digest.figure
    title = f"Milepost weekly: {figure.headline} (goal {figure.goal})"
    standing = "met" if figure.goal_met else f"{figure.short_of_goal} short"
    days = f"{_day(digest.window[0])} – {_day(digest.window[1])}"
    if digest.spans_quarters:
        opening = (
            f"*{escape(digest.quarters_label)}*, {days}. {escape(digest.quarter)}: "
            f"*{escape(figure.headline)}*, goal {figure.goal} ({standing})."
        )
    else:
        opening = (
            f"*{escape(digest.quarter)}*, {days}: "
            f"*{escape(figure.headline)}*, goal {figure.goal} ({standing})."
        )
    blocks = [_header(title), _section(opening)]
    for heading, lines_of in (
        ("Slipped this week", _slipped_lines),
        ("Delivered this week", _delivered_lines),
    ):
        for part in found.by_quarter:
            lines = lines_of(part)
            named = (
                f"*{heading}* · {escape(part.quarter)}" if digest.spans_quarters else f"*{heading}*"
            )
            blocks.append(
                _section(
                    f"{named}\n" + (_bullets(lines, found.dashboard_url) if lines else "Nothing.")
                )
            )
    if found.to_close:
        lines = [
            f"{escape(quarter)} (ended {_day(quarter.end)}): {link(url, 'close it')}"
            for quarter, url in found.to_close
        ]
        blocks.append(_section("*Ended, not closed yet*\n" + "\n".join(lines)))
    blocks.append(_context(f"Milepost · {link(found.dashboard_url, 'Open the dashboard')}"))
    return {"text": title, "blocks": blocks}


def _slipped_lines(part: DigestQuarterLinks) -> list[str]:
    return [
        f"{link(url, line.title)} ({escape(line.team.name)}): {_day(line.from_date)} → "
        f"{_day(line.to_date)}, {_plural(line.days, 'day')}"
        for line, url in part.slipped
    ]


def _delivered_lines(part: DigestQuarterLinks) -> list[str]:
    return [
        f"{link(url, line.title)} ({escape(line.team.name)}): {_day(line.delivered_date)}, "
        f"{line.delivery.label}"
        for line, url in part.delivered
    ]


def hello_blocks(where: str, page_url: str) -> dict:
    """The Slack page's "Send a test message"."""
    text = f"Milepost test message: this channel will get {where}."
    return {
        "text": text,
        "blocks": [
            _section(f"*Milepost is connected.* This channel will get {escape(where)}."),
            _context(f"Sent from {link(page_url, 'the Slack page')} of Milepost"),
        ],
    }


def plain_text(payload: dict) -> str:
    """A message's blocks as plain lines, for `send_nudges --dry-run`."""
    lines = []
    for block in payload["blocks"]:
        if "text" in block:
            lines.append(block["text"]["text"])
        lines += [element["text"] for element in block.get("elements", [])]
    return "\n".join(lines)
