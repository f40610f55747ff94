"""The sandbox's market: instruments shared by every broker, and prices that move.

Prices follow a deterministic walk from a seed, so a test sees the same numbers
on every run; :meth:`Market.step` moves them (the tick servers call it).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ..ist import IST

__all__ = ["Instrument", "Market"]


@dataclass
class Instrument:
    token: int  # Kite instrument_token; Dhan security id and Fyers fytoken derive from it
    exchange: str
    tradingsymbol: str
    name: str
    price: float
    segment: str = "NSE"
    instrument_type: str = "EQ"
    lot_size: int = 1
    tick_size: float = 0.05
    expiry: str = ""
    strike: float = 0.0
    isin: str = ""
    # moving state
    last: float = 0.0
    open: float = 0.0
    high: float = 0.0
    low: float = 0.0
    close: float = 0.0
    volume: int = 0
    oi: int = 0
    last_qty: int = 0
    buy_qty: int = 0
    sell_qty: int = 0
    last_trade: float = 0.0
    history: List[float] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.exchange}:{self.tradingsymbol}"

    @property
    def is_index(self) -> bool:
        return self.segment == "INDICES"


def _instruments() -> List[Instrument]:
    return [
        Instrument(408065, "NSE", "INFY", "INFOSYS", 1573.70, isin="INE009A01021"),
        Instrument(779521, "NSE", "SBIN", "STATE BANK OF INDIA", 812.45, isin="INE062A01020"),
        Instrument(738561, "NSE", "RELIANCE", "RELIANCE INDUSTRIES", 2925.10, isin="INE002A01018"),
        Instrument(2953217, "NSE", "TCS", "TATA CONSULTANCY SERV", 4102.35, isin="INE467B01029"),
        Instrument(341249, "NSE", "HDFCBANK", "HDFC BANK", 1688.00, isin="INE040A01034"),
        Instrument(128083204, "BSE", "RELIANCE", "RELIANCE INDUSTRIES", 2925.40, segment="BSE", isin="INE002A01018"),
        Instrument(256265, "NSE", "NIFTY 50", "NIFTY 50", 24310.55, segment="INDICES", instrument_type="EQ",
                   tick_size=0.0),
        Instrument(260105, "NSE", "NIFTY BANK", "NIFTY BANK", 52110.20, segment="INDICES", instrument_type="EQ",
                   tick_size=0.0),
        Instrument(13238786, "NFO", "NIFTY26DECFUT", "NIFTY", 24355.00, segment="NFO-FUT", instrument_type="FUT",
                   lot_size=75, expiry="2026-12-29"),
        Instrument(13241090, "NFO", "NIFTY26DEC24300CE", "NIFTY", 182.35, segment="NFO-OPT",
                   instrument_type="CE", lot_size=75, expiry="2026-12-29", strike=24300.0),
        Instrument(412675, "CDS", "USDINR26DECFUT", "USDINR", 84.1225, segment="CDS-FUT", instrument_type="FUT",
                   lot_size=1, tick_size=0.0025, expiry="2026-12-29"),
        Instrument(109134855, "MCX", "GOLDM26DECFUT", "GOLDM", 76210.0, segment="MCX-FUT", instrument_type="FUT",
                   lot_size=10, tick_size=1.0, expiry="2026-12-04"),
    ]


class Market:
    """Instruments with prices that move one step at a time. Thread-safe."""

    def __init__(self, seed: int = 7) -> None:
        self._rng = random.Random(seed)
        self.lock = threading.RLock()
        self.instruments: List[Instrument] = _instruments()
        self.by_token: Dict[int, Instrument] = {i.token: i for i in self.instruments}
        self.by_key: Dict[str, Instrument] = {i.key: i for i in self.instruments}
        now = dt.datetime.now(IST).timestamp()
        for i in self.instruments:
            i.close = i.price
            i.open = i.last = i.high = i.low = round(i.price * 1.001, 2)
            i.volume = 100_000 + i.token % 90_000
            i.oi = 50_000 if i.instrument_type in ("FUT", "CE", "PE") else 0
            i.last_qty, i.buy_qty, i.sell_qty = 10, 250_000, 310_000
            i.last_trade = now

    def get(self, token: int) -> Optional[Instrument]:
        return self.by_token.get(token)

    def find(self, key: str) -> Optional[Instrument]:
        return self.by_key.get(key)

    def step(self) -> None:
        """Move every price one tick."""
        with self.lock:
            now = dt.datetime.now(IST).timestamp()
            for i in self.instruments:
                move = self._rng.choice((-2, -1, 0, 1, 2)) * (i.tick_size or 0.05)
                i.last = round(max(i.tick_size or 0.05, i.last + move), 4)
                i.high, i.low = max(i.high, i.last), min(i.low, i.last)
                qty = self._rng.randint(1, 50)
                i.volume += qty
                i.last_qty = qty
                i.buy_qty += self._rng.randint(-100, 100)
                i.sell_qty += self._rng.randint(-100, 100)
                i.last_trade = now

    def depth(self, i: Instrument) -> Dict[str, List[Dict[str, float]]]:
        tick = i.tick_size or 0.05
        buy = [{"quantity": 100 * (n + 1), "price": round(i.last - tick * (n + 1), 4), "orders": n + 1}
               for n in range(5)]
        sell = [{"quantity": 120 * (n + 1), "price": round(i.last + tick * (n + 1), 4), "orders": n + 2}
                for n in range(5)]
        return {"buy": buy, "sell": sell}

    def candles(self, i: Instrument, start: dt.datetime, end: dt.datetime, minutes: int) -> List[List[float]]:
        """Deterministic OHLCV candles between ``start`` and ``end`` (IST), market hours only.

        Candles sit where the exchange's do: daily ones at midnight IST, intraday ones on
        whole minutes of the session's grid (09:15, then every ``minutes``), whatever the
        seconds of ``start``."""
        t = _first_candle(start, minutes)
        rng = random.Random(i.token ^ int(t.timestamp()) ^ minutes)
        out: List[List[float]] = []
        price = i.close
        step = dt.timedelta(minutes=minutes)
        while t <= end and len(out) < 5000:
            if t.weekday() < 5 and (minutes >= 1440 or dt.time(9, 15) <= t.time() < dt.time(15, 30)):
                o = price
                c = round(o * (1 + rng.uniform(-0.01, 0.01)), 2)
                h = round(max(o, c) * (1 + rng.uniform(0, 0.005)), 2)
                low = round(min(o, c) * (1 - rng.uniform(0, 0.005)), 2)
                out.append([t.timestamp(), round(o, 2), h, low, c, rng.randint(1000, 900000)])
                price = c
            t += step
            if minutes < 1440 and t.time() >= dt.time(15, 30):
                t = (t + dt.timedelta(days=1)).replace(hour=9, minute=15)
        return out


def _first_candle(start: dt.datetime, minutes: int) -> dt.datetime:
    """Where the candles from ``start`` begin: that day's midnight for daily candles, else
    the first 09:15 + k * ``minutes`` at or after ``start`` (the next open after 15:30)."""
    if minutes >= 1440:
        return start.replace(hour=0, minute=0, second=0, microsecond=0)
    session = start.replace(hour=9, minute=15, second=0, microsecond=0)
    if start <= session:
        return session
    if start.time() >= dt.time(15, 30):
        return session + dt.timedelta(days=1)
    behind = (start - session).total_seconds()
    steps = -(-behind // (minutes * 60))  # ceil
    return session + dt.timedelta(minutes=minutes * steps)
