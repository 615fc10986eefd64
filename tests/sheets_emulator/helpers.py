"""Helpers for the emulator's tests."""

import requests
from gspread.exceptions import APIError


def get_values(emulator, range_text="Platform!A1", spreadsheet_id="team-sheet"):
    return requests.get(
        f"{emulator.url}/v4/spreadsheets/{spreadsheet_id}/values/{range_text}", timeout=5
    )


def api_error(caught) -> dict:
    assert isinstance(caught.value, APIError)
    return {"status_code": caught.value.response.status_code, **caught.value.error}
