"""The team page (`milestones.views.team.team_page`): members, the quarter switcher, the
milestone table with what each user may do, the figures, and the page as of a past day
(read-only, with a banner, a date form that works without JavaScript and the team's review
days); a bounded number of queries whatever the size of the table and of the organisation."""

import datetime

import pytest
from django.utils import timezone

from milestones.models import Dependency, Milestone
from milestones.services import add_dependency
from tests.dashboard.history import milestone_on, quarter_on, save_on
from tests.factories import (
    MilestoneFactory,
    QuarterFactory,
    ReviewFactory,
    TeamFactory,
    TechLeadFactory,
    trio,
)
from tests.html import by_id, text
from tests.milestones.helpers import HTMX

D = datetime.date
URL = "/teams/platform/"


def figures(response) -> str:
    return text(by_id(response, "team-figures"))


def test_team_page_shows_members_with_their_roles(client, engineer, team, lead, quarter):
    client.force_login(engineer)
    members = text(client.get("/teams/platform/")).split("Milestones of")[0]
    assert f"{lead.name} Tech lead" in members
    assert f"{engineer.name} Engineer" in members
    assert "not a trio" not in members


def test_a_team_that_is_not_a_trio_says_so(client, loner, quarter):
    pair = TeamFactory(name="Pair", slug="pair")
    TechLeadFactory(team=pair)
    client.force_login(loner)
    assert "not a trio" in text(client.get("/teams/pair/"))


def test_team_page_shows_the_current_quarter_by_default(client, engineer, team, quarter):
    QuarterFactory(year=2026, number=3)
    MilestoneFactory(team=team, quarter=quarter, title="Now")
    client.force_login(engineer)
    response = client.get("/teams/platform/")
    assert "Milestones of 2026 Q4" in text(response)
    assert "Now" in text(by_id(response, "milestone-table"))
    assert '<a href="?quarter=2026-q4" aria-current="page">2026 Q4</a>' in response.content.decode()


def test_quarter_switcher_shows_another_quarter(client, engineer, team, quarter):
    earlier = QuarterFactory(year=2026, number=3)
    MilestoneFactory(team=team, quarter=quarter, title="Now")
    MilestoneFactory(
        team=team,
        quarter=earlier,
        title="Then",
        committed_date=D(2026, 8, 1),
        target_date=D(2026, 8, 1),
    )
    client.force_login(engineer)
    response = client.get("/teams/platform/?quarter=2026-q3")
    rows = text(by_id(response, "milestone-table"))
    assert "Then" in rows
    assert "Now" not in rows
    assert 'aria-current="page">2026 Q3 <small class="quarter-state">· ended, not closed yet' in (
        response.content.decode()
    )


def test_milestone_table_shows_dates_for_humans_and_status_badges(client, engineer, team, quarter):
    MilestoneFactory(
        team=team,
        quarter=quarter,
        title="Importer",
        committed_date=D(2026, 11, 20),
        target_date=D(2026, 11, 27),
        status="at_risk",
        owner=engineer,
    )
    client.force_login(engineer)
    row = text(by_id(client.get("/teams/platform/"), "milestone-table"))
    assert "Importer" in row
    assert engineer.name in row
    assert "Nov 20 Nov 27 +7d At risk" in row


def test_team_figures_sum_up_the_quarter(client, engineer, team, quarter):
    MilestoneFactory(team=team, quarter=quarter, done=True, committed_date=D(2026, 10, 20))
    MilestoneFactory(team=team, quarter=quarter, status="at_risk", committed_date=D(2026, 12, 20))
    client.force_login(engineer)
    figures = text(by_id(client.get("/teams/platform/"), "team-figures"))
    assert figures == "1 of 2 done · on time · 1 at risk"


def test_lead_sees_the_add_row_and_the_controls_of_every_row(
    client, lead, team, quarter, milestone
):
    client.force_login(lead)
    response = client.get("/teams/platform/")
    assert by_id(response, "add-milestone")
    for control in ("edit", "up", "down", "drop"):
        assert by_id(response, f"m{milestone.pk}-{control}")


