"""The client-side throttle: one schedule per endpoint for the whole process, spacing requests
across threads and clients, and holding every thread back after a 429. (The pace learned
from 429s without Retry-After: here against the emulator over real sockets, with a short
window; the estimator alone in test_pace.py.)

Timing assertions are lower bounds only (guaranteed by the algorithm, whatever the load);
the rest is counts and order.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_openai_access.emulator.process import SAMPLE
from pulumi_openai_access.providers.admin_api.errors import RateLimitedError
from pulumi_openai_access.providers.admin_api.retry import RetryPolicy
from pulumi_openai_access.providers.admin_api.throttle import EndpointThrottle, endpoint_throttle
from tests.support.client import PROJECT, client_for

ROUTE = "/organization/projects/{project_id}"


def _admit_from_threads(throttle: EndpointThrottle, rpm: float | None, threads: int, each: int) -> list[float]:
    """Admission times (seconds after start, sorted), taken right after acquire() returns."""
    start = time.monotonic()
    times: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(each):
            throttle.acquire(rpm)
            with lock:
                times.append(time.monotonic() - start)

    with ThreadPoolExecutor(threads) as pool:
        for future in [pool.submit(worker) for _ in range(threads)]:
            future.result()
    return sorted(times)


def test_spacing_is_shared_by_all_threads():
    interval = 0.05
    times = _admit_from_threads(EndpointThrottle("t"), 60 / interval, threads=4, each=5)
    assert len(times) == 20
    # The k-th admission cannot come before k intervals (a thread may only record it later).
    for k, t in enumerate(times):
        assert t >= k * interval - 0.005


def test_no_rate_means_no_waiting():
    assert EndpointThrottle("t").acquire(None) == 0.0


def test_a_hold_holds_back_every_thread_including_those_already_waiting():
    throttle = EndpointThrottle("t")
    throttle.acquire(60 / 0.05)  # the next slot is 50 ms away ...
    throttle.rate_limited(retry_after=0.3)  # ... but a 429 holds the endpoint for 300 ms
    times = _admit_from_threads(throttle, 60 / 0.05, threads=3, each=1)
    assert times[0] >= 0.29
    assert times[1] >= times[0] and times[2] >= 0.29 + 2 * 0.05 - 0.005  # still spaced after the hold


def test_a_hold_never_shortens_and_reports_what_is_left():
    throttle = EndpointThrottle("t")
    throttle.rate_limited(retry_after=5)
    throttle.rate_limited(retry_after=1)
    assert 4 < throttle.held_for() <= 5


def test_the_registry_shares_one_schedule_per_endpoint():
    a = endpoint_throttle("http://127.0.0.1:1/v1", "get", ROUTE)
    assert a is endpoint_throttle("http://127.0.0.1:1/v1", "GET", ROUTE)
    assert a is not endpoint_throttle("http://127.0.0.1:1/v1", "DELETE", ROUTE)
    assert a is not endpoint_throttle("http://127.0.0.1:2/v1", "GET", ROUTE)


def test_clients_in_many_threads_share_the_endpoint_rate(emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="pulumi_openai_access.providers.admin_api.throttle")
    rpm = 600  # one request every 0.1 s
    clients = [client_for(emulator, requests_per_minute=rpm) for _ in range(2)]  # two clients, one schedule
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(clients[i % 2].get_project, SAMPLE.WEB) for i in range(12)]
        assert all(f.result().id == SAMPLE.WEB for f in futures)
    assert time.monotonic() - started >= 11 * 60 / rpm - 0.01
    assert emulator.requests().count("GET", PROJECT) == 12
    assert any("throttle: waited" in r.getMessage() and "GET /organization/projects/{project_id}" in r.getMessage()
               for r in caplog.records)


def test_a_429_with_retry_after_holds_the_endpoint_for_every_thread(emulator):
    # Two requests per second on this endpoint; the third gets a 429 with Retry-After.
    emulator.set_rate_limit(None, window_seconds=1, retry_after="seconds", per_route={f"GET {PROJECT}": 2})
    first, second = client_for(emulator), client_for(emulator)
    first.get_project(SAMPLE.WEB)
    first.get_project(SAMPLE.WEB)
    hit = threading.Thread(target=first.get_project, args=(SAMPLE.WEB,))
    hit.start()  # gets the 429, holds the endpoint, retries
    throttle = endpoint_throttle(emulator.base_url, "GET", ROUTE)
    deadline = time.monotonic() + 5
    while throttle.held_for() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert throttle.held_for() > 0
    # Another client in another thread now waits out the hold instead of earning its own 429.
    assert second.get_project(SAMPLE.WEB).id == SAMPLE.WEB
    hit.join(10)
    counts = emulator.requests()
    assert counts.rate_limited == {f"GET {PROJECT}": 1}
    assert counts.count("GET", PROJECT) == 4


def test_an_endpoint_that_admits_nothing_gives_up_after_the_time_budget(emulator):
    """429s spend no attempt (they are the endpoint's pace), but an endpoint that admits
    nothing at all for the whole time budget fails the request."""
    emulator.set_rate_limit(None, window_seconds=60, retry_after="none", per_route={f"GET {PROJECT}": 0})
    policy = RetryPolicy(max_attempts=2, base_delay=0.02, max_delay=0.05, max_total_seconds=0.5)
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as info:
        client_for(emulator, retry=policy).get_project(SAMPLE.WEB)
    assert time.monotonic() - started >= 0.5
    refused = emulator.requests().rate_limited[f"GET {PROJECT}"]
    assert refused > policy.max_attempts and info.value.attempts == refused


# --- the pace learned from 429s without Retry-After ---------------------------------------
LIMIT, WINDOW = 3, 2.0
# A time budget far shorter than the queue (five windows and more), though longer than the
# window (a request gives up on 429s only when its endpoint admitted nothing for the whole
# budget, and the first 429 holds the endpoint for up to a window): the pace must not spend it.
SHORT_BUDGET = RetryPolicy(max_attempts=2, base_delay=0.02, max_delay=0.1, max_total_seconds=2 * WINDOW)


def _get_projects(clients, count: int) -> None:
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(clients[i % len(clients)].get_project, SAMPLE.WEB) for i in range(count)]
        assert all(f.result().id == SAMPLE.WEB for f in futures)


def test_threads_and_clients_learn_one_pace_and_a_long_queue_fails_nothing(emulator):
    emulator.set_rate_limit(None, window_seconds=WINDOW, retry_after="none", per_route={f"GET {PROJECT}": LIMIT})
    clients = [client_for(emulator, retry=SHORT_BUDGET, rate_limit_window=WINDOW) for _ in range(2)]

    _get_projects(clients, 5 * LIMIT)  # five windows' worth from 4 threads: ~8 s of queueing
    counts = emulator.requests()
    assert counts.count("GET", PROJECT) == 5 * LIMIT
    assert endpoint_throttle(emulator.base_url, "GET", ROUTE).budget == LIMIT
    learning = counts.rate_limited[f"GET {PROJECT}"]
    assert learning <= 2 * 4  # at most the threads in flight, in the two windows it takes

    _get_projects(clients, 3 * LIMIT)
    after = emulator.requests()
    assert after.count("GET", PROJECT) == 8 * LIMIT
    # learned: at the pace, not into 429s (a probe for a higher limit is due after three
    # quiet windows; one more allowed for the scheduling jitter of a loaded machine)
    assert after.rate_limited[f"GET {PROJECT}"] - learning <= 2


def test_each_endpoint_learns_its_own_pace(emulator):
    emulator.set_rate_limit(None, window_seconds=WINDOW, retry_after="none", per_route={f"GET {PROJECT}": LIMIT})
    client = client_for(emulator, retry=SHORT_BUDGET, rate_limit_window=WINDOW)
    _get_projects([client], 3 * LIMIT)
    assert endpoint_throttle(emulator.base_url, "GET", ROUTE).budget == LIMIT
    projects = list(client.list_projects())  # another endpoint, unlimited: nothing learned there
    assert projects and endpoint_throttle(emulator.base_url, "GET", "/organization/projects").budget is None
