"""The WSGI application: the request pipeline around the /v1 handlers and the control routes.

For each /v1 request, in order: route matching (unknown → 404 "Invalid URL"), fixed latency,
the rate limiter (429), injected faults, authentication (401), the handler, and for a
``drop_after`` fault the dropped connection. Every answered request gets an
``x-request-id`` header.
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from pulumi_openai_access.providers.admin_api import behaviour

from . import ids
from .api import PROJECT_KEY_ROUTES, AdminApi
from .control import PREFIX, Control
from .counters import RequestCounters
from .errors import ApiError
from .knobs import Knobs, KnobSettings
from .model import State
from .store import Store

DEFAULT_ADMIN_KEY = "sk-admin-emulator"
log = logging.getLogger(__name__)


def _json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)
    response.headers["x-request-id"] = ids.request_id()
    return response


def _error_response(error: ApiError) -> Response:
    return _json_response(error.status, error.body(), error.headers)


def _drop_connection(environ: dict[str, Any]) -> NoReturn:
    """Close the client's connection without an HTTP response.

    werkzeug's request handler treats a ConnectionError from the app as a dropped
    connection and writes nothing more, so the client sees the connection close before any
    status line (requests: ConnectionError; httpx: RemoteProtocolError).
    """
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    raise ConnectionAbortedError("connection dropped by an injected fault")


class EmulatorApp:
    def __init__(self, api: AdminApi, control: Control, knobs: Knobs, counters: RequestCounters, admin_key: str):
        self.api, self.control, self.knobs, self.counters = api, control, knobs, counters
        self._admin_key = admin_key.encode()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        try:
            if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
                response = self._control(request)
            else:
                response = self._api(request)
        except ConnectionError:
            raise  # an injected drop: werkzeug closes the connection quietly
        except Exception:
            # A bug or a failed --state write: still answer in the API's format, with an id.
            log.exception("emulator error on %s %s", request.method, request.path)
            response = _error_response(
                ApiError(500, "The emulator failed to handle the request; see its log.", type="server_error")
            )
        return response(environ, start_response)

    def _control(self, request: Request) -> Response:
        try:
            return _json_response(200, self.control.dispatch(request))
        except ApiError as error:
            return _error_response(error)

    def _api(self, request: Request) -> Response:
        try:
            key, path_args = self.api.map.bind_to_environ(request.environ).match()
        except HTTPException:  # not found, wrong method, or a redirect werkzeug would suggest
            return _error_response(ApiError(404, f"Invalid URL ({request.method} {request.path})"))

        if self.knobs.latency_ms:
            time.sleep(self.knobs.latency_ms / 1000)
        throttled = self.knobs.admit(key)
        if throttled is not None:
            self.counters.add("rate_limited", key)
            return _error_response(throttled)
        fault = self.knobs.take_fault(key)
        if fault is not None:
            self.counters.add("faults", key)
            if fault.action == "status":
                return _error_response(fault.error())
            if fault.action == "drop_before":
                _drop_connection(request.environ)

        self.counters.add("handled", key)
        try:
            self._authenticate(request, project_key=key in PROJECT_KEY_ROUTES)
            response = _json_response(200, self.api.handle(key, request, path_args))
        except ApiError as error:
            response = _error_response(error)
        if request.method != "GET":
            self.counters.add_write(request.method, request.path, response.status_code)
        if fault is not None and fault.action == "drop_after":
            _drop_connection(request.environ)
        return response

    def _authenticate(self, request: Request, *, project_key: bool) -> None:
        # Never echo the key, not even redacted: it might be a real one sent by mistake.
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise ApiError(
                behaviour.AUTH_FAILED_STATUS,
                "You didn't provide an API key. You need to provide your admin API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                code=behaviour.AUTH_FAILED_CODE,
            )
        if project_key:
            status = self.api.store.key_status(key.strip())
            if status != "valid":
                detail = "has expired" if status == "expired" else "is not valid"
                raise ApiError(behaviour.AUTH_FAILED_STATUS, f"The API key provided {detail}.",
                               code=behaviour.AUTH_FAILED_CODE)
            return
        if not hmac.compare_digest(key.strip().encode(), self._admin_key):
            raise ApiError(
                behaviour.AUTH_FAILED_STATUS,
                "Incorrect API key provided. Admin API endpoints need an admin API key.",
                code=behaviour.AUTH_FAILED_CODE,
            )


def create_app(
    *,
    state: State,
    reset_seed: Any,
    admin_key: str = DEFAULT_ADMIN_KEY,
    knobs: KnobSettings = KnobSettings(),
    on_change: Callable[[State], None] | None = None,
) -> EmulatorApp:
    """Wire store, handlers, knobs and control routes. ``reset_seed`` is what
    ``POST /_emulator/reset`` restores; ``on_change`` runs after every state change."""
    store = Store(state, on_change=on_change)
    live_knobs, counters = Knobs(knobs), RequestCounters()
    control = Control(store, live_knobs, counters, reset_seed)
    return EmulatorApp(AdminApi(store), control, live_knobs, counters, admin_key)
