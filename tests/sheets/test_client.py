"""sheets.client: which credentials, where requests go, retries and our errors."""

import datetime as dt
import email.utils
import json
import socket

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.credentials import AnonymousCredentials
from google.oauth2 import service_account
from gspread.exceptions import APIError

from sheets.client import (
    SCOPES,
    RetryPolicy,
    SheetRequestRejected,
    SheetsHTTPClient,
    SheetUnavailable,
    get_client,
    open_spreadsheet,
    parse_retry_after,
)

Reason = SheetUnavailable.Reason


@pytest.fixture
def google_settings(settings):
    settings.MILEPOST_SHEETS_API_URL = "https://sheets.googleapis.com"
    settings.MILEPOST_SHEET_KEY = "the-real-sheet"
    return settings


@pytest.fixture
def service_account_file(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path / "service-account.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "milepost-test",
                "private_key_id": "0123456789abcdef",
                "private_key": pem,
                "client_email": "milepost-sync@milepost-test.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    return path


# --- which credentials, which URL -----------------------------------------------------------


def test_the_emulator_is_reached_anonymously_at_its_url(sheets_settings, sheets_emulator):
    http_client = get_client().http_client

    assert isinstance(http_client, SheetsHTTPClient)
    assert isinstance(http_client.auth, AnonymousCredentials)
    assert http_client.url_for("https://sheets.googleapis.com/v4/spreadsheets/abc") == (
        f"{sheets_emulator.url}/v4/spreadsheets/abc"
    )


def test_a_trailing_slash_on_the_api_url_is_ignored(sheets_settings, sheets_emulator):
    sheets_settings.MILEPOST_SHEETS_API_URL = sheets_emulator.url + "/"

    assert open_spreadsheet().title == "Eng Milestones FY26"


def test_google_is_reached_with_the_service_account_and_the_spreadsheets_scope(
    google_settings, service_account_file
):
    google_settings.GOOGLE_APPLICATION_CREDENTIALS = str(service_account_file)

    http_client = get_client().http_client

    assert isinstance(http_client.auth, service_account.Credentials)
    assert http_client.auth.service_account_email == (
        "milepost-sync@milepost-test.iam.gserviceaccount.com"
    )
    assert http_client.auth.scopes == SCOPES == ["https://www.googleapis.com/auth/spreadsheets"]
    assert http_client.url_for("https://sheets.googleapis.com/v4/spreadsheets/abc") == (
        "https://sheets.googleapis.com/v4/spreadsheets/abc"
    )


def test_google_without_credentials_says_which_setting_to_set(google_settings):
    google_settings.GOOGLE_APPLICATION_CREDENTIALS = ""

    with pytest.raises(SheetUnavailable) as caught:
        get_client()

    assert caught.value.reason is Reason.NO_CREDENTIALS
    assert str(caught.value) == (
        "GOOGLE_APPLICATION_CREDENTIALS is not set: set it to the path of the Google "
        "service-account JSON key the spreadsheet is shared with."
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "there is no such file"),
        ("not json", "it is not a Google service-account JSON key"),
        ('{"type": "service_account"}', "it is not a Google service-account JSON key"),
    ],
)
def test_unusable_credentials_files_are_named_with_the_problem(
    google_settings, tmp_path, content, problem
):
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content)
    google_settings.GOOGLE_APPLICATION_CREDENTIALS = str(path)

    with pytest.raises(SheetUnavailable) as caught:
        get_client()

    assert caught.value.reason is Reason.BAD_CREDENTIALS
    assert str(caught.value).startswith(
        f"The credentials file {path} (GOOGLE_APPLICATION_CREDENTIALS) cannot be used: {problem}"
    )


# --- opening the spreadsheet ----------------------------------------------------------------


