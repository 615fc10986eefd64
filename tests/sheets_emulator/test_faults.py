"""Injected faults, the per-minute quota and the request statistics, over HTTP (/_emulator/...)
and from Python."""

import time

import pytest
import requests

from sheets_emulator.faults import Fault, FaultQueue, MinuteQuota, RequestLog
from sheets_emulator.server import SheetsEmulator
from tests.sheets_emulator.helpers import get_values

# --- faults -----------------------------------------------------------------------------


def test_injected_429s_answer_as_google_with_retry_after_then_recover(emulator):
    answer = requests.post(
        f"{emulator.url}/_emulator/faults",
        json={"status": 429, "count": 2, "retry_after": 3},
        timeout=5,
    )
    assert answer.json() == {"pending": 2}

    first, second, third = get_values(emulator), get_values(emulator), get_values(emulator)

    for response in (first, second):
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "3"
        assert response.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
        assert response.json()["error"]["code"] == 429
    assert third.status_code == 200


def test_an_injected_500_answers_googles_internal_error(emulator):
    emulator.inject_faults(500)

    response = get_values(emulator)

    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}
    }
    assert "Retry-After" not in response.headers
    assert get_values(emulator).status_code == 200


def test_faults_queue_up_in_the_order_injected(emulator):
    emulator.inject_faults(503)
    emulator.inject_faults(429, count=2)

    statuses = [get_values(emulator).status_code for _ in range(4)]

    assert statuses == [503, 429, 429, 200]


def test_a_delay_fault_holds_the_request_before_answering(emulator):
    emulator.inject_faults(None, delay=0.3)

    started = time.monotonic()
    response = get_values(emulator)

    assert time.monotonic() - started >= 0.3
    assert response.json()["values"] == [["Milestone"]]


def test_a_hung_request_times_the_client_out(emulator):
    emulator.inject_faults(None, delay=30)

    with pytest.raises(requests.ReadTimeout):
        requests.get(f"{emulator.url}/v4/spreadsheets/team-sheet", timeout=0.2)


def test_faults_can_be_cleared(emulator):
    emulator.inject_faults(500, count=5)

    requests.delete(f"{emulator.url}/_emulator/faults", timeout=5)

    assert get_values(emulator).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"status": 200}, "status must be an HTTP error status (400-599), not 200."),
        ({"status": 500, "count": 0}, "count must be at least 1, not 0."),
        ({"status": 429, "retry_after": "soon"}, "retry_after must be whole seconds, not 'soon'."),
        ({}, "A fault needs a status, a delay, or both."),
    ],
)
def test_a_fault_that_makes_no_sense_is_refused(emulator, body, message):
    response = requests.post(f"{emulator.url}/_emulator/faults", json=body, timeout=5)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == message


# --- quota ------------------------------------------------------------------------------


