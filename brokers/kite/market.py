"""Kite market data: quotes, OHLC, LTP, historical candles, instruments, trigger ranges."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Sequence, Tuple, Union

from ..ist import IST
from .base import KiteBase
from .codec import format_historical, format_response, parse_instruments

__all__ = ["MarketMixin"]

INTERVALS = ("minute", "3minute", "5minute", "10minute", "15minute", "30minute", "60minute", "day")
Instruments = Union[str, int, Sequence[Union[str, int]]]


def _instrument_list(instruments: Tuple[Any, ...], limit: int, method: str) -> List[str]:
    if len(instruments) == 1 and isinstance(instruments[0], (list, tuple)):
        instruments = tuple(instruments[0])
    if not instruments:
        raise ValueError(f"{method}() needs at least one instrument, e.g. \"NSE:INFY\" or an instrument token")
    if len(instruments) > limit:
        raise ValueError(f"{method}() takes at most {limit} instruments per call; got {len(instruments)}")
    out = []
    for i in instruments:
        if isinstance(i, bool) or not isinstance(i, (str, int)) or (isinstance(i, str) and not i.strip()):
            raise ValueError(f"{method}(): {i!r} is not an instrument (\"EXCHANGE:SYMBOL\" or a token)")
        out.append(str(i))
    return out


def _kite_time(value: Any, name: str) -> str:
    """kiteconnect's formatting, made zone-safe: aware datetimes are converted to IST first."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(IST).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, str) and value.strip():
        return value
    raise ValueError(f"{name} must be a datetime, a date or a 'YYYY-MM-DD HH:MM:SS' string; got {value!r}")


class MarketMixin(KiteBase):
    """Quotes, candles and instrument lists."""

    EXCHANGE_NSE = "NSE"
    EXCHANGE_BSE = "BSE"
    EXCHANGE_NFO = "NFO"
    EXCHANGE_CDS = "CDS"
    EXCHANGE_BFO = "BFO"
    EXCHANGE_MCX = "MCX"
    EXCHANGE_BCD = "BCD"

    def quote(self, *instruments: Instruments) -> Dict[str, Dict[str, Any]]:
        """Full quotes (depth, OHLC, OI, ...) for up to 500 instruments.

        Args:
            *instruments: ``"NSE:INFY"``-style keys or instrument tokens, as
                varargs or one list.

        Returns:
            ``{key: quote}``, with ``timestamp`` and ``last_trade_time`` as
            naive IST datetimes (as kiteconnect returns them).

        Example::

            kite.quote("NSE:INFY", "NSE:SBIN")["NSE:INFY"]["last_price"]
        """
        data = self._get("/quote", {"i": _instrument_list(instruments, 500, "quote")}, group="quote")
        return {k: format_response(v) for k, v in data.items()}

    def ohlc(self, *instruments: Instruments) -> Dict[str, Dict[str, Any]]:
        """OHLC and last price for up to 1000 instruments."""
        return self._get("/quote/ohlc", {"i": _instrument_list(instruments, 1000, "ohlc")}, group="quote")

    def ltp(self, *instruments: Instruments) -> Dict[str, Dict[str, Any]]:
        """Last traded price for up to 1000 instruments."""
        return self._get("/quote/ltp", {"i": _instrument_list(instruments, 1000, "ltp")}, group="quote")

    def historical_data(self, instrument_token: int, from_date: Any, to_date: Any, interval: str,
                        continuous: bool = False, oi: bool = False) -> List[Dict[str, Any]]:
        """Candles for one instrument.

        Args:
            instrument_token: the instrument's token, or a symbol (``"NSE:INFY"``)
                resolved through :meth:`master`.
            from_date, to_date: datetimes (aware ones are converted to IST),
                dates, or ``"YYYY-MM-DD HH:MM:SS"`` strings.
            interval: one of ``minute, 3minute, 5minute, 10minute, 15minute,
                30minute, 60minute, day``.
            continuous: continuous data for futures.
            oi: include open interest.

        Returns:
            ``[{"date": aware datetime (+05:30), "open", "high", "low", "close", "volume"[, "oi"]}]``.

        Raises:
            ValueError: a bad interval, date, or ``from_date`` after ``to_date``.
        """
        if interval not in INTERVALS:
            raise ValueError(f"interval must be one of {', '.join(INTERVALS)}; got {interval!r}")
        instrument_token = self._token(instrument_token)  # type: ignore[attr-defined]  # "NSE:INFY" too
        if isinstance(instrument_token, bool) or not str(instrument_token).isdigit():
            raise ValueError(f"instrument_token must be a number; got {instrument_token!r}")
        start, end = _kite_time(from_date, "from_date"), _kite_time(to_date, "to_date")
        if start > end:
            raise ValueError(f"from_date ({start}) is after to_date ({end})")
        params = {"from": start, "to": end, "interval": interval, "continuous": 1 if continuous else 0,
                  "oi": 1 if oi else 0}
        data = self._get(f"/instruments/historical/{instrument_token}/{interval}", params, group="historical")
        return format_historical(data)

    def trigger_range(self, transaction_type: str, *instruments: Instruments) -> Dict[str, Dict[str, Any]]:
        """The allowed trigger range of cover orders."""
        if transaction_type not in ("BUY", "SELL", "buy", "sell"):
            raise ValueError(f"transaction_type must be BUY or SELL; got {transaction_type!r}")
        return self._get(f"/instruments/trigger_range/{transaction_type.lower()}",
                         {"i": _instrument_list(instruments, 1000, "trigger_range")})

    def instruments(self, exchange: Union[str, None] = None) -> List[Dict[str, Any]]:
        """Every instrument (or one exchange's), parsed from Kite's CSV dump as kiteconnect does."""
        path = f"/instruments/{exchange}" if exchange else "/instruments"
        self._ensure_session()
        # The dump lives on the API host even for web sessions.
        return parse_instruments(self._send("GET", f"{self.root}{path}", auth=self._connect_session()))

    def _connect_session(self) -> bool:
        return self.session is not None and self.session.kind == "access_token"
