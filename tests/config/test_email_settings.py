"""E-mail settings come from the environment: the console in development, SMTP in production."""

import pytest

from tests.config.test_settings import PRODUCTION, manage

PRINT = (
    "from django.conf import settings as s; "
    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
    "s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL, s.MILEPOST_BASE_URL, s.MILEPOST_DIGEST_WEEKDAY, "
    "sep='|')"
)


def settings_in(env: dict) -> list[str]:
    result = manage("shell", "-c", PRINT, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split("|")


def test_development_prints_e_mails_to_the_console():
    values = settings_in({"DJANGO_DEBUG": "1"})
    assert values[0] == "django.core.mail.backends.console.EmailBackend"
    assert values[7:] == ["http://127.0.0.1:8000", "0"]


def test_production_sends_through_smtp_configured_from_the_environment(tmp_path):
    password = tmp_path / "smtp-password"
    password.write_text("s3cret\n")
    env = PRODUCTION | {
        "DJANGO_EMAIL_HOST": "smtp.example.com",
        "DJANGO_EMAIL_PORT": "587",
        "DJANGO_EMAIL_HOST_USER": "milepost",
        "DJANGO_EMAIL_HOST_PASSWORD_FILE": str(password),
        "DJANGO_EMAIL_USE_TLS": "1",
        "MILEPOST_FROM_EMAIL": "Milepost <milepost@example.com>",
        "MILEPOST_BASE_URL": "https://milepost.example.com/",
        "MILEPOST_DIGEST_WEEKDAY": "4",
    }
    assert settings_in(env) == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.com",
        "587",
        "milepost",
        "s3cret",
        "True",
        "Milepost <milepost@example.com>",
        "https://milepost.example.com",
        "4",
    ]
    check = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MILEPOST_DIGEST_WEEKDAY": "7"}, "MILEPOST_DIGEST_WEEKDAY must be between 0"),
        ({"MILEPOST_BASE_URL": "milepost.example.com"}, "is not an http:// or https://"),
        ({"DJANGO_EMAIL_USE_TLS": "1", "DJANGO_EMAIL_USE_SSL": "1"}, "not both"),
    ],
)
def test_a_bad_e_mail_setting_stops_start_up(env, message):
    result = manage("check", env=PRODUCTION | env)
    assert result.returncode != 0
    assert message in result.stderr
