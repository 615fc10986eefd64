"""teams 0006 adds two tables of its own (a known browser's failed sign-ins, and password-reset
requests): every person and every failed sign-in is kept, and the new tables start empty."""

import datetime

import pytest
from django.utils import timezone


@pytest.mark.django_db(transaction=True)
def test_adding_device_failures_and_reset_requests_keeps_people_and_failed_sign_ins(migrator):
    old = migrator.apply_tested_migration([("teams", "0005_slack_preferences")])
    User = old.apps.get_model("teams", "User")
    SignInFailure = old.apps.get_model("teams", "SignInFailure")
    User.objects.create(username="ada", display_name="Ada", email="ada@example.com")
    at = timezone.now() - datetime.timedelta(minutes=5)
    SignInFailure.objects.create(username="ada", address="203.0.113.7", at=at)

    new = migrator.apply_tested_migration([("teams", "0006_device_failures_and_reset_requests")])
    User = new.apps.get_model("teams", "User")
    SignInFailure = new.apps.get_model("teams", "SignInFailure")
    DeviceSignInFailure = new.apps.get_model("teams", "DeviceSignInFailure")
    PasswordResetRequest = new.apps.get_model("teams", "PasswordResetRequest")
    assert list(User.objects.values_list("username", "email")) == [("ada", "ada@example.com")]
    assert list(SignInFailure.objects.values_list("username", "address", "at")) == [
        ("ada", "203.0.113.7", at)
    ]
    assert DeviceSignInFailure.objects.count() == PasswordResetRequest.objects.count() == 0
    DeviceSignInFailure.objects.create(device="n", username="ada", address="::1", at=at)
    PasswordResetRequest.objects.create(email="ada@example.com", address="::1", at=at, allowed=True)
    assert DeviceSignInFailure.objects.count() == PasswordResetRequest.objects.count() == 1
