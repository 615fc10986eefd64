"""`manage.py prune_sign_in_failures`: the cron job that forgets failed sign-ins (known
browsers' too) and password-reset requests after a day."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from teams.models import DeviceSignInFailure, PasswordResetRequest, SignInFailure


def failures_at(*hours_ago: int) -> None:
    now = timezone.now()
    for hours in hours_ago:
        SignInFailure.objects.create(
            username="mobrien", address="127.0.0.1", at=now - datetime.timedelta(hours=hours)
        )


def test_it_deletes_failures_older_than_a_day_and_says_how_many(db, capsys):
    failures_at(30, 25, 2)
    call_command("prune_sign_in_failures")
    assert "Deleted 2 failed sign-ins older than a day." in capsys.readouterr().out
    assert SignInFailure.objects.count() == 1


def test_a_dry_run_deletes_nothing(db, capsys):
    failures_at(30)
    call_command("prune_sign_in_failures", "--dry-run")
    assert "Would delete 1 failed sign-in older than a day." in capsys.readouterr().out
    assert SignInFailure.objects.count() == 1


def test_it_is_quiet_at_verbosity_zero(db, capsys):
    failures_at(30)
    call_command("prune_sign_in_failures", verbosity=0)
    assert capsys.readouterr().out == ""
    assert SignInFailure.objects.count() == 0


def test_it_deletes_known_browsers_failures_and_reset_requests_older_than_a_day(db, capsys):
    now = timezone.now()
    for hours in (30, 2):
        at = now - datetime.timedelta(hours=hours)
        DeviceSignInFailure.objects.create(device="n", username="mobrien", address="::1", at=at)
        PasswordResetRequest.objects.create(email="m@x.org", address="::1", at=at, allowed=True)
    call_command("prune_sign_in_failures")
    out = capsys.readouterr().out
    assert "Deleted 1 failed sign-in older than a day." in out
    assert "Deleted 1 password-reset request older than a day." in out
    assert DeviceSignInFailure.objects.count() == PasswordResetRequest.objects.count() == 1
