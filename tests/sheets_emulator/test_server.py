"""The emulator's server: answering on loopback, and its controls for loading, dumping,
saving and resetting spreadsheets, over HTTP (/_emulator/...) and from Python."""

import json
import threading

import pytest
import requests

from sheets_emulator.server import Reply, SheetsEmulator
from tests.sheets_emulator.helpers import get_values


def test_an_unknown_api_path_is_a_json_404_and_counted(emulator):
    response = requests.get(f"{emulator.url}/v4/nothing", timeout=5)

    assert response.status_code == 404
    assert response.json()["error"]["status"] == "NOT_FOUND"
    assert emulator.stats()["by_kind"] == {"unknown": 1}


def test_it_listens_on_a_free_loopback_port():
    with SheetsEmulator() as emulator:
        host, port = emulator.server_address[:2]

        assert (host, emulator.url) == ("127.0.0.1", f"http://127.0.0.1:{port}")
        assert port != 0
        assert requests.get(f"{emulator.url}/_emulator/spreadsheets", timeout=5).status_code == 200


def test_a_request_is_answered_without_http_too(emulator):
    reply = emulator.process("GET", "/v4/spreadsheets/team-sheet/values/Platform!A1?fields=range")

    assert reply == Reply(200, {"range": "Platform!A1"})
    assert emulator.stats()["by_kind"] == {"values.get": 1}


def test_an_emulator_bug_answers_googles_500_and_the_server_keeps_serving(
    emulator, monkeypatch, caplog
):
    def bug(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(emulator.api, "call", bug)
    broken = get_values(emulator)
    monkeypatch.undo()

    assert broken.status_code == 500
    assert broken.json()["error"] == {
        "code": 500,
        "message": "Internal error encountered.",
        "status": "INTERNAL",
    }
    assert "The Sheets emulator failed on GET" in caplog.text
    assert get_values(emulator).status_code == 200


def test_stopping_lets_a_request_held_by_a_delay_go_at_once(emulator):
    emulator.inject_faults(None, delay=30)
    held = threading.Thread(target=emulator.process, args=("GET", "/v4/spreadsheets/team-sheet"))
    held.start()

    emulator.stop()
    held.join(timeout=5)

    assert not held.is_alive()


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
