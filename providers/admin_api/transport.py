"""HTTP for the Admin API: one request at a time, with retries that never duplicate a write.

Retried: 429, 5xx and connection failures, within a ``RetryPolicy`` (attempts and time;
optionally not a connection that cannot be established before the API first answered). A 429
is the endpoint's pace rather than a failure: the shared throttle learns from it when the next
request may go (throttle.py, pace.py), and it costs the request no attempt.
Whether a retry is safe depends on the request:

* idempotent requests (GET, the modify-role POST, DELETE) are simply repeated;
* a 429 never applied anything, and neither did a connection that was never established;
* otherwise a non-idempotent POST may have been applied (5xx, a dropped connection, a read
  timeout): the outcome is unknown, so before repeating it the request's ``Reconciliation``
  reads back whether it took effect, and after such an attempt an "already exists" answer
  means it did. Without a reconciliation it is not retried.

No exception raised from here holds the key: failures of ``requests`` are turned into
scrubbed messages and raised outside the ``except`` block, so no ``__context__`` leads back to
a request object with headers in it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence, TypeVar
from urllib.parse import quote

import requests
import urllib3

from .credentials import AdminKey, BearerAuth
from .errors import (
    AdminApiError,
    AmbiguousWriteError,
    ApiConnectionError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
)
from .response_errors import error_from_response
from .retry import RetryPolicy, retry_after_seconds
from .pace import DEFAULT_WINDOW_SECONDS
from .throttle import EndpointThrottle, endpoint_throttle

log = logging.getLogger(__name__)

USER_AGENT = "pulumi-openai-access/0.1 (+admin_api)"


@dataclass(frozen=True)
class Reconciliation:
    """How to settle a write whose earlier attempt may have been applied.

    ``read_back`` is called before every retry that follows such an attempt: a non-None result
    is what the write produced (the call succeeds with it); None means it was not applied and
    the write can be sent again. On a retry after such an attempt, an error in ``done_errors``
    means the earlier attempt did apply: the call then returns ``read_back()`` (or None when
    there is nothing to read back, e.g. a DELETE).
    """

    read_back: Callable[[], Any | None] | None = None
    done_errors: tuple[type[AdminApiError], ...] = ()


T = TypeVar("T")


def the_one_new(new: Sequence[T], what: str, method: str, route: str) -> T | None:
    """For a read-back: the object an unknown-outcome create made, from those that appeared
    since it began (``AmbiguousWriteError`` when several did)."""
    if len(new) > 1:
        raise AmbiguousWriteError(
            f"{len(new)} new {what} appeared while a create's outcome was unknown "
            f"({', '.join(sorted(getattr(item, 'id') for item in new))}): one may be this create's, "
            "the others someone else's, and nothing tells them apart; not creating another",
            method=method, path=route,
        )
    return new[0] if new else None


@dataclass(frozen=True)
class ApiRequest:
    method: str
    route: str  # path template below the base URL; the throttle and the logs use it
    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, Any] | None = None
    body: Mapping[str, Any] | None = None
    # False for writes that must not happen twice (add member, assign role, create a service account or key)
    idempotent: bool = True
    reconcile: Reconciliation | None = None

    @property
    def path(self) -> str:
        return self.route.format(**{k: _path_segment(k, v) for k, v in self.path_params.items()})


def _path_segment(name: str, value: str) -> str:
    # IDs are opaque: quote everything, and refuse values that would change the route
    # ("" turns /users/{id} into the list endpoint, "." and ".." are dot-segments).
    if not isinstance(value, str) or value in ("", ".", ".."):
        raise ValueError(f"{name} must be a non-empty ID string, got {value!r}")
    return quote(value, safe="")


class Transport:
    """Sends ``ApiRequest``s with retries and the shared throttle. Thread-safe: each thread
    gets its own lazily created ``requests.Session``."""

    def __init__(
        self,
        base_url: str,
        key: AdminKey,
        *,
        timeout: float,
        retry: RetryPolicy,
        requests_per_minute: float | None,
        rate_limit_window: float = DEFAULT_WINDOW_SECONDS,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive (or None for no throttle)")
        if rate_limit_window <= 0:
            raise ValueError("rate_limit_window must be positive")
        self.base_url = base_url
        self._key = key
        self._auth = BearerAuth(key)
        self._timeout = (timeout, timeout)  # (connect, read)
        self.retry = retry
        self.requests_per_minute = requests_per_minute
        self.rate_limit_window = rate_limit_window
        self._local = threading.local()
        self._answered = threading.Event()  # some HTTP answer (any status) has arrived
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    # --- sessions ------------------------------------------------------------------------
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    # --- the retry loop ------------------------------------------------------------------
    def call(self, request: ApiRequest) -> Any:
        """The decoded JSON body of a 2xx answer to ``request``, or an ``AdminApiError``.

        A 429 is the endpoint's pace, not a failure of the request: it spends neither an
        attempt nor the time budget (waiting for the pace never does), and gives up only when
        the endpoint has admitted nothing for the whole time budget, or the server asks for a
        wait longer than what is left of it.
        """
        throttle = endpoint_throttle(self.base_url, request.method, request.route, self.rate_limit_window)
        first_send: float | None = None  # the time budget starts with the first send ...
        queued = 0.0  # ... and does not count the waits for the pace after it
        maybe_applied = False  # an earlier attempt of ours may have taken effect
        attempt = 0  # attempts that count against the policy's max_attempts (429s do not)
        sent = 0
        limited = 0  # 429s in a row
        while True:
            if maybe_applied:
                found = _read_back(request)
                if found is not None:
                    return found
            waited = throttle.acquire(self.requests_per_minute)
            if first_send is None:
                first_send = time.monotonic()
            else:
                queued += waited
            sent += 1
            outcome = self._attempt(request, throttle)
            if not isinstance(outcome, AdminApiError):
                return outcome  # the answer's body
            error = outcome
            budget_left = self.retry.max_total_seconds - (time.monotonic() - first_send - queued)

            if isinstance(error, RateLimitedError):
                limited += 1
                self._at_the_pace(request, error, throttle, limited, budget_left, sent)
                continue
            limited = 0
            attempt += 1

            if maybe_applied and request.reconcile and isinstance(error, request.reconcile.done_errors):
                return _applied_earlier(request, error)
            retryable, applied = _retry_kind(error)
            if not retryable or (applied and not request.idempotent and request.reconcile is None):
                raise _gave_up(error, sent)  # a failure, or an unknown outcome we cannot check
            if self._unreachable_from_the_start(error):
                # debug: the caller's error names the URL; a progress line would only repeat it
                log.debug("%s %s: not retrying %s: the API has not answered yet (wrong URL, or down?)",
                         request.method, request.route, type(error).__name__)
                raise _gave_up(error, sent)
            maybe_applied = maybe_applied or applied

            wait = error.retry_after if error.retry_after is not None else self.retry.backoff(attempt)
            if attempt >= self.retry.max_attempts or wait > budget_left:
                log.info("%s %s: giving up after %d attempt(s): status=%s request_id=%s "
                         "(next wait %.1fs, %.1fs of the time budget left)", request.method,
                         request.route, sent, error.status, error.request_id, wait, max(budget_left, 0))
                raise _gave_up(error, sent)
            log.info("%s %s: retrying after %s (status=%s request_id=%s attempt=%d/%d wait=%.2fs%s)",
                     request.method, request.route, type(error).__name__, error.status,
                     error.request_id, attempt, self.retry.max_attempts, wait,
                     " from server" if error.retry_after is not None else "")
            time.sleep(wait)

    def _at_the_pace(self, request: ApiRequest, error: RateLimitedError, throttle: EndpointThrottle,
                     limited: int, budget_left: float, sent: int) -> None:
        """Tell the throttle of a 429 (the ``limited``-th in a row), so that the retry waits for
        the endpoint's pace; raises ``error`` if the request should give up instead."""
        throttle.rate_limited(error.retry_after, fallback=self._fallback_wait(limited))
        stalled = throttle.stalled_for()
        if (self.retry.max_attempts == 1 or (error.retry_after or 0) > budget_left
                or stalled > self.retry.max_total_seconds):
            log.info("%s %s: giving up after %d attempt(s): status=429 request_id=%s (the endpoint "
                     "admitted nothing for %.0fs%s)", request.method, request.route, sent,
                     error.request_id, stalled, "" if error.retry_after is None
                     else f", the server asks for {error.retry_after:.0f}s more")
            raise _gave_up(error, sent)
        log.debug("%s %s: 429 (request_id=%s), retrying at the endpoint's pace (held %.2fs%s)",
                  request.method, request.route, error.request_id, throttle.held_for(),
                  "" if error.retry_after is None else " from server")

    def _attempt(self, request: ApiRequest, throttle: EndpointThrottle) -> Any:
        """One send: the answer's body, or the ``AdminApiError`` it failed with (returned, not
        raised). Tells the throttle what came back, except a 429 (the caller does)."""
        try:
            body = self._send_once(request)
        except RateLimitedError as exc:
            return exc
        except ApiConnectionError as exc:
            throttle.unanswered()
            return exc
        except AdminApiError as exc:
            throttle.answered()  # an error answer still counts against the endpoint's limit
            return exc
        except BaseException:
            throttle.unanswered()
            raise
        throttle.answered()
        return body

    def _fallback_wait(self, limited: int) -> float:
        """How long a 429 that teaches nothing holds the endpoint (see pace.py): the policy's
        backoff cap (no jitter: one request probes at a time), short against the window,
        which may free at any moment."""
        return min(self.retry.backoff_cap(limited), self.rate_limit_window / 10)

    def _unreachable_from_the_start(self, error: AdminApiError) -> bool:
        """A connection never established, before any answer, under a policy that does not
        retry that (``RetryPolicy.retry_unreachable_before_first_answer``)."""
        return (not self.retry.retry_unreachable_before_first_answer and not self._answered.is_set()
                and isinstance(error, ApiConnectionError) and not error.request_sent)

    # --- one attempt ---------------------------------------------------------------------
    def _send_once(self, request: ApiRequest) -> Any:
        path = request.path
        url = self.base_url + path
        failure: ApiConnectionError | None = None
        try:
            response = self._session().request(
                request.method,
                url,
                params=request.query,
                json=request.body,
                auth=self._auth,
                timeout=self._timeout,
                allow_redirects=False,  # a redirect could carry the key elsewhere
            )
        except requests.RequestException as exc:
            failure = self._connection_error(exc, request.method, path)
        if failure is not None:
            raise failure  # outside the except block: no __context__ to the requests error

        self._answered.set()
        with response:
            request_id = response.headers.get("x-request-id")
            log.debug("%s %s -> %s request_id=%s", request.method, request.route,
                      response.status_code, request_id)
            if 200 <= response.status_code < 300:
                return self._decode(response, request.method, path, request_id)
            raise error_from_response(
                status=response.status_code,
                reason=response.reason or "",
                body=response.content,
                method=request.method,
                path=path,
                request_id=request_id,
                retry_after=retry_after_seconds(response.headers),
                scrub=self._key.scrub,
            )

    def _decode(self, response: requests.Response, method: str, path: str, request_id: str | None) -> Any:
        try:
            return json.loads(response.content)
        except ValueError:
            pass
        raise UnexpectedResponseError(
            f"HTTP {response.status_code} answer is not JSON "
            f"({response.headers.get('content-type', 'no content-type')})",
            status=response.status_code, method=method, path=path, request_id=request_id,
        )

    def _connection_error(self, exc: requests.RequestException, method: str, path: str) -> ApiConnectionError:
        kind, retryable, sent = _transport_failure_kind(exc)
        root = _root_cause(exc)
        detail = self._key.scrub(f"{type(root).__name__}: {root}")
        return ApiConnectionError(
            f"{kind}: {detail}", request_sent=sent, retryable=retryable, method=method, path=path,
        )


