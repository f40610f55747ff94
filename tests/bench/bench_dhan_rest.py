"""Dhan REST overhead: one GET through our client, through a bare requests.Session,
and through dhanhq, side by side on the same sandbox route over loopback.

``python -m tests.bench dhan_rest``. dhanhq is optional.
"""

from __future__ import annotations

import time
from typing import Any, Callable, List

import requests

from brokers.dhan import Dhan
from brokers.sandbox import Sandbox

CALLS = 300
ROUNDS = 3
CLIENT = "1100000001"


def timed(fns: List[Callable[[], Any]]) -> List[float]:
    best = [float("inf")] * len(fns)
    for _ in range(ROUNDS):
        for n, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(CALLS):
                fn()
            best[n] = min(best[n], (time.perf_counter() - start) / CALLS)
    return best


def main() -> None:
    with Sandbox() as sb:
        sb.dhan.rate_limits = {k: (10 ** 6, 1.0) for k in sb.dhan.rate_limits}
        token = sb.dhan.issue_token(CLIENT)
        url = sb.url + "/dhan/v2/fundlimit"
        bare = requests.Session()
        headers = {"access-token": token, "client-id": CLIENT, "Accept": "application/json"}
        ours = Dhan(CLIENT, token, rate_limits=False, cache_dir=False, **sb.dhan_urls())
        names = ["requests.Session", "brokers Dhan"]
        fns: List[Callable[[], Any]] = [lambda: bare.get(url, headers=headers, timeout=10).json(),
                                        ours.get_fund_limits]
        try:
            import dhanhq

            theirs = dhanhq.dhanhq(dhanhq.DhanContext(CLIENT, token))
            theirs.dhan_http.base_url = sb.url + "/dhan/v2"
            assert theirs.get_fund_limits()["status"] == "success"
            names.append("dhanhq")
            fns.append(theirs.get_fund_limits)
        except ImportError:
            theirs = None
        results = timed(fns)
        print(f"GET /fundlimit over loopback, best of {ROUNDS} x {CALLS} calls")
        for name, seconds in zip(names, results):
            print(f"{name:18s} {seconds * 1e6:8.0f} us/call  ({seconds / results[0]:.2f}x requests.Session)")
        if theirs is None:
            print("dhanhq is not installed: no dhanhq figure")
        ours.close()
        bare.close()
