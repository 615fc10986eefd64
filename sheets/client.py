"""The one door to the Google Sheets API: a gspread client, and the one exception of ours.

The sync calls ``open_spreadsheet()``, then the three calls it makes on what that returns:
``read_grid`` (every tab's cells in one ``spreadsheets.get``), ``update_structure`` (one
``spreadsheets.batchUpdate``) and ``update_values`` (one ``values:batchUpdate``);
``count_requests`` counts what they cost. The request bodies and the grid they answer are the
Sheets API's JSON resources, built and read by ``sheets.write`` and ``sheets.read``; gspread and
HTTP stay in here.

Whatever goes wrong on the way (no credentials, a spreadsheet not found or not shared, Google
still failing after the retries) comes out as ``SheetUnavailable`` with a ``reason`` and a
message fit for the sync run's log.

Where requests go is ``MILEPOST_SHEETS_API_URL``. Google's URL is reached with the
service-account file named by ``GOOGLE_APPLICATION_CREDENTIALS``; any other URL is taken to be
the local emulator (``manage.py sheets_emulator``) and reached anonymously.

Retries are ours, not gspread's: gspread 6.2.1's ``BackOffHTTPClient`` never gives up and
ignores ``Retry-After``. ``SheetsHTTPClient`` retries quota (429) and server (5xx) errors and
dropped connections with exponential backoff and full jitter, waits what ``Retry-After`` asks,
and stops after ``MILEPOST_SHEETS_MAX_ATTEMPTS`` attempts or ``MILEPOST_SHEETS_RETRY_DEADLINE``
seconds, whichever comes first.
"""

import email.utils
import logging
import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, urlsplit

import google.auth.exceptions
import gspread
import requests
from django.conf import settings
from google.auth.credentials import AnonymousCredentials, Credentials
from google.oauth2 import service_account
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

logger = logging.getLogger(__name__)

GOOGLE_SHEETS_API_URL = "https://sheets.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
# 408 and 429 are Google asking to come back later; 5xx are its servers failing.
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_TRANSIENT_EXCEPTIONS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    google.auth.exceptions.TransportError,
)


class SheetUnavailable(Exception):
    """The spreadsheet cannot be read or written now. ``str()`` is a message for people."""

    class Reason(StrEnum):
        NOT_CONFIGURED = "not_configured"  # no MILEPOST_SHEET_KEY
        NO_CREDENTIALS = "no_credentials"  # GOOGLE_APPLICATION_CREDENTIALS unset
        BAD_CREDENTIALS = "bad_credentials"  # unreadable or refused credentials
        NOT_FOUND = "not_found"  # no such spreadsheet
        FORBIDDEN = "forbidden"  # not shared with the service account
        REJECTED = "rejected"  # a request Google refuses (400): retrying will not help
        UNAVAILABLE = "unavailable"  # still failing after the retries, or unreachable

    def __init__(self, message: str, *, reason: Reason, status_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class SheetRequestRejected(SheetUnavailable, APIError):
    """Google answered a request with an error that retrying will not mend.

    Also a gspread ``APIError``, so that gspread's own handling still works (``open_by_key``
    turns a 404 into ``SpreadsheetNotFound``) and ``.response`` is at hand."""

    _REASONS = {
        401: SheetUnavailable.Reason.BAD_CREDENTIALS,
        403: SheetUnavailable.Reason.FORBIDDEN,
        404: SheetUnavailable.Reason.NOT_FOUND,
    }

    def __init__(self, response: requests.Response):
        APIError.__init__(self, response)
        self.status_code = response.status_code
        self.reason = self._REASONS.get(response.status_code, SheetUnavailable.Reason.REJECTED)
        self.message = (
            f"Google Sheets refused a request ({_describe_response(response)}). "
            f"{response.request.method} {_path_of(response.url)}"
        )

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_base: float
    backoff_max: float
    deadline: float

    @classmethod
    def from_settings(cls) -> "RetryPolicy":
        return cls(
            max_attempts=settings.MILEPOST_SHEETS_MAX_ATTEMPTS,
            backoff_base=settings.MILEPOST_SHEETS_BACKOFF_BASE,
            backoff_max=settings.MILEPOST_SHEETS_BACKOFF_MAX,
            deadline=settings.MILEPOST_SHEETS_RETRY_DEADLINE,
        )

    def delay(self, failed_attempts: int, *, retry_after: float | None, jitter: float) -> float:
        """Seconds to wait after the ``failed_attempts``-th failure.

        What ``Retry-After`` asks, when the server said; otherwise "full jitter": a uniform
        draw (``jitter`` in [0, 1)) up to base * 2^(n-1), capped at ``backoff_max``."""
        if retry_after is not None:
            return retry_after
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (failed_attempts - 1))
        return jitter * ceiling


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


