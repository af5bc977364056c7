"""Listings fetched once and shared by every resource that a provider process serves.

The engine reads resources on up to four threads at once; refreshing 300 memberships of one
project must cost one paged listing, not 300 requests, and not four listings racing each
other. Each key is loaded by one thread while the others wait for its result.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Generic, Hashable, Iterable, Iterator, TypeVar

from .admin_api.errors import AdminApiError, NotFoundError, ProjectArchivedError

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


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

    def amend(self, key: K, change: Callable[[V], V]) -> None:
        """Apply a write's known effect to a loaded listing, sparing a re-read (an unloaded or
        expired listing is left to load afresh)."""
        entry = self._entry(key)
        with entry.lock:
            if entry.loaded_at is not None and self._clock() - entry.loaded_at < self._ttl:
                entry.value = change(entry.value)  # type: ignore[arg-type]

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


@contextmanager
def invalidating_on_error(listings: SharedListings[K, Any], key: K) -> Iterator[None]:
    """Forget a listing when a write fails in a way that may have changed something (not a
    4xx refusal); a write that succeeds amends the listing itself instead."""
    try:
        yield
    except BaseException as error:
        refused = isinstance(error, AdminApiError) and error.status is not None and 400 <= error.status < 500
        if not refused:
            listings.invalidate(key)
        raise


@contextmanager
def invalidating(listings: SharedListings[K, Any], key: K) -> Iterator[None]:
    """Forget a listing after a write, unless the API refused the write outright: a 4xx
    answer changed nothing, and keeping the listing spares a re-read per refused write."""
    with invalidating_on_error(listings, key):
        yield
    listings.invalidate(key)


def gone_is_empty(listing: Callable[[], Iterable[T]]) -> Iterator[T]:
    """A project (or group) that no longer exists, or an archived project, has nothing in it."""
    try:
        yield from listing()
    except (NotFoundError, ProjectArchivedError):
        return
