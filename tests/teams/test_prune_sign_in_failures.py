"""`manage.py prune_sign_in_failures`: the cron job that forgets failed sign-ins after a day."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from teams.models import SignInFailure


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
