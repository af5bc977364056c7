"""A client-side throttle per endpoint, shared by every thread (and client) in the process.

The Admin API throttles each endpoint separately (~7-10 requests a minute observed), and a
Pulumi provider serves resources from several threads at once. So the throttle state lives in
a module-level registry keyed by (base URL, method, route template), not in a client: clients
built in different threads for the same API still queue behind one another.

Two things make a request wait: the spacing that ``requests_per_minute`` asks for (one
request every 60/rpm seconds, measured between sends), and a pause that a 429 put on the
endpoint (its Retry-After, or the backoff the client chose), which holds back every thread.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)


class EndpointThrottle:
    """The send schedule of one endpoint. Thread-safe."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._cond = threading.Condition()
        self._last_send: float | None = None  # monotonic time of the latest admitted send
        self._paused_until = 0.0

    def acquire(self, requests_per_minute: float | None) -> float:
        """Block until a request may be sent now; returns how long it waited (seconds).

        The ready time is recomputed after every wake-up, so a pause set while a thread waits
        holds it too, and only one waiting thread is admitted per interval.
        """
        interval = 60.0 / requests_per_minute if requests_per_minute else 0.0
        started = time.monotonic()
        waited = 0.0
        with self._cond:
            while True:
                now = time.monotonic()
                ready_at = self._paused_until
                if interval and self._last_send is not None:
                    ready_at = max(ready_at, self._last_send + interval)
                if now >= ready_at:
                    self._last_send = now
                    break
                self._cond.wait(ready_at - now)
                waited = time.monotonic() - started
        if waited:
            log.debug("throttle: waited %.2fs before %s", waited, self.name)
        return waited

    def paused_for(self) -> float:
        """Seconds left of the current pause (0 if none)."""
        with self._cond:
            return max(0.0, self._paused_until - time.monotonic())

    def pause(self, seconds: float) -> None:
        """Hold back every request to this endpoint for ``seconds`` from now (never shortens)."""
        with self._cond:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        log.info("throttle: pausing %s for %.1fs after a 429", self.name, seconds)


_registry: dict[tuple[str, str, str], EndpointThrottle] = {}
_registry_lock = threading.Lock()


def endpoint_throttle(base_url: str, method: str, route: str) -> EndpointThrottle:
    """The process-wide throttle of one endpoint (route = path template, e.g. ``/x/{id}``)."""
    key = (base_url, method.upper(), route)
    with _registry_lock:
        throttle = _registry.get(key)
        if throttle is None:
            throttle = _registry[key] = EndpointThrottle(f"{method.upper()} {route}")
        return throttle


def reset_throttles() -> None:
    """Forget every endpoint's schedule (tests; a new process starts empty anyway)."""
    with _registry_lock:
        _registry.clear()
