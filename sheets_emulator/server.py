"""The emulator as a server: ``SheetsEmulator`` answers the API on loopback, its
``/_emulator/`` control routes, and the same controls as Python methods for in-process tests
(``with SheetsEmulator() as emulator: ...``).

Simplifications, each a deliberate "as far as the sync needs": one locale (en_US) for typing
and showing dates; no cell formats, notes, named ranges or formula evaluation; a
``spreadsheets.batchUpdate`` request kind the emulator does not implement is answered 400.
"""

from __future__ import annotations

import json
import logging
import os
import socketserver
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sheets_emulator.api import SheetsApi, json_body, request_kind
from sheets_emulator.errors import DEFAULT_MESSAGES, ApiError, not_found
from sheets_emulator.faults import Fault, FaultQueue, MinuteQuota, RequestLog, quota_exceeded
from sheets_emulator.store import Spreadsheet

logger = logging.getLogger(__name__)


@dataclass
class Reply:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def error(cls, error: ApiError) -> Reply:
        return cls(error.code, error.body(), error.headers)


def _as_list(data: Any) -> list[Any]:
    return data if isinstance(data, list) else [data]


class SheetsEmulator(ThreadingHTTPServer):
    """The emulator: an HTTP server on loopback plus the Python controls tests use.

    ``SheetsEmulator(port=0)`` binds a free port; ``start()`` serves from a thread (or use it
    as a context manager); ``url`` is what ``MILEPOST_SHEETS_API_URL`` should be."""

    daemon_threads = True

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        save_path: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__((host, port), _RequestHandler)
        self.api = SheetsApi()
        self.save_path = Path(save_path) if save_path else None
        self._lock = threading.Lock()
        self._faults = FaultQueue()
        self._quota = MinuteQuota(clock)
        self._log = RequestLog()
        self._loaded: dict[str, dict[str, Any]] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up (socket.getfqdn), a DNS query this
        # loopback-only server has no use for.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    # -- running

    def start(self) -> SheetsEmulator:
        self._thread = threading.Thread(
            target=self.serve_forever,
            # How often the loop looks for stop(): short, so a test's teardown is quick.
            kwargs={"poll_interval": 0.01},
            name=f"sheets-emulator-{self.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests held by an injected delay are let go."""
        self._stopping.set()
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self) -> SheetsEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- spreadsheets

    def load(self, data: Mapping[str, Any]) -> str:
        """Load (or replace) a spreadsheet from its JSON form; returns its id."""
        spreadsheet = Spreadsheet.from_json(data)
        self.api.put(spreadsheet)
        with self._lock:
            self._loaded[spreadsheet.spreadsheet_id] = spreadsheet.to_json()
        return spreadsheet.spreadsheet_id

    def load_file(self, path: str | os.PathLike[str]) -> list[str]:
        """Load the spreadsheets of a file written by ``save`` (one object, or a list of them).

        Raises OSError when the file cannot be read, ValueError when it holds no spreadsheet."""
        text = Path(path).read_text(encoding="utf-8")
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{path} is not JSON: {exc}") from None
        spreadsheets = [Spreadsheet.from_json(entry) for entry in _as_list(data)]
        return [self.load(spreadsheet.to_json()) for spreadsheet in spreadsheets]

    def dump(self, spreadsheet_id: str) -> dict[str, Any]:
        """The spreadsheet in its JSON form; KeyError when there is none of that id."""
        return self.api.dump(spreadsheet_id)

    def spreadsheet_ids(self) -> list[str]:
        return self.api.ids()

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the spreadsheets to ``path`` (default: the ``save_path`` given at start), as
        one object when there is one spreadsheet, a list otherwise. Atomic: a reader never
        sees half a file."""
        target = Path(path) if path else self.save_path
        if target is None:
            raise ValueError("No file to save to: the emulator was started without --save.")
        dumps = [self.dump(spreadsheet_id) for spreadsheet_id in self.spreadsheet_ids()]
        data = dumps[0] if len(dumps) == 1 else dumps
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(data, file, ensure_ascii=False, indent=1)
            file.write("\n")
        os.replace(temporary, target)
        return target

    # -- faults, quota, statistics

    def inject_faults(
        self,
        status: int | None = 500,
        *,
        count: int = 1,
        retry_after: int | None = None,
        delay: float = 0.0,
        message: str | None = None,
    ) -> None:
        """Make the next ``count`` API requests wait ``delay`` seconds and then answer
        ``status`` (429, 500, 503 ...) with Google's error body, and a ``Retry-After`` header
        when given. ``status=None`` with a delay makes a slow (or, past the client's timeout,
        hanging) server. Faults queue up behind each other."""
        fault = Fault.injected(
            status, count=count, retry_after=retry_after, delay=delay, message=message
        )
        with self._lock:
            self._faults.add(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def set_quota(self, per_minute: int | None) -> None:
        """Answer 429 RESOURCE_EXHAUSTED past ``per_minute`` API requests in any minute."""
        with self._lock:
            self._quota.set(per_minute)

    def stats(self) -> dict[str, Any]:
        """``{"total", "by_kind": {"values.batchGet": 1, ...}, "by_status", "requests"}``."""
        with self._lock:
            return self._log.snapshot()

    def reset_stats(self) -> None:
        with self._lock:
            self._log.reset()

    def reset(self) -> None:
        """Back to the state after loading: spreadsheets as loaded, no faults, no quota, no
        statistics."""
        with self._lock:
            loaded = list(self._loaded.values())
            self._faults.clear()
            self._quota.set(None)
            self._log.reset()
        self.api.replace_all(Spreadsheet.from_json(data) for data in loaded)

    # -- answering

    def process(self, method: str, target: str, body: bytes = b"") -> Reply:
        """Answer one HTTP request (``target`` is the path with its query string)."""
        parts = urlsplit(target)
        if parts.path == "/_emulator" or parts.path.startswith("/_emulator/"):
            return self._control(method.upper(), parts.path, body)

        kind, _ = request_kind(method, parts.path)
        fault = self._take_fault()
        if fault is not None and fault.delay:
            self._stopping.wait(fault.delay)
        if fault is not None and fault.status is not None:
            reply = Reply.error(fault.error())
        elif not self._admit():
            reply = Reply.error(quota_exceeded())
        else:
            try:
                payload = self.api.call(
                    method, parts.path, parse_qs(parts.query, keep_blank_values=True), body
                )
                reply = Reply(200, payload)
            except ApiError as exc:
                reply = Reply.error(exc)
        with self._lock:
            self._log.record(
                kind=kind, method=method.upper(), path=unquote(parts.path), status=reply.status
            )
        return reply

    def _take_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.take()

    def _admit(self) -> bool:
        with self._lock:
            return self._quota.admit()

    def _control(self, method: str, path: str, body: bytes) -> Reply:
        try:
            return Reply(200, self._control_answer(method, path, json_body(body)))
        except ApiError as exc:
            return Reply.error(exc)
        except ValueError as exc:
            return Reply.error(ApiError(400, str(exc)))

    def _control_answer(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        route = (method, path.removeprefix("/_emulator").rstrip("/"))
        if route == ("GET", "/stats"):
            return self.stats()
        if route == ("POST", "/stats/reset"):
            self.reset_stats()
            return {}
        if route == ("POST", "/faults"):
            self.inject_faults(
                body.get("status"),
                count=body.get("count", 1),
                retry_after=body.get("retry_after"),
                delay=body.get("delay", 0.0),
                message=body.get("message"),
            )
            return {"pending": self._pending_faults()}
        if route == ("DELETE", "/faults"):
            self.clear_faults()
            return {"pending": 0}
        if route == ("POST", "/quota"):
            self.set_quota(body.get("per_minute"))
            return {"per_minute": body.get("per_minute")}
        if route == ("POST", "/reset"):
            self.reset()
            return {}
        if route == ("POST", "/save"):
            if self.save_path is None:
                raise ApiError(409, "No file to save to: the emulator was started without --save.")
            return {"saved": str(self.save())}
        if route == ("GET", "/spreadsheets"):
            return {"spreadsheets": self.spreadsheet_ids()}
        spreadsheet_id = route[1].removeprefix("/spreadsheets/")
        if route[1].startswith("/spreadsheets/") and "/" not in spreadsheet_id:
            spreadsheet_id = unquote(spreadsheet_id)
            if method == "GET":
                try:
                    return self.dump(spreadsheet_id)
                except KeyError:
                    raise not_found() from None
            if method == "PUT":
                if body.get("spreadsheetId", spreadsheet_id) != spreadsheet_id:
                    raise ApiError(400, "The spreadsheetId in the body is not the one in the URL.")
                self.load({**body, "spreadsheetId": spreadsheet_id})
                return {"spreadsheetId": spreadsheet_id}
        raise ApiError(404, f"No emulator control at {method} {path}")

    def _pending_faults(self) -> int:
        with self._lock:
            return self._faults.pending()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Google's front end allows
    # Headers and body leave in two writes; without TCP_NODELAY each answer waits ~40 ms for
    # the client's delayed ACK.
    disable_nagle_algorithm = True
    server_version = "MilepostSheetsEmulator/1"
    server: SheetsEmulator

    def do_GET(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Bad Content-Length")
            return
        body = self.rfile.read(length) if length > 0 else b""
        try:
            reply = self.server.process(self.command, self.path, body)
        except Exception:  # an emulator bug: answer as Google's 500, keep serving
            logger.exception("The Sheets emulator failed on %s %s", self.command, self.path)
            reply = Reply.error(ApiError(500, DEFAULT_MESSAGES[500]))
        data = json.dumps(reply.payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a timeout during an injected delay).
            self.close_connection = True

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)
