"""`manage.py sheets_emulator`: serving the emulator until Ctrl-C, loading and saving."""

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
from io import StringIO

import pytest
import requests
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from sheets_emulator.management.commands.sheets_emulator import Command


def run(*args):
    out = StringIO()
    call_command("sheets_emulator", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sample_path():
    return django_settings.BASE_DIR / "tests" / "data" / "sheet.json"


def test_a_missing_load_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match=r"--load .*nope\.json: there is no such file\."):
        run("--port", "0", "--load", str(tmp_path / "nope.json"))


def test_a_load_file_that_is_not_json_is_a_command_error(tmp_path):
    path = tmp_path / "sheet.json"
    path.write_text("{not json")

    with pytest.raises(CommandError, match=r"sheet\.json is not JSON"):
        run("--port", "0", "--load", str(path))


def test_a_load_file_without_tabs_says_what_is_missing(tmp_path):
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps({"spreadsheetId": "x", "sheets": []}))

    with pytest.raises(CommandError, match=r'Spreadsheet x: "sheets" must list at least one tab\.'):
        run("--port", "0", "--load", str(path))


def test_a_port_in_use_is_a_command_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            run("--port", str(port))


def test_a_save_file_in_a_missing_folder_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("--port", "0", "--save", str(tmp_path / "missing" / "out.json"))


def test_it_prints_the_settings_to_use_and_saves_on_ctrl_c(monkeypatch, tmp_path, sample_path):
    saved = tmp_path / "saved.json"
    seen = {}

    def serve_then_ctrl_c(self, emulator):
        emulator.start()
        seen["url"] = emulator.url
        response = requests.put(
            f"{emulator.url}/v4/spreadsheets/sample-leadership-sheet/values/Platform!F1"
            "?valueInputOption=RAW",
            json={"values": [["ID"]]},
            timeout=5,
        )
        assert response.status_code == 200
        raise KeyboardInterrupt

    monkeypatch.setattr(Command, "serve", serve_then_ctrl_c)

    output = run("--port", "0", "--load", str(sample_path), "--save", str(saved))

    assert f"MILEPOST_SHEETS_API_URL={seen['url']}\n" in output
    assert "MILEPOST_SHEET_KEY=sample-leadership-sheet\n" in output
    assert "sample-leadership-sheet: 'Eng Milestones FY26', 24 tabs" in output
    assert f"Saved the spreadsheets to {saved}." in output
    platform = next(
        tab for tab in json.loads(saved.read_text())["sheets"] if tab["title"] == "Platform"
    )
    assert platform["values"][0] == ["Milestone", "Owner", "Target Date", "Status", "Notes", "ID"]
    with pytest.raises(requests.ConnectionError):
        requests.get(seen["url"] + "/_emulator/stats", timeout=1)


def test_verbosity_2_logs_each_request(monkeypatch, caplog, sample_path):
    def serve_one_request(self, emulator):
        emulator.start()
        requests.get(f"{emulator.url}/v4/spreadsheets/sample-leadership-sheet", timeout=5)
        raise KeyboardInterrupt

    monkeypatch.setattr(Command, "serve", serve_one_request)
    # The command turns the server's logger up to DEBUG; caplog puts it back as it was (NOTSET,
    # below DEBUG until then) after the test, and captures every level meanwhile.
    caplog.set_level(logging.NOTSET, logger="sheets_emulator.server")

    run("--port", "0", "--load", str(sample_path), "-v", "2")

    [record] = [r for r in caplog.records if r.name == "sheets_emulator.server"]
    assert record.levelno == logging.DEBUG
    assert '"GET /v4/spreadsheets/sample-leadership-sheet HTTP/1.1" 200' in record.getMessage()


def test_it_serves_until_interrupted_and_saves_on_the_way_out(tmp_path, sample_path):
    """The real thing: a process started as a developer would, stopped with Ctrl-C."""
    saved = tmp_path / "saved.json"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "sheets_emulator",
            "--port",
            "0",
            "--load",
            str(sample_path),
            "--save",
            str(saved),
        ],
        cwd=django_settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = None
        for line in process.stdout:
            if match := re.match(r"\s*MILEPOST_SHEETS_API_URL=(\S+)", line):
                url = match[1]
                break
        assert url is not None, process.stderr.read()

        saving = requests.post(f"{url}/_emulator/save", timeout=5)
        assert saving.json() == {"saved": str(saved)}
        requests.post(
            f"{url}/v4/spreadsheets/sample-leadership-sheet:batchUpdate",
            json={"requests": [{"addSheet": {"properties": {"title": "Added"}}}]},
            timeout=5,
        )

        process.send_signal(signal.SIGINT)
        remaining_output, errors = process.communicate(timeout=10)
    finally:
        process.kill()

    assert process.returncode == 0, errors
    assert "Saved the spreadsheets to" in remaining_output
    assert json.loads(saved.read_text())["sheets"][-1]["title"] == "Added"
