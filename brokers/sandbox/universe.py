"""The sandbox's instrument universe: full-size option chains, futures, equities
and indices, generated deterministically from the master day.

One universe feeds every broker's master file (``masters.py`` renders it as
Kite's CSV, Dhan's scrip master and Fyers' per-segment files). Expiries are
computed from the day, so the chains are always live: NIFTY weekly (Tuesdays)
and monthly, BANKNIFTY / FINNIFTY / MIDCPNIFTY monthly, SENSEX weekly
(Thursdays) and monthly on BFO, stock options for a couple of hundred names,
currency and commodity contracts.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

__all__ = ["Entry", "universe", "SIZES"]

#: size -> (NSE equities, BSE equities, F&O stocks, strikes per stock expiry, index strikes per expiry)
SIZES = {"full": (2600, 7800, 200, 60, 200), "small": (40, 40, 6, 10, 20)}
KITE_SEGMENT_IDS = {"NSE": 1, "NFO": 2, "CDS": 3, "BSE": 4, "BFO": 5, "BCD": 6, "MCX": 7, "INDICES": 9}
_MON = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEK_MONTH = "123456789OND"
_KNOWN = ("ICICIBANK", "ITC", "LT", "AXISBANK", "KOTAKBANK", "BHARTIARTL", "HINDUNILVR", "MARUTI", "TATAMOTORS",
          "WIPRO", "BAJFINANCE", "ASIANPAINT", "SUNPHARMA", "TITAN", "ULTRACEMCO", "NESTLEIND", "POWERGRID",
          "NTPC", "ONGC", "COALINDIA", "TATASTEEL", "JSWSTEEL", "HCLTECH", "TECHM", "ADANIENT", "ADANIPORTS")
_SYL = ("AR", "BA", "CH", "DE", "EL", "FI", "GA", "HI", "IN", "JA", "KA", "LU", "MA", "NO", "OR", "PA", "RA",
        "SA", "TE", "UN", "VA", "WE", "YA", "ZE", "TRO", "MED", "CEM", "TEX", "POL", "FIN")


class Entry(NamedTuple):
    """One instrument of the universe (Kite's vocabulary)."""

    exchange: str        # NSE BSE NFO BFO CDS MCX
    segment: str         # Kite's: NSE, BSE, INDICES, NFO-FUT, NFO-OPT, ...
    tradingsymbol: str   # Kite's trading symbol
    name: str            # company name, or the underlying for derivatives
    exchange_token: int
    instrument_type: str  # EQ FUT CE PE (indices: EQ with segment INDICES)
    expiry: Optional[dt.date]
    strike: float
    lot_size: int
    tick_size: float
    underlying: str      # derivatives: the underlying symbol; else ""
    weekly: bool = False

    @property
    def token(self) -> int:
        seg = "INDICES" if self.segment == "INDICES" else self.exchange
        return self.exchange_token << 8 | KITE_SEGMENT_IDS[seg]


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    d = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return d - dt.timedelta(days=(d.weekday() - weekday) % 7)


def _monthlies(day: dt.date, weekday: int, count: int) -> List[dt.date]:
    out: List[dt.date] = []
    y, m = day.year, day.month
    while len(out) < count:
        d = _last_weekday(y, m, weekday)
        if d >= day:
            out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _weeklies(day: dt.date, weekday: int, count: int) -> List[dt.date]:
    first = day + dt.timedelta(days=(weekday - day.weekday()) % 7)
    return [first + dt.timedelta(weeks=k) for k in range(count)]


def _opt_symbol(root: str, expiry: dt.date, weekly: bool) -> str:
    if weekly:
        return f"{root}{expiry:%y}{_WEEK_MONTH[expiry.month - 1]}{expiry.day:02d}"
    return f"{root}{expiry:%y}{_MON[expiry.month - 1]}"


def _strike_text(strike: float) -> str:
    return str(int(strike)) if float(strike).is_integer() else f"{strike:g}"


def _names(rng: random.Random, count: int, taken: Set[str]) -> List[str]:
    out: List[str] = []
    while len(out) < count:
        name = "".join(rng.choice(_SYL) for _ in range(rng.randint(2, 4)))
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


class _Tokens:
    def __init__(self, start: int, used: Set[int]) -> None:
        self.next, self.used = start, used

    def take(self) -> int:
        while self.next in self.used:
            self.next += 1
        self.used.add(self.next)
        self.next += 1
        return self.next - 1


def _chain(out: List[Entry], exchange: str, root: str, price: float, step: float, strikes: int, lot: int,
           expiries: List[Tuple[dt.date, bool]], tokens: _Tokens, tick: float = 0.05) -> None:
    fut_seg, opt_seg = f"{exchange}-FUT", f"{exchange}-OPT"
    centre = round(price / step) * step
    low = centre - step * (strikes // 2)
    for expiry, weekly in expiries:
        base = _opt_symbol(root, expiry, weekly)
        if not weekly:
            out.append(Entry(exchange, fut_seg, f"{root}{expiry:%y}{_MON[expiry.month - 1]}FUT", root, tokens.take(),
                             "FUT", expiry, 0.0, lot, tick, root))
        for k in range(strikes):
            strike = round(low + k * step, 4)
            for opt in ("CE", "PE"):
                out.append(Entry(exchange, opt_seg, f"{base}{_strike_text(strike)}{opt}", root, tokens.take(), opt,
                                 expiry, float(strike), lot, tick, root, weekly))


_cache: Dict[Tuple[str, dt.date, Tuple[Entry, ...]], List[Entry]] = {}


def universe(size: str, day: dt.date, fixed: List[Entry]) -> List[Entry]:
    """Every instrument for ``day`` at ``size`` (``"full"`` or ``"small"``);
    ``fixed`` entries (the market's own instruments) come first and keep their ids."""
    key = (size, day, tuple(fixed))  # the same day with other fixed entries is another universe
    if key in _cache:
        return _cache[key]
    n_nse, n_bse, n_fno, stock_strikes, index_strikes = SIZES[size]
    rng = random.Random(20261130)
    out: List[Entry] = list(fixed)
    keys = {(e.exchange, e.tradingsymbol) for e in fixed}
    used = {e.exchange_token for e in fixed}
    eq_tokens, bse_tokens = _Tokens(1000, set(used)), _Tokens(500000, set(used))
    # F&O tokens overlap the equities' range on purpose: Dhan ids repeat across segments.
    fo_tokens, bfo_tokens, cds_tokens, mcx_tokens = (_Tokens(1000, set(used)), _Tokens(800000, set(used)),
                                                     _Tokens(1000, set(used)), _Tokens(400000, set(used)))
    taken = {e.tradingsymbol for e in fixed} | set(_KNOWN)
    stocks = [e.tradingsymbol for e in fixed if e.exchange == "NSE" and e.segment == "NSE"] + list(_KNOWN)
    stocks += _names(rng, max(0, n_nse - len(stocks)), taken)
    stocks = stocks[:max(n_nse, 5)]
    prices = {s: round(rng.uniform(80, 4000), 1) for s in stocks}
    for e in fixed:
        if e.exchange == "NSE" and e.segment == "NSE":
            prices[e.tradingsymbol] = e.strike or prices.get(e.tradingsymbol, 1000.0)
    for s in stocks:
        if ("NSE", s) not in keys:
            out.append(Entry("NSE", "NSE", s, f"{s} LIMITED", eq_tokens.take(), "EQ", None, 0.0, 1, 0.05, ""))
    for s in stocks[:n_bse] + _names(rng, max(0, n_bse - len(stocks)), taken):
        if ("BSE", s) not in keys:
            out.append(Entry("BSE", "BSE", s, f"{s} LIMITED", bse_tokens.take(), "EQ", None, 0.0, 1, 0.05, ""))
    for name, etok in (("NIFTY FIN SERVICE", 1002), ("NIFTY MID SELECT", 1003), ("NIFTY IT", 1004),
                       ("INDIA VIX", 1005), ("SENSEX", 1006)):
        if ("NSE", name) not in keys:
            out.append(Entry("BSE" if name == "SENSEX" else "NSE", "INDICES", name, name, etok, "EQ", None, 0.0, 0,
                             0.0, ""))
    nse_month = _monthlies(day, 1, 3)            # last Tuesday
    nifty = [(d, True) for d in _weeklies(day, 1, 4) if d not in nse_month] + [(d, False) for d in nse_month]
    nifty.sort()
    _chain(out, "NFO", "NIFTY", 24300.0, 50.0, index_strikes, 75, nifty, fo_tokens)
    for root, price, step, lot in (("BANKNIFTY", 52100.0, 100.0, 35), ("FINNIFTY", 23500.0, 50.0, 65),
                                   ("MIDCPNIFTY", 12500.0, 25.0, 140)):
        _chain(out, "NFO", root, price, step, index_strikes // 2 if root != "BANKNIFTY" else index_strikes, lot,
               [(d, False) for d in nse_month], fo_tokens)
    bse_month = _monthlies(day, 3, 3)            # last Thursday
    sensex = sorted([(d, True) for d in _weeklies(day, 3, 4) if d not in bse_month] + [(d, False) for d in bse_month])
    _chain(out, "BFO", "SENSEX", 80000.0, 100.0, index_strikes, 20, sensex, bfo_tokens)
    for s in stocks[:n_fno]:
        price = prices[s]
        step = 1.0 if price < 100 else 2.5 if price < 250 else 5.0 if price < 500 else 10.0 if price < 1500 else 20.0
        lot = max(1, int(round(60000 / price, -1))) or 1
        _chain(out, "NFO", s, price, step, stock_strikes, lot, [(d, False) for d in nse_month], fo_tokens)
    cds = [(d, True) for d in _weeklies(day, 4, 4)] + [(d, False) for d in _monthlies(day, 2, 2)]
    for root, price in (("USDINR", 84.0), ("EURINR", 90.0), ("GBPINR", 106.0), ("JPYINR", 56.0)):
        _chain(out, "CDS", root, price, 0.25, 40 if size == "full" else 6, 1, sorted(set(cds)), cds_tokens,
               tick=0.0025)
    mcx = [(d, False) for d in _monthlies(day, 4, 4)]
    for root, price, step, lot in (("GOLD", 76000.0, 100.0, 1), ("SILVER", 91000.0, 250.0, 1),
                                   ("CRUDEOIL", 6000.0, 50.0, 100), ("NATURALGAS", 250.0, 5.0, 1250)):
        _chain(out, "MCX", root, price, step, 40 if size == "full" else 6, lot, mcx, mcx_tokens, tick=1.0)
    seen = set()
    result = []
    for e in out:  # the market's own instruments win over generated ones with the same symbol
        k = (e.exchange, e.tradingsymbol)
        if k not in seen:
            seen.add(k)
            result.append(e)
    _cache[key] = result
    return result
