"""A client-side throttle per endpoint, shared by every thread (and client) in the process.

The Admin API throttles each endpoint separately (~7-10 requests a minute observed), and a
Pulumi provider serves resources from several threads at once. So the throttle state lives in
a module-level registry keyed by (base URL, method, route template), not in a client: clients
built in different threads for the same API (the providers' resources, the command's
listings) queue behind one another and learn one pace.

What makes a request wait is decided by the endpoint's ``PaceEstimator`` (pace.py): the pace
learned from its 429s, a hold after a 429 (the server's Retry-After, or until the window
refills), and the spacing that ``requests_per_minute`` asks for (one request every 60/rpm
seconds), an upper bound a user may set.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from .pace import DEFAULT_WINDOW_SECONDS, PaceChange, PaceEstimator

log = logging.getLogger(__name__)


class EndpointThrottle:
    """The send schedule of one endpoint. Thread-safe. Every ``acquire`` must be followed by
    one of ``answered``, ``rate_limited`` or ``unanswered`` for that request."""

    def __init__(self, name: str, window: float = DEFAULT_WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self._clock = clock
        self._cond = threading.Condition()
        self._pace = PaceEstimator(window)

    @property
    def budget(self) -> int | None:
        """The requests per window this endpoint was seen to admit (None: not learned yet)."""
        return self._pace.budget

    def acquire(self, requests_per_minute: float | None) -> float:
        """Block until a request may be sent now, and count it as sent; returns how long it
        waited (seconds). The ready time is recomputed after every wake-up, so an answer or a
        hold that came while a thread waited counts too."""
        interval = 60.0 / requests_per_minute if requests_per_minute else 0.0
        started = self._clock()
        waited = 0.0
        with self._cond:
            while True:
                now = self._clock()
                ready_at = self._pace.ready_at(now, interval)
                if ready_at is not None and now >= ready_at:
                    self._pace.sent(now)
                    break
                self._cond.wait(None if ready_at is None else ready_at - now)
                waited = self._clock() - started
        if waited:
            log.debug("throttle: waited %.2fs before %s", waited, self.name)
        return waited

    def answered(self) -> None:
        """The request got an answer other than a 429 (the endpoint counted it)."""
        with self._cond:
            change = self._pace.answered(self._clock())
            self._cond.notify_all()
        if change:
            self._log_change(change)

    def unanswered(self) -> None:
        """The request got no answer at all (a connection failure)."""
        with self._cond:
            change = self._pace.unanswered(self._clock())
            self._cond.notify_all()
        if change:
            self._log_change(change)

    def rate_limited(self, retry_after: float | None = None, fallback: float = 0.0) -> None:
        """The request got a 429: hold every thread for ``retry_after`` if the server gave it,
        else learn from it (holding for ``fallback`` if it teaches nothing)."""
        with self._cond:
            change = self._pace.rate_limited(self._clock(), retry_after=retry_after, fallback=fallback)
            held = self._pace.held_for(self._clock())
            self._cond.notify_all()
        if change:
            self._log_change(change)
        elif held:
            log.debug("throttle: holding %s for %.1fs after a 429", self.name, held)

    def held_for(self) -> float:
        """Seconds left of the current hold (0 if none)."""
        with self._cond:
            return self._pace.held_for(self._clock())

    def stalled_for(self) -> float:
        """Seconds since this endpoint last admitted a request, while it answers 429s."""
        with self._cond:
            return self._pace.stalled_for(self._clock())

    def _log_change(self, change: PaceChange) -> None:
        log.info("throttle: %s admits %d request(s) per %gs: pacing it at that", self.name,
                 change.budget, change.window)


_registry: dict[tuple[str, str, str], EndpointThrottle] = {}
_registry_lock = threading.Lock()


def endpoint_throttle(base_url: str, method: str, route: str,
                      window: float = DEFAULT_WINDOW_SECONDS) -> EndpointThrottle:
    """The process-wide throttle of one endpoint (route = path template, e.g. ``/x/{id}``).
    ``window`` is the API's refill period, taken by whichever client asks first."""
    key = (base_url, method.upper(), route)
    with _registry_lock:
        throttle = _registry.get(key)
        if throttle is None:
            throttle = _registry[key] = EndpointThrottle(f"{method.upper()} {route}", window)
        return throttle


def reset_throttles() -> None:
    """Forget every endpoint's schedule (tests; a new process starts empty anyway)."""
    with _registry_lock:
        _registry.clear()
