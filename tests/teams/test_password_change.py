"""Changing one's own password (Django's PasswordChangeView, styled in templates/registration)."""

from django.urls import reverse

from tests.html import by_id, text
from tests.teams.history import history_lines

CHANGE = "/accounts/password/change/"


def change(client, old, new, again=None):
    return client.post(
        CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


def test_the_form_asks_for_the_current_password_and_the_new_one_twice(client, engineer):
    client.force_login(engineer)
    response = client.get(CHANGE)
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("Old password", "New password", "New password confirmation"):
        assert label in text(page)
    assert 'href="/accounts/profile/"' in page


def test_a_new_password_works_and_the_old_one_no_longer_does(client, engineer):
    client.force_login(engineer)
    response = change(client, "password", "a long new passphrase 42")
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert "Your new password works" in text(client.get(response["Location"]))
    engineer.refresh_from_db()
    assert engineer.check_password("a long new passphrase 42")
    assert not engineer.check_password("password")


def test_the_session_stays_signed_in_after_the_change(client, engineer):
    client.force_login(engineer)
    change(client, "password", "a long new passphrase 42")
    assert client.get(reverse("profile")).status_code == 200


def test_a_wrong_current_password_is_refused_beside_its_field(client, engineer):
    client.force_login(engineer)
    response = change(client, "not-it", "a long new passphrase 42")
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in text(
        by_id(response, "id_old_password_error")
    )
    engineer.refresh_from_db()
    assert engineer.check_password("password")


def test_a_weak_new_password_is_refused_with_the_reason(client, engineer):
    client.force_login(engineer)
    response = change(client, "password", "12345678")
    assert "This password is too common." in text(response)
    engineer.refresh_from_db()
    assert engineer.check_password("password")


def test_a_changed_password_is_one_line_of_the_persons_history_never_saved_unchanged(
    client, engineer, vp
):
    client.force_login(engineer)
    assert change(client, "password", "a long new passphrase 42").status_code == 302

    lines = history_lines(client, vp, engineer)
    assert lines[0] == f"{engineer.name} (web): password changed"
    assert not any("saved unchanged" in line for line in lines)
