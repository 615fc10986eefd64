from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from milestones.selectors import teams_with_members
from teams.models import Membership, Squad, Team, User
from teams.roster import import_roster
from tests.factories import TeamFactory, TechLeadFactory, UserFactory

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "roster.csv"
HEADER = "team,squad,role,name,email\n"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_roster", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    return (
        sorted(Squad.objects.values_list("name", flat=True)),
        sorted(Team.objects.values_list("name", "squad__name", "active")),
        sorted(User.objects.values_list("username", "display_name", "email", "is_leadership")),
        sorted(Membership.objects.values_list("team__name", "user__username", "role", "active")),
    )


def test_sample_roster_builds_22_teams_in_5_squads_with_one_pair(db):
    run(str(SAMPLE))
    teams = list(teams_with_members())
    assert len(teams) == 22
    assert Squad.objects.count() == 5
    assert [t.name for t in teams if not t.is_trio] == ["Search"]
    assert User.objects.filter(is_leadership=True).count() == 2


def test_second_run_changes_nothing(db):
    run(str(SAMPLE))
    before = snapshot()
    out, _ = run(str(SAMPLE))
    assert "Nothing to change" in out
    assert snapshot() == before


def test_one_address_for_two_people_keeps_both_and_warns(db):
    _, err = run(str(SAMPLE))
    assert "ladeyemi@example.com is also the address of Lena Adeyemi" in err
    lena = User.objects.get(display_name="Lena Adeyemi")
    luca = User.objects.get(display_name="Luca Adeyemi")
    assert lena.memberships.get(active=True).team.name == "Playbooks"
    assert luca.memberships.get(active=True).role == "tech_lead"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Platform,Engage,lead,Ann Lee,alee@example.com", "line 3: unknown role 'lead'"),
        ("Platform,Engage,engineer,Ann Lee,", "line 3: missing email for Ann Lee"),
        ("Platform,Engage,engineer,Ann Lee,not-an-address", "'not-an-address' is not an e-mail"),
        (
            "Platform,Engage,tech_lead,Ann Lee,alee@example.com",
            "line 3: a second tech lead for Platform: Mo Bri is its tech lead on line 2",
        ),
        (",Engage,engineer,Ann Lee,alee@example.com", "line 3: Ann Lee, an engineer, needs a team"),
        ("Platform,Convert,engineer,Ann Lee,alee@example.com", "team Platform is in squad Engage"),
    ],
)
def test_a_bad_row_is_reported_by_line_and_nothing_is_applied(db, tmp_path, row, message):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "Platform,Engage,tech_lead,Mo Bri,mo@example.com\n" + row + "\n")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was applied"):
        call_command("import_roster", str(roster), stdout=StringIO(), stderr=err)
    assert message in err.getvalue()
    assert not Team.objects.exists()
    assert not User.objects.exists()


def test_partial_applies_the_good_rows_and_still_reports_the_bad(db, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        HEADER
        + "Platform,Engage,tech_lead,Mo Bri,mo@example.com\n"
        + "Platform,Engage,wizard,Ann Lee,alee@example.com\n"
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_roster", str(roster), "--partial", stdout=StringIO(), stderr=err)
    assert "line 3: unknown role 'wizard'" in err.getvalue()
    assert Team.objects.get().tech_lead.display_name == "Mo Bri"


def test_dry_run_reports_and_changes_nothing(db):
    out, _ = run(str(SAMPLE), "--dry-run")
    assert "Would apply" in out
    assert "created team Platform in Engage" in out
    assert not Team.objects.exists()


def test_a_new_tech_lead_replaces_the_old_one(db, tmp_path):
    team = TeamFactory(name="Platform", squad__name="Engage")
    old = TechLeadFactory(team=team, user=UserFactory(display_name="Old Lead")).user
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "Platform,Engage,tech_lead,New Lead,new@example.com\n")
    out, _ = run(str(roster), "-v", "2")
    assert "ended Old Lead as tech lead of Platform" in out
    team.refresh_from_db()
    assert Team.objects.get(pk=team.pk).tech_lead.display_name == "New Lead"
    assert not old.memberships.filter(active=True).exists()


def test_moving_a_person_to_another_team_ends_the_old_membership(db, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "Platform,Engage,engineer,Ann Lee,alee@example.com\n")
    run(str(roster))
    roster.write_text(HEADER + "Billing,Convert,engineer,Ann Lee,alee@example.com\n")
    run(str(roster))
    ann = User.objects.get(display_name="Ann Lee")
    assert ann.memberships.get(active=True).team.name == "Billing"
    assert ann.memberships.filter(active=False, team__name="Platform").exists()


def test_squad_roles_are_set_on_the_squad(db, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + ",Engage,product_manager,Pam Pm,pam@example.com\n")
    run(str(roster))
    assert Squad.objects.get(name="Engage").product_manager.display_name == "Pam Pm"


def test_a_file_with_the_wrong_header_gets_one_clear_message(db, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,email\nAnn,ann@example.com\n")
    with pytest.raises(CommandError, match="lacks the column"):
        run(str(roster))


def test_a_missing_file_gets_a_clear_message(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "nope.csv"))


def test_a_file_that_is_not_utf8_gets_a_clear_message(db, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(
        HEADER.encode() + "Platform,Engage,engineer,Tomás,t@example.com\n".encode("latin-1")
    )
    with pytest.raises(CommandError, match="not UTF-8"):
        run(str(roster))


def test_import_service_reports_without_a_command(db):
    report = import_roster(HEADER + "Platform,Engage,engineer,Ann Lee,alee@example.com\n")
    assert report.applied
    assert not report.errors
    assert "added Ann Lee to Platform as engineer" in report.changes
