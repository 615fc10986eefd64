"""The per-team table: sorted by any column, filtered or grouped by squad, through query
parameters that work without JavaScript and that htmx reuses to swap the table."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from dashboard.table import TEAM_COLUMNS, Column, Sort, TableState, sort_rows
from teams.models import Membership
from tests.dashboard.conftest import D

URL = reverse("dashboard:index")
HTMX = {"HX-Request": "true", "HX-Target": "dashboard-body"}


@pytest.fixture
def get(client, vp, org, frozen_today):
    client.force_login(vp)

    def _get(headers=None, **params):
        return client.get(URL, params, headers=headers or {})

    return _get


def names(response) -> list[str]:
    return [row.team.name for row in response.context["report"].table.rows]


# On Nov 25, 2026 (see the `org` fixture): Haven has no milestones, Dune nothing due yet.
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("team", ["Atlas", "Beacon", "Comet", "Dune", "Ember", "Flint", "Grove", "Haven"]),
        ("-team", ["Haven", "Grove", "Flint", "Ember", "Dune", "Comet", "Beacon", "Atlas"]),
        ("squad", ["Comet", "Dune", "Flint", "Grove", "Atlas", "Beacon", "Ember", "Haven"]),
        ("-done", ["Atlas", "Beacon", "Ember", "Grove", "Comet", "Dune", "Flint", "Haven"]),
        ("-on_time", ["Atlas", "Ember", "Grove", "Beacon", "Comet", "Dune", "Flint", "Haven"]),
        ("-late", ["Beacon", "Atlas", "Comet", "Dune", "Ember", "Flint", "Grove", "Haven"]),
        ("-overdue", ["Flint", "Atlas", "Beacon", "Comet", "Dune", "Ember", "Grove", "Haven"]),
        ("-dropped", ["Comet", "Atlas", "Beacon", "Dune", "Ember", "Flint", "Grove", "Haven"]),
        # Teams with nothing due have no share: last, whichever the direction.
        ("-share", ["Atlas", "Ember", "Grove", "Beacon", "Comet", "Flint", "Dune", "Haven"]),
        ("share", ["Beacon", "Comet", "Flint", "Atlas", "Ember", "Grove", "Dune", "Haven"]),
        ("-at_risk", ["Grove", "Atlas", "Beacon", "Comet", "Dune", "Ember", "Flint", "Haven"]),
        ("-off_track", ["Flint", "Atlas", "Beacon", "Comet", "Dune", "Ember", "Grove", "Haven"]),
        ("-slips", ["Flint", "Grove", "Atlas", "Beacon", "Comet", "Dune", "Ember", "Haven"]),
        ("-days_slipped", ["Flint", "Beacon", "Grove", "Atlas", "Ember", "Comet", "Dune", "Haven"]),
        # Worst first: not on time, on time but at risk, on time, then no milestones at all.
        ("verdict", ["Beacon", "Comet", "Flint", "Grove", "Atlas", "Dune", "Ember", "Haven"]),
        ("-verdict", ["Atlas", "Dune", "Ember", "Grove", "Beacon", "Comet", "Flint", "Haven"]),
        ("-last_review", ["Atlas", "Beacon", "Comet", "Dune", "Ember", "Flint", "Grove", "Haven"]),
    ],
)
def test_the_table_sorts_by_the_column_asked_for(get, sort, expected):
    assert names(get(sort=sort)) == expected


def test_sorting_by_tech_lead_uses_their_names(get, org):
    leads = {"Atlas": "Zoe", "Beacon": "Adam", "Comet": "maya"}
    for team, name in leads.items():
        lead = org.teams[team].memberships.get(role=Membership.Role.TECH_LEAD).user
        lead.display_name = name
        lead.save()
    order = names(get(sort="lead"))
    assert [team for team in order if team in leads] == ["Beacon", "Comet", "Atlas"]


def test_sorting_by_trio_puts_the_teams_that_are_not_trios_first(get, org):
    org.teams["Ember"].memberships.filter(role=Membership.Role.ENGINEER).first().delete()
    assert names(get(sort="trio"))[0] == "Ember"


def test_every_column_can_be_sorted(get):
    for column in TEAM_COLUMNS:
        assert get(sort=column.key).status_code == 200


def test_an_unknown_sort_falls_back_to_team_names(get):
    response = get(sort="-password")
    assert response.context["report"].state.sort == Sort()
    assert names(response)[0] == "Atlas"


def test_a_header_link_sorts_counts_most_first_and_reverses_on_the_next_click(get):
    headers = {h.column.key: h for h in get().context["report"].table.headers}
    assert headers["slips"].href == "?quarter=2026-q4&sort=-slips"
    assert headers["team"].aria_sort == "ascending"
    assert headers["team"].href == "?quarter=2026-q4&sort=-team"
    headers = {h.column.key: h for h in get(sort="-slips").context["report"].table.headers}
    assert headers["slips"].aria_sort == "descending"
    assert headers["slips"].href == "?quarter=2026-q4&sort=slips"
    assert headers["team"].aria_sort == ""


def test_a_header_wraps_between_words_but_not_inside_a_hyphenated_one(get):
    assertContains(get(), '<span class="nowrap">On-time</span> share</a>')
    columns = {column.key: column for column in TEAM_COLUMNS}
    assert columns["share"].label_html == '<span class="nowrap">On-time</span> share'
    assert columns["days_slipped"].label_html == "Days slipped"
    assert Column("x", "<b>-x", lambda r: 0).label_html == '<span class="nowrap">&lt;b&gt;-x</span>'


def test_the_rendered_rows_follow_the_sort(get):
    html = get(sort="-days_slipped").content.decode()
    positions = [html.index(f">{team}</a></th>") for team in ("Flint", "Beacon", "Grove")]
    assert positions == sorted(positions)


def test_filtering_by_squad_shows_its_teams_and_their_own_figure(get, org):
    response = get(squad=org.core.pk)
    assert names(response) == ["Comet", "Dune", "Flint", "Grove"]
    assertContains(response, "<caption>Core: 2 of 4 teams on time</caption>", html=True)
    # The headline stays the organisation's.
    assert response.context["report"].headline.figure.teams == 7


def test_the_squad_filter_applies_to_the_watch_lists_too(get, org):
    lists = get(squad=org.growth.pk).context["report"].lists
    assert lists.at_risk.total == 0
    assert lists.overdue.total == 0
    assert [e.milestone.title for e in lists.slipped.entries] == [
        "Beacon billing",
        "Atlas search",
        "Ember alerts",
    ]


def test_an_unknown_squad_shows_every_team(get):
    assert len(names(get(squad="999999"))) == 8
    assert len(names(get(squad="core"))) == 8


def test_grouping_by_squad_gives_each_squad_its_rows_and_figure(get, org):
    table = get(group="squad", sort="-days_slipped").context["report"].table
    assert [(g.squad.name, [r.team.name for r in g.rows]) for g in table.groups] == [
        ("Core", ["Flint", "Grove", "Comet", "Dune"]),
        ("Growth", ["Beacon", "Atlas", "Ember", "Haven"]),
    ]
    assert [g.figure.headline for g in table.groups] == [
        "2 of 4 teams on time",
        "2 of 3 teams on time",  # Haven has no milestones: not counted
    ]


def test_grouped_rows_render_under_their_squad(get):
    response = get(group="squad")
    assertContains(
        response,
        f'<th scope="rowgroup" colspan="{len(TEAM_COLUMNS)}">'
        'Core <span class="muted">· 2 of 4 teams on time</span></th>',
        html=True,
    )


def test_filter_and_group_work_without_javascript(get, org):
    response = get()
    # A plain GET form and plain links carry the state; htmx only enhances them.
    assertContains(response, '<form class="filters" method="get" action="/dashboard/"')
    assertContains(response, '<select id="squad-filter" name="squad">')
    assertContains(response, 'href="?quarter=2026-q4&amp;sort=-slips"')


def test_sort_links_keep_the_filter_and_grouping(get, org):
    headers = get(squad=org.core.pk, group="squad").context["report"].table.headers
    slips = next(h for h in headers if h.column.key == "slips")
    assert slips.href == f"?quarter=2026-q4&squad={org.core.pk}&group=squad&sort=-slips"


def test_htmx_gets_only_the_table_and_lists(get, org):
    response = get(headers=HTMX, sort="-slips", squad=org.core.pk)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="dashboard-body"')
    assert "<html" not in html
    assert 'data-testid="headline"' not in html
    positions = [html.index(f">{team}</a></th>") for team in ("Flint", "Grove", "Comet", "Dune")]
    assert positions == sorted(positions)
    assert ">Atlas</a></th>" not in html


def test_htmx_restoring_history_gets_the_whole_page(get):
    response = get(headers={**HTMX, "HX-History-Restore-Request": "true"})
    assertContains(response, 'data-testid="headline"')


def test_other_htmx_requests_get_the_whole_page(get):
    assertContains(get(headers={"HX-Request": "true"}), "<html")


def test_table_state_round_trips_through_the_query_string(org):
    squads = [org.core, org.growth]
    state = TableState.from_query(
        {"sort": "-slips", "squad": str(org.growth.pk), "group": "squad"}, org.quarter, squads
    )
    assert state == TableState("2026-q4", Sort("slips", True), org.growth, True)
    assert state.query() == f"?quarter=2026-q4&squad={org.growth.pk}&group=squad&sort=-slips"
    assert state.query(squad=None, grouped=False, sort=Sort()) == "?quarter=2026-q4"


def test_teams_without_milestones_say_so_rather_than_a_verdict(get):
    response = get(sort="-team")
    assertContains(response, '<span class="muted">no milestones</span>', html=True)
    assertNotContains(response, "Ghost")


# --- Rows carry the review status they are given (reviews' seam) ---------------------------


def test_rows_carry_the_review_status_they_are_given(reviewed_rows):
    found = {row.team.name: (row.last_review, row.review_overdue) for row in reviewed_rows}
    assert found["Atlas"] == (D(2026, 11, 20), False)
    assert found["Beacon"] == (D(2026, 10, 1), True)
    assert found["Comet"] == (None, True)
    assert found["Dune"] == (None, False)  # no status given: nothing shown, nothing flagged


def test_sorting_by_last_review_puts_teams_never_reviewed_last(reviewed_rows):
    oldest_first = sort_rows(reviewed_rows, Sort("last_review"))
    newest_first = sort_rows(reviewed_rows, Sort("last_review", descending=True))
    assert [r.team.name for r in oldest_first][:3] == ["Beacon", "Atlas", "Comet"]
    assert [r.team.name for r in newest_first][:3] == ["Atlas", "Beacon", "Comet"]
