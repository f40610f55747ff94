"""Instrument masters and history, side by side in one run on the full-size Kite master.

Run: ``python -m tests.bench symbols`` (``tox -e bench`` installs kiteconnect).
Prints: parsing the instruments CSV (ours, to a ready SymbolMaster) against
kiteconnect's ``instruments()`` parser on the same bytes, with the rows checked
identical; loading the cached master in a fresh process against parsing the CSV
anew in a fresh process; 10,000 lookups; a search; and a long download's request
rate against Kite's historical budget (3/s). Asserts nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, List

import requests

from brokers.kite import Kite
from brokers.kite.codec import parse_master
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore
from brokers.symbols import MasterCache, SymbolMaster

ROOT = Path(__file__).resolve().parents[2]


def _best(fn: Callable[[], Any], rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _identical(ours: SymbolMaster, theirs: List[dict]) -> bool:
    if len(ours) != len(theirs):
        return False
    for inst, row in zip(ours, theirs):
        itype = "EQ" if inst.instrument_type == "INDEX" else inst.instrument_type
        if (inst.token, inst.exchange_token, inst.symbol, inst.name, itype, inst.segment, inst.exchange,
                inst.lot_size, inst.tick_size, inst.expiry or "", inst.strike or 0.0) != (
                row["instrument_token"], row["exchange_token"], row["tradingsymbol"], row["name"],
                row["instrument_type"], row["segment"], row["exchange"], row["lot_size"], row["tick_size"],
                row["expiry"], row["strike"] if itype in ("CE", "PE") else 0.0):
            return False
    return True


_CHILD = """
import sys, time
t = time.perf_counter()
from brokers.symbols import MasterCache, SymbolMaster
from brokers.kite.codec import parse_master
t0 = time.perf_counter()
if sys.argv[1] == "cache":
    m = MasterCache(sys.argv[2]).get("bench", "kite", lambda: 1 / 0)
else:
    m = SymbolMaster.from_rows("kite", parse_master(open(sys.argv[2], "rb").read()))
m["NSE:INFY"]
print(time.perf_counter() - t0)
"""


def _child(mode: str, arg: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", _CHILD, mode, arg], env=env, capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip())


def main() -> None:
    with Sandbox(masters="full") as sb, tempfile.TemporaryDirectory() as tmp:
        data = requests.get(sb.url + "/kite/connect/instruments", timeout=60).content
        csv_path = Path(tmp) / "instruments.csv"
        csv_path.write_bytes(data)
        print(f"Kite instruments CSV from the sandbox: {len(data) / 1e6:.1f} MB")

        # 1. parsing: ours (to a ready master) vs kiteconnect's instruments() parser, same bytes
        ours = SymbolMaster.from_rows("kite", parse_master(data))
        try:
            from kiteconnect import KiteConnect
        except ImportError:
            kc = None
            print("kiteconnect not installed: its figures are skipped (tox -e bench installs it)")
        else:
            kc = KiteConnect(api_key="bench")
        t_ours = _best(lambda: SymbolMaster.from_rows("kite", parse_master(data)))
        print(f"rows: {len(ours)}")
        print(f"parse, ours (rows + index):          {t_ours * 1e3:8.0f} ms")
        if kc is not None:
            theirs = kc._parse_instruments(data)
            t_kc = _best(lambda: kc._parse_instruments(data))
            print(f"parse, kiteconnect instruments():     {t_kc * 1e3:8.0f} ms   rows identical: "
                  f"{_identical(ours, theirs)}")
            print(f"  -> ours is {t_kc / t_ours:.1f}x faster (goal >= 3x)")

        # 2. a fresh process: load the cached master vs parse the CSV anew
        MasterCache(tmp).get("bench", "kite", lambda: ours.rows)
        loads = [_child("cache", tmp) for _ in range(3)]
        parses = [_child("parse", str(csv_path)) for _ in range(3)]
        lo, pa = statistics.median(loads), statistics.median(parses)
        print(f"fresh process: load the cache {lo * 1e3:6.0f} ms, parse the CSV {pa * 1e3:6.0f} ms"
              f"  -> {pa / lo:.1f}x (goal >= 5x)")

        # 3. lookups and search
        keys = [i.key for i in random.Random(1).sample(list(ours), 10_000)]
        fresh = SymbolMaster.from_rows("kite", ours.rows)
        t = time.perf_counter()
        for k in keys:
            fresh[k]
        t_look = time.perf_counter() - t
        t = time.perf_counter()
        for k in keys:
            fresh[k]
        t_again = time.perf_counter() - t
        print(f"10,000 lookups master[key]: {t_look * 1e3:.1f} ms first ({t_look / 1e4 * 1e6:.2f} us each), "
              f"{t_again * 1e3:.1f} ms again")
        t = time.perf_counter()
        hits = fresh.search("nifty 24000 ce", limit=10)
        t_cold = time.perf_counter() - t
        t_warm = _best(lambda: fresh.search("nifty 24000 ce", limit=10), rounds=5)
        print(f"search 'nifty 24000 ce': {t_cold * 1e3:.0f} ms cold (builds the index), {t_warm * 1e3:.1f} ms warm;"
              f" first hit {hits[0].key}")

        # 4. a long download against Kite's historical budget (3/s, the client's own limiter)
        token = sb.kite.issue_access_token("AB1234")
        with Kite(access_token=token, api_key=sb.kite.api_key, store=MemoryStore(), **sb.kite_urls()) as kite:
            kite.authorize()
            end = dt.date(2026, 11, 27)
            start = end - dt.timedelta(days=400 * 30 - 1)  # 30 requests of 60-minute bars
            before = len(sb.requests("GET", "/kite/connect/instruments/historical"))
            t = time.perf_counter()
            bars = kite.history(408065, start, end, "60minute")
            spent = time.perf_counter() - t
            got = sb.requests("GET", "/kite/connect/instruments/historical")[before:]
            ok = [r for r in got if r.status == 200]
            refused = len(got) - len(ok)
            span = ok[-1].time - ok[0].time
            print(f"history: {len(ok)} requests answered, {len(bars)} bars in {spent:.2f} s; {refused} refused "
                  "(429, retried)")
            print(f"  answered rate {(len(ok) - 1) / span:.2f} req/s between first and last, budget 3/s -> "
                  f"{(len(ok) - 1) / span / 3 * 100:.0f}% (goal >= 90%)")
