"""Request counters by route key, kept apart by outcome so benchmarks can tell them apart:
requests the API handled (any status), requests refused by the rate limiter, and requests
hit by an injected fault (a ``drop_after`` fault is also counted as handled: it was applied).
The handled writes are also kept in order, with their paths and statuses, so that a test can
show what happened before what (say, that access was granted before another was removed)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


# Enough for every benchmark run; beyond it, writes are still counted but not listed.
MAX_WRITES_KEPT = 100_000


class RequestCounters:
    KINDS = ("handled", "rate_limited", "faults")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {kind: Counter() for kind in self.KINDS}
        self._writes: list[dict[str, Any]] = []

    def add(self, kind: str, key: str) -> None:
        with self._lock:
            self._counts[kind][key] += 1

    def add_write(self, method: str, path: str, status: int) -> None:
        with self._lock:
            if len(self._writes) < MAX_WRITES_KEPT:
                self._writes.append({"method": method, "path": path, "status": status})

    def reset(self) -> None:
        with self._lock:
            for counter in self._counts.values():
                counter.clear()
            self._writes.clear()

    def snapshot(self) -> dict[str, Any]:
        """``{"total", "by_route", "rate_limited": {total, by_route}, "faults": {...}, "writes": [...]}``."""
        with self._lock:
            def part(kind: str) -> dict[str, Any]:
                return {"total": sum(self._counts[kind].values()), "by_route": dict(self._counts[kind])}

            handled = part("handled")
            return {**handled, "rate_limited": part("rate_limited"), "faults": part("faults"),
                    "writes": list(self._writes)}
