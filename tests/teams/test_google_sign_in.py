"""Sign in with Google (`teams.google`), end to end against the tests' own OpenID Connect
provider on loopback (tests/oidc_provider.py): allauth's real views, HTTP to the provider."""

from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from tests.factories import UserFactory
from tests.html import text

LOGIN = "/accounts/oidc/google/login/"


def sign_in_with_google(client, provider):
    """Press the button, let the provider answer, follow it back: the app's last response."""
    response = client.post(LOGIN)
    assert response.status_code == 302, response.content
    authorize = response["Location"]
    assert authorize.startswith(provider.url + "/authorize?")
    answer = requests.get(authorize, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/accounts/oidc/google/login/callback/"
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def maeve(db):
    return UserFactory(username="mobrien", email="Maeve.OBrien@example.com")


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_the_sign_in_page_offers_google_when_it_is_configured(client, oidc_provider):
    page = client.get(reverse("login")).content.decode()
    assert f'action="{LOGIN}"' in page
    assert "Sign in with Google" in page


def test_without_a_client_id_there_is_no_google_button(client, db):
    assert "Sign in with Google" not in client.get(reverse("login")).content.decode()
    assert client.post(LOGIN).status_code == 404


def test_a_roster_person_signs_in_with_their_google_account(client, oidc_provider, maeve):
    oidc_provider.sign_in_as("maeve.obrien@example.com")
    response = sign_in_with_google(client, oidc_provider)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_as(client) == str(maeve.pk)
    assert ("POST", "/token") in oidc_provider.requests
    assert SocialAccount.objects.get(user=maeve).uid == "google-maeve.obrien@example.com"


def test_the_link_is_kept_so_a_changed_address_still_signs_in(client, oidc_provider, maeve):
    oidc_provider.sign_in_as("maeve.obrien@example.com")
    sign_in_with_google(client, oidc_provider)
    client.logout()
    maeve.email = "maeve@example.com"
    maeve.save()
    sign_in_with_google(client, oidc_provider)
    assert signed_in_as(client) == str(maeve.pk)


def test_an_unknown_address_creates_nobody_and_says_to_ask_leadership(client, oidc_provider, maeve):
    oidc_provider.sign_in_as("stranger@example.com")
    response = sign_in_with_google(client, oidc_provider)
    assert response.status_code == 403
    page = text(response)
    assert "Nobody in Milepost has the address stranger@example.com" in page
    assert "Ask leadership" in page
    assert signed_in_as(client) is None
    assert SocialAccount.objects.count() == 0
    assert not type(maeve).objects.filter(email="stranger@example.com").exists()


def test_an_address_outside_the_allowed_domains_is_refused(client, oidc_provider, db):
    UserFactory(username="gm", email="someone@gmail.com")
    oidc_provider.sign_in_as("someone@gmail.com")
    response = sign_in_with_google(client, oidc_provider)
    assert response.status_code == 403
    assert "is not an address of example.com" in text(response)
    assert signed_in_as(client) is None


def test_an_unverified_address_is_refused(client, oidc_provider, maeve):
    oidc_provider.sign_in_as("maeve.obrien@example.com", verified=False)
    response = sign_in_with_google(client, oidc_provider)
    assert response.status_code == 403
    assert "did not confirm an e-mail address" in text(response)


def test_an_address_two_people_share_is_refused(client, oidc_provider, maeve):
    UserFactory(username="mobrien2", email="maeve.obrien@example.com")
    oidc_provider.sign_in_as("maeve.obrien@example.com")
    response = sign_in_with_google(client, oidc_provider)
    assert response.status_code == 403
    assert "belongs to 2 people" in text(response)


def test_a_leaver_cannot_sign_in_with_google(client, oidc_provider, maeve):
    oidc_provider.sign_in_as("maeve.obrien@example.com")
    sign_in_with_google(client, oidc_provider)
    client.logout()
    maeve.is_active = False
    maeve.save()
    response = sign_in_with_google(client, oidc_provider)
    assert response.status_code == 403
    assert "listed as having left" in text(response)
    assert signed_in_as(client) is None


def test_cancelling_at_google_comes_back_to_a_clear_page(client, oidc_provider, maeve):
    oidc_provider.cancel = True
    response = sign_in_with_google(client, oidc_provider)
    assert response.status_code == 400
    assert "You cancelled signing in with Google" in text(response)


def test_a_code_works_once(client, oidc_provider, maeve):
    oidc_provider.sign_in_as("maeve.obrien@example.com")
    response = client.post(LOGIN)
    answer = requests.get(response["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    client.get(f"{back.path}?{back.query}")
    client.logout()
    replay = client.get(f"{back.path}?{back.query}")
    assert signed_in_as(client) is None
    assert replay.status_code == 400


def test_with_password_sign_in_off_only_google_signs_in(client, oidc_provider, maeve, settings):
    settings.MILEPOST_PASSWORD_SIGN_IN = False
    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' not in page
    assert "Google account only" in page
    response = client.post(reverse("login"), {"username": "mobrien", "password": "password"})
    assert response.status_code == 403
    assert signed_in_as(client) is None
    assert client.get("/accounts/password/reset/").status_code == 404
    oidc_provider.sign_in_as("maeve.obrien@example.com")
    sign_in_with_google(client, oidc_provider)
    assert signed_in_as(client) == str(maeve.pk)
