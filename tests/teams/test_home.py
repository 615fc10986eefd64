from tests.factories import MembershipFactory, TeamFactory


def test_leadership_lands_on_the_dashboard(client, vp):
    client.force_login(vp)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_tech_lead_lands_on_their_team(client, lead, team):
    client.force_login(lead)
    assert client.get("/")["Location"] == f"/teams/{team.slug}/"


def test_engineer_lands_on_their_team(client, engineer, team):
    client.force_login(engineer)
    assert client.get("/")["Location"] == f"/teams/{team.slug}/"


def test_someone_on_no_team_lands_on_the_teams_list(client, loner):
    client.force_login(loner)
    assert client.get("/")["Location"] == "/teams/"


def test_a_member_of_an_inactive_team_lands_on_the_teams_list(client, loner):
    MembershipFactory(user=loner, team=TeamFactory(active=False))
    client.force_login(loner)
    assert client.get("/")["Location"] == "/teams/"


def test_sign_out_is_a_post(client, lead):
    client.force_login(lead)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
