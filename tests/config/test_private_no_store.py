"""`config.middleware.PrivateNoStoreMiddleware`: no cache keeps what a signed-in person sees."""

from django.urls import reverse

from tests.factories import LeadershipFactory


def test_a_signed_in_page_is_private_and_not_stored(client, db):
    client.force_login(LeadershipFactory())
    response = client.get(reverse("teams:list"))
    assert response.status_code == 200
    assert set(response["Cache-Control"].split(", ")) >= {"private", "no-store"}


def test_a_csv_export_is_private_and_not_stored(client, quarter):
    client.force_login(LeadershipFactory())
    response = client.get(reverse("dashboard:teams_csv"), {"quarter": quarter.slug})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert set(response["Cache-Control"].split(", ")) >= {"private", "no-store"}
    assert "public" not in response["Cache-Control"]


def test_a_redirect_after_a_signed_in_post_is_private_too(client, db):
    client.force_login(LeadershipFactory())
    response = client.post(reverse("profile"), {"nudges_opt_out": "on"})
    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]
