"""Fyers HSM datafeed parsing: ``brokers.fyers.hsm_book.HsmBook`` against fyers_apiv3's
``FyersDataSocket`` on the same frames, side by side in one run.

Run: ``python -m tests.bench fyers``. fyers_apiv3 pins old versions of requests and
aiohttp, so it is never a dependency: install it in a scratch venv and run the
bench there (``/tmp/fyersvenv/bin/python -m tests.bench fyers``); without it the
bench prints our figures and a note. Nothing here asserts a time.
"""

from __future__ import annotations

import random
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from brokers.fyers.hsm_book import HsmBook
from brokers.sandbox.fyers import frames as hsm

TOPICS = 50  # symbols per frame, as a busy subscription sends them
FRAMES = 1000  # update frames per run
REPEAT = 5


def _frames(seed: int = 11) -> Tuple[Dict[str, str], bytes, List[bytes], List[bytes]]:
    """(topic -> symbol, one snapshot frame, full-mode update frames, lite frames)."""
    rng = random.Random(seed)
    symbols = {f"sf|nse_cm|{1000 + n}": f"NSE:SYM{n}-EQ" for n in range(TOPICS)}
    snaps = []
    last: Dict[int, int] = {}
    for tid, (topic, sym) in enumerate(symbols.items(), 1):
        ltp = rng.randint(10_000, 500_000)
        last[tid] = ltp
        values: List[Optional[int]] = [ltp, 1000, 1_700_000_000, 1_700_000_000, 100, 120, ltp - 5, ltp + 5, 10,
                                       250_000, 310_000, ltp, 0, ltp - 100, ltp + 100, ltp + 900, ltp - 900,
                                       int(ltp * 0.8), int(ltp * 1.2), ltp - 50, ltp - 20]
        snaps.append(hsm.snapshot(tid, topic, values, 1, 2, "NSE", topic.rsplit("|", 1)[1], sym.split(":")[1]))
    snapshot = hsm.datafeed(1, snaps)
    full, lite = [], []
    for n in range(FRAMES):
        ups: List[bytes] = []
        lites: List[bytes] = []
        for tid in range(1, TOPICS + 1):
            last[tid] += rng.choice((-10, -5, 5, 10))
            vals: List[Optional[int]] = [None] * 21
            vals[0], vals[1], vals[2] = last[tid], 1000 + n, 1_700_000_001 + n
            vals[6], vals[7] = last[tid] - 5, last[tid] + 5
            ups.append(hsm.update(tid, vals))
            lites.append(hsm.lite(tid, last[tid]))
        full.append(hsm.datafeed(n + 2, ups))
        lite.append(hsm.datafeed(n + 2, lites))
    return symbols, snapshot, full, lite


def _best(run: Callable[[], int]) -> Tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        count = run()
        best = min(best, time.perf_counter() - start)
    return best, count


def _ours(symbols: Dict[str, str], snapshot: bytes, frames: List[bytes], lite: bool) -> Tuple[float, int, List]:
    out: List[Dict[str, Any]] = []

    def run() -> int:
        book = HsmBook(symbols, lite=lite)
        n = len(book.feed(snapshot)[1])
        for f in frames:
            ticks = book.feed(f)[1]
            n += len(ticks)
        out[:] = ticks
        return n

    secs, n = _best(run)
    return secs, n, out


def _theirs(symbols: Dict[str, str], snapshot: bytes, frames: List[bytes], lite: bool) -> Optional[Tuple[float, int, List]]:
    try:
        from fyers_apiv3.FyersWebsocket import data_ws
    except ImportError:
        return None
    logdir = tempfile.mkdtemp(prefix="fyers-bench-")
    got: List[Dict[str, Any]] = []

    def run() -> int:
        data_ws.FyersDataSocket._instance = None  # it is a singleton; start clean each run
        sock = data_ws.FyersDataSocket(access_token="x:y", log_path=logdir, litemode=lite,
                                       on_message=got.append, reconnect=False)
        sock.symbol_token = dict(symbols)
        parse = sock._FyersDataSocket__datafeed_resp
        got.clear()
        parse(bytearray(snapshot))
        for f in frames:
            parse(bytearray(f))
        return len(got)

    secs, n = _best(run)
    return secs, n, got[-TOPICS:]


def _agree(ours: List[Dict[str, Any]], theirs: List[Dict[str, Any]]) -> str:
    keys = ("ltp", "bid_price", "ask_price", "vol_traded_today", "symbol")
    pairs = list(zip(ours, theirs))
    same = sum(all(a.get(k) == b.get(k) for k in keys if k in a or k in b) for a, b in pairs)
    return f"{same}/{len(pairs)} last-frame ticks agree on {', '.join(keys)}"


def main() -> None:
    symbols, snapshot, full, lite = _frames()
    size = sum(map(len, full)) / len(full)
    print(f"{FRAMES} datafeed frames x {TOPICS} records (+1 snapshot frame), {size:.0f} bytes per full frame; "
          f"best of {REPEAT}")
    for label, frames, is_lite in (("full mode", full, False), ("lite mode", lite, True)):
        secs, n, last = _ours(symbols, snapshot, frames, is_lite)
        line = f"  {label}: brokers {secs * 1000:8.1f} ms  {n / secs / 1000:7.0f}k ticks/s"
        theirs = _theirs(symbols, snapshot, frames, is_lite)
        if theirs is None:
            print(line + "   (fyers_apiv3 not installed here: run this bench in a venv that has it)")
            continue
        tsecs, tn, tlast = theirs
        print(line + f" | fyers_apiv3 {tsecs * 1000:8.1f} ms  {tn / tsecs / 1000:7.0f}k ticks/s"
              f" | ratio {tsecs / secs:4.1f}x | ticks {n} vs {tn}; {_agree(last, tlast)}")


if __name__ == "__main__":
    main()
