"""The limiter never lets more than `calls` through in any `seconds` window."""

from __future__ import annotations

import threading
import time

import pytest

from brokers.core.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def max_in_window(stamps, seconds):
    stamps = sorted(stamps)
    best, j = 0, 0
    for i, t in enumerate(stamps):
        while t - stamps[j] >= seconds:
            j += 1
        best = max(best, i - j + 1)
    return best


def test_several_windows_hold_with_a_fake_clock():
    clock = FakeClock()
    limiter = RateLimiter({"orders": [(10, 1.0), (25, 60.0)]}, margin=0.0, clock=clock, sleep=clock.sleep)
    stamps = []
    for _ in range(60):
        limiter.acquire("orders")
        stamps.append(clock.now)
    assert max_in_window(stamps, 1.0) <= 10
    assert max_in_window(stamps, 60.0) <= 25
    # and it does not over-throttle: the 26th call waited for the minute window only
    assert stamps[25] - stamps[0] == pytest.approx(60.0)


def test_burst_at_window_edge_is_spread():
    clock = FakeClock()
    limiter = RateLimiter({"q": [(2, 1.0)]}, margin=0.0, clock=clock, sleep=clock.sleep)
    stamps = [clock.now for _ in range(6) if limiter.acquire("q") is not None]
    assert max_in_window(stamps, 1.0) <= 2
    # pairs at 0, 1, 2, each pair paced a quarter second apart (budget.PACE)
    assert stamps[-1] - stamps[0] == pytest.approx(2.25)


def test_unlisted_group_is_free():
    limiter = RateLimiter({"quote": [(1, 60.0)]})
    assert limiter.acquire("other") == 0.0
    assert limiter.acquire("other") == 0.0


def test_threads_share_the_limit():
    limiter = RateLimiter({"g": [(5, 0.2)]}, margin=0.01)
    stamps = []
    lock = threading.Lock()

    def worker():
        for _ in range(5):
            limiter.acquire("g")
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(stamps) == 20
    assert max_in_window(stamps, 0.2) <= 5


def test_penalise_delays_the_next_call():
    clock = FakeClock()
    limiter = RateLimiter({"g": [(3, 1.0)]}, margin=0.0, clock=clock, sleep=clock.sleep)
    limiter.penalise("g", 5.0)
    start = clock.now
    limiter.acquire("g")
    assert clock.now - start == pytest.approx(5.0)


@pytest.mark.parametrize("bad", [[(0, 1.0)], [(1, 0)], [("x", 1)], [(1,)]])
def test_bad_windows_are_value_errors(bad):
    with pytest.raises(ValueError, match="rate_limits"):
        RateLimiter({"g": bad})
