"""The pace learned from 429s without Retry-After, against the emulator over real sockets: an
endpoint limited to a few requests per (short) window, no client setting but the window.

Assertions are on outcomes and counts: every request succeeds, the endpoint's limit is what
the throttle learned, and once learned the 429s stop. Timing is the benchmark's business
(bench/real_pace.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pulumi_openai_access.emulator.process import SAMPLE
from pulumi_openai_access.providers.admin_api import RetryPolicy
from pulumi_openai_access.providers.admin_api.throttle import endpoint_throttle
from tests.support.client import PROJECT, client_for

ROUTE = "/organization/projects/{project_id}"
LIMIT, WINDOW = 3, 1.5
# A time budget far shorter than the queue: waiting for the pace must not spend it.
SHORT_BUDGET = RetryPolicy(max_attempts=2, base_delay=0.02, max_delay=0.1, max_total_seconds=0.5)


def _get_projects(clients, count: int) -> None:
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(clients[i % len(clients)].get_project, SAMPLE.WEB) for i in range(count)]
        assert all(f.result().id == SAMPLE.WEB for f in futures)


def test_threads_and_clients_learn_one_pace_and_a_long_queue_fails_nothing(emulator):
    emulator.set_rate_limit(None, window_seconds=WINDOW, retry_after="none", per_route={f"GET {PROJECT}": LIMIT})
    clients = [client_for(emulator, retry=SHORT_BUDGET, rate_limit_window=WINDOW) for _ in range(2)]

    _get_projects(clients, 5 * LIMIT)  # five windows' worth from 4 threads: ~6 s of queueing
    counts = emulator.requests()
    assert counts.count("GET", PROJECT) == 5 * LIMIT
    assert endpoint_throttle(emulator.base_url, "GET", ROUTE).budget == LIMIT
    learning = counts.rate_limited[f"GET {PROJECT}"]
    assert learning <= 2 * 4  # at most the threads in flight, in the two windows it takes

    _get_projects(clients, 3 * LIMIT)
    after = emulator.requests()
    assert after.count("GET", PROJECT) == 8 * LIMIT
    # learned: at the pace, not into 429s (one allowed: a probe for a higher limit)
    assert after.rate_limited[f"GET {PROJECT}"] - learning <= 1


def test_each_endpoint_learns_its_own_pace(emulator):
    emulator.set_rate_limit(None, window_seconds=WINDOW, retry_after="none", per_route={f"GET {PROJECT}": LIMIT})
    client = client_for(emulator, retry=SHORT_BUDGET, rate_limit_window=WINDOW)
    _get_projects([client], 3 * LIMIT)
    assert endpoint_throttle(emulator.base_url, "GET", ROUTE).budget == LIMIT
    projects = list(client.list_projects())  # another endpoint, unlimited: nothing learned there
    assert projects and endpoint_throttle(emulator.base_url, "GET", "/organization/projects").budget is None
