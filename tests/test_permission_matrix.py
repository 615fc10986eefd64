"""Who may change what (SPEC section 1), endpoint by endpoint and persona by persona.

The endpoints come from the URL resolver: every URL name must be placed in MATRIX (it changes
something), READ_ONLY (GET-only pages, open to everyone signed in) or EXEMPT (with a reason),
so a new endpoint fails `test_every_endpoint_is_placed` until someone decides who may use it.

To place a new endpoint, add an entry to MATRIX keyed by its URL name:

    "sheets:sync_now": Endpoint(
        kwargs=no_kwargs,                        # World -> the URL's kwargs
        data=lambda w: {"dry_run": ""},          # World -> a POST that would succeed
        expected={"POST": allowed(LEADERSHIP, ok=REDIRECT)},
        htmx=False,                              # sent as a plain form post
    ),

`allowed(...)` gives `ok` to the personas named, 403 to the other signed-in ones and a redirect
to sign-in to the anonymous visitor; write a dict by hand when an endpoint needs more nuance.
`prepare` makes what the endpoint needs first (a review to close, a conflict to resolve) and
keeps it in `world.extra`. Requests are htmx requests unless the endpoint says `htmx=False`.
Every endpoint of one object of a team (/teams/<slug>/.../<pk>/) is also checked to answer
404 under another team's slug and for an unknown id.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.models import ApiToken
from api.tokens import create_token
from milestones.history import Source, history_source
from milestones.models import (
    Dependency,
    Milestone,
    Quarter,
    QuarterRecord,
    SlipExplanation,
    SlipReason,
)
from milestones.services import add_dependency, drop_milestone, update_milestone
from nudges.models import SlackTestMessage, SlackWebhook
from nudges.webhooks import save_webhook
from reviews.models import Review
from reviews.services import close_review, start_review
from sheets.models import SyncConflict, SyncRun
from teams import throttle
from teams.models import Membership, SignInFailure, Squad, Team, User
from tests.factories import (
    LeadershipFactory,
    MilestoneFactory,
    QuarterFactory,
    SlipReasonFactory,
    trio,
)

# --- Personas ------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
LEADERSHIP = "leadership"
LEAD = "lead"  # the tech lead of the milestone's team
OWNER = "owner"  # the engineer of the team who owns the milestone
ENGINEER = "engineer"  # the other engineer of the team
OTHER_LEAD = "other_lead"  # the tech lead of another team
PERSONAS = [ANONYMOUS, LEADERSHIP, LEAD, OWNER, ENGINEER, OTHER_LEAD]

# Expected outcomes besides plain status codes.
LOGIN = "302 to sign-in"
REDIRECT = "302 elsewhere"  # a plain-form success


def allowed(*personas: str, ok: int | str = 200) -> dict[str, int | str]:
    return {
        persona: LOGIN if persona == ANONYMOUS else ok if persona in personas else 403
        for persona in PERSONAS
    }


@dataclass
class World:
    """Two teams in 2026 Q4; `milestone` belongs to Platform and is owned by OWNER."""

    users: dict[str, User | None]
    team: Team
    other_team: Team
    quarter: Quarter
    milestone: Milestone
    below: Milestone  # the next row of Platform's table
    other_milestone: Milestone  # a milestone of the other team
    extra: dict = field(default_factory=dict)  # what an endpoint's `prepare` made


@pytest.fixture
def world(db, monkeypatch) -> World:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2026, 11, 25))
    quarter = QuarterFactory(year=2026, number=4)
    team, lead, owner, engineer = trio(name="Platform", slug="platform")
    other_team, other_lead, *_ = trio(name="Billing", slug="billing")
    milestone = MilestoneFactory(team=team, quarter=quarter, owner=owner, position=0)
    return World(
        users={
            ANONYMOUS: None,
            LEADERSHIP: LeadershipFactory(username="vp"),
            LEAD: lead,
            OWNER: owner,
            ENGINEER: engineer,
            OTHER_LEAD: other_lead,
        },
        team=team,
        other_team=other_team,
        quarter=quarter,
        milestone=milestone,
        below=MilestoneFactory(team=team, quarter=quarter, owner=lead, position=1),
        other_milestone=MilestoneFactory(team=other_team, quarter=quarter, position=0),
    )


# --- URL kwargs and request data -----------------------------------------------------------


def no_kwargs(w: World) -> dict:
    return {}


def team_kwargs(w: World) -> dict:
    return {"slug": w.team.slug}


def milestone_kwargs(w: World) -> dict:
    return {"slug": w.team.slug, "pk": w.milestone.pk}


def quarter_kwargs(w: World) -> dict:
    return {"slug": w.quarter.slug}


def review_kwargs(w: World) -> dict:
    return {"slug": w.team.slug, "pk": w.extra["review"].pk}


def review_item_kwargs(w: World) -> dict:
    item = w.extra["review"].items.order_by("pk").first()
    return {**review_kwargs(w), "item_pk": item.pk}


def no_data(w: World) -> dict:
    return {}


def new_milestone(w: World) -> dict:
    return {"quarter": w.quarter.slug, "title": "New", "committed_date": "2026-12-01"}


def engineers_edit(w: World) -> dict:
    """Every field at its value but the ones an engineer may change, which change."""
    m = w.milestone
    return {
        "version": m.version,
        "title": m.title,
        "description": m.description,
        "owner": m.owner_id,
        "committed_date": m.committed_date.isoformat(),
        "target_date": "2026-12-31",
        "status": "at_risk",
        "delivered_date": "",
        "notes": "Moved by the matrix",
        "slip_reason": SlipReasonFactory(name="Scope grew").pk,  # the target moves later
    }


def version(w: World) -> dict:
    return {"version": w.milestone.version}


def drop_first(w: World) -> None:
    drop_milestone(milestone=w.milestone, version=w.milestone.version, user=None)
    w.milestone.refresh_from_db()


def a_slip(w: World) -> None:
    """The milestone's target moved later (from the sheet): a slip to give a reason for."""
    m = w.milestone
    with history_source(Source.SYNC):
        update_milestone(
            milestone=m,
            version=m.version,
            changes={"target_date": m.target_date + datetime.timedelta(days=10)},
            user=None,
        )
    w.milestone.refresh_from_db()
    w.extra["slip"] = m.history.order_by("-history_id").values_list("history_id", flat=True)[0]


