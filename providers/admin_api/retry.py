"""How long to wait before retrying, and for how long retrying may go on (pure functions)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Mapping


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds on retrying 429s, 5xx and connection failures.

    The defaults suit an API observed to throttle each endpoint to ~7-10 requests a minute and
    to refill after ~60 s, often without a Retry-After header: the backoff cap doubles from
    ``base_delay`` up to ``max_delay`` (4, 8, 16, 32, 60, 60, 60 s; full jitter picks a wait
    between 0 and the cap), so the waits before the 5th attempt add up to a minute at most and
    the 7 retries average about two minutes: long enough for a 60 s window to refill, bounded
    by ``max_total_seconds``.
    """

    max_attempts: int = 8  # including the first
    base_delay: float = 4.0  # seconds; the first retry's backoff cap
    max_delay: float = 60.0  # seconds; the backoff cap never grows past this
    # Time budget for retrying, from the first attempt's send (client-side throttle queueing
    # before it does not count). A retry whose wait would end past it is not made.
    max_total_seconds: float = 300.0
    # False: a connection that was never established (refused, DNS failure, connect timeout: no
    # byte sent) is not retried until the API has answered once through this client. For a
    # command-line run, whose first request then probes the URL: a wrong URL fails at once,
    # while a blip later in a long run is still retried. Providers keep True: an engine run
    # may start while the network comes up.
    retry_unreachable_before_first_answer: bool = True

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.max_total_seconds) < 0:
            raise ValueError("delays and the time budget cannot be negative")

    def backoff_cap(self, retry_number: int) -> float:
        """The longest backoff of the ``retry_number``-th retry (1-based): doubling, capped."""
        return min(self.max_delay, self.base_delay * 2 ** min(retry_number - 1, 32))

    def backoff(self, retry_number: int, rng: random.Random | None = None) -> float:
        """Exponential backoff with full jitter for the ``retry_number``-th retry (1-based)."""
        return (rng or random).uniform(0.0, self.backoff_cap(retry_number))



def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, else ``Retry-After`` (seconds or an
    HTTP date). None if absent or unparseable. ``headers`` must be case-insensitive."""
    millis = _number(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:  # an HTTP date is always GMT; anything else is junk
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    # nan/inf/negative are not waits anyone meant
    return number if 0.0 <= number < float("inf") else None