def test_owner_sees_edit_on_their_milestone_only(
    client, engineer, other_engineer, team, quarter, milestone
):
    theirs = MilestoneFactory(team=team, quarter=quarter, owner=other_engineer)
    client.force_login(engineer)
    page = client.get("/teams/platform/").content.decode()
    assert f'id="m{milestone.pk}-edit"' in page
    assert f'id="m{theirs.pk}-edit"' not in page
    assert 'id="add-milestone"' not in page
    assert f'id="m{milestone.pk}-drop"' not in page
    assert f'id="m{milestone.pk}-up"' not in page


def test_someone_from_another_team_reads_but_changes_nothing(
    client, outsider_lead, team, quarter, milestone
):
    client.force_login(outsider_lead)
    page = client.get("/teams/platform/")
    assert "Ship the importer" in text(by_id(page, "milestone-table"))
    assert f'id="m{milestone.pk}-edit"' not in page.content.decode()
    assert 'id="add-milestone"' not in page.content.decode()


def test_every_link_and_action_works_without_javascript(client, lead, team, quarter, milestone):
    client.force_login(lead)
    row = by_id(client.get("/teams/platform/"), f"milestone-{milestone.pk}")
    assert f'href="/teams/platform/milestones/{milestone.pk}/edit/"' in row
    for action in ("move", "drop"):
        assert f'method="post" action="/teams/platform/milestones/{milestone.pk}/{action}/"' in row
    assert row.count('name="csrfmiddlewaretoken"') == 2


def test_a_locked_quarter_says_committed_dates_are_leaderships(client, lead, team, quarter):
    quarter.locked = True
    quarter.save()
    client.force_login(lead)
    assert "only leadership changes committed dates" in text(client.get("/teams/platform/"))


def test_team_page_of_an_unknown_team_is_not_found(client, engineer):
    client.force_login(engineer)
    assert client.get("/teams/nobody/").status_code == 404


def test_team_page_loads_the_page_script_from_a_file(client, engineer, team, quarter):
    client.force_login(engineer)
    page = client.get("/teams/platform/").content.decode()
    assert '<script src="/static/js/milepost.js" defer></script>' in page
    assert "<script>" not in page


def test_team_page_without_any_quarter_says_so(client, engineer, team):
    client.force_login(engineer)
    response = client.get("/teams/platform/")
    assert response.status_code == 200
    assert "No quarters yet" in text(response)


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 15])
def test_team_page_costs_the_same_queries_whatever_the_number_of_milestones(
    client, lead, engineer, team, quarter, django_assert_num_queries, size
):
    for _ in range(size):
        milestone = MilestoneFactory(team=team, quarter=quarter, owner=engineer)
        milestone.target_date += datetime.timedelta(days=3)
        milestone.save()  # a slip, so the history has more than one row each
    client.force_login(lead)
    # session, user, team + squad, members (the add row's owner options and the lead's own
    # membership too), quarters, milestones + owners, their history, what they wait on, the
    # team's review days (its last review and the as-of quick links) and the review calls
    # (forecast calibration)
    with django_assert_num_queries(10):
        response = client.get("/teams/platform/")
    assert text(by_id(response, "team-figures")).startswith(f"0 of {size} done")


@pytest.mark.parametrize("size", [1, 15])
def test_another_teams_page_reads_the_visitors_membership_once_whatever_the_size(
    client, team, quarter, engineer, django_assert_num_queries, size
):
    milestones = [MilestoneFactory(team=team, quarter=quarter, owner=engineer) for _ in range(size)]
    _other, visitor_lead, *_engineers = trio()
    client.force_login(visitor_lead)
    # The team's ten, and the visitor's own membership (of another team), which the team's
    # members cannot tell.
    with django_assert_num_queries(11):
        response = client.get("/teams/platform/")
    assert text(by_id(response, "team-figures")).startswith(f"0 of {size} done")
    assert f"/milestones/{milestones[0].pk}/edit/" not in response.content.decode()


