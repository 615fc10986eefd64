"""The emulator's controls: fault injection, the per-minute quota, request statistics, reset,
and loading and dumping spreadsheets, over HTTP (/_emulator/...) and from Python."""

import json
import time

import pytest
import requests

from sheets_emulator.server import SheetsEmulator


def get_values(emulator, range_text="Platform!A1", spreadsheet_id="team-sheet"):
    return requests.get(
        f"{emulator.url}/v4/spreadsheets/{spreadsheet_id}/values/{range_text}", timeout=5
    )


@pytest.fixture
def emulator(sheets_emulator, team_sheet_data):
    sheets_emulator.load(team_sheet_data)
    return sheets_emulator


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
    # Stopping the emulator (the fixture's teardown) lets the held request go at once.


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


def test_an_unknown_api_path_is_a_json_404_and_counted(emulator):
    response = requests.get(f"{emulator.url}/v4/nothing", timeout=5)

    assert response.status_code == 404
    assert response.json()["error"]["status"] == "NOT_FOUND"
    assert emulator.stats()["by_kind"] == {"unknown": 1}


# --- loading, dumping, saving, reset ----------------------------------------------------


def test_put_then_get_a_spreadsheet_round_trips_its_json(sheets_emulator, team_sheet_data):
    put = requests.put(
        f"{sheets_emulator.url}/_emulator/spreadsheets/team-sheet", json=team_sheet_data, timeout=5
    )
    dump = requests.get(f"{sheets_emulator.url}/_emulator/spreadsheets/team-sheet", timeout=5)

    assert put.json() == {"spreadsheetId": "team-sheet"}
    assert requests.get(f"{sheets_emulator.url}/_emulator/spreadsheets", timeout=5).json() == {
        "spreadsheets": ["team-sheet"]
    }
    assert dump.json() == {
        "spreadsheetId": "team-sheet",
        "title": "Team sheet",
        "locale": "en_US",
        "timeZone": "Europe/Berlin",
        "valueRenderOption": "FORMATTED_VALUE",
        "sheets": [
            {
                "title": "Platform",
                "sheetId": 0,
                "rowCount": 1000,
                "columnCount": 26,
                "values": [
                    ["Milestone", "Owner", "Target", "Status"],
                    ["Ship CSV import", "Pedro", "12/1/2026", "done"],
                    [],
                    ["Cut latency", "Yuki", "", "at risk", "", "slipped"],
                ],
            },
            {
                "title": "It's a tab",
                "sheetId": 1,
                "rowCount": 1000,
                "columnCount": 26,
                "values": [["a", "b"], ["c", "d"]],
            },
            {
                "title": "Ünïcode tab",
                "sheetId": 2,
                "rowCount": 1000,
                "columnCount": 26,
                "values": [["Zoë", "Ærøskøbing", "日本語"]],
            },
        ],
    }


def test_a_dump_loads_back_to_the_same_spreadsheet(emulator):
    added = requests.post(
        f"{emulator.url}/v4/spreadsheets/team-sheet:batchUpdate",
        json={"requests": [{"addSheet": {"properties": {"title": "New", "hidden": True}}}]},
        timeout=5,
    )
    assert added.status_code == 200
    dump = emulator.dump("team-sheet")

    emulator.load(dump)

    assert emulator.dump("team-sheet") == dump
    assert dump["sheets"][-1]["hidden"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"spreadsheetId": "other", "sheets": [{"title": "A"}]}, "is not the one in the URL"),
        ({"sheets": []}, '"sheets" must list at least one tab'),
        ({"sheets": [{"title": "A"}, {"title": "a"}]}, "a second tab titled 'a'"),
        ({"sheets": [{"title": "A", "values": "nope"}]}, '"values" must be a list of rows'),
        ({"sheets": [{"title": "A", "values": [[{"x": 1}]]}]}, "is not a cell value"),
        ({"sheets": [{"title": "A", "rowCount": 1, "values": [["a"], ["b"]]}]}, "grid is smaller"),
    ],
)
def test_putting_a_malformed_spreadsheet_is_refused_with_the_reason(sheets_emulator, body, message):
    response = requests.put(f"{sheets_emulator.url}/_emulator/spreadsheets/x", json=body, timeout=5)

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_getting_an_unknown_spreadsheet_dump_is_404(sheets_emulator):
    response = requests.get(f"{sheets_emulator.url}/_emulator/spreadsheets/nope", timeout=5)

    assert response.status_code == 404


def test_reset_restores_the_loaded_spreadsheets_and_clears_faults_quota_and_stats(emulator):
    requests.put(
        f"{emulator.url}/v4/spreadsheets/team-sheet/values/Platform!A1?valueInputOption=RAW",
        json={"values": [["changed"]]},
        timeout=5,
    )
    emulator.inject_faults(500, count=3)
    emulator.set_quota(1)

    requests.post(f"{emulator.url}/_emulator/reset", timeout=5)

    assert emulator.stats()["total"] == 0
    assert [get_values(emulator).json()["values"] for _ in range(3)] == [[["Milestone"]]] * 3


def test_save_writes_the_spreadsheets_to_the_save_file(tmp_path, team_sheet_data):
    target = tmp_path / "saved.json"
    with SheetsEmulator(save_path=target) as emulator:
        emulator.load(team_sheet_data)
        requests.put(
            f"{emulator.url}/v4/spreadsheets/team-sheet/values/'It''s a tab'!C1"
            "?valueInputOption=USER_ENTERED",
            json={"values": [["2026-12-01"]]},
            timeout=5,
        )

        answer = requests.post(f"{emulator.url}/_emulator/save", timeout=5)

    assert answer.json() == {"saved": str(target)}
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert saved["sheets"][1]["values"] == [["a", "b", "12/1/2026"], ["c", "d"]]


def test_save_writes_a_list_when_there_are_several_spreadsheets(
    tmp_path, team_sheet_data, sample_sheet_data
):
    with SheetsEmulator() as emulator:
        emulator.load(team_sheet_data)
        emulator.load(sample_sheet_data)
        emulator.save(tmp_path / "both.json")

    with SheetsEmulator() as emulator:
        loaded = emulator.load_file(tmp_path / "both.json")

    assert loaded == ["team-sheet", "sample-leadership-sheet"]


def test_save_over_http_without_a_save_file_is_a_409(emulator):
    response = requests.post(f"{emulator.url}/_emulator/save", timeout=5)

    assert response.status_code == 409
    assert "without --save" in response.json()["error"]["message"]


def test_an_unknown_control_is_a_404(emulator):
    response = requests.post(f"{emulator.url}/_emulator/nothing", timeout=5)

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No emulator control at POST /_emulator/nothing"
