"""The one error of the emulator: an answer that is an error, shaped as Google shapes it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
# The messages Google answers these statuses with.
DEFAULT_MESSAGES = {
    429: (
        "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user' "
        "of service 'sheets.googleapis.com' for consumer 'project_number:0'."
    ),
    500: "Internal error encountered.",
    502: "Bad gateway.",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}


class ApiError(Exception):
    """An error answered as Google answers it: ``{"error": {"code", "message", "status"}}``."""

    def __init__(self, code: int, message: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    @property
    def status(self) -> str:
        return _STATUS_NAMES.get(self.code, "UNKNOWN")

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "status": self.status}}


def not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.")
