"""One session and one rate budget per account, shared by threads, processes and hosts,
proven against the sandbox (which counts every request per account and answers 429
when a window overflows)."""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import time

import pytest

from brokers import errors
from brokers.kite import Kite
from brokers.stores import RedisStore
from tests.stores import workers

PROCS, SECONDS = 4, 4.0


def _run_hammer(sandbox, spec, tmp_path):
    acct = sandbox.kite.accounts["AB1234"]
    ctx = multiprocessing.get_context("spawn")
    ready, start, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    until = ctx.Value("d", 0.0)
    procs = [ctx.Process(target=workers.hammer, args=(spec, sandbox.url, acct.password, acct.totp_secret,
                                                       str(tmp_path / f"host{i}"), ready, start, until, out))
             for i in range(PROCS)]
    for p in procs:
        p.start()
    try:
        for _ in procs:  # every worker has its session: all start together, all stop together
            ready.get(timeout=120)
        until.value = time.monotonic() + SECONDS
        start.set()
        counts = [out.get(timeout=SECONDS + 90) for _ in procs]
    finally:
        for p in procs:
            p.join(30)
            if p.is_alive():
                p.kill()
    return counts, until.value - SECONDS, until.value


def _share(logged, window, start, end):
    """Calls made in [start, end] (every thread of every process busy throughout), as a
    share of the most the broker's ``(calls, seconds)`` window admits in that time."""
    calls, seconds = window
    made = sum(1 for r in logged if start <= r.time <= end)
    return made, made / (calls * math.ceil((end - start) / seconds))


def _check(sandbox, run):
    counts, start, end = run
    orders = [r for r in sandbox.requests("POST") if "/orders/" in r.path]
    quotes = [r for r in sandbox.requests("GET") if r.path.split("?")[0].endswith("/quote")]
    assert [r for r in sandbox.requests() if r.status == 429] == []
    assert sum(c["rate_limited"] for c in counts) == 0 and sum(c["other"] for c in counts) == 0, counts
    assert sandbox.kite.logins["web"] == 1
    n_orders, order_share = _share(orders, sandbox.kite.rate_limits["orders"], start, end)
    n_quotes, quote_share = _share(quotes, sandbox.kite.rate_limits["quote"], start, end)
    print(f"in {end - start:.0f} s: {n_orders} orders ({order_share:.0%} of what the broker allows), "
          f"{n_quotes} quotes ({quote_share:.0%}); {len(orders)} orders in all, no 429")
    assert order_share >= 0.9 and quote_share >= 0.9


@pytest.mark.slow
def test_four_processes_share_one_budget_through_a_filestore(sandbox, tmp_path):
    counts = _run_hammer(sandbox, {"kind": "file", "path": str(tmp_path / "shared")}, tmp_path)
    _check(sandbox, counts)


@pytest.mark.slow
def test_two_hosts_share_one_budget_and_one_login_through_redis(sandbox, redis_server, tmp_path):
    spec = {"kind": "redis", "url": redis_server.url, "prefix": f"hammer{os.getpid()}:"}
    counts = _run_hammer(sandbox, spec, tmp_path)  # each process has its own data dir ("host")
    _check(sandbox, counts)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["file", "redis"])
def test_a_process_killed_holding_the_login_lock(kind, sandbox, redis_server, tmp_path):
    spec = ({"kind": "file", "path": str(tmp_path / "s")} if kind == "file" else
            {"kind": "redis", "url": redis_server.url, "prefix": f"kill{kind}{os.getpid()}:", "lease": 1.5})
    acct = sandbox.kite.accounts["AB1234"]
    ctx = multiprocessing.get_context("spawn")
    ready, out = ctx.Event(), ctx.Queue()
    holder = ctx.Process(target=workers.hold_login_lock, args=(spec, ready))
    holder.start()
    assert ready.wait(60)
    others = [ctx.Process(target=workers.login_then_report, args=(spec, sandbox.url, acct.password,
                                                                  acct.totp_secret, out)) for _ in range(3)]
    for p in others:
        p.start()
    try:
        os.kill(holder.pid, signal.SIGKILL)
        holder.join(10)
        results = [out.get(timeout=60) for _ in others]  # all got through: the lease ran out
    finally:
        for p in others + [holder]:
            p.join(20)
            if p.is_alive():
                p.kill()
    assert sandbox.kite.logins["web"] == 1
    assert sorted(flow for flow, _ in results) == ["stored", "stored", "web-login"]
    assert len({token for _, token in results}) == 1


@pytest.mark.slow
def test_redis_stopped_mid_run_and_back(sandbox, tmp_path):
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path / "redis", persist=True).start()
    try:
        acct = sandbox.kite.accounts["AB1234"]
        store = RedisStore(server.url, timeout=2.0)
        kite = Kite(store=store, user_id="AB1234", **sandbox.kite_urls())
        session = kite.authorize(password=acct.password, totp_secret=acct.totp_secret, interactive=False)
        placed = [kite.place_order("regular", "NSE", "INFY", "BUY", 1, "MIS", "MARKET") for _ in range(3)]
        server.stop()
        failures = []
        for _ in range(5):
            with pytest.raises(errors.StoreError) as info:
                kite.place_order("regular", "NSE", "INFY", "BUY", 1, "MIS", "MARKET")
            failures.append(info.value)
        with pytest.raises(errors.StoreError):
            kite.quote("NSE:INFY")
        assert all(server.url.split("//")[1].split("/")[0] in str(e) for e in failures)
        # no order went out while the budget could not be counted, none twice
        assert len(sandbox.kite.orders) == 3 and sorted(sandbox.kite.orders) == sorted(placed)
        server.start()
        placed.append(kite.place_order("regular", "NSE", "INFY", "BUY", 1, "MIS", "MARKET"))
        assert len(sandbox.kite.orders) == 4
        again = store.load("kite-AB1234")  # the session outlived the outage
        assert again is not None and again.token == session.token
        with Kite(store=RedisStore(server.url), user_id="AB1234", **sandbox.kite_urls()) as other:
            other.authorize(interactive=False)
            assert other.auth_flow == "stored"
        assert sandbox.kite.logins["web"] == 1
        kite.close()
    finally:
        server.stop()
