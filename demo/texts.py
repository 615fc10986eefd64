"""The words of the demo: milestone titles (verbs and objects) and the notes people write,
dealt so that they vary and never name the team itself as the one it waits on."""

from __future__ import annotations

import datetime
import random

from teams.models import Team

VERBS = [
    "Ship",
    "Beta of",
    "GA for",
    "Migrate",
    "Harden",
    "Cut p95 latency of",
    "Roll out",
    "Instrument",
    "Deprecate",
    "Rewrite",
    "Self-serve",
    "Launch",
]
OBJECTS = [
    "webhook retries",
    "SSO for enterprise accounts",
    "the design token pipeline",
    "CSV import",
    "mobile push notifications",
    "data retention controls",
    "multi-region failover",
    "the GDPR delete flow",
    "the query cache",
    "SOC 2 evidence collection",
    "the billing ledger",
    "Slack integration",
    "on-call runbooks",
    "Salesforce sync",
    "bot builder templates",
    "rate limiting on the public API",
    "the new routing engine",
    "audit log export",
    "analytics funnels",
    "in-app onboarding checklist",
    "accessibility fixes (WCAG AA)",
    "calendar booking links",
    "the HubSpot connector",
    "email deliverability dashboard",
    "the Kafka upgrade",
    "feature flag cleanup",
    "event pipeline backfill",
    "the admin role editor",
]
# What kind of note a milestone starts with. The draw from the build's generator is kept as it
# always was (one choice among eight), so the milestones and the promised 13 of 22 do not move;
# the words come from `DemoNotes`, with a generator of its own.
NOTES = ["", "", "", "waiting", "scope", "design", "vendor", "flag"]
NOTE_TEXTS = {
    "waiting": [
        "waiting on {other}'s API",
        "needs {other} to ship their part first",
        "blocked on a schema change in {other}",
        "{other} reviews the integration next week",
        "shared rollout with {other}",
    ],
    "scope": [
        "scope cut in half",
        "scope agreed with the PM",
        "first slice only; the rest next quarter",
        "MVP first, admin screens later",
        "scope grew with the enterprise asks",
    ],
    "design": [
        "needs design review",
        "waiting on the final designs",
        "designs signed off; copy pending",
        "user research sessions this week",
        "accessibility review booked",
    ],
    "vendor": [
        "blocked by vendor contract",
        "vendor sandbox access pending",
        "procurement approved; keys pending",
        "vendor rate limits to sort out",
        "legal reviewing the vendor's DPA",
    ],
    "flag": [
        "shipped behind a flag",
        "behind a flag for beta customers",
        "dark launch first",
        "rolling out in 10% steps",
        "canary in one region first",
    ],
}


class DemoNotes:
    """The words of the demo's milestone notes: for each kind, its texts dealt from a shuffled
    deck (so one note does not repeat across a team's milestones), and a dependency always on
    another team, of the same squad when there is one."""

    def __init__(self, today: datetime.date, teams: list[Team]):
        self.rng = random.Random(f"milepost-demo-notes-{today.isoformat()}")
        self.teams = teams
        self.decks: dict[str, list[str]] = {}

    def write(self, kind: str, team: Team) -> str:
        if not kind:
            return ""
        deck = self.decks.setdefault(kind, [])
        if not deck:
            deck.extend(NOTE_TEXTS[kind])
            self.rng.shuffle(deck)
        return self.fill(deck.pop(), team)

    def fill(self, text: str, team: Team) -> str:
        """`text` with {other} the name of a team `team` may depend on."""
        return text.format(other=self.other_team(team).name) if "{other}" in text else text

    def other_team(self, team: Team) -> Team:
        others = [t for t in self.teams if t.pk != team.pk]
        near = [t for t in others if t.squad_id == team.squad_id]
        return self.rng.choice(near or others)
