"""ApiError: an error answer shaped as Google shapes it."""

from sheets_emulator.errors import ApiError, not_found


def test_an_error_body_carries_the_code_message_and_googles_status_name():
    assert ApiError(429, "Slow down.").body() == {
        "error": {"code": 429, "message": "Slow down.", "status": "RESOURCE_EXHAUSTED"}
    }


def test_a_code_google_has_no_status_name_for_is_unknown():
    assert ApiError(418, "Teapot.").status == "UNKNOWN"


def test_not_found_is_googles_404():
    assert not_found().body() == {
        "error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
    }
