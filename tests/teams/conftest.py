"""Fixtures of the teams app's tests."""

import pytest


@pytest.fixture
def sign_in_rules(settings):
    """The sign-in throttle's rules at their documented defaults, whatever the environment
    says (`teams.throttle`, README "Sign-in throttling")."""
    settings.MILEPOST_SIGNIN_FREE_FAILURES = 3
    settings.MILEPOST_SIGNIN_MAX_DELAY_SECONDS = 60
    settings.MILEPOST_SIGNIN_ADDRESS_ACCOUNTS = 10
    settings.MILEPOST_SIGNIN_ADDRESS_BLOCK_MINUTES = 15
    settings.MILEPOST_SIGNIN_DEVICE_DAYS = 365
    settings.MILEPOST_SIGNIN_DEVICE_FAILURES = 10