def _read_back(request: ApiRequest) -> Any | None:
    """What an earlier attempt with unknown outcome produced, or None if it was not applied
    (or the request has nothing to read back: it is then simply repeated)."""
    if request.reconcile is None or request.reconcile.read_back is None:
        return None
    try:
        found = request.reconcile.read_back()
    except AdminApiError:
        log.warning("%s %s: an attempt's outcome is unknown and reading it back failed; "
                    "not sending it again", request.method, request.route)
        raise
    if found is not None:
        log.info("%s %s: an earlier attempt was applied (read back); not repeating it",
                 request.method, request.route)
    return found


def _applied_earlier(request: ApiRequest, error: AdminApiError) -> Any | None:
    """The result of a write whose retry says it is already done (by our earlier attempt)."""
    log.info("%s %s: %s after an attempt with unknown outcome; that attempt applied it",
             request.method, request.route, type(error).__name__)
    read_back = request.reconcile.read_back if request.reconcile else None
    if read_back is None:
        return None
    found = read_back()
    if found is None:
        raise error  # applied yet absent: changed concurrently, let the caller see it
    return found


def _retry_kind(error: AdminApiError) -> tuple[bool, bool]:
    """(worth retrying, may have been applied) for a failed attempt."""
    if isinstance(error, RateLimitedError):
        return True, False
    if isinstance(error, ServerError):
        return True, True
    if isinstance(error, ApiConnectionError):
        return error.retryable, error.request_sent
    return False, False


