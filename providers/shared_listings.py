"""Listings fetched once and shared by every resource that a provider process serves.

The engine reads resources on up to four threads at once; refreshing 300 memberships of one
project must cost one paged listing, not 300 requests, and not four listings racing each
other. Each key is loaded by one thread while the others wait for its result.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Generic, Hashable, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass
class _Entry(Generic[V]):
    lock: threading.Lock
    value: V | None = None
    loaded_at: float | None = None


class SharedListings(Generic[K, V]):
    """A per-key, single-flight cache with a time to live, invalidated by writes."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[K, _Entry[V]] = {}
        self._guard = threading.Lock()

    def _entry(self, key: K) -> _Entry[V]:
        with self._guard:
            return self._entries.setdefault(key, _Entry(lock=threading.Lock()))

    def get(self, key: K, load: Callable[[], V]) -> V:
        entry = self._entry(key)
        with entry.lock:
            fresh = entry.loaded_at is not None and self._clock() - entry.loaded_at < self._ttl
            if not fresh:
                entry.value = load()
                entry.loaded_at = self._clock()
            return entry.value  # type: ignore[return-value]

    def invalidate_all(self) -> None:
        with self._guard:
            keys = list(self._entries)
        for key in keys:
            self.invalidate(key)

    def invalidate(self, key: K) -> None:
        entry = self._entry(key)
        with entry.lock:
            entry.loaded_at = None
            entry.value = None