def test_a_lead_on_their_own_teams_page_may_edit_without_their_membership_read_again(
    client, lead, team, quarter, engineer
):
    milestone = MilestoneFactory(team=team, quarter=quarter, owner=engineer)
    client.force_login(lead)
    response = client.get("/teams/platform/")
    assert f"/milestones/{milestone.pk}/edit/" in response.content.decode()
    assert 'id="add-milestone"' in response.content.decode()


@pytest.mark.parametrize(("size", "other_teams"), [(3, 0), (30, 0), (3, 10), (30, 10)])
def test_team_page_queries_are_bounded_whatever_the_size_of_the_table_and_of_the_org(
    client,
    lead,
    engineer,
    other_engineer,
    team,
    quarter,
    django_assert_max_num_queries,
    size,
    other_teams,
):
    owners = [engineer, other_engineer, None]
    for n in range(size):
        milestone = MilestoneFactory(team=team, quarter=quarter, owner=owners[n % 3], position=n)
        milestone.target_date += datetime.timedelta(days=3)
        milestone.save()  # a slip, so the history has more than one row each
    for _ in range(other_teams):
        other, *_people = trio()
        for n in range(3):
            MilestoneFactory(team=other, quarter=quarter, position=n)
        ReviewFactory(team=other, quarter=quarter)
    ReviewFactory(team=team, quarter=quarter, held_on=D(2026, 11, 18))
    client.force_login(lead)
    # The page's ten queries (counted above) bound it whatever the size of the table and
    # the number of teams: nothing is read per milestone, per member or per team.
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert figures(response).startswith(f"0 of {size} done")


@pytest.mark.parametrize("size", [1, 15])
def test_htmx_row_answer_costs_the_same_queries_whatever_the_size_of_the_table(
    client, engineer, team, quarter, milestone, django_assert_max_num_queries, size
):
    for _ in range(size):
        MilestoneFactory(team=team, quarter=quarter, owner=engineer)
    client.force_login(engineer)
    with django_assert_max_num_queries(8):
        client.get(f"/teams/platform/milestones/{milestone.pk}/row/", **HTMX)


# --- As of a past day ---------------------------------------------------------------------------


@pytest.fixture
def dated(team, engineer):
    """Platform's 2026 Q4 (created Oct 1): "Ship the importer" committed Nov 10, on track from
    Oct 1, done on Nov 12 (on time, within the grace); "Billing v2" committed Nov 5, off track,
    added Oct 20. Reviews on Oct 21 and Nov 4."""
    quarter = quarter_on(D(2026, 10, 1), grace_days=7)
    importer = milestone_on(
        D(2026, 10, 1),
        team,
        quarter,
        title="Ship the importer",
        owner=engineer,
        committed_date=D(2026, 11, 10),
        position=0,
    )
    save_on(importer, D(2026, 11, 12), status="done", delivered_date=D(2026, 11, 12))
    milestone_on(
        D(2026, 10, 20),
        team,
        quarter,
        title="Billing v2",
        status=Milestone.Status.OFF_TRACK,
        committed_date=D(2026, 11, 5),
        position=1,
    )
    for day in (D(2026, 10, 21), D(2026, 11, 4)):
        ReviewFactory(team=team, quarter=quarter, held_on=day)
    return quarter


def test_the_team_page_as_of_a_day_pins_the_figures_before_and_after_a_change(client, lead, dated):
    client.force_login(lead)
    assert figures(client.get(URL, {"as_of": "2026-10-19"})).startswith("0 of 1 done · on time")
    before = client.get(URL, {"as_of": "2026-11-11"})
    # Billing v2's last day on time is Nov 12 (Nov 5 + 7 days of grace): overdue from Nov 13.
    assert figures(before).startswith("0 of 2 done · on time · 1 off track")
    after = client.get(URL, {"as_of": "2026-11-13"})
    assert figures(after).startswith("1 of 2 done · not on time · 1 off track · 1 overdue")
    assert "Ship the importer" in text(by_id(before, "milestone-table"))