def slip_kwargs(w: World) -> dict:
    return {**milestone_kwargs(w), "record_id": w.extra["slip"]}


def a_slip_reason(w: World) -> dict:
    return {"reason": SlipReasonFactory(name="Dependency late").pk, "note": "Vendor API late"}


def an_upstream(w: World) -> dict:
    return {"upstream": w.other_milestone.pk}


def a_dependency(w: World) -> None:
    """Platform's milestone waits on Billing's."""
    add_dependency(downstream=w.milestone, upstream=w.other_milestone, user=None)


def dependency_kwargs(w: World) -> dict:
    return {**milestone_kwargs(w), "upstream_pk": w.other_milestone.pk}


def a_token_of_the_lead(w: World) -> None:
    w.extra["token"] = create_token(user=w.users[LEAD], name="Lead's script").token


def quarter_settings(w: World) -> dict:
    return {"goal": 2, "grace_days": 5, "locked": "on"}


def an_ended_quarter(w: World) -> None:
    """2026 Q3 has ended (not closed) with one milestone of Platform still open."""
    q3 = QuarterFactory(year=2026, number=3)
    w.extra["q3"] = q3
    w.extra["q3_open"] = MilestoneFactory(
        team=w.team, quarter=q3, committed_date=datetime.date(2026, 9, 1)
    )


def ended_quarter_kwargs(w: World) -> dict:
    return {"slug": w.extra["q3"].slug}


def close_with_a_drop(w: World) -> dict:
    pk = w.extra["q3_open"].pk
    return {f"m{pk}-action": "drop", f"m{pk}-reason": "Cancelled", "next_goal": "3"}


def start_a_review(w: World) -> None:
    w.extra["review"] = start_review(team=w.team, held_on=datetime.date(2026, 11, 24), user=None)


def close_a_review(w: World) -> None:
    start_a_review(w)
    w.extra["review"] = close_review(review=w.extra["review"], user=None)


def a_sync_running(w: World) -> None:
    """A run in progress: "Sync now" then shows it instead of starting the engine."""
    w.extra["run"] = SyncRun.objects.create(
        trigger=SyncRun.Trigger.COMMAND, status=SyncRun.Status.RUNNING
    )


def run_kwargs(w: World) -> dict:
    return {"pk": w.extra["run"].pk}


def a_sync_conflict(w: World) -> None:
    w.extra["conflict"] = SyncConflict.objects.create(
        milestone=w.milestone,
        field="status",
        sheet_value="off_track",
        sheet_text="Blocked",
        app_value=w.milestone.status,
        base_value="planned",
        tab=w.team.tab_title,
        row=2,
        column="D",
        detected_at=timezone.now(),
    )


