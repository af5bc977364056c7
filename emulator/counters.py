"""Request counters by route key, kept apart by outcome so benchmarks can tell them apart:
requests the API handled (any status), requests refused by the rate limiter, and requests
hit by an injected fault (a ``drop_after`` fault is also counted as handled: it was applied)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestCounters:
    KINDS = ("handled", "rate_limited", "faults")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {kind: Counter() for kind in self.KINDS}

    def add(self, kind: str, key: str) -> None:
        with self._lock:
            self._counts[kind][key] += 1

    def reset(self) -> None:
        with self._lock:
            for counter in self._counts.values():
                counter.clear()

    def snapshot(self) -> dict[str, Any]:
        """``{"total", "by_route", "rate_limited": {total, by_route}, "faults": {...}}``."""
        with self._lock:
            def part(kind: str) -> dict[str, Any]:
                return {"total": sum(self._counts[kind].values()), "by_route": dict(self._counts[kind])}

            handled = part("handled")
            return {**handled, "rate_limited": part("rate_limited"), "faults": part("faults")}
