"""The pace estimator on its own: an endpoint's budget per window learned from answers, with
the times given (no clock, no sleeping). The endpoint simulated here is the emulator's: a
sliding window of ``LIMIT`` admitted requests per ``WINDOW`` seconds."""

from __future__ import annotations

from collections import deque

import pytest

from pulumi_openai_access.providers.admin_api.pace import PaceEstimator

WINDOW = 60.0
LIMIT = 8


class SlidingWindow:
    """The server: admits a request if fewer than ``limit`` were admitted in the last window."""

    def __init__(self, limit: int, window: float = WINDOW) -> None:
        self.limit, self.window = limit, window
        self.admitted: deque[float] = deque()

    def admit(self, at: float) -> bool:
        while self.admitted and self.admitted[0] <= at - self.window:
            self.admitted.popleft()
        if len(self.admitted) < self.limit:
            self.admitted.append(at)
            return True
        return False


def drive(pace: PaceEstimator, server: SlidingWindow, requests: int, *, start: float = 0.0,
          latency: float = 0.2) -> tuple[float, int]:
    """Send ``requests`` one after another as soon as the estimator allows, retrying 429s;
    returns (time the last one was admitted, number of 429s)."""
    now, refused, done = start, 0, 0
    while done < requests:
        ready = pace.ready_at(now)
        assert ready is not None  # one request at a time: never waiting on one in flight
        now = max(now, ready)
        pace.sent(now)
        arrived = now + latency / 2
        now += latency
        if server.admit(arrived):
            pace.answered(now)
            done += 1
        else:
            pace.rate_limited(now, fallback=1.0)
            refused += 1
    return now, refused


def test_a_fresh_endpoint_is_not_held_back():
    pace = PaceEstimator(WINDOW)
    assert pace.budget is None
    for i in range(20):
        assert pace.ready_at(float(i)) == float(i)
        pace.sent(float(i))
        pace.answered(float(i) + 0.1)


def test_the_first_429_holds_until_the_oldest_admitted_request_leaves_the_window():
    pace = PaceEstimator(WINDOW, headroom=0.02)
    for i in range(LIMIT):
        pace.sent(i * 0.5)
        pace.answered(i * 0.5 + 0.2)
    pace.sent(4.0)
    pace.rate_limited(4.2)
    # not learned yet (others may have used the window too), but held until it refills
    assert pace.budget is None
    assert pace.ready_at(5.0) == pytest.approx(0.2 + WINDOW + 0.02 * WINDOW)


def test_a_429_after_a_whole_window_watched_sets_the_budget_and_paces_at_it():
    server = SlidingWindow(LIMIT)
    pace = PaceEstimator(WINDOW)
    end, refused = drive(pace, server, 3 * LIMIT)
    assert pace.budget == LIMIT
    # three windows' worth: the last batch goes once the second has left the window
    assert 2 * WINDOW < end < 2 * WINDOW + 0.1 * WINDOW
    assert refused == 2  # one per window until learned
    end2, refused2 = drive(pace, server, 2 * LIMIT, start=end)
    assert refused2 == 0  # learned: no more 429s
    assert end2 - end < 2 * WINDOW + 0.1 * WINDOW


@pytest.mark.parametrize("limit", [4, 8, 20])
def test_the_learned_pace_is_within_a_tenth_of_the_bound(limit):
    """The issue's target: N requests within 1.1 x ceil(N/limit) windows, whatever the limit."""
    requests = 80
    end, _ = drive(PaceEstimator(WINDOW), SlidingWindow(limit), requests)
    bound = -(-requests // limit) * WINDOW
    assert end <= 1.1 * bound


def test_in_flight_requests_count_against_the_budget():
    pace = PaceEstimator(WINDOW)
    pace.budget = 2
    pace.sent(0.0)
    pace.sent(0.0)
    assert pace.ready_at(0.1) is None  # both slots in flight: the next answer decides
    pace.answered(0.3)
    pace.answered(0.3)
    assert pace.ready_at(0.4) == pytest.approx(0.3 + WINDOW + 0.02 * WINDOW)


def test_a_429_when_others_hold_the_window_teaches_nothing_and_holds_for_the_fallback():
    pace = PaceEstimator(WINDOW)
    pace.sent(0.0)
    pace.rate_limited(0.2, fallback=3.0)
    assert pace.budget is None
    assert pace.ready_at(1.0) == pytest.approx(3.2)
    assert pace.stalled_for(10.0) == pytest.approx(9.8)
    pace.sent(3.2)
    pace.answered(3.4)
    assert pace.stalled_for(10.0) == 0.0


def test_after_a_429_that_teaches_nothing_one_request_probes_alone():
    pace = PaceEstimator(WINDOW)
    for _ in range(3):
        pace.sent(0.0)
    pace.rate_limited(0.2, fallback=3.0)  # others hold the window
    pace.rate_limited(0.2, fallback=3.0)
    pace.rate_limited(0.2, fallback=3.0)
    assert pace.ready_at(3.2) == pytest.approx(3.2)
    pace.sent(3.2)
    assert pace.ready_at(3.3) is None  # the others wait for the probe's answer
    pace.answered(3.4)
    assert pace.ready_at(3.5) == pytest.approx(3.5)  # room again: no longer one at a time


def test_retry_after_holds_without_learning():
    pace = PaceEstimator(WINDOW)
    for i in range(3):
        pace.sent(float(i))
        pace.answered(float(i))
    pace.sent(70.0)
    pace.rate_limited(70.0, retry_after=5.0)
    assert pace.budget is None
    assert pace.ready_at(71.0) == pytest.approx(75.0)
    assert pace.held_for(71.0) == pytest.approx(4.0)


def test_a_limit_that_rises_is_found_after_a_quiet_stretch():
    pace = PaceEstimator(WINDOW, quiet_windows=3)
    end, _ = drive(pace, SlidingWindow(LIMIT), 3 * LIMIT)
    assert pace.budget == LIMIT
    drive(pace, SlidingWindow(LIMIT + 4), 10 * (LIMIT + 4), start=end)
    assert pace.budget == LIMIT + 4


def test_a_limit_that_drops_is_followed():
    pace = PaceEstimator(WINDOW)
    end, _ = drive(pace, SlidingWindow(LIMIT), 3 * LIMIT)
    _, refused = drive(pace, SlidingWindow(3), 12, start=end + WINDOW)
    assert pace.budget == 3
    assert refused <= 3


def test_requests_per_minute_stays_an_upper_bound():
    pace = PaceEstimator(WINDOW)
    pace.sent(0.0)
    pace.answered(0.1)
    assert pace.ready_at(0.2, min_interval=7.5) == pytest.approx(7.5)


def test_the_window_must_be_positive():
    with pytest.raises(ValueError, match="window"):
        PaceEstimator(0)


def test_the_pace_is_counted_once_the_burst_in_flight_has_answered():
    """A 429 may come back before answers admitted ahead of it: they count too."""
    pace = PaceEstimator(WINDOW)
    pace.sent(0.0)
    pace.answered(0.1)
    start = WINDOW + 5  # a whole window watched, empty now
    for _ in range(4):
        pace.sent(start)
    pace.rate_limited(start + 0.1)  # the 4th, refused, answers first
    assert pace.budget is None and pace.ready_at(start + 0.1) is None  # wait for the burst
    for i in range(3):
        pace.answered(start + 0.2 + i / 10)
    assert pace.budget == 3
    assert pace.ready_at(start + 1) == pytest.approx(start + 0.2 + WINDOW + 0.02 * WINDOW)