def conflict_kwargs(w: World) -> dict:
    return {"pk": w.extra["conflict"].pk}


def person_kwargs(w: World) -> dict:
    return {"pk": w.users[OWNER].pk}


def team_pk_kwargs(w: World) -> dict:
    return {"pk": w.team.pk}


def squad_kwargs(w: World) -> dict:
    return {"pk": w.team.squad_id}


def a_slip_reason_to_edit(w: World) -> None:
    w.extra["reason"] = SlipReasonFactory(name="Scope grew")


def reason_kwargs(w: World) -> dict:
    return {"pk": w.extra["reason"].pk}


def a_throttled_account(w: World) -> None:
    for _ in range(4):
        throttle.record_failure(w.users[OWNER].username, "203.0.113.7")


def an_org_slack_webhook(w: World) -> None:
    save_webhook(url="https://hooks.slack.com/services/T1/B1/matrix0123abcd", user=None)


def a_slack_test_message(w: World) -> None:
    """A test message on its way to the organisation's channel (no worker has taken it)."""
    w.extra["slack_test"] = SlackTestMessage.objects.create(destination="org", what="the digest")


def leadership_only(ok: int | str = 200) -> dict[str, int | str]:
    return allowed(LEADERSHIP, ok=ok)


@dataclass(frozen=True)
class Endpoint:
    """An endpoint that changes something, and what each persona gets from each method."""

    kwargs: Callable[[World], dict]
    expected: dict[str, dict[str, int | str]]  # method -> persona -> outcome
    data: Callable[[World], dict] = no_data
    prepare: Callable[[World], None] | None = None
    htmx: bool = True


