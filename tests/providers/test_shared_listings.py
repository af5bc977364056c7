"""``SharedListings``: one load per key however many threads ask at once, reused until its time
to live runs out or a write invalidates it."""

from __future__ import annotations

import threading
import time

import pytest

from pulumi_openai_access.providers.shared_listings import SharedListings


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_listing_is_loaded_once_and_reused_until_it_expires():
    clock = Clock()
    listings: SharedListings[str, list[int]] = SharedListings(10.0, clock)
    loads: list[str] = []

    def load(key: str):
        return lambda: loads.append(key) or [len(loads)]

    assert listings.get("a", load("a")) == [1]
    clock.now = 9.9
    assert listings.get("a", load("a")) == [1] and listings.get("b", load("b")) == [2]
    clock.now = 10.0
    assert listings.get("a", load("a")) == [3]
    assert loads == ["a", "b", "a"]


def test_an_invalidated_listing_is_loaded_again_and_others_are_kept():
    listings: SharedListings[str, int] = SharedListings(300.0, Clock())
    values = iter(range(10))
    assert listings.get("a", lambda: next(values)) == 0 and listings.get("b", lambda: next(values)) == 1
    listings.invalidate("a")
    listings.invalidate("never-loaded")
    assert listings.get("a", lambda: next(values)) == 2 and listings.get("b", lambda: next(values)) == 1


def test_threads_asking_at_once_share_one_load():
    listings: SharedListings[str, str] = SharedListings(300.0)
    started, loads = threading.Event(), []

    def slow_load() -> str:
        loads.append(threading.current_thread().name)
        started.set()
        time.sleep(0.2)
        return "listing"

    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(listings.get("p", slow_load))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["listing"] * 4 and len(loads) == 1


def test_a_failed_load_is_not_kept():
    listings: SharedListings[str, str] = SharedListings(300.0)

    def failing() -> str:
        raise RuntimeError("page 2 failed")

    with pytest.raises(RuntimeError):
        listings.get("p", failing)
    assert listings.get("p", lambda: "listing") == "listing"