class SheetsHTTPClient(HTTPClient):
    """gspread's HTTP client, sending to ``MILEPOST_SHEETS_API_URL`` and retrying as above."""

    # Seams for tests: a fake clock makes the waits instant and lets them be asserted.
    sleep = staticmethod(time.sleep)
    clock = staticmethod(time.monotonic)
    jitter = staticmethod(random.random)

    def __init__(self, auth: Credentials, session: requests.Session | None = None):
        super().__init__(auth, session)
        self.base_url = api_base_url()
        self.policy = RetryPolicy.from_settings()
        self.timeout = settings.MILEPOST_SHEETS_TIMEOUT

    def url_for(self, endpoint: str) -> str:
        """gspread builds Google URLs from constants; point them at the configured base."""
        if endpoint.startswith(GOOGLE_SHEETS_API_URL + "/"):
            return self.base_url + endpoint.removeprefix(GOOGLE_SHEETS_API_URL)
        return endpoint

    def request(
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Any = None,
    ) -> requests.Response:
        url = self.url_for(endpoint)
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            retry_after = None
            try:
                response = self.session.request(
                    method=method,
                    url=url,
                    params=params,
                    data=data,
                    json=json,
                    files=files,
                    headers=headers,
                    timeout=self.timeout,
                )
            except google.auth.exceptions.RefreshError as exc:
                raise SheetUnavailable(
                    f"Google refused the service account's credentials: {exc}",
                    reason=SheetUnavailable.Reason.BAD_CREDENTIALS,
                ) from exc
            except _TRANSIENT_EXCEPTIONS as exc:
                # Retrying a write whose answer was lost is safe for the sync: its value
                # writes set absolute values, and a repeated addSheet fails with "already
                # exists" (refused, not retried), which the next run's metadata read settles.
                failure, status_code = f"{type(exc).__name__}: {exc}", None
            else:
                if response.ok:
                    return response
                if response.status_code not in RETRYABLE_STATUSES:
                    raise SheetRequestRejected(response)
                failure, status_code = _describe_response(response), response.status_code
                retry_after = parse_retry_after(response.headers.get("Retry-After"))

            elapsed = self.clock() - started
            delay = self.policy.delay(attempt, retry_after=retry_after, jitter=self.jitter())
            if attempt >= self.policy.max_attempts or elapsed + delay > self.policy.deadline:
                raise SheetUnavailable(
                    f"Google Sheets did not answer {method.upper()} {_path_of(url)} after "
                    f"{attempt} attempt{'s' if attempt > 1 else ''} in {elapsed:.1f}s "
                    f"(last: {failure}).",
                    reason=SheetUnavailable.Reason.UNAVAILABLE,
                    status_code=status_code,
                )
            logger.warning(
                "Sheets API %s %s failed (%s); attempt %d of %d, retrying in %.1fs",
                method.upper(),
                _path_of(url),
                failure,
                attempt,
                self.policy.max_attempts,
                delay,
            )
            self.sleep(delay)


def api_base_url() -> str:
    return settings.MILEPOST_SHEETS_API_URL.rstrip("/")


def uses_emulator() -> bool:
    """True when requests go to a local emulator rather than to Google."""
    return api_base_url() != GOOGLE_SHEETS_API_URL


class OpenedSpreadsheet(gspread.Spreadsheet):
    """A gspread Spreadsheet that keeps the tabs of its last full metadata read, the one
    gspread makes on opening: listing them costs no second ``spreadsheets.get``."""

    tabs: list[gspread.Worksheet]

    def fetch_sheet_metadata(self, params: Any = None) -> Mapping[str, Any]:
        metadata = super().fetch_sheet_metadata(params)
        if params is None:
            self.tabs = [
                gspread.Worksheet(self, sheet["properties"], self.id, self.client)
                for sheet in metadata["sheets"]
            ]
        return metadata


def get_client() -> gspread.Client:
    """A gspread client for the configured Sheets API. Raises SheetUnavailable."""
    credentials = AnonymousCredentials() if uses_emulator() else _service_account_credentials()
    return gspread.Client(credentials, http_client=SheetsHTTPClient)


