"""Kite market data: quotes, OHLC, LTP, historical candles, instruments, trigger ranges."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Union, cast

from . import validate as v
from .base import KiteBase
from .codec import format_historical, format_response, parse_instruments

__all__ = ["MarketMixin"]

INTERVALS = v.INTERVALS
Instruments = Union[str, int, Sequence[Union[str, int]]]


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
        data = self._get("market.quote", params={"i": v.instrument_list(instruments, 500, "quote")})
        return {k: format_response(v) for k, v in data.items()}

    def ohlc(self, *instruments: Instruments) -> Dict[str, Dict[str, Any]]:
        """OHLC and last price for up to 1000 instruments."""
        return cast("Dict[str, Dict[str, Any]]", self._get("market.quote.ohlc", params={"i": v.instrument_list(instruments, 1000, "ohlc")}))

    def ltp(self, *instruments: Instruments) -> Dict[str, Dict[str, Any]]:
        """Last traded price for up to 1000 instruments."""
        return cast("Dict[str, Dict[str, Any]]", self._get("market.quote.ltp", params={"i": v.instrument_list(instruments, 1000, "ltp")}))

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
        v.one_of("interval", interval, v.INTERVALS)
        token = v.instrument_token(self._token(instrument_token))  # type: ignore[attr-defined]  # "NSE:INFY" too
        start, end = v.kite_time(from_date, "from_date"), v.kite_time(to_date, "to_date")
        if start > end:
            raise ValueError(f"from_date ({start}) is after to_date ({end})")
        params = {"from": start, "to": end, "interval": interval, "continuous": 1 if continuous else 0,
                  "oi": 1 if oi else 0}
        data = self._get("market.historical", url_args={"instrument_token": token, "interval": interval},
                         params=params)
        return format_historical(data)

    def trigger_range(self, transaction_type: str, *instruments: Instruments) -> Dict[str, Dict[str, Any]]:
        """The allowed trigger range of cover orders."""
        v.one_of("transaction_type", transaction_type, ("BUY", "SELL", "buy", "sell"))
        return cast("Dict[str, Dict[str, Any]]", self._get("market.trigger_range", url_args={"transaction_type": transaction_type.lower()},
                         params={"i": v.instrument_list(instruments, 1000, "trigger_range")}))

    def instruments(self, exchange: Union[str, None] = None) -> List[Dict[str, Any]]:
        """Every instrument (or one exchange's), parsed from Kite's CSV dump as kiteconnect does."""
        # The dump lives on the API host even for web sessions (routes.ROUTE_META: api_host).
        if exchange:
            return parse_instruments(self._get("market.instruments", url_args={"exchange": v.exchange(exchange)}))
        return parse_instruments(self._get("market.instruments.all"))