def _gave_up(error: AdminApiError, attempts: int) -> AdminApiError:
    error.attempts = attempts
    return error


def _transport_failure_kind(exc: requests.RequestException) -> tuple[str, bool, bool]:
    """(description, retryable, request may have reached the server)."""
    exceptions = requests.exceptions
    if isinstance(exc, exceptions.SSLError):
        return "TLS failure", False, False  # a certificate problem does not fix itself
    if isinstance(exc, exceptions.ConnectTimeout):
        return "connect timeout", True, False
    if isinstance(exc, exceptions.ReadTimeout):
        return "read timeout", True, True
    if isinstance(exc, exceptions.ConnectionError):
        if _never_connected(exc):
            return "could not connect", True, False
        return "connection lost", True, True  # reset, aborted, closed without a response
    if isinstance(exc, (exceptions.ChunkedEncodingError, exceptions.ContentDecodingError)):
        return "response cut short", True, True
    return "request failed", False, False  # invalid URL and the like: a bug, not bad luck


def _never_connected(exc: BaseException) -> bool:
    # urllib3's NewConnectionError (refused, DNS) is a ConnectTimeoutError: no byte was sent.
    return any(isinstance(e, (urllib3.exceptions.ConnectTimeoutError, ConnectionRefusedError))
               for e in _causes(exc))


def _root_cause(exc: BaseException) -> BaseException:
    *_, root = _causes(exc)
    return root


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps (urllib3 ``.reason``, ``args[0]``, ``__cause__``), outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        nxt = getattr(current, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = next((a for a in current.args if isinstance(a, BaseException)), None)
        if nxt is None:
            nxt = current.__cause__ or current.__context__
        current = nxt
    return chain