def test_a_milestone_added_after_the_day_is_not_in_the_table(client, lead, dated):
    client.force_login(lead)
    table = text(by_id(client.get(URL, {"as_of": "2026-10-19"}), "milestone-table"))
    assert "Ship the importer" in table
    assert "Billing v2" not in table


def test_the_as_of_page_is_read_only_and_says_so(client, lead, dated):
    client.force_login(lead)
    response = client.get(URL, {"as_of": "2026-11-11"})
    page = response.content.decode()
    words = text(response)
    assert "As of 11 Nov 2026: the milestones as they stood at the end of that day" in words
    assert "read-only. Members are today's." in words
    assert 'href="?quarter=2026-q4">Back to the live page</a>' in page
    for control in ("-edit", "-drop", "-up", "Add milestone"):
        assert control not in page
    live = client.get(URL).content.decode()
    assert "-edit" in live
    assert "Add milestone" in live


def test_the_date_form_and_the_review_days(client, lead, dated):
    client.force_login(lead)
    response = client.get(URL, {"as_of": "2026-11-04"})
    page = response.content.decode()
    assert '<form class="as-of" method="get" action="" aria-label="As of a past day">' in page
    assert 'value="2026-11-04" min="2026-10-01" max="2026-11-25" required>' in page
    assert (
        '<a href="?quarter=2026-q4&amp;as_of=2026-11-04" aria-current="date">'
        '<span class="visually-hidden">As of the </span>Nov 4'
        '<span class="visually-hidden"> review</span></a>'
    ) in page
    assert [day for day, _ in response.context["review_links"]] == [D(2026, 10, 21), D(2026, 11, 4)]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("2026-11-30", "30 Nov 2026 is in the future: showing the live figures."),
        ("last tuesday", "“last tuesday” is not a date (YYYY-MM-DD): showing the live figures."),
        ("2026-07-01", "1 Jul 2026 is not in 2026 Q4"),
    ],
)
def test_a_bad_day_shows_the_live_page_with_a_message(client, lead, dated, raw, says):
    client.force_login(lead)
    response = client.get(URL, {"as_of": raw})
    assert response.context["as_of"] is None
    assert says in text(response)
    assert figures(response).startswith("1 of 2 done")


@pytest.mark.parametrize("size", [1, 15])
def test_the_as_of_team_page_costs_the_same_queries_whatever_the_size(
    client, lead, engineer, team, django_assert_num_queries, size
):
    quarter = quarter_on(D(2026, 10, 1))
    other = TeamFactory(name="Billing")
    for n in range(size):
        milestone = milestone_on(D(2026, 10, 1), team, quarter, owner=engineer, position=n)
        save_on(
            milestone, D(2026, 10, 9), target_date=milestone.target_date + datetime.timedelta(3)
        )
        late = milestone.target_date + datetime.timedelta(days=9)
        upstream = milestone_on(
            D(2026, 10, 1), other, quarter, committed_date=late, target_date=late, position=n
        )
        add_dependency(downstream=milestone, upstream=upstream, user=None)
        Dependency.history.filter(downstream_id=milestone.pk).update(
            history_date=timezone.make_aware(datetime.datetime(2026, 10, 2, 9))
        )
    client.force_login(lead)
    # session, user, team + squad, members, quarters, the quarter's history, the milestones'
    # history with owners, the links' history, the upstreams' history with their teams and
    # quarters, the team's review days (its review status on the day and the quick links) and
    # the review calls
    with django_assert_num_queries(11):
        response = client.get(URL, {"as_of": "2026-10-10"})
    assert figures(response).startswith(f"0 of {size} done")
    assert response.context["figures"].slips == size
    assert response.content.decode().count('data-testid="dependency-risk"') == size
