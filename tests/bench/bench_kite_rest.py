"""REST cost: our Kite client vs a bare requests.Session vs kiteconnect, same sandbox route, one run.

Run: ``python -m tests.bench kite_rest`` (``tox -e bench`` installs kiteconnect).
Prints the median wall time of ``profile()`` and ``quote(...)`` per call and the
ratios; asserts nothing.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Callable, Dict, List

import requests

from brokers.kite import Kite
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore

ROUNDS = 7
CALLS = 150


def _median_call(fn: Callable[[], object]) -> float:
    """Median over rounds of the mean per-call time, in microseconds."""
    for _ in range(20):
        fn()
    rounds: List[float] = []
    for _ in range(ROUNDS):
        gc.collect()
        start = time.perf_counter()
        for _ in range(CALLS):
            fn()
        rounds.append((time.perf_counter() - start) / CALLS * 1e6)
    return statistics.median(rounds)


def main() -> None:
    with Sandbox() as sb:
        sb.kite.rate_limits = {k: (10 ** 9, 1.0) for k in sb.kite.rate_limits}
        token = sb.kite.issue_access_token("AB1234")
        root = sb.kite_urls()["root"]
        ours = Kite(access_token=token, api_key=sb.kite.api_key, store=MemoryStore(), rate_limits=False,
                    **sb.kite_urls())
        ours.authorize()
        bare = requests.Session()
        bare.headers.update({"X-Kite-Version": "3", "Authorization": f"token {sb.kite.api_key}:{token}"})

        def bare_get(path: str, params: Dict[str, str] = None) -> object:  # type: ignore[assignment]
            r = bare.get(root + path, params=params, timeout=10)
            r.raise_for_status()
            return r.json()["data"]

        cases = {
            "profile()": (ours.profile, lambda: bare_get("/user/profile")),
            'quote("NSE:INFY","NSE:SBIN")': (lambda: ours.quote("NSE:INFY", "NSE:SBIN"),
                                             lambda: bare_get("/quote", {"i": ["NSE:INFY", "NSE:SBIN"]})),
        }
        try:
            from kiteconnect import KiteConnect
        except ImportError:
            kc = None
            print("kiteconnect not installed: its column is skipped (tox -e bench installs it)")
        else:
            kc = KiteConnect(api_key=sb.kite.api_key, access_token=token, root=sb.url)  # urljoin drops paths

        print(f"median per call over {ROUNDS} rounds x {CALLS} calls, loopback sandbox")
        print(f"{'call':32} {'brokers':>10} {'bare':>10} {'kiteconn':>10} {'vs bare':>8} {'vs kc':>7}")
        for name, (our_fn, bare_fn) in cases.items():
            kc_fn = None
            if kc is not None:
                kc_fn = kc.profile if name == "profile()" else (lambda: kc.quote("NSE:INFY", "NSE:SBIN"))
            # Interleave the three so drift on the machine hits them alike.
            t_ours, t_bare, t_kc = [], [], []
            for _ in range(3):
                t_ours.append(_median_call(our_fn))
                t_bare.append(_median_call(bare_fn))
                if kc_fn is not None:
                    t_kc.append(_median_call(kc_fn))
            o, b = statistics.median(t_ours), statistics.median(t_bare)
            k = statistics.median(t_kc) if t_kc else float("nan")
            print(f"{name:32} {o:8.0f}us {b:8.0f}us {k:8.0f}us {o / b:7.2f}x {o / k:6.2f}x")
        ours.close()
        bare.close()