MATRIX: dict[str, Endpoint] = {
    "milestones:create": Endpoint(
        kwargs=team_kwargs,
        data=new_milestone,
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "milestones:edit": Endpoint(
        kwargs=milestone_kwargs,
        data=engineers_edit,
        expected={
            "GET": allowed(LEADERSHIP, LEAD, OWNER),
            "POST": allowed(LEADERSHIP, LEAD, OWNER),
        },
    ),
    "milestones:move": Endpoint(
        kwargs=milestone_kwargs,
        data=lambda w: {"direction": "down"},
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "milestones:drop": Endpoint(
        kwargs=milestone_kwargs, data=version, expected={"POST": allowed(LEADERSHIP, LEAD)}
    ),
    "milestones:restore": Endpoint(
        kwargs=milestone_kwargs,
        data=version,
        prepare=drop_first,
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    # Anyone who may move the target date may say why it moved (the commitment ledger).
    "milestones:slip_reason": Endpoint(
        kwargs=slip_kwargs,
        prepare=a_slip,
        data=a_slip_reason,
        expected={"POST": allowed(LEADERSHIP, LEAD, OWNER)},
    ),
    # What a milestone waits on is its team's table's business: its lead and leadership.
    "milestones:dependency_add": Endpoint(
        kwargs=milestone_kwargs,
        data=an_upstream,
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "milestones:dependency_remove": Endpoint(
        kwargs=dependency_kwargs,
        prepare=a_dependency,
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    # The same, from the milestone's row of the team table: its editor, adding, removing.
    "milestones:row_dependencies": Endpoint(
        kwargs=milestone_kwargs,
        expected={"GET": allowed(LEADERSHIP, LEAD)},
    ),
    "milestones:row_dependency_add": Endpoint(
        kwargs=milestone_kwargs,
        data=an_upstream,
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "milestones:row_dependency_remove": Endpoint(
        kwargs=dependency_kwargs,
        prepare=a_dependency,
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "reviews:start": Endpoint(
        kwargs=team_kwargs,
        data=lambda w: {"held_on": "2026-11-25"},
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "reviews:item_note": Endpoint(
        kwargs=review_item_kwargs,
        prepare=start_a_review,
        data=lambda w: {"note": "Discussed"},
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "reviews:summary": Endpoint(
        kwargs=review_kwargs,
        prepare=start_a_review,
        data=lambda w: {"summary": "A good fortnight"},
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "reviews:close": Endpoint(
        kwargs=review_kwargs,
        prepare=start_a_review,
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "reviews:reopen": Endpoint(
        kwargs=review_kwargs,
        prepare=close_a_review,
        expected={"POST": allowed(LEADERSHIP)},
    ),
    "sheets:sync_now": Endpoint(
        kwargs=no_kwargs,
        prepare=a_sync_running,
        htmx=False,
        expected={"POST": allowed(LEADERSHIP, ok=REDIRECT)},
    ),
    # Mapping a tab's columns and previewing the sync are leadership's, as running it is.
    "sheets:columns": Endpoint(
        kwargs=team_kwargs,
        data=lambda w: {"header-0": "Deliverable", "column-0": "title"},
        htmx=False,
        expected={"GET": leadership_only(), "POST": leadership_only(ok=REDIRECT)},
    ),
    "sheets:preview": Endpoint(kwargs=no_kwargs, htmx=False, expected={"GET": leadership_only()}),
    "sheets:resolve_conflict": Endpoint(
        kwargs=conflict_kwargs,
        prepare=a_sync_conflict,
        data=lambda w: {"take": "app"},
        expected={"POST": allowed(LEADERSHIP, LEAD)},
    ),
    "dashboard:quarter_settings": Endpoint(
        kwargs=quarter_kwargs,
        data=quarter_settings,
        htmx=False,
        expected={"GET": allowed(LEADERSHIP), "POST": allowed(LEADERSHIP, ok=REDIRECT)},
    ),
    # Closing a quarter and locking planning are leadership's (SPEC section 1).
    "milestones:close_quarter": Endpoint(
        kwargs=ended_quarter_kwargs,
        prepare=an_ended_quarter,
        data=close_with_a_drop,
        htmx=False,
        expected={"GET": allowed(LEADERSHIP), "POST": allowed(LEADERSHIP, ok=REDIRECT)},
    ),
    "milestones:lock_planning": Endpoint(
        kwargs=quarter_kwargs,
        htmx=False,
        expected={"POST": allowed(LEADERSHIP, ok=REDIRECT)},
    ),
    # One's own profile: everyone signed in sets their own opt-out of the reminder e-mails and
    # their own Slack preferences (the same POST, `form=slack`).
    "profile": Endpoint(
        kwargs=no_kwargs,
        data=lambda w: {"nudges_opt_out": "on"},
        htmx=False,
        expected={
            "GET": allowed(LEADERSHIP, LEAD, OWNER, ENGINEER, OTHER_LEAD),
            "POST": allowed(LEADERSHIP, LEAD, OWNER, ENGINEER, OTHER_LEAD, ok=REDIRECT),
        },
    ),
    # One's own API tokens (api/token_views.py, issue 20): everyone signed in makes theirs (the
    # page that shows it once answers 201) and revokes only their own (404 for anyone else's).
    "api_token_create": Endpoint(
        kwargs=no_kwargs,
        data=lambda w: {"name": "Matrix script"},
        htmx=False,
        expected={"POST": allowed(LEADERSHIP, LEAD, OWNER, ENGINEER, OTHER_LEAD, ok=201)},
    ),
    "api_token_revoke": Endpoint(
        kwargs=lambda w: {"pk": w.extra["token"].pk},
        prepare=a_token_of_the_lead,
        htmx=False,
        expected={
            "POST": {
                **dict.fromkeys(PERSONAS, 404),
                ANONYMOUS: LOGIN,
                LEAD: REDIRECT,
            }
        },
    ),
    # Leadership's People pages (teams/people.py): people, their teams and roles, throttling.
    "people:list": Endpoint(kwargs=no_kwargs, htmx=False, expected={"GET": leadership_only()}),
    "people:add": Endpoint(
        kwargs=no_kwargs,
        data=lambda w: {
            "username": "newbie",
            "display_name": "Nia Newbie",
            "email": "nia@example.com",
            "team": w.team.pk,
            "role": "engineer",
        },
        htmx=False,
        expected={"GET": leadership_only(), "POST": leadership_only(ok=REDIRECT)},
    ),
    "people:edit": Endpoint(
        kwargs=person_kwargs,
        data=lambda w: {
            "username": w.users[OWNER].username,
            "display_name": "Renamed by the matrix",
            "email": "renamed@example.com",
        },
        htmx=False,
        expected={"GET": leadership_only(), "POST": leadership_only(ok=REDIRECT)},
    ),
    "people:move": Endpoint(
        kwargs=person_kwargs,
        data=lambda w: {"team": w.other_team.pk, "role": "engineer"},
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    "people:make_lead": Endpoint(
        kwargs=person_kwargs, htmx=False, expected={"POST": leadership_only(ok=REDIRECT)}
    ),
    "people:deactivate": Endpoint(
        kwargs=person_kwargs, htmx=False, expected={"POST": leadership_only(ok=REDIRECT)}
    ),
    "people:reactivate": Endpoint(
        kwargs=person_kwargs, htmx=False, expected={"POST": leadership_only(ok=REDIRECT)}
    ),
    "people:clear_throttle": Endpoint(
        kwargs=no_kwargs,
        prepare=a_throttled_account,
        data=lambda w: {"kind": "account", "key": w.users[OWNER].username},
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    # Leadership's Organisation page (teams/organisation.py): teams, squads, slip reasons.
    "people:organisation": Endpoint(
        kwargs=no_kwargs, htmx=False, expected={"GET": leadership_only()}
    ),
    "people:team_add": Endpoint(
        kwargs=no_kwargs,
        data=lambda w: {"new-team-name": "Search", "new-team-squad": w.team.squad_id},
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    "people:team_edit": Endpoint(
        kwargs=team_pk_kwargs,
        data=lambda w: {
            f"team-{w.team.pk}-name": "Platform Core",
            f"team-{w.team.pk}-squad": w.team.squad_id,
            f"team-{w.team.pk}-active": "on",
        },
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    "people:squad_add": Endpoint(
        kwargs=no_kwargs,
        data=lambda w: {"new-squad-name": "Growth"},
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    "people:squad_edit": Endpoint(
        kwargs=squad_kwargs,
        data=lambda w: {f"squad-{w.team.squad_id}-name": "Core"},
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    "people:slip_reason_add": Endpoint(
        kwargs=no_kwargs,
        data=lambda w: {"new-reason-name": "Vendor late", "new-reason-position": 3},
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    "people:slip_reason_edit": Endpoint(
        kwargs=reason_kwargs,
        prepare=a_slip_reason_to_edit,
        data=lambda w: {
            f"reason-{w.extra['reason'].pk}-name": "Scope grew a lot",
            f"reason-{w.extra['reason'].pk}-position": 0,
        },
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    # The Slack webhooks (issue 20) are secrets that decide where the nudges go: leadership's.
    "nudges:slack": Endpoint(kwargs=no_kwargs, htmx=False, expected={"GET": leadership_only()}),
    "nudges:slack_save": Endpoint(
        kwargs=lambda w: {"destination": f"team-{w.team.pk}"},
        data=lambda w: {"url": "https://hooks.slack.com/services/T1/B1/matrix0123abcd"},
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    "nudges:slack_remove": Endpoint(
        kwargs=lambda w: {"destination": "org"},
        prepare=an_org_slack_webhook,
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    # With no webhook to post to, the test's task records that (nothing leaves the machine).
    "nudges:slack_test": Endpoint(
        kwargs=lambda w: {"destination": f"squad-{w.team.squad_id}"},
        htmx=False,
        expected={"POST": leadership_only(ok=REDIRECT)},
    ),
    # What the row polls while its test message is on its way: leadership's, like the button.
    "nudges:slack_test_status": Endpoint(
        kwargs=lambda w: {"destination": "org", "pk": w.extra["slack_test"].pk},
        prepare=a_slack_test_message,
        expected={"GET": leadership_only()},
    ),
    # One's own password: everyone signed in changes theirs (the current one is asked for).
    "password_change": Endpoint(
        kwargs=no_kwargs,
        data=lambda w: {
            "old_password": "password",
            "new_password1": "a long new passphrase 42",
            "new_password2": "a long new passphrase 42",
        },
        htmx=False,
        expected={
            "GET": allowed(LEADERSHIP, LEAD, OWNER, ENGINEER, OTHER_LEAD),
            "POST": allowed(LEADERSHIP, LEAD, OWNER, ENGINEER, OTHER_LEAD, ok=REDIRECT),
        },
    ),
}


@dataclass(frozen=True)
class ReadOnly:
    """A GET-only page: every signed-in persona reads it (SPEC: transparency is the culture)."""

    kwargs: Callable[[World], dict] = no_kwargs
    signed_in: int | str = 200
    htmx: bool = False
    prepare: Callable[[World], None] | None = None


READ_ONLY: dict[str, ReadOnly] = {
    "home": ReadOnly(signed_in=REDIRECT),  # to the dashboard or one's team
    "teams:list": ReadOnly(),
    "milestones:team": ReadOnly(kwargs=team_kwargs),
    "milestones:detail": ReadOnly(kwargs=milestone_kwargs),
    "milestones:row": ReadOnly(kwargs=milestone_kwargs, htmx=True),
    "milestones:dependency_search": ReadOnly(kwargs=milestone_kwargs, htmx=True),
    "milestones:quarter_record": ReadOnly(kwargs=quarter_kwargs),
    "dashboard:index": ReadOnly(),
    "dashboard:teams_csv": ReadOnly(),
    "dashboard:milestones_csv": ReadOnly(),
    "reviews:list": ReadOnly(kwargs=team_kwargs),
    "reviews:detail": ReadOnly(kwargs=review_kwargs, prepare=start_a_review),
    "sheets:sync": ReadOnly(),
    "sheets:run": ReadOnly(kwargs=run_kwargs, prepare=a_sync_running),
    "sheets:run_status": ReadOnly(kwargs=run_kwargs, prepare=a_sync_running, htmx=True),
    "sheets:conflict": ReadOnly(kwargs=conflict_kwargs, prepare=a_sync_conflict),
    "password_change_done": ReadOnly(),
    "api_docs": ReadOnly(),  # the API's browsable docs (Swagger UI)
}

EXEMPT: dict[str, str] = {
    "login": "Django's sign-in form, the one page open to everyone",
    "logout": "signs out one's own session (a POST, tested with sign-in)",
    "healthz": "the load balancer's probe: reads, open to all (tests/test_health_and_security.py)",
    "password_reset": "asks for a reset e-mail, open to all (tests/teams/test_password_reset.py)",
    "password_reset_done": "says the e-mail is on its way, open to all",
    "password_reset_confirm": "the e-mailed link: its token is the permission",
    "password_reset_complete": "says the new password is set, open to all",
    "openid_connect_login": "Sign in with Google: open to all (tests/teams/test_google_sign_in.py)",
    "openid_connect_callback": "Google's answer: its state and code are the permission",
    "api-v1:api-root": "ninja's root of /api/v1/: names the prefix, answers 404 to everyone",
}


# --- The read-only API (issue 20) -------------------------------------------------------------
# Everyone signed in reads it, by session or with a personal token; anybody else gets 401 (not
# a redirect to sign-in: it is for programs). Nothing in it changes anything: 405 to a POST.


def milestone_id_kwargs(w: World) -> dict:
    return {"milestone_id": w.milestone.pk}


API: dict[str, Callable[[World], dict]] = {
    "api_schema": no_kwargs,
    "api-v1:list_quarters": no_kwargs,
    "api-v1:quarter_figure": lambda w: {"quarter": w.quarter.slug},
    "api-v1:list_teams": no_kwargs,
    "api-v1:list_milestones": no_kwargs,
    "api-v1:read_milestone": milestone_id_kwargs,
    "api-v1:list_reviews": no_kwargs,
}


# --- The resolver --------------------------------------------------------------------------


def routes(patterns=None, namespace: str = "", prefix: str = "") -> dict[str, str]:
    """URL name -> route, for every named URL but the admin's."""
    found: dict[str, str] = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns != "admin":  # Django's admin guards itself (staff only)
                found |= routes(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            found[name] = prefix + str(entry.pattern)
    return found


ROUTES = routes()


def test_every_endpoint_is_placed():
    names = set(ROUTES)
    placed = MATRIX.keys() | READ_ONLY.keys() | EXEMPT.keys() | API.keys()
    assert names - placed == set(), "place these endpoints in the permission matrix"
    assert placed - names == set(), "these matrix entries no longer exist"


def test_the_tables_do_not_overlap():
    assert not (MATRIX.keys() & READ_ONLY.keys())
    assert not ((MATRIX.keys() | READ_ONLY.keys()) & EXEMPT.keys())
    assert not ((MATRIX.keys() | READ_ONLY.keys() | EXEMPT.keys()) & API.keys())


# --- Requests ------------------------------------------------------------------------------


def request(client, w: World, persona: str, name: str, method: str, kwargs, data, htmx: bool):
    user = w.users[persona]
    if user is not None:
        client.force_login(user)
    path = reverse(name, kwargs=kwargs)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if method == "GET":
        return client.get(path, **headers)
    return client.post(path, data, **headers)


def assert_outcome(response, expected: int | str, where: str) -> None:
    status = response.status_code
    if expected == LOGIN:
        assert status == 302, f"{where}: {status}, expected {expected}"
        assert response["Location"].startswith(reverse("login") + "?next="), where
    elif expected == REDIRECT:
        assert status == 302, f"{where}: {status}, expected {expected}"
        assert not response["Location"].startswith(reverse("login")), where
    else:
        assert status == expected, f"{where}: {status}, expected {expected}"


def snapshot() -> tuple[list, ...]:
    """What a refused request must leave as it was: milestones, quarters and their records,
    reviews, sync runs and conflicts, the reasons given for slips, dependencies; people,
    memberships, teams, squads, slip reasons and failed sign-ins; API tokens, Slack webhooks
    and test messages."""
    return (
        list(Quarter.objects.order_by("pk").values_list("pk", "goal", "locked", "closed_at")),
        list(QuarterRecord.objects.values_list("pk", flat=True)),
        list(Milestone.objects.order_by("pk").values_list("pk", "version", "status", "position")),
        list(Review.objects.order_by("pk").values_list("pk", "summary", "closed_at")),
        list(SyncRun.objects.order_by("pk").values_list("pk", "status")),
        list(SyncConflict.objects.order_by("pk").values_list("pk", "status")),
        list(SlipExplanation.objects.order_by("pk").values_list("pk", "reason_id", "note")),
        list(Dependency.objects.order_by("pk").values_list("pk", "downstream", "upstream")),
        list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "display_name", "email", "is_active", "is_leadership", "password"
            )
        ),
        list(Membership.objects.order_by("pk").values_list("pk", "team", "role", "active")),
        list(Team.objects.order_by("pk").values_list("pk", "name", "squad", "active")),
        list(Squad.objects.order_by("pk").values_list("pk", "name")),
        list(SlipReason.objects.order_by("pk").values_list("pk", "name", "position", "active")),
        list(SignInFailure.objects.order_by("pk").values_list("pk")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        list(SlackWebhook.objects.order_by("pk").values_list("pk", "url_encrypted")),
        list(SlackTestMessage.objects.order_by("pk").values_list("pk", "status")),
    )


CASES = [
    (name, method, persona)
    for name, endpoint in MATRIX.items()
    for method in endpoint.expected
    for persona in PERSONAS
]


@pytest.mark.parametrize(("name", "method", "persona"), CASES)
def test_permission_matrix(client, world, name, method, persona):
    endpoint = MATRIX[name]
    if endpoint.prepare:
        endpoint.prepare(world)
    before = snapshot()
    expected = endpoint.expected[method][persona]
    response = request(
        client,
        world,
        persona,
        name,
        method,
        endpoint.kwargs(world),
        endpoint.data(world),
        endpoint.htmx,
    )
    assert_outcome(response, expected, f"{method} {name} as {persona}")
    if expected in (LOGIN, 403) or method == "GET":
        assert snapshot() == before, "a refused request changed something"


# Endpoints of one object of a team: /teams/<slug>/<things>/<pk>/...
OF_A_TEAM = [
    (name, method)
    for name, endpoint in [*MATRIX.items(), *READ_ONLY.items()]
    if "<slug:slug>" in ROUTES.get(name, "") and "<int:pk>" in ROUTES.get(name, "")
    for method in (endpoint.expected if isinstance(endpoint, Endpoint) else ["GET"])
]


def entry_of(name: str) -> Endpoint | ReadOnly:
    return MATRIX.get(name) or READ_ONLY[name]


@pytest.mark.parametrize(("name", "method"), OF_A_TEAM)
@pytest.mark.parametrize("persona", [LEADERSHIP, LEAD])
def test_an_object_under_another_teams_slug_is_not_found(client, world, name, method, persona):
    entry = entry_of(name)
    if entry.prepare:
        entry.prepare(world)
    data = entry.data(world) if isinstance(entry, Endpoint) else {}
    kwargs = {**entry.kwargs(world), "slug": world.other_team.slug}
    before = snapshot()
    response = request(client, world, persona, name, method, kwargs, data, htmx=True)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method"), OF_A_TEAM)
def test_an_unknown_object_is_not_found(client, world, name, method):
    entry = entry_of(name)
    if entry.prepare:
        entry.prepare(world)
    data = entry.data(world) if isinstance(entry, Endpoint) else {}
    kwargs = {**entry.kwargs(world), "pk": 10**9}
    response = request(client, world, LEADERSHIP, name, method, kwargs, data, htmx=True)
    assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(READ_ONLY))
@pytest.mark.parametrize("persona", PERSONAS)
def test_read_only_pages_are_open_to_everyone_signed_in(client, world, name, persona):
    page = READ_ONLY[name]
    if page.prepare:
        page.prepare(world)
    response = request(client, world, persona, name, "GET", page.kwargs(world), {}, page.htmx)
    expected = LOGIN if persona == ANONYMOUS else page.signed_in
    assert_outcome(response, expected, f"GET {name} as {persona}")


@pytest.mark.parametrize("name", sorted(READ_ONLY))
def test_read_only_pages_refuse_to_change_anything(client, world, name):
    page = READ_ONLY[name]
    if page.prepare:
        page.prepare(world)
    before = snapshot()
    response = request(client, world, LEADERSHIP, name, "POST", page.kwargs(world), {}, page.htmx)
    assert response.status_code == 405
    assert snapshot() == before


def test_the_matrix_covers_every_persona_for_every_method():
    for name, endpoint in MATRIX.items():
        for method, outcomes in endpoint.expected.items():
            assert set(outcomes) == set(PERSONAS), f"{method} {name}"


# --- A closed quarter (issue 15) -------------------------------------------------------------
# Once a quarter is closed only leadership changes its milestones, through an edit with a
# reason (a restatement); adding, reordering, dropping and restoring carry no reason, so
# nobody does them. Leads and engineers get 403 on a direct POST, and nothing changes.


def close_the_world(w: World) -> None:
    Quarter.objects.filter(pk=w.quarter.pk).update(closed_at=timezone.now())
    QuarterRecord.objects.create(
        quarter=w.quarter,
        on_time=1,
        teams=2,
        milestones_on_time=1,
        milestones_due=3,
        goal=w.quarter.goal,
        grace_days=w.quarter.grace_days,
    )
    w.quarter.refresh_from_db()


def restated_edit(w: World) -> dict:
    return {**engineers_edit(w), "restatement_reason": "Audit after close"}


CLOSED: dict[str, tuple[Callable[[World], dict], Callable[[World], dict], dict]] = {
    "milestones:edit": (milestone_kwargs, restated_edit, allowed(LEADERSHIP)),
    "milestones:create": (team_kwargs, new_milestone, allowed()),
    "milestones:move": (milestone_kwargs, lambda w: {"direction": "down"}, allowed()),
    "milestones:drop": (milestone_kwargs, version, allowed()),
    "milestones:slip_reason": (slip_kwargs, a_slip_reason, allowed(LEADERSHIP)),
    "milestones:dependency_add": (milestone_kwargs, an_upstream, allowed()),
    "milestones:dependency_remove": (dependency_kwargs, no_data, allowed()),
    "milestones:row_dependency_add": (milestone_kwargs, an_upstream, allowed()),
    "milestones:row_dependency_remove": (dependency_kwargs, no_data, allowed()),
}


@pytest.mark.parametrize(
    ("name", "persona"), [(name, persona) for name in CLOSED for persona in PERSONAS]
)
def test_a_closed_quarter_is_changed_by_leadership_alone(client, world, name, persona):
    kwargs, data, expected = CLOSED[name]
    if name == "milestones:slip_reason":
        a_slip(world)
    if name in ("milestones:dependency_remove", "milestones:row_dependency_remove"):
        a_dependency(world)
    close_the_world(world)
    before = snapshot()
    response = request(client, world, persona, name, "POST", kwargs(world), data(world), True)
    assert_outcome(response, expected[persona], f"POST {name} in a closed quarter as {persona}")
    if expected[persona] in (LOGIN, 403):
        assert snapshot() == before, "a refused request changed something"


# --- The API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(API))
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_is_read_by_everyone_signed_in_and_nobody_else(client, world, name, persona):
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    before = snapshot()
    response = client.get(reverse(name, kwargs=API[name](world)))
    assert response.status_code == (401 if persona == ANONYMOUS else 200), f"{name} {persona}"
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(API))
@pytest.mark.parametrize("persona", [LEAD, OTHER_LEAD])
def test_the_api_is_read_with_a_personal_token(client, world, name, persona):
    secret = create_token(user=world.users[persona], name="matrix").secret
    path = reverse(name, kwargs=API[name](world))
    assert client.get(path, headers={"Authorization": f"Bearer {secret}"}).status_code == 200


@pytest.mark.parametrize("name", sorted(API))
def test_the_api_refuses_to_change_anything(client, world, name):
    client.force_login(world.users[LEADERSHIP])
    before = snapshot()
    response = client.post(reverse(name, kwargs=API[name](world)), {})
    assert response.status_code == 405
    assert snapshot() == before
