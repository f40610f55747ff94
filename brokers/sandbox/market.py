"""The sandbox's market: instruments shared by every broker, and prices that move.

Prices follow a deterministic walk from a seed, so a test sees the same numbers
on every run; :meth:`Market.step` moves them (the tick servers call it).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

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

    #: token -> Instrument for instruments beyond the market's own (the generated masters)
    more: Optional[Callable[[int], Optional[Instrument]]] = None

    def get(self, token: int) -> Optional[Instrument]:
        found = self.by_token.get(token)
        if found is None and self.more is not None:
            found = self.more(token)
        return found

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
        """Deterministic OHLCV candles starting in ``[start, end]`` (IST), market hours only:
        each bar depends only on the instrument, the interval and its time (see ``candles.py``)."""
        from .candles import series

        return series(i.token, minutes, start, end, i.price)
