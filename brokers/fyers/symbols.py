"""Fyers: the cached symbol master (every segment file) and history over any range."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, Union

import requests

from .. import history as h
from ..ist import IST
from ..symbols import Instrument, MasterCache, SymbolMaster
from ..symbols.fetch import cache_name, cache_root
from . import routes
from .codec import MASTER_FILES, parse_master
from .decode import status_error

__all__ = ["SymbolsMixin"]


def _raw(response: requests.Response) -> bytes:
    if response.status_code >= 400:
        raise status_error(response, f"HTTP {response.status_code}")
    return response.content


def _resolution(minutes: int) -> str:
    return "D" if minutes == h.DAY else str(minutes)


class SymbolsMixin:
    """``master()`` and the range form of ``history()`` for :class:`~brokers.fyers.Fyers`."""

    public_root: str
    _fetch: Callable[..., Any]

    #: Where masters are cached (default: ``$BROKERS_CACHE_DIR`` or the user cache dir).
    master_cache_dir: Optional[Union[str, Path]] = None
    #: Widest request in days per interval in minutes, and how many requests run at once.
    history_caps: Dict[int, Optional[int]] = dict(routes.HISTORY_CAPS)
    history_workers: int = routes.HISTORY_WORKERS
    _master: Optional[SymbolMaster] = None

    def master(self, *, refresh: bool = False, cache_dir: Union[str, Path, None] = None) -> SymbolMaster:
        """Fyers' symbol master: every segment file (``NSE_CM``, ``NSE_FO``, ...)
        in one :class:`~brokers.symbols.SymbolMaster`, downloaded at most once per
        trading day and shared by every process (see :meth:`brokers.kite.Kite.master`).
        Keys are Fyers symbols (``NSE:SBIN-EQ``, ``NSE:NIFTY26DEC24000CE``); tokens
        are fytokens."""
        cache = MasterCache(cache_root(cache_dir, self.master_cache_dir))
        self._master = cache.get(cache_name("fyers", self.public_root, routes.PUBLIC_ROOT), "fyers",
                                 self._download_master, refresh=refresh)
        return self._master

    def _download_master(self) -> List[Any]:
        rows: List[Any] = []
        for segment in MASTER_FILES:
            rows += parse_master(self._fetch("symbol_master", _raw, {"segment": segment}), segment)
        return rows

    def _history_range(self, symbol: Union[str, Instrument], start: h.DateLike, end: h.DateLike,
                       interval: Union[str, int] = "day", *, oi: bool = False, continuous: bool = False,
                       on_progress: Optional[Callable[[int, int], Any]] = None, as_frame: bool = False) -> Any:
        minutes = h.interval_minutes(interval)
        if minutes not in self.history_caps:
            raise ValueError("interval must be 1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 240 (minutes) or 'D'; "
                             f"got {interval!r}")
        start_at, stop = h.check_range(start, end)
        name = symbol.key if isinstance(symbol, Instrument) else symbol
        if not isinstance(name, str) or ":" not in name:
            raise ValueError(f"symbol must be a Fyers symbol such as 'NSE:SBIN-EQ'; got {symbol!r}")

        def fetch(a: dt.datetime, b: dt.datetime) -> List[h.Candle]:
            query: Dict[str, Any] = {"symbol": name, "resolution": _resolution(minutes), "date_format": 0,
                                     "range_from": int(a.timestamp()), "range_to": int(b.timestamp()) - 1,
                                     "cont_flag": 1 if continuous else 0}
            if oi:
                query["oi_flag"] = 1
            data = self.history(query)  # type: ignore[attr-defined]
            return [h.candle(dt.datetime.fromtimestamp(r[0], IST), r[1], r[2], r[3], r[4], r[5],
                             r[6] if oi and len(r) > 6 else None)
                    for r in data.get("candles") or []]

        candles = h.download(fetch, start_at, stop, self.history_caps[minutes], workers=self.history_workers,
                             on_progress=on_progress)
        return h.to_frame(candles) if as_frame else candles


def is_sdk_call(data: Any, args: Tuple[Any, ...], kw: Mapping[str, Any]) -> bool:
    """``history(data)`` (fyers_apiv3's form) rather than ``history(symbol, start, end, ...)``."""
    return h.is_sdk_form(data) and not args and not kw
