"""The sandbox's historical candles, and the brokers' caps on one request.

Every bar is a function of the instrument, the interval and the bar's start
time alone, so a range fetched in one request or in twenty gives the same bars
(joins at chunk edges can be checked bar for bar). Bars start at 09:15 IST and
every ``minutes`` after while before 15:30, Monday to Friday; daily bars at
midnight IST.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Dict, List, Optional

from ..ist import IST

__all__ = ["series", "cap_days", "CAPS"]

OPEN, CLOSE = dt.time(9, 15), dt.time(15, 30)
SESSION = 375  # minutes from 09:15 to 15:30

#: The brokers' widest request, in days, by interval in minutes (1440 = daily; None: no cap).
CAPS: Dict[str, Dict[int, Optional[int]]] = {
    "kite": {1: 60, 3: 100, 5: 100, 10: 100, 15: 200, 30: 200, 60: 400, 1440: 2000},
    "dhan": {1: 90, 5: 90, 15: 90, 25: 90, 60: 90, 1440: None},
    "fyers": {**{m: 100 for m in (1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 240)}, 1440: 366},
}


def cap_days(broker: str, minutes: int) -> Optional[int]:
    """The broker's cap for an interval (``None``: none)."""
    return CAPS[broker].get(minutes)


def _mix(x: int) -> int:
    x &= 0xFFFFFFFFFFFFFFFF
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & 0xFFFFFFFFFFFFFFFF
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 33)


def _price(base: float, seed: int, t: float) -> float:
    phase = (seed % 1000) / 159.0
    return base * (1 + 0.18 * math.sin(t / 1.2e7 + phase) + 0.04 * math.sin(t / 6.1e5 + 2 * phase)
                   + 0.01 * math.sin(t / 2.3e4 + 3 * phase))


def bar(token: int, minutes: int, start: dt.datetime, base: float) -> List[float]:
    """One bar ``[epoch, open, high, low, close, volume]`` (the same whatever the request)."""
    t = start.timestamp()
    r = _mix(token * 0x9E3779B97F4A7C15 + int(t) * 31 + minutes)
    o = round(_price(base, token, t), 2)
    c = round(_price(base, token, t + minutes * 60), 2)
    hi = round(max(o, c) * (1 + (r & 0xFFFF) / 65535 * 0.004), 2)
    lo = round(min(o, c) * (1 - ((r >> 16) & 0xFFFF) / 65535 * 0.004), 2)
    return [t, o, hi, lo, c, 1000 + (r >> 32) % 900000]


def series(token: int, minutes: int, start: dt.datetime, end: dt.datetime, base: float = 1000.0) -> List[List[float]]:
    """Every bar starting in ``[start, end]`` (aware datetimes), oldest first."""
    start, end = start.astimezone(IST), end.astimezone(IST)
    out: List[List[float]] = []
    day = start.date()
    step = dt.timedelta(minutes=minutes)
    while day <= end.date():
        if day.weekday() < 5:
            if minutes >= 1440:
                t = dt.datetime.combine(day, dt.time(), IST)
                if start <= t <= end:
                    out.append(bar(token, minutes, t, base))
            else:
                t = dt.datetime.combine(day, OPEN, IST)
                for _ in range(-(-SESSION // minutes)):
                    if start <= t <= end:
                        out.append(bar(token, minutes, t, base))
                    t += step
        day += dt.timedelta(days=1)
    return out