def test_open_spreadsheet_opens_the_configured_key_and_its_tabs_in_one_request(
    sheets_settings, sheets_emulator
):
    spreadsheet = open_spreadsheet()

    assert spreadsheet.id == "sample-leadership-sheet"
    assert [(tab.title, tab.id, tab.index) for tab in spreadsheet.tabs[:3]] == [
        ("Summary", 0, 0),
        ("Platform", 1, 1),
        ("Conversations", 2, 2),
    ]
    assert sheets_emulator.stats()["by_kind"] == {"spreadsheets.get": 1}


def test_the_tabs_follow_the_last_full_metadata_read(spreadsheet):
    spreadsheet.add_worksheet("Added", rows=10, cols=3)

    spreadsheet.worksheets()

    assert spreadsheet.tabs[-1].title == "Added"


def test_open_spreadsheet_without_a_key_is_not_configured(sheets_settings):
    sheets_settings.MILEPOST_SHEET_KEY = ""

    with pytest.raises(SheetUnavailable) as caught:
        open_spreadsheet()

    assert caught.value.reason is Reason.NOT_CONFIGURED
    assert "set MILEPOST_SHEET_KEY" in str(caught.value)


def test_an_unknown_key_is_not_found(sheets_settings, sheets_emulator):
    with pytest.raises(SheetUnavailable) as caught:
        open_spreadsheet("no-such-sheet")

    assert caught.value.reason is Reason.NOT_FOUND
    assert caught.value.status_code == 404
    assert str(caught.value) == (
        f"Spreadsheet 'no-such-sheet' was not found at the Sheets API emulator "
        f"{sheets_emulator.url}. Check MILEPOST_SHEET_KEY."
    )


def test_a_sheet_not_shared_with_the_account_is_forbidden(sheets_settings, sheets_emulator):
    sheets_emulator.inject_faults(403, message="The caller does not have permission")

    with pytest.raises(SheetUnavailable) as caught:
        open_spreadsheet()

    assert caught.value.reason is Reason.FORBIDDEN
    assert str(caught.value) == (
        "Spreadsheet 'sample-leadership-sheet' is not shared with the service account."
    )


# --- retries --------------------------------------------------------------------------------


def test_a_429_then_success_is_retried_and_succeeds(sheets_settings, sheets_emulator, retry_clock):
    sheets_emulator.inject_faults(429)

    spreadsheet = open_spreadsheet()

    assert spreadsheet.title == "Eng Milestones FY26"
    assert retry_clock.sleeps == [0.5]  # base 1s * 2^0, times the jitter draw 0.5
    assert sheets_emulator.stats()["by_status"] == {"200": 1, "429": 1}


def test_retry_after_is_waited_as_asked(sheets_settings, sheets_emulator, retry_clock):
    sheets_emulator.inject_faults(503, count=2, retry_after=7)

    open_spreadsheet()

    assert retry_clock.sleeps == [7, 7]


def test_a_persistent_500_becomes_sheet_unavailable_after_the_last_attempt(
    sheets_settings, sheets_emulator, retry_clock
):
    sheets_settings.MILEPOST_SHEETS_MAX_ATTEMPTS = 4
    sheets_emulator.inject_faults(500, count=100)

    with pytest.raises(SheetUnavailable) as caught:
        open_spreadsheet()

    assert caught.value.reason is Reason.UNAVAILABLE
    assert caught.value.status_code == 500
    assert str(caught.value) == (
        "Google Sheets did not answer GET /v4/spreadsheets/sample-leadership-sheet after 4 "
        "attempts in 3.5s (last: HTTP 500 INTERNAL: Internal error encountered.)."
    )
    assert retry_clock.sleeps == [0.5, 1.0, 2.0]
    assert sheets_emulator.stats()["total"] == 4


