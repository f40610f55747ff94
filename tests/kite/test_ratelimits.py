"""Kite's limits, shared by every thread: the broker never sees more than it allows."""

from __future__ import annotations

import threading

import pytest

from brokers.kite import Kite
from brokers.kite.exceptions import RateLimitException

from .conftest import web_login_kwargs


def _hammer(kite: Kite, threads: int, calls: int) -> list:
    failures: list = []

    def work():
        for _ in range(calls):
            try:
                kite.ltp("NSE:INFY")
            except Exception as e:  # collected and asserted below
                failures.append(e)

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    return failures


def test_threads_never_trip_the_brokers_limit(sandbox, store):
    sandbox.kite.rate_limits["quote"] = (4, 0.25)
    with Kite(store=store, rate_limits={"quote": [(4, 0.25)]}, retries=0, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        assert _hammer(kite, threads=4, calls=5) == []
    statuses = [r.status for r in sandbox.requests("GET", "/kite/web/oms/quote/ltp")]
    assert statuses == [200] * 20


def test_without_limits_the_sandbox_answers_429(sandbox, store):
    sandbox.kite.rate_limits["quote"] = (4, 0.25)
    with Kite(store=store, rate_limits=False, retries=0, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        failures = _hammer(kite, threads=4, calls=5)
    assert failures and all(isinstance(f, RateLimitException) for f in failures)
    assert failures[0].retry_after == 1.0


def test_429_on_a_read_waits_and_retries(sandbox, store):
    with Kite(store=store, rate_limits=False, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        sandbox.fail_next(1, 429, path="/kite/web/oms/quote", headers={"Retry-After": "0"},
                          body={"status": "error", "message": "Too many requests", "error_type": "NetworkException"})
        assert kite.ltp("NSE:INFY")["NSE:INFY"]["last_price"] > 0
    assert [r.status for r in sandbox.requests("GET", "/kite/web/oms/quote/ltp")] == [429, 200]


def test_default_limits_are_kites():
    kite = Kite(store=None)
    assert kite.transport.limiter is not None
    assert kite.transport.limiter.limits["orders"] == [(10, 1.0), (400, 60.0), (5000, 86400.0)]
    assert kite.transport.limiter.limits["quote"] == [(1, 1.0)]
    assert Kite(rate_limits=False).transport.limiter is None
    with pytest.raises(ValueError):
        Kite(rate_limits={"quote": [(0, 1)]})
