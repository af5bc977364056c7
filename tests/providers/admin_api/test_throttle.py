"""The client-side throttle: one schedule per endpoint for the whole process, spacing requests
across threads and clients, and holding every thread back after a 429.

Timing assertions are lower bounds only (guaranteed by the algorithm, whatever the load);
the rest is counts and order.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_openai_access.providers.admin_api.errors import RateLimitedError
from pulumi_openai_access.providers.admin_api.throttle import EndpointThrottle, endpoint_throttle
from pulumi_openai_access.emulator.process import SAMPLE
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


def test_a_pause_holds_back_every_thread_including_those_already_waiting():
    throttle = EndpointThrottle("t")
    throttle.acquire(60 / 0.05)  # the next slot is 50 ms away ...
    throttle.pause(0.3)  # ... but a 429 pauses the endpoint for 300 ms
    times = _admit_from_threads(throttle, 60 / 0.05, threads=3, each=1)
    assert times[0] >= 0.29
    assert times[1] >= times[0] and times[2] >= 0.29 + 2 * 0.05 - 0.005  # still spaced after the pause


def test_pause_never_shortens_and_reports_what_is_left():
    throttle = EndpointThrottle("t")
    throttle.pause(5)
    throttle.pause(1)
    assert 4 < throttle.paused_for() <= 5


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


def test_a_429_pauses_the_endpoint_for_every_thread(emulator):
    # Two requests per second on this endpoint; the third gets a 429 with Retry-After.
    emulator.set_rate_limit(None, window_seconds=1, retry_after="seconds", per_route={f"GET {PROJECT}": 2})
    first, second = client_for(emulator), client_for(emulator)
    first.get_project(SAMPLE.WEB)
    first.get_project(SAMPLE.WEB)
    hit = threading.Thread(target=first.get_project, args=(SAMPLE.WEB,))
    hit.start()  # gets the 429, pauses the endpoint, sleeps, retries
    throttle = endpoint_throttle(emulator.base_url, "GET", ROUTE)
    deadline = time.monotonic() + 5
    while throttle.paused_for() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert throttle.paused_for() > 0
    # Another client in another thread now waits out the pause instead of earning its own 429.
    assert second.get_project(SAMPLE.WEB).id == SAMPLE.WEB
    hit.join(10)
    counts = emulator.requests()
    assert counts.rate_limited == {f"GET {PROJECT}": 1}
    assert counts.count("GET", PROJECT) == 4


def test_a_bare_429_under_a_configured_rate_waits_one_interval_not_a_backoff(emulator, caplog):
    """The real Admin API sends no Retry-After: with a rate configured, a full window frees
    one slot per interval, so the client waits exactly that, not a random backoff."""
    caplog.set_level(logging.INFO, logger="pulumi_openai_access.providers.admin_api.transport")
    emulator.set_rate_limit(None, window_seconds=1, retry_after="none", per_route={f"GET {PROJECT}": 1})
    client = client_for(emulator, requests_per_minute=120)  # a slot every 0.5 s; the FAST backoff is ≤ 0.1 s
    client.get_project(SAMPLE.WEB)
    emulator.set_rate_limit(None, window_seconds=60, retry_after="none", per_route={f"GET {PROJECT}": 0})
    with pytest.raises(RateLimitedError):
        client.get_project(SAMPLE.WEB)  # 429 every time: gives up after the policy's attempts
    waits = [r.getMessage() for r in caplog.records if "retrying after RateLimitedError" in r.getMessage()]
    assert waits and all("wait=0.50s" in message for message in waits), waits