def open_spreadsheet(key: str | None = None) -> OpenedSpreadsheet:
    """The spreadsheet ``key`` (default ``MILEPOST_SHEET_KEY``) and its ``tabs``, in one
    request. Raises SheetUnavailable."""
    key = key or settings.MILEPOST_SHEET_KEY
    if not key:
        raise SheetUnavailable(
            "No spreadsheet is configured: set MILEPOST_SHEET_KEY to the key in the sheet's "
            "URL (the long id between /d/ and /edit).",
            reason=SheetUnavailable.Reason.NOT_CONFIGURED,
        )
    http_client = get_client().http_client
    try:
        # What Client.open_by_key does, with the class that keeps the tabs.
        return OpenedSpreadsheet(http_client, {"id": key})
    except SheetRequestRejected as exc:
        email = getattr(http_client.auth, "service_account_email", None)
        if exc.reason is SheetUnavailable.Reason.NOT_FOUND:
            message = f"Spreadsheet {key!r} was not found {_where()}. Check MILEPOST_SHEET_KEY"
            message += f" and that the sheet is shared with {email}." if email else "."
        elif exc.reason is SheetUnavailable.Reason.FORBIDDEN:
            message = f"Spreadsheet {key!r} is not shared with the service account"
            message += f" {email}: share it with that address as an editor." if email else "."
        else:
            raise
        raise SheetUnavailable(message, reason=exc.reason, status_code=exc.status_code) from exc


@dataclass
class RequestCount:
    """The Sheets API requests made through one opened spreadsheet, retries included."""

    total: int = 0


def count_requests(spreadsheet: OpenedSpreadsheet, count: RequestCount) -> None:
    """Add to `count` the request that opened `spreadsheet` and every one it makes from now on
    (each answer, so a retried request counts once per attempt)."""
    count.total += 1

    def one_more(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        count.total += 1

    spreadsheet.client.session.hooks["response"].append(one_more)


def read_grid(spreadsheet: OpenedSpreadsheet, fields: str) -> Mapping[str, Any]:
    """One ``spreadsheets.get`` with grid data, restricted to the field mask `fields`: the
    Spreadsheet resource, every tab in it."""
    return spreadsheet.fetch_sheet_metadata(params={"includeGridData": "true", "fields": fields})


def update_structure(spreadsheet: OpenedSpreadsheet, changes: Sequence[Mapping[str, Any]]) -> None:
    """One ``spreadsheets.batchUpdate`` (tabs added, grids grown): all of it or nothing."""
    spreadsheet.batch_update({"requests": list(changes)})


def update_values(spreadsheet: OpenedSpreadsheet, ranges: Sequence[Mapping[str, Any]]) -> None:
    """One ``values:batchUpdate`` of ValueRanges, read as if typed in (dates stay dates)."""
    spreadsheet.values_batch_update({"valueInputOption": "USER_ENTERED", "data": list(ranges)})


def _service_account_credentials() -> Credentials:
    path = settings.GOOGLE_APPLICATION_CREDENTIALS
    if not path:
        raise SheetUnavailable(
            "GOOGLE_APPLICATION_CREDENTIALS is not set: set it to the path of the Google "
            "service-account JSON key the spreadsheet is shared with.",
            reason=SheetUnavailable.Reason.NO_CREDENTIALS,
        )
    try:
        return service_account.Credentials.from_service_account_file(path, scopes=SCOPES)
    except FileNotFoundError:
        problem = "there is no such file"
    except OSError as exc:
        problem = f"it cannot be read ({exc.strerror or exc})"
    except (ValueError, google.auth.exceptions.GoogleAuthError) as exc:
        problem = f"it is not a Google service-account JSON key ({exc})"
    raise SheetUnavailable(
        f"The credentials file {path} (GOOGLE_APPLICATION_CREDENTIALS) cannot be used: {problem}.",
        reason=SheetUnavailable.Reason.BAD_CREDENTIALS,
    )


def _describe_response(response: requests.Response) -> str:
    """``HTTP 429 RESOURCE_EXHAUSTED: Quota exceeded ...`` from Google's error body."""
    try:
        error = response.json()["error"]
        detail = f"{error.get('status', '')}: {error.get('message', '')}".strip(": ")
    except (ValueError, KeyError, TypeError, AttributeError):
        detail = response.reason or ""
    return f"HTTP {response.status_code} {detail}".strip()


def _path_of(url: str) -> str:
    return unquote(urlsplit(url).path)


def _where() -> str:
    return f"at the Sheets API emulator {api_base_url()}" if uses_emulator() else "in Google Sheets"
