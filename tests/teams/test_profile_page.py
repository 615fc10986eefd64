"""The profile page: one's name, e-mail and team, and the opt-out of the reminder e-mails."""

import re

import pytest
from django.urls import reverse

PROFILE = "/accounts/profile/"


def checkbox(page: str) -> str:
    return re.search(r'<input type="checkbox" name="nudges_opt_out"[^>]*>', page).group(0)


def test_the_profile_lives_at_accounts_profile():
    assert reverse("profile") == PROFILE


def test_it_shows_the_name_e_mail_team_and_the_opt_out(client, lead, team):
    client.force_login(lead)
    response = client.get(PROFILE)
    assert response.status_code == 200
    page = response.content.decode()
    assert lead.name in page
    assert lead.email in page
    assert f'href="{team.get_absolute_url()}"' in page
    assert "Tech lead" in page
    assert 'name="nudges_opt_out"' in page
    assert "Send me no reminder e-mails" in page
    assert "csrfmiddlewaretoken" in page


@pytest.mark.parametrize(
    ("data", "opted_out", "said"),
    [
        ({"nudges_opt_out": "on"}, True, "Milepost will send you no reminder e-mails."),
        ({}, False, "Nothing changed in your profile."),
    ],
)
def test_posting_the_form_sets_the_opt_out_and_says_so(client, engineer, data, opted_out, said):
    client.force_login(engineer)
    response = client.post(PROFILE, data, follow=True)
    assert response.redirect_chain == [(PROFILE, 302)]
    page = response.content.decode()
    assert said in page
    assert ("checked" in checkbox(page)) is opted_out
    engineer.refresh_from_db()
    assert engineer.nudges_opt_out is opted_out


def test_unticking_the_box_turns_the_reminders_back_on(client, engineer):
    engineer.nudges_opt_out = True
    engineer.save()
    client.force_login(engineer)
    response = client.post(PROFILE, {}, follow=True)
    assert "Milepost will send you reminder e-mails again." in response.content.decode()
    engineer.refresh_from_db()
    assert engineer.nudges_opt_out is False
    assert "checked" not in checkbox(response.content.decode())


def test_only_ones_own_profile_changes(client, engineer, other_engineer):
    client.force_login(engineer)
    client.post(PROFILE, {"nudges_opt_out": "on", "username": other_engineer.username})
    other_engineer.refresh_from_db()
    assert other_engineer.nudges_opt_out is False


def test_the_header_links_the_signed_in_name_to_the_profile(client, loner):
    client.force_login(loner)
    page = client.get(reverse("teams:list")).content.decode()
    assert f'<a href="{PROFILE}"' in page
    assert loner.name in page
    assert "none" in client.get(PROFILE).content.decode()  # on no team


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_it_links_to_changing_ones_password(client, engineer):
    client.force_login(engineer)
    page = client.get(PROFILE).content.decode()
    assert f'href="{reverse("password_change")}"' in page
    assert "Change your password" in page


def test_someone_without_a_password_is_offered_to_set_one(client, engineer):
    engineer.set_unusable_password()
    engineer.save()
    client.force_login(engineer)
    page = client.get(PROFILE).content.decode()
    assert "You have no password yet." in page
    assert "Forgot your password, or never had one?" in page
    assert reverse("password_change") not in page


def test_it_says_when_one_signs_in_with_google(client, engineer, oidc_provider):
    from allauth.socialaccount.models import SocialAccount

    SocialAccount.objects.create(user=engineer, provider="google", uid="google-1")
    client.force_login(engineer)
    page = client.get(PROFILE).content.decode()
    assert f"You sign in with your Google account ({engineer.email})." in page
    assert "You can also sign in with your username and password." in page


def test_with_password_sign_in_off_no_password_is_offered(client, engineer, settings):
    settings.MILEPOST_PASSWORD_SIGN_IN = False
    client.force_login(engineer)
    page = client.get(PROFILE).content.decode()
    assert reverse("password_change") not in page
    assert "username and password" not in page
