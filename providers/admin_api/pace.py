"""What one endpoint admits per window, learned from its answers (pure: every method is given
the time; the caller holds the lock).

The Admin API throttles each endpoint to a few requests per window (about 8 per 60 s
observed) and says neither the limit nor when to retry: a 429 carries no Retry-After. So the
client learns it. It keeps the times of the requests the endpoint admitted, and a 429 tells
it the window is full:

* the first 429 of a process may come in a window that others (an earlier command) used too,
  so it only says *not before our oldest admitted request leaves the window*: nothing is sent
  until then;
* a 429 once a whole window has been watched gives the pace: the requests admitted in the
  window before it (``budget``), counted once the requests in flight with it have answered
  (a 429 may come back before answers that were admitted ahead of it). From then on a
  request goes only when fewer than ``budget``
  admitted requests are in the last window, that is when the oldest one leaves it, plus a
  little headroom (``headroom`` of a window) for the clocks and the latency between our
  answer and the server's count;
* after ``quiet_windows`` windows without a 429 it sends one request more than the budget;
  admitted, the budget grows (so does a limit that rose), refused, the 429 sets it again;
* a 429 while none of our requests is in the window (others hold it) teaches nothing: the
  endpoint waits the caller's short ``fallback`` and sends one request alone to see whether
  the window has room again; the others follow once it is admitted.

A 429 with Retry-After or retry-after-ms holds the endpoint for that long, without learning.
``requests_per_minute`` (a user's setting) stays an upper bound: sends are spaced by 60/rpm.

The time of an admitted request is when its answer came back: the server counted it at or
before that, so the slot is free again at that time plus the window at the latest.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .behaviour import RATE_LIMIT_WINDOW_SECONDS as DEFAULT_WINDOW_SECONDS


@dataclass(frozen=True)
class PaceChange:
    """What a 429 or an admitted request taught: the endpoint's new budget per window."""

    budget: int
    window: float


class PaceEstimator:
    """The learned send schedule of one endpoint."""

    def __init__(self, window: float = DEFAULT_WINDOW_SECONDS, *, headroom: float = 0.02,
                 quiet_windows: float = 3.0) -> None:
        if window <= 0:
            raise ValueError("window must be positive")
        self.window = window
        self.budget: int | None = None  # requests admitted per window; None until learned
        self._headroom = headroom * window
        self._quiet = quiet_windows * window
        self._admitted: deque[float] = deque()  # answer times of admitted requests, oldest first
        self._in_flight = 0
        self._first_send: float | None = None
        self._last_send: float | None = None
        self._held_until = 0.0
        self._last_limited: float | None = None
        self._stalled_since: float | None = None  # first 429 since the last admitted request
        self._blind = False  # the last 429 taught nothing: one request at a time until admitted
        self._settling = False  # a 429 came: decided once the requests in flight have answered
        self._fallback = 0.0

    # --- when may the next request go -----------------------------------------------------
    def ready_at(self, now: float, min_interval: float = 0.0) -> float | None:
        """The earliest time the next request may be sent (``now`` if at once), or None when
        requests in flight fill the budget: the next answer tells."""
        self._forget_before(now)
        ready = max(now, self._held_until)
        if min_interval and self._last_send is not None:
            ready = max(ready, self._last_send + min_interval)
        if (self._blind or self._settling) and self._in_flight:
            return None
        if self.budget is None:
            return ready
        allowed = self.budget + (1 if self._probe_due(now) else 0)
        in_window = self._admitted_since(now - self.window)
        excess = len(in_window) + self._in_flight - allowed
        if excess < 0:
            return ready
        if excess >= len(in_window):
            return None
        # once the (excess+1) oldest have left the window, one slot is free
        return max(ready, in_window[excess] + self.window + self._headroom)

    def held_for(self, now: float) -> float:
        """Seconds left of a hold (a Retry-After, or the wait after a first 429)."""
        return max(0.0, self._held_until - now)

    def stalled_for(self, now: float) -> float:
        """Seconds since the endpoint last admitted one of our requests, while it refuses them."""
        return 0.0 if self._stalled_since is None else now - self._stalled_since

    # --- what happened -------------------------------------------------------------------
    def sent(self, now: float) -> None:
        self._in_flight += 1
        self._last_send = now
        if self._first_send is None:
            self._first_send = now

    def answered(self, now: float) -> PaceChange | None:
        """An answer other than a 429: the endpoint counted the request."""
        self._in_flight = max(0, self._in_flight - 1)
        self._admitted.append(now)
        self._stalled_since = None
        self._blind = False
        if self._settling:
            return self._settle(now)
        if self.budget is not None:
            count = len(self._admitted_since(now - self.window))
            if count > self.budget:  # a probe got through: the endpoint admits more
                self.budget = count
                return PaceChange(count, self.window)
        return None

    def unanswered(self, now: float) -> PaceChange | None:
        """The request never got an answer (connection failure): nothing to learn."""
        self._in_flight = max(0, self._in_flight - 1)
        self._blind = False  # a probe that got lost: let the next one go
        return self._settle(now) if self._settling else None

    def rate_limited(self, now: float, *, retry_after: float | None = None,
                     fallback: float = 0.0) -> PaceChange | None:
        """A 429. ``retry_after``: the server's wait, if it sent one. ``fallback``: how long to
        hold when the answer teaches nothing (none of our admitted requests in the window)."""
        self._in_flight = max(0, self._in_flight - 1)
        self._last_limited = now
        if self._stalled_since is None:
            self._stalled_since = now
        if retry_after is not None:
            self._hold(now + retry_after)
        else:
            self._settling = True  # decided once the requests in flight have answered
            self._fallback = fallback
        return self._settle(now) if self._settling else None

    # --- internals -----------------------------------------------------------------------
    def _settle(self, now: float) -> PaceChange | None:
        """What a 429 without Retry-After means, once nothing is in flight any more."""
        if self._in_flight:
            return None
        self._settling = False
        in_window = self._admitted_since(now - self.window)
        if not in_window:  # others hold the window: it teaches nothing
            self._hold(now + self._fallback)
            self._blind = True
            return None
        if self._first_send is None or self._first_send > now - self.window:
            # others may have used this window: wait until ours start to leave it, then see
            self._hold(in_window[0] + self.window + self._headroom)
            return None
        if len(in_window) == self.budget:  # a whole window watched: its count is the pace
            return None
        self.budget = len(in_window)
        return PaceChange(self.budget, self.window)

    def _hold(self, until: float) -> None:
        self._held_until = max(self._held_until, until)

    def _probe_due(self, now: float) -> bool:
        return self._last_limited is not None and now - self._last_limited >= self._quiet

    def _admitted_since(self, start: float) -> list[float]:
        return [t for t in self._admitted if t > start]

    def _forget_before(self, now: float) -> None:
        horizon = now - self.window - self._headroom
        while self._admitted and self._admitted[0] <= horizon:
            self._admitted.popleft()