def test_the_backoff_doubles_up_to_its_cap(sheets_settings, sheets_emulator, retry_clock):
    sheets_settings.MILEPOST_SHEETS_BACKOFF_BASE = 2.0
    sheets_settings.MILEPOST_SHEETS_BACKOFF_MAX = 10.0
    sheets_emulator.inject_faults(502, count=5)

    open_spreadsheet()

    # Full jitter (draw 0.5) of min(10, 2 * 2^n): ceilings 2, 4, 8, 10, 10.
    assert retry_clock.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_retrying_stops_before_the_deadline_would_pass(
    sheets_settings, sheets_emulator, retry_clock
):
    sheets_settings.MILEPOST_SHEETS_RETRY_DEADLINE = 5.0
    retry_clock.jitter = 1.0
    sheets_emulator.inject_faults(503, count=100)

    with pytest.raises(SheetUnavailable) as caught:
        open_spreadsheet()

    # Waits of 1 and 2 seconds fit in 5; the next, 4 more, would not.
    assert retry_clock.sleeps == [1.0, 2.0]
    assert "after 3 attempts in 3.0s" in str(caught.value)


def test_a_retry_after_beyond_the_deadline_gives_up_at_once(
    sheets_settings, sheets_emulator, retry_clock
):
    sheets_emulator.inject_faults(429, retry_after=3600)

    with pytest.raises(SheetUnavailable) as caught:
        open_spreadsheet()

    assert retry_clock.sleeps == []
    assert caught.value.status_code == 429


def test_a_refused_request_is_not_retried(spreadsheet, sheets_emulator, retry_clock):
    sheets_emulator.reset_stats()

    with pytest.raises(SheetRequestRejected) as caught:
        spreadsheet.values_get("'Nope'!A1")

    assert isinstance(caught.value, APIError)
    assert caught.value.reason is Reason.REJECTED
    assert caught.value.response.status_code == 400
    assert str(caught.value) == (
        "Google Sheets refused a request (HTTP 400 INVALID_ARGUMENT: Unable to parse range: "
        "'Nope'!A1). GET /v4/spreadsheets/sample-leadership-sheet/values/'Nope'!A1"
    )
    assert retry_clock.sleeps == []
    assert sheets_emulator.stats()["total"] == 1


def test_an_unreachable_api_is_unavailable_after_the_retries(sheets_settings, retry_clock):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    sheets_settings.MILEPOST_SHEETS_API_URL = f"http://127.0.0.1:{port}"
    sheets_settings.MILEPOST_SHEETS_MAX_ATTEMPTS = 2

    with pytest.raises(SheetUnavailable) as caught:
        open_spreadsheet()

    assert caught.value.reason is Reason.UNAVAILABLE
    assert caught.value.status_code is None
    assert "after 2 attempts" in str(caught.value)
    assert "(last: ConnectionError:" in str(caught.value)
    assert retry_clock.sleeps == [0.5]


def test_a_hanging_request_times_out_and_is_retried(sheets_settings, sheets_emulator, retry_clock):
    sheets_settings.MILEPOST_SHEETS_TIMEOUT = 0.2
    sheets_emulator.inject_faults(None, delay=30)

    spreadsheet = open_spreadsheet()

    assert spreadsheet.title == "Eng Milestones FY26"
    assert retry_clock.sleeps == [0.5]


# --- the pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failed_attempts", "jitter", "expected"),
    [(1, 0.0, 0.0), (1, 0.999, 0.999), (3, 0.5, 2.0), (6, 0.5, 16.0), (9, 1.0, 32.0)],
)
def test_full_jitter_draws_up_to_the_doubled_base_capped(failed_attempts, jitter, expected):
    policy = RetryPolicy(max_attempts=10, backoff_base=1.0, backoff_max=32.0, deadline=120.0)

    assert policy.delay(failed_attempts, retry_after=None, jitter=jitter) == pytest.approx(expected)


def test_retry_after_wins_over_the_backoff():
    policy = RetryPolicy(max_attempts=6, backoff_base=1.0, backoff_max=32.0, deadline=120.0)

    assert policy.delay(1, retry_after=45.0, jitter=0.5) == 45.0


def test_parse_retry_after_reads_seconds_and_http_dates():
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    later = email.utils.format_datetime(now + dt.timedelta(seconds=30), usegmt=True)

    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(later, now=now.timestamp()) == 30.0
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
