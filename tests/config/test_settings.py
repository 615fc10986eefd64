"""Settings come from the environment, and production settings pass Django's deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-real-production-secret-" + "x7Gq2pLm9Zr4Tt8Yw1Nc5Vb3Kd6Hs0Jf" * 2,
    "DJANGO_ALLOWED_HOSTS": "milepost.example.com",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_debug_a_secret_key_is_required():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_bad_boolean_stops_start_up_with_its_name(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='maybe' is not a boolean"):
        env_bool("DJANGO_DEBUG")


def test_a_bad_number_stops_start_up_with_its_name(monkeypatch):
    monkeypatch.setenv("DJANGO_CONN_MAX_AGE", "sixty")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("DJANGO_CONN_MAX_AGE", 60)
    monkeypatch.setenv("DJANGO_CONN_MAX_AGE", "-1")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0)


def test_lists_are_comma_separated(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "a.example.com, b.example.com,")
    assert env_list("DJANGO_ALLOWED_HOSTS") == ["a.example.com", "b.example.com"]


def test_a_secret_can_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("DJANGO_SECRET_KEY_FILE", str(secret))
    assert env_secret("DJANGO_SECRET_KEY") == "from-a-file"
    monkeypatch.setenv("DJANGO_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env_secret("DJANGO_SECRET_KEY")


def test_sqlite_is_configured_for_a_web_app(settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("runs on SQLite")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] >= 5


def test_the_sync_lock_lease_is_read_from_the_environment():
    code = "from django.conf import settings; print(settings.MILEPOST_SYNC_LOCK_SECONDS)"
    env = {**PRODUCTION, "MILEPOST_SYNC_LOCK_SECONDS": "120"}
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "120"
    result = manage("check", env={**PRODUCTION, "MILEPOST_SYNC_LOCK_SECONDS": "5"})
    assert result.returncode != 0
    assert "MILEPOST_SYNC_LOCK_SECONDS=5 must be at least 30" in result.stderr


def test_google_sign_in_needs_its_secret_and_allowed_domains():
    result = manage("check", env={**PRODUCTION, "MILEPOST_GOOGLE_CLIENT_ID": "id.apps.example"})
    assert result.returncode != 0
    assert "MILEPOST_GOOGLE_ALLOWED_DOMAINS" in result.stderr


def test_production_settings_with_google_only_pass_the_deploy_check():
    env = {
        **PRODUCTION,
        "MILEPOST_GOOGLE_CLIENT_ID": "id.apps.example",
        "MILEPOST_GOOGLE_CLIENT_SECRET": "a-secret",
        "MILEPOST_GOOGLE_ALLOWED_DOMAINS": "example.com",
        "MILEPOST_PASSWORD_SIGN_IN": "0",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_password_sign_in_cannot_be_turned_off_without_google():
    result = manage("check", env={**PRODUCTION, "MILEPOST_PASSWORD_SIGN_IN": "0"})
    assert result.returncode != 0
    assert "nobody could sign in" in result.stderr


def test_the_organisations_slack_webhook_must_be_slacks():
    bad = {**PRODUCTION, "MILEPOST_SLACK_WEBHOOK_URL": "http://example.com/services/T1/B1/x"}
    result = manage("check", env=bad)
    assert result.returncode != 0
    assert "MILEPOST_SLACK_WEBHOOK_URL must be a Slack incoming webhook" in result.stderr
    good = {**PRODUCTION, "MILEPOST_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"}
    assert manage("check", env=good).returncode == 0
