"""Dhan market-data methods: historical charts, market quotes, option chains, and
the security list (scrip master CSV) with a per-day cache file.

Names and arguments follow ``dhanhq`` 2.x. Data APIs are a paid add-on at Dhan;
without it they answer DH-902 (:class:`~brokers.errors.AuthError`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, cast

from ..ist import IST
from . import codec
from . import routes as r
from . import validate as p
from .base import DhanBase
from .decode import decode_text

__all__ = ["DataMixin"]

log = logging.getLogger("brokers.dhan")


class DataMixin(DhanBase):
    """Charts, quotes, option chains and the security list."""

    cache_dir: Optional[Path] = None

    # -- times ---------------------------------------------------------------------------------
    @staticmethod
    def convert_to_date_time(epoch: float) -> Any:
        """An epoch (as the chart APIs return) as an aware IST datetime, or a ``date``
        when it falls on IST midnight (daily candles), as ``dhanhq`` does."""
        when = dt.datetime.fromtimestamp(epoch, IST)
        return when.date() if when.time() == dt.time(0, 0) else when

    # -- historical ----------------------------------------------------------------------
    def intraday_minute_data(self, security_id: Any, exchange_segment: str, instrument_type: str,
                             from_date: p.DateLike, to_date: p.DateLike, interval: int = 1,
                             oi: bool = False) -> Dict[str, Any]:
        """Minute candles (``POST /charts/intraday``): at most 90 days per call.

        Args:
            from_date, to_date: dates, datetimes, or ``YYYY-MM-DD[ HH:MM:SS]`` strings.
            interval: 1, 5, 15, 25 or 60 minutes.
            oi: include open interest (derivatives).

        Returns:
            Dhan's column arrays: ``{"open": [...], "high": [...], ..., "timestamp": [...]}``
            (epoch seconds).
        """
        if isinstance(interval, bool) or interval not in r.INTERVALS:
            raise ValueError(f"interval must be one of 1, 5, 15, 25, 60; got {interval!r}")
        security_id = self._security_id(security_id, exchange_segment)  # type: ignore[attr-defined]
        body = {
            "securityId": p.security_id(security_id),
            "exchangeSegment": p.choice("exchange_segment", exchange_segment, r.SEGMENTS),
            "instrument": p.choice("instrument_type", instrument_type, r.INSTRUMENTS),
            "interval": int(interval), "oi": p.flag("oi", oi),
            "fromDate": p.intraday_time_str("from_date", from_date),
            "toDate": p.intraday_time_str("to_date", to_date),
        }
        p.date_range("from_date", body["fromDate"], "to_date", body["toDate"])
        return cast("Dict[str, Any]", self._call("intraday_minute_data", body=body))

    def historical_daily_data(self, security_id: Any, exchange_segment: str, instrument_type: str,
                              from_date: p.DateLike, to_date: p.DateLike, expiry_code: int = 0,
                              oi: bool = False) -> Dict[str, Any]:
        """Daily candles (``POST /charts/historical``); ``to_date`` is not included.

        Args:
            expiry_code: 0 (current), 1 (next), 2 (far), 3 (as ``dhanhq`` allows).
        """
        if isinstance(expiry_code, bool) or expiry_code not in r.EXPIRY_CODES:
            raise ValueError(f"expiry_code must be one of 0, 1, 2, 3; got {expiry_code!r}")
        security_id = self._security_id(security_id, exchange_segment)  # type: ignore[attr-defined]
        body = {
            "securityId": p.security_id(security_id),
            "exchangeSegment": p.choice("exchange_segment", exchange_segment, r.SEGMENTS),
            "instrument": p.choice("instrument_type", instrument_type, r.INSTRUMENTS),
            "expiryCode": int(expiry_code), "oi": p.flag("oi", oi),
            "fromDate": p.date_str("from_date", from_date), "toDate": p.date_str("to_date", to_date),
        }
        p.date_range("from_date", body["fromDate"], "to_date", body["toDate"])
        return cast("Dict[str, Any]", self._call("historical_daily_data", body=body))

    def expired_options_data(self, security_id: Any, exchange_segment: str, instrument_type: str,
                             expiry_flag: str, expiry_code: int, strike: str, drv_option_type: str,
                             required_data: List[str], from_date: p.DateLike, to_date: p.DateLike,
                             interval: int = 1) -> Dict[str, Any]:
        """Expired options on a rolling basis (``POST /charts/rollingoption``), at most 30 days a call.

        Args:
            expiry_flag: ``WEEK`` or ``MONTH``.
            strike: ``"ATM"``, ``"ATM+1"``, ``"ATM-3"``, ...
            drv_option_type: ``CALL`` or ``PUT``.
            required_data: any of open, high, low, close, iv, volume, strike, oi, spot.
        """
        if isinstance(interval, bool) or interval not in r.INTERVALS:
            raise ValueError(f"interval must be one of 1, 5, 15, 25, 60; got {interval!r}")
        if isinstance(expiry_code, bool) or expiry_code not in r.EXPIRY_CODES:
            raise ValueError(f"expiry_code must be one of 0, 1, 2, 3; got {expiry_code!r}")
        if not isinstance(strike, str) or not strike.upper().startswith("ATM"):
            raise ValueError(f"strike must be 'ATM', 'ATM+n' or 'ATM-n'; got {strike!r}")
        if (not isinstance(required_data, list) or not required_data
                or any(f not in r.ROLLING_FIELDS for f in required_data)):
            raise ValueError(f"required_data must be a non-empty list of {', '.join(sorted(r.ROLLING_FIELDS))}")
        body = {
            "securityId": p.security_id(security_id),
            "exchangeSegment": p.choice("exchange_segment", exchange_segment, r.SEGMENTS),
            "instrument": p.choice("instrument_type", instrument_type, r.INSTRUMENTS),
            "expiryFlag": p.choice("expiry_flag", expiry_flag, r.EXPIRY_FLAGS),
            "expiryCode": int(expiry_code), "strike": strike.upper(),
            "drvOptionType": p.choice("drv_option_type", drv_option_type, r.OPTION_TYPES),
            "requiredData": list(required_data),
            "fromDate": p.date_str("from_date", from_date), "toDate": p.date_str("to_date", to_date),
            "interval": int(interval),
        }
        p.date_range("from_date", body["fromDate"], "to_date", body["toDate"])
        return cast("Dict[str, Any]", self._call("expired_options_data", body=body))

    # -- market quote --------------------------------------------------------------------
    def ticker_data(self, securities: Dict[str, List[Any]]) -> Dict[str, Any]:
        """Last traded prices (``POST /marketfeed/ltp``).

        Args:
            securities: ``{"NSE_EQ": [11536], "NSE_FNO": [49081, 49082]}``, at most
                1000 instruments in all; or symbols resolved through :meth:`master`
                (``["NSE:INFY", "NSE_FNO:NIFTY-Dec2026-24000-CE"]``, or inside the dict).

        Returns:
            Dhan's JSON: ``{"data": {"NSE_EQ": {"11536": {"last_price": ...}}}, "status": "success"}``.
        """
        securities = self._securities(securities)  # type: ignore[attr-defined]  # symbols too
        return cast("Dict[str, Any]", self._call("ticker_data", body=p.securities(securities)))

    def ohlc_data(self, securities: Dict[str, List[Any]]) -> Dict[str, Any]:
        """Last price and the day's OHLC (``POST /marketfeed/ohlc``); see :meth:`ticker_data`."""
        securities = self._securities(securities)  # type: ignore[attr-defined]  # symbols too
        return cast("Dict[str, Any]", self._call("ohlc_data", body=p.securities(securities)))

    def quote_data(self, securities: Dict[str, List[Any]]) -> Dict[str, Any]:
        """Full quotes with depth, OI and volume (``POST /marketfeed/quote``); see :meth:`ticker_data`."""
        securities = self._securities(securities)  # type: ignore[attr-defined]  # symbols too
        return cast("Dict[str, Any]", self._call("quote_data", body=p.securities(securities)))

    # -- option chain ----------------------------------------------------------------------
    def option_chain(self, under_security_id: Any, under_exchange_segment: str, expiry: p.DateLike) -> Dict[str, Any]:
        """The option chain of an underlying for one expiry (``POST /optionchain``);
        Dhan allows one call every 3 seconds, which the client's limiter keeps to."""
        body = {"UnderlyingScrip": int(p.security_id(under_security_id, "under_security_id")),
                "UnderlyingSeg": p.choice("under_exchange_segment", under_exchange_segment, r.SEGMENTS),
                "Expiry": p.date_str("expiry", expiry)}
        return cast("Dict[str, Any]", self._call("option_chain", body=body))

    def expiry_list(self, under_security_id: Any, under_exchange_segment: str) -> Dict[str, Any]:
        """The expiry dates of an underlying (``POST /optionchain/expirylist``)."""
        body = {"UnderlyingScrip": int(p.security_id(under_security_id, "under_security_id")),
                "UnderlyingSeg": p.choice("under_exchange_segment", under_exchange_segment, r.SEGMENTS)}
        return cast("Dict[str, Any]", self._call("expiry_list", body=body))

    # -- security list -----------------------------------------------------------------------
    def fetch_security_list(self, mode: str = "compact", filename: Optional[str] = None, *,
                            cache: bool = True) -> List[Dict[str, Any]]:
        """Dhan's instrument list (the scrip master CSV), parsed into one dict per row.

        The CSV is large and changes once a day, so it is kept in a cache file named
        after the IST date (``scrip-master-<mode>-YYYY-MM-DD.csv`` in ``cache_dir``);
        later calls that day read the file. No token is sent to the CDN.

        Args:
            mode: ``"compact"`` or ``"detailed"``.
            filename: also write the CSV here (``dhanhq`` writes it to the working
                directory; we only do when asked).
            cache: ``False`` downloads again even if today's file exists.

        Returns:
            Rows as dicts keyed by the CSV header; whole numbers as ``int``, other
            numbers as ``float``, empty cells as ``None``, per column as pandas infers
            them (``dhanhq`` returns a DataFrame).

        Raises:
            ValueError: an unknown ``mode``.
        """
        if mode not in ("compact", "detailed"):
            raise ValueError(f"mode must be 'compact' or 'detailed', got {mode!r}")
        return self._security_list(mode, "fetch_security_list", filename, cache)

    def fetch_global_security_list(self, filename: Optional[str] = None, *,
                                   cache: bool = True) -> List[Dict[str, Any]]:
        """The US stock list (Global Stocks), parsed and cached per day as
        :meth:`fetch_security_list` does."""
        return self._security_list("global", "fetch_global_security_list", filename, cache)

    def _security_list(self, mode: str, route: str, filename: Optional[str], cache: bool) -> List[Dict[str, Any]]:
        text: Optional[str] = None
        path: Optional[Path] = None
        if self.cache_dir is not None:
            day = dt.datetime.now(IST).strftime("%Y-%m-%d")
            path = self.cache_dir / f"scrip-master-{mode}-{day}.csv"
            if cache and path.is_file():
                try:
                    text = path.read_text(encoding="utf-8")
                except OSError as e:
                    log.warning("dhan: cannot read %s (%s); downloading again", path, e.strerror)
        if text is None:
            text = self._call(route, path_args={"file": r.SCRIP_FILES[mode]}, decode=decode_text)
            if path is not None:
                self._write_cache(path, mode, text)
        if filename:
            if path is not None and path.is_file():
                shutil.copyfile(path, filename)
            else:
                Path(filename).write_text(text, encoding="utf-8")
        return codec.parse_scrip_master(text)

    def _write_cache(self, path: Path, mode: str, text: str) -> None:
        """Write today's file atomically and drop older days' files of the same mode."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".scrip-", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            for old in path.parent.glob(f"scrip-master-{mode}-*.csv"):
                if old != path:
                    with contextlib.suppress(OSError):
                        old.unlink()
        except OSError as e:  # a read-only cache must not fail the call that fetched the data
            log.warning("dhan: cannot cache the security list in %s: %s", path.parent, e.strerror)