def test_the_minute_quota_answers_429_until_the_minute_has_passed(team_sheet_data):
    now = [0.0]
    with SheetsEmulator(clock=lambda: now[0]) as emulator:
        emulator.load(team_sheet_data)
        requests.post(f"{emulator.url}/_emulator/quota", json={"per_minute": 2}, timeout=5)

        statuses = [get_values(emulator).status_code for _ in range(3)]
        refused = get_values(emulator).json()
        now[0] = 60.0
        after_a_minute = get_values(emulator).status_code

    assert statuses == [200, 200, 429]
    assert refused["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert "Quota exceeded" in refused["error"]["message"]
    assert after_a_minute == 200


def test_a_quota_of_none_lifts_the_limit(emulator):
    emulator.set_quota(0)
    assert get_values(emulator).status_code == 429

    emulator.set_quota(None)

    assert get_values(emulator).status_code == 200


# --- statistics -------------------------------------------------------------------------


def test_stats_count_api_requests_by_kind(emulator, settings):
    from sheets.client import open_spreadsheet

    settings.MILEPOST_SHEETS_API_URL = emulator.url
    spreadsheet = open_spreadsheet("team-sheet")
    spreadsheet.values_batch_get(["Platform!A1:F", "'It''s a tab'!A:B"])
    spreadsheet.values_batch_update(
        {"valueInputOption": "RAW", "data": [{"range": "Platform!G1", "values": [["ID"]]}]}
    )
    get_values(emulator, "Nope!A1")

    stats = requests.get(f"{emulator.url}/_emulator/stats", timeout=5).json()

    assert stats["total"] == 4
    assert stats["by_kind"] == {
        "spreadsheets.get": 1,
        "values.batchGet": 1,
        "values.batchUpdate": 1,
        "values.get": 1,
    }
    assert stats["by_status"] == {"200": 3, "400": 1}
    assert [(entry["method"], entry["path"], entry["status"]) for entry in stats["requests"]][
        -1
    ] == ("GET", "/v4/spreadsheets/team-sheet/values/Nope!A1", 400)


def test_stats_count_refused_requests_too(emulator):
    emulator.inject_faults(429)

    get_values(emulator)
    get_values(emulator)

    assert emulator.stats()["by_status"] == {"200": 1, "429": 1}


def test_stats_reset_to_zero(emulator):
    get_values(emulator)

    requests.post(f"{emulator.url}/_emulator/stats/reset", timeout=5)

    assert emulator.stats() == {"total": 0, "by_kind": {}, "by_status": {}, "requests": []}


def test_control_requests_are_not_counted(emulator):
    requests.get(f"{emulator.url}/_emulator/spreadsheets", timeout=5)
    requests.get(f"{emulator.url}/_emulator/stats", timeout=5)

    assert emulator.stats()["total"] == 0


# --- the parts alone ----------------------------------------------------------------------


def test_a_fault_meets_as_many_requests_as_its_count_then_the_next_fault_does():
    queue = FaultQueue()
    queue.add(Fault(500, 2))
    queue.add(Fault(429, 1))
    assert queue.pending() == 3

    met = [queue.take() for _ in range(4)]

    assert [fault and fault.status for fault in met] == [500, 500, 429, None]
    assert queue.pending() == 0


def test_a_fault_answers_googles_message_and_retry_after_only_when_given():
    unavailable = Fault(503, 1).error()
    quota = Fault(429, 1, retry_after=7, message="Try later.").error()

    assert (unavailable.message, unavailable.headers) == (
        "The service is currently unavailable.",
        {},
    )
    assert (quota.message, quota.headers) == ("Try later.", {"Retry-After": "7"})
    assert Fault(418, 1).error().message == "Injected fault."


def test_an_injected_fault_is_checked_and_its_delay_made_seconds():
    fault = Fault.injected(None, count=2, retry_after=None, delay=1, message=None)

    assert fault == Fault(None, 2, None, 1.0, None)
    assert isinstance(fault.delay, float)
    with pytest.raises(ValueError, match="delay must be a number of seconds, not True"):
        Fault.injected(500, count=1, retry_after=None, delay=True, message=None)


def test_the_quota_admits_its_limit_in_any_sixty_seconds():
    now = [0.0]
    quota = MinuteQuota(lambda: now[0])
    quota.set(2)

    admitted = []
    for second in (0, 30, 59, 60, 61, 90):
        now[0] = float(second)
        admitted.append(quota.admit())

    assert admitted == [True, True, False, True, False, True]


@pytest.mark.parametrize("limit", [-1, 1.5, True, "60"])
def test_a_quota_that_is_not_a_whole_number_is_refused(limit):
    with pytest.raises(ValueError, match="per_minute must be a whole number"):
        MinuteQuota(time.monotonic).set(limit)


def test_the_request_log_counts_every_request_and_keeps_the_latest():
    log = RequestLog(keep=2)
    for kind, status in [("values.get", 200), ("values.get", 429), ("spreadsheets.get", 200)]:
        log.record(kind=kind, method="GET", path="/v4/spreadsheets/s", status=status)

    snapshot = log.snapshot()

    assert snapshot["total"] == 3
    assert snapshot["by_kind"] == {"values.get": 2, "spreadsheets.get": 1}
    assert snapshot["by_status"] == {"200": 2, "429": 1}
    assert [entry["status"] for entry in snapshot["requests"]] == [429, 200]
