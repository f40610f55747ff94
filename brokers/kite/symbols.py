"""Kite: the cached instrument master, symbols for tokens, and history over any range."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Union

import requests

from .. import errors
from .. import history as h
from ..ist import IST
from ..symbols import Instrument, MasterCache, SymbolMaster
from ..symbols.fetch import cache_name, cache_root
from ..symbols.resolve import looks_like_symbol, resolve
from . import routes
from .base import KiteBase
from .codec import parse_master
from .decode import status_error

__all__ = ["SymbolsMixin"]


def _raw(response: requests.Response) -> bytes:
    if response.status_code >= 400:
        raise status_error(response, f"HTTP {response.status_code}")
    return response.content


class SymbolsMixin(KiteBase):
    """``master()``, ``history()`` and symbol resolution for :class:`~brokers.kite.Kite`."""

    #: Where masters are cached (default: ``$BROKERS_CACHE_DIR`` or the user cache dir).
    master_cache_dir: Optional[Union[str, Path]] = None
    #: Widest request in days per interval in minutes, and how many requests run at once.
    history_caps: Dict[int, Optional[int]] = dict(routes.HISTORY_CAPS)
    history_workers: int = routes.HISTORY_WORKERS
    _master: Optional[SymbolMaster] = None

    def master(self, *, refresh: bool = False, cache_dir: Union[str, Path, None] = None) -> SymbolMaster:
        """Kite's instrument master, downloaded at most once per trading day.

        The instruments CSV (about 100,000 rows) is parsed once a day (a new one
        is out around 08:00 IST) and kept in the cache directory for every process
        on the machine; later calls, in any process, load the cached copy. A
        download that is empty, truncated or unreadable never replaces the last
        good master.

        Args:
            refresh: download even if today's master is cached.
            cache_dir: the cache root (default :attr:`master_cache_dir`,
                ``$BROKERS_CACHE_DIR`` or ``platformdirs.user_cache_dir("brokers")``).

        Example::

            master = kite.master()
            master["NSE:INFY"].token              # 408065
            master.search("nifty 24000 ce")[0].key
        """
        cache = MasterCache(cache_root(cache_dir, self.master_cache_dir))
        self._master = cache.get(cache_name("kite", self.root, routes.ROOT), "kite", self._download_master,
                                 refresh=refresh)
        return self._master

    def _download_master(self) -> List[Any]:
        try:  # the dump needs no login; a KiteConnect session is sent along when there is one
            self._ensure_session()
        except errors.AuthError:
            pass
        connect = self.session is not None and self.session.kind == "access_token"
        path = self._routes["market.instruments.all"]  # the dump lives on the API host for web sessions too
        return parse_master(self._send("GET", self.root + path, auth=connect, decode=_raw))

    def _instrument(self, symbol: Union[str, Instrument]) -> Instrument:
        if isinstance(symbol, Instrument):
            return symbol
        return resolve(self._master or self.master(), symbol)

    def _token(self, value: Any) -> Any:
        """An instrument token, or a symbol (``"NSE:INFY"``) resolved to one."""
        if isinstance(value, Instrument):
            return value.token
        if looks_like_symbol(value):  # EXCHANGE:SYMBOL; anything else is checked as a token
            return self._instrument(value).token
        return value

    def history(self, symbol: Union[str, int, Instrument], start: h.DateLike, end: h.DateLike,
                interval: Union[str, int] = "day", *, oi: bool = False, continuous: bool = False,
                on_progress: Optional[Callable[[int, int], Any]] = None, as_frame: bool = False) -> Any:
        """Candles over any range, in requests no wider than Kite allows.

        Args:
            symbol: ``"NSE:INFY"`` (resolved through :meth:`master`), an
                instrument token, or an :class:`~brokers.symbols.Instrument`.
            start, end: dates, datetimes (naive ones are IST) or
                ``"YYYY-MM-DD[ HH:MM[:SS]]"``; a date ``end`` includes that day.
            interval: ``minute``, ``3minute``, ... ``60minute``, ``day`` (or
                minutes: 5, ``"15m"``).
            oi: include open interest.
            continuous: continuous futures data.
            on_progress: called ``(done, total)`` after each request.
            as_frame: return a pandas DataFrame (``pip install brokers[pandas]``).

        Returns:
            A list of :class:`~brokers.history.Candle` (aware IST times), oldest
            first, without gaps or repeats at request edges.

        Raises:
            ValueError: a bad interval or range, before any request.
            brokers.errors.InputError: an unknown symbol (naming close ones).
        """
        minutes = h.interval_minutes(interval)
        if minutes not in self.history_caps:
            raise ValueError(f"interval must be one of {', '.join(routes.HISTORY_INTERVALS.values())}; "
                             f"got {interval!r}")
        name = routes.HISTORY_INTERVALS[minutes]
        start_at, stop = h.check_range(start, end)
        token = self._token(symbol)
        self._ensure_session()  # once, before the threads: concurrent first calls would race for it

        def fetch(a: dt.datetime, b: dt.datetime) -> List[h.Candle]:
            last = (b - dt.timedelta(seconds=1)).astimezone(IST).replace(tzinfo=None)
            rows = self.historical_data(token, a.astimezone(IST).replace(tzinfo=None), last, name,  # type: ignore[attr-defined]
                                        continuous=continuous, oi=oi)
            return [h.candle(r["date"].astimezone(IST), r["open"], r["high"], r["low"], r["close"], r["volume"],
                             r.get("oi") if oi else None) for r in rows]

        candles = h.download(fetch, start_at, stop, self.history_caps[minutes], workers=self.history_workers,
                             on_progress=on_progress)
        return h.to_frame(candles) if as_frame else candles
