"""Dhan: the cached scrip master, symbols for security ids, and history over any range."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

import requests

from .. import history as h
from ..ist import IST
from ..symbols import Instrument, MasterCache, SymbolMaster
from ..symbols.fetch import cache_name, cache_root
from ..symbols.resolve import looks_like_symbol, resolve, unknown_symbol
from . import routes
from .codec import parse_master
from .decode import status_error

__all__ = ["SymbolsMixin"]

_INDEX_ROOTS = ("NIFTY", "BANKNIFTY", "FINNIFTY", "MIDCPNIFTY", "SENSEX", "BANKEX")


def _raw(response: requests.Response) -> bytes:
    if response.status_code >= 400:
        raise status_error(response, f"HTTP {response.status_code}")
    return response.content


def _instrument_name(inst: Instrument) -> str:
    """Dhan's ``instrument`` for the chart APIs."""
    if inst.broker_type:
        return inst.broker_type
    if inst.instrument_type in ("EQ", "INDEX"):
        return "EQUITY" if inst.instrument_type == "EQ" else "INDEX"
    index = (inst.underlying or "") in _INDEX_ROOTS
    if inst.instrument_type == "FUT":
        return "FUTIDX" if index else "FUTSTK"
    return "OPTIDX" if index else "OPTSTK"


class SymbolsMixin:
    """``master()``, ``history()`` and symbol resolution for :class:`~brokers.dhan.Dhan`."""

    scrip_root: str
    cache_dir: Optional[Path]
    _call: Callable[..., Any]
    intraday_minute_data: Callable[..., Dict[str, Any]]
    historical_daily_data: Callable[..., Dict[str, Any]]

    #: Where masters are cached (default: ``$BROKERS_CACHE_DIR`` or the user cache dir).
    master_cache_dir: Optional[Union[str, Path]] = None
    #: Widest request in days per interval in minutes, and how many requests run at once.
    history_caps: Dict[int, Optional[int]] = dict(routes.HISTORY_CAPS)
    history_workers: int = routes.HISTORY_WORKERS
    _master: Optional[SymbolMaster] = None

    def master(self, *, refresh: bool = False, cache_dir: Union[str, Path, None] = None) -> SymbolMaster:
        """Dhan's scrip master (compact CSV), downloaded at most once per trading day
        and shared by every process on the machine (see :meth:`brokers.kite.Kite.master`).

        Keys are ``NSE:INFY`` / ``BSE:INFY`` for equities and ``SEGMENT:SYMBOL``
        otherwise (``NSE_FNO:NIFTY-Dec2026-24000-CE``, ``IDX_I:NIFTY``); the token is
        the security id, unique only within its segment
        (``master.get(token="1333", segment="NSE_EQ")``).
        """
        cache = MasterCache(cache_root(cache_dir, self.master_cache_dir))
        self._master = cache.get(cache_name("dhan", self.scrip_root, routes.SCRIP_ROOT), "dhan",
                                 self._download_master, refresh=refresh)
        return self._master

    def _download_master(self) -> List[Any]:
        return parse_master(self._call("fetch_security_list", path_args={"file": routes.SCRIP_FILES["compact"]},
                                       decode=_raw))

    def _instrument(self, symbol: Union[str, Instrument]) -> Instrument:
        if isinstance(symbol, Instrument):
            return symbol
        return resolve(self._master or self.master(), symbol)

    def _security_id(self, security_id: Any, exchange_segment: Optional[str] = None) -> Any:
        """A security id, or a symbol (``"NSE:INFY"``) resolved to one (within
        ``exchange_segment`` when given)."""
        if isinstance(security_id, Instrument):
            return security_id.token
        if looks_like_symbol(security_id):  # SEGMENT:SYMBOL; anything else is checked as an id
            inst = self._instrument(security_id)
            if exchange_segment is not None and inst.segment != exchange_segment:
                raise unknown_symbol(self._master or self.master(), f"{security_id} in {exchange_segment}")
            return inst.token
        return security_id

    def _securities(self, securities: Any) -> Any:
        """``{"NSE_EQ": [1333]}`` as is, or symbols (a list, or inside the dict) grouped
        by segment: ``["NSE:INFY", "NSE_FNO:NIFTY-Dec2026-24000-CE"]``."""
        if isinstance(securities, str):
            securities = [securities]
        if isinstance(securities, (list, tuple)) and all(isinstance(s, (str, Instrument)) for s in securities):
            out: Dict[str, List[Any]] = {}
            for s in securities:
                inst = self._instrument(s)
                out.setdefault(inst.segment, []).append(inst.token)
            return out
        if isinstance(securities, dict):
            return {seg: [self._security_id(i, seg) for i in (ids if isinstance(ids, (list, tuple)) else [ids])]
                    for seg, ids in securities.items()}
        return securities

    def history(self, symbol: Union[str, Instrument], start: h.DateLike, end: h.DateLike,
                interval: Union[str, int] = "day", *, oi: bool = False, continuous: bool = False,
                on_progress: Optional[Callable[[int, int], Any]] = None, as_frame: bool = False) -> Any:
        """Candles over any range, in requests no wider than Dhan allows (90 days
        intraday). Arguments and return as :meth:`brokers.kite.Kite.history`;
        ``symbol`` is a master key (``"NSE:INFY"``) or an Instrument; ``interval``
        1, 5, 15, 25 or 60 minutes, or ``"day"``. ``continuous`` asks daily
        futures data for the current expiry (Dhan's ``expiry_code=0``)."""
        minutes = h.interval_minutes(interval)
        if minutes not in self.history_caps:
            raise ValueError(f"interval must be 1, 5, 15, 25, 60 (minutes) or 'day'; got {interval!r}")
        start_at, stop = h.check_range(start, end)
        inst = self._instrument(symbol)
        sid, seg, kind = inst.token, inst.segment, _instrument_name(inst)

        def fetch(a: dt.datetime, b: dt.datetime) -> List[h.Candle]:
            if minutes == h.DAY:
                last = b.date() if b.time() == dt.time() else b.date() + dt.timedelta(days=1)
                data = self.historical_daily_data(sid, seg, kind, a.date(), last, oi=oi)
            else:
                first = a.astimezone(IST).replace(tzinfo=None)
                last_t = (b - dt.timedelta(seconds=1)).astimezone(IST).replace(tzinfo=None)
                data = self.intraday_minute_data(sid, seg, kind, first, last_t, interval=minutes, oi=oi)
            cols = data.get("data", data) if isinstance(data, dict) else {}
            times = cols.get("timestamp") or []
            ois = cols.get("open_interest") if oi else None
            return [h.candle(dt.datetime.fromtimestamp(t, IST), cols["open"][n], cols["high"][n], cols["low"][n],
                             cols["close"][n], cols["volume"][n], ois[n] if ois else None)
                    for n, t in enumerate(times)]

        candles = h.download(fetch, start_at, stop, self.history_caps[minutes], workers=self.history_workers,
                             on_progress=on_progress)
        return h.to_frame(candles) if as_frame else candles
