"""Dhan feed parser: ours (:func:`brokers.dhan.codec.parse_frame`) against
dhanhq's (``MarketFeed.process_data``), side by side on the same frames.

``python -m tests.bench dhan``. dhanhq is optional: without it only our figures
are printed. dhanhq reads one packet per frame, so the head-to-head uses
one-packet frames; our multi-packet figure is printed on its own.
"""

from __future__ import annotations

import random
import time
from typing import Any, Callable, List, Optional

from brokers.dhan import codec

ROUNDS = 5


def frames(n: int = 6000, seed: int = 11) -> List[bytes]:
    """One-packet frames in a realistic mix: ticker, quote, full, OI, previous close."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        seg, sid = rng.choice([(1, 1333), (1, 11536), (2, 52175), (2, 52176), (4, 500325)])
        ltp = round(rng.uniform(100, 30000), 2)
        ltt = 1_764_300_000 + i // 50  # trade times have 1 s resolution: ~50 packets share each second
        kind = i % 10
        if kind < 4:
            out.append(codec.encode_ticker(seg, sid, ltp, ltt))
        elif kind < 7:
            out.append(codec.encode_quote(seg, sid, ltp=ltp, ltq=rng.randint(1, 500), ltt=ltt, avg_price=ltp,
                                          volume=rng.randint(1, 10 ** 7), total_sell_quantity=10_000,
                                          total_buy_quantity=12_000, open=ltp, close=ltp, high=ltp + 5,
                                          low=ltp - 5))
        elif kind < 9:
            depth = [(100 * k, 120 * k, k, k + 1, ltp - k * 0.05, ltp + k * 0.05) for k in range(1, 6)]
            out.append(codec.encode_full(seg, sid, ltp=ltp, ltq=10, ltt=ltt, avg_price=ltp, volume=1000,
                                         total_sell_quantity=5000, total_buy_quantity=6000, oi=50_000,
                                         oi_day_high=51_000, oi_day_low=49_000, open=ltp, close=ltp,
                                         high=ltp + 5, low=ltp - 5, depth=depth))
        else:
            out.append(codec.encode_oi(seg, sid, rng.randint(0, 10 ** 6)) if i % 20 == 9
                       else codec.encode_prev_close(seg, sid, ltp, 1000))
    return out


def best(*fns: Callable[[], Any]) -> List[float]:
    """The best of ROUNDS timings of each function, the functions interleaved per round
    so that machine noise hits them alike."""
    times: List[List[float]] = [[] for _ in fns]
    for _ in range(ROUNDS):
        for fn, record in zip(fns, times):
            start = time.perf_counter()
            fn()
            record.append(time.perf_counter() - start)
    return [min(t) for t in times]


def dhanhq_parser() -> Optional[Callable[[bytes], Any]]:
    try:
        from dhanhq.marketfeed import MarketFeed
    except ImportError:
        return None
    # process_data needs no connection state; skip __init__ (it builds an event loop).
    feed = object.__new__(MarketFeed)
    return feed.process_data


def agree(ours: dict, theirs: Any) -> bool:
    """Same security and last price (dhanhq gives "%.2f" strings)."""
    if not isinstance(theirs, dict) or theirs.get("security_id") != ours.get("security_id"):
        return False
    for a, b in (("LTP", "LTP"), ("OI", "OI"), ("prev_close", "prev_close")):
        if a in ours:
            return abs(float(theirs[b]) - float(ours[a])) < 0.006
    return True


def main() -> None:
    data = frames()
    packets = len(data)
    theirs_parse = dhanhq_parser()
    multi = [b"".join(data[i:i + 20]) for i in range(0, len(data), 20)]
    fns = [lambda: [codec.parse_frame(f) for f in data], lambda: [codec.parse_frame(f) for f in multi]]
    if theirs_parse is not None:
        fns.append(lambda: [theirs_parse(f) for f in data])
    ours, ours_multi, *rest = best(*fns)
    print(f"frames: {packets} one-packet frames (40% ticker, 30% quote, 20% full, 10% OI/prev close)")
    print(f"brokers  parse_frame       {ours / packets * 1e6:7.2f} us/packet  ({packets / ours:,.0f} packets/s)")
    print(f"brokers  parse_frame x20   {ours_multi / packets * 1e6:7.2f} us/packet  (20 packets per frame)")
    if theirs_parse is None:
        print("dhanhq is not installed: no side-by-side figure "
              "(python -m venv /tmp/dhanvenv && /tmp/dhanvenv/bin/pip install dhanhq requests pyotp platformdirs "
              "websocket-client, then /tmp/dhanvenv/bin/python -m tests.bench dhan)")
        return
    import dhanhq

    theirs = rest[0]
    print(f"dhanhq   process_data      {theirs / packets * 1e6:7.2f} us/packet  ({packets / theirs:,.0f} packets/s)"
          f"  [dhanhq {getattr(dhanhq, '__version__', '2.x')}]")
    print(f"ratio    dhanhq / brokers  {theirs / ours:7.2f}x  (above 1: ours is faster)")
    same = sum(agree(codec.parse_frame(f)[0], theirs_parse(f)) for f in data)
    print(f"agreement: {same}/{packets} frames give the same security id and price/OI")
    dropped = sum(1 for f in multi if len(codec.parse_frame(f)) == 20)
    print(f"multi-packet frames: brokers reads all 20 packets of {dropped}/{len(multi)} frames; "
          "dhanhq reads the first packet of each frame only")
