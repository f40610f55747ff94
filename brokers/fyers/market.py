"""Fyers market data: market status, candles, quotes, depth, option chains,
symbol tokens, and the public symbol master files (``FyersModel`` names)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from .. import errors
from . import codec, routes
from . import validate as check
from .base import FyersBase
from .decode import decode_json, decode_text
from .symbols import is_sdk_call

__all__ = ["MarketMixin"]


class MarketMixin(FyersBase):
    """Market data and the symbol master."""

    # -- market data ---------------------------------------------------------------------------
    def market_status(self) -> Dict[str, Any]:
        """Exchange/segment status (``GET /data/marketStatus``)."""
        return self._call("market_status")

    def history(self, data: Any = None, *args: Any, **kw: Any) -> Any:
        """Candles, in two forms.

        ``history(data)`` (fyers_apiv3's form): one ``GET /data/history`` with
        ``symbol``, ``resolution``, ``date_format`` (0 epoch, 1 yyyy-mm-dd),
        ``range_from``, ``range_to``, ``cont_flag``; returns
        ``{"candles": [[epoch, o, h, l, c, v], ...]}``.

        ``history(symbol, start, end, interval="day", *, oi=False, continuous=False,
        on_progress=None, as_frame=False)``: any range, split into requests within
        Fyers' caps (100 days intraday, 366 daily), returned as
        :class:`~brokers.history.Candle` (see :meth:`brokers.kite.Kite.history`).
        """
        if not is_sdk_call(data, args, kw):
            return self._history_range(data, *args, **kw)  # type: ignore[attr-defined]  # SymbolsMixin
        return self._call("history", params=check.history(data))

    def quotes(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Quotes for up to 50 symbols (``GET /data/quotes``): ``{"symbols": "NSE:SBIN-EQ,..."}``
        (a list of symbols works too)."""
        return self._call("quotes", params=check.quotes(data))

    def depth(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Market depth (``GET /data/depth``): ``{"symbol": ..., "ohlcv_flag": 1}``."""
        return self._call("depth", params=check.depth(data))

    def optionchain(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Option chain (``GET /data/options-chain-v3``): ``symbol``, ``strikecount``, ``timestamp``."""
        return self._call("optionchain", params=check.optionchain(data))

    def symbol_token(self, symbols: Sequence[str]) -> Dict[str, Any]:
        """Fyers tokens for symbols (``POST /data/symbol-token``), as the data socket needs:
        ``{"validSymbol": {"NSE:SBIN-EQ": "10100000003045"}, "invalidSymbol": [...]}``.

        This endpoint takes the bare token as ``Authorization`` (no ``APPID:``).
        """
        items = check.symbols(list(symbols), "symbols")
        bare = self._ensure_session().token
        return self._call("symbol_token", body={"symbols": items}, auth=False, headers={"Authorization": bare})

    # -- symbol master -------------------------------------------------------------------------
    def symbol_master(self, exchange_segment: str = "NSE_CM") -> List[Dict[str, Any]]:
        """The instruments of one segment, from Fyers' public symbol master CSV.

        Args:
            exchange_segment: one of ``NSE_CM``, ``NSE_FO``, ``NSE_CD``, ``NSE_COM``,
                ``BSE_CM``, ``BSE_FO``, ``MCX_COM``.

        Returns:
            One dict per row (see :func:`brokers.fyers.codec.parse_symbol_master`).
        """
        if exchange_segment not in routes.SEGMENTS:
            raise ValueError(f"exchange_segment must be one of {', '.join(routes.SEGMENTS)}; "
                             f"got {exchange_segment!r}")
        text = self._fetch("symbol_master", decode_text, {"segment": exchange_segment})
        return codec.parse_symbol_master(text)

    def index_names(self) -> Dict[str, str]:
        """Fyers' index symbol -> data-socket name map (``NSE:NIFTY50-INDEX`` -> ``Nifty 50``)."""
        body = self._fetch("index_names", decode_json)
        if not isinstance(body, dict):
            raise errors.ResponseError("index mapping is not a JSON object", broker=routes.BROKER)
        return {str(k): str(v) for k, v in body.items()}

