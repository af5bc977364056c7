"""Helpers shared by the admin API client tests.

* ``fresh_throttles`` (autouse, every test): the throttle registry is process-wide and
  the session's emulator keeps its base URL, so a pause left by one test would slow the next.
* ``client_for(emulator, ...)``: a client with a fast retry policy.
* ``memberships`` / ``assignments``: what the emulator holds, to count duplicates.
* ``StubServer``: a tiny HTTP server on 127.0.0.1 for answers the emulator never gives
  (a non-advancing cursor, a non-JSON body).
* ``assert_secret_free``: an error (with its args, notes and whole chain) shows no key.
* ``unused_port``: a loopback port nothing listens on (a connection there is refused).
"""

from __future__ import annotations

import json
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pulumi_openai_access.providers.admin_api import AdminClient, RetryPolicy
from pulumi_openai_access.providers.admin_api.throttle import reset_throttles

# The emulator's route for GET /organization/projects/{project_id}, the tests' usual target.
PROJECT = "/v1/organization/projects/{project_id}"

# Retries in milliseconds, not minutes, but with the same structure as the defaults.
FAST = RetryPolicy(max_attempts=4, base_delay=0.02, max_delay=0.1, max_total_seconds=10.0)


@pytest.fixture(autouse=True)
def fresh_throttles() -> Iterator[None]:
    reset_throttles()
    yield
    reset_throttles()


def client_for(emulator: Any, *, retry: RetryPolicy = FAST, key: str | None = None, **kw: Any) -> AdminClient:
    return AdminClient(key or emulator.admin_key, emulator.base_url, retry=retry, **kw)


def memberships(emulator: Any, project_id: str, user_id: str) -> list[dict[str, Any]]:
    """The emulator's memberships of one user in one project (a duplicate would show as two)."""
    return [m for m in emulator.state()["memberships"] if (m["project_id"], m["user_id"]) == (project_id, user_id)]


def assignments(emulator: Any, project_id: str, user_id: str, role_id: str) -> list[dict[str, Any]]:
    """The emulator's assignments of one role to one user in one project."""
    return [a for a in emulator.state()["role_assignments"]
            if (a["project_id"], a["user_id"], a["role_id"]) == (project_id, user_id, role_id)]


def unused_port() -> int:
    """Bound, then closed: nothing listens there now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def error_text(error: BaseException) -> str:
    """Everything an error could show: str, repr, args, attributes and the printed chain."""
    parts = [str(error), repr(error), repr(error.args), repr(vars(error))]
    parts += traceback.format_exception(type(error), error, error.__traceback__)
    for linked in (error.__cause__, error.__context__):
        if linked is not None:
            parts.append(error_text(linked))
    return "\n".join(parts)


def assert_secret_free(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text
        assert secret.removeprefix("sk-admin") not in text


Reply = tuple[int, dict[str, str], bytes]


def json_reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()


class StubServer:
    """Answers every request with ``answer(method, path_with_query)``; records what it saw."""

    def __init__(self, answer: Callable[[str, str], Reply]) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                stub.seen.append((self.command, self.path, dict(self.headers)))
                status, headers, body = answer(self.command, self.path)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> StubServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
