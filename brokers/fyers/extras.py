"""The rest of ``FyersModel``: price alerts, smart orders, smart exit triggers,
reports, screeners and expired-F&O data, as a mixin of :class:`~brokers.fyers.Fyers`.

These endpoints take and return Fyers' dicts unchanged; the calls here check
only what every one of them needs (a dict, its id field) before the network.
Calls that create, change or stop orders (smart orders, position legs) are
order calls: never retried once they may have reached Fyers.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from . import validate as check

__all__ = ["FyersExtras"]

SMART = "/smart-order"
SMART_EXIT = "/flows/tc/se"
EXPIRED = "/history/fno/expired"


def _with(data: Any, key: str) -> Dict[str, Any]:
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a dict, got {type(data).__name__}")
    value = data.get(key)
    if value in (None, "") or isinstance(value, bool):
        raise ValueError(f"data['{key}'] is required")
    return dict(data)


def _smart(data: Any) -> Dict[str, Any]:
    d = _with(data, "symbol")
    check.symbol(d["symbol"], "data['symbol']")
    if "side" in d and d["side"] not in check.SIDES:
        raise ValueError(f"data['side'] must be 1 (buy) or -1 (sell), got {d['side']!r}")
    if "qty" in d and (not isinstance(d["qty"], int) or isinstance(d["qty"], bool) or d["qty"] <= 0):
        raise ValueError(f"data['qty'] must be a positive integer, got {d['qty']!r}")
    return d


def _dict(data: Any) -> Dict[str, Any]:
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a dict, got {type(data).__name__}")
    return dict(data)


class FyersExtras:
    """Mixin: needs ``_get(path, params, data=...)`` and ``_write(method, path, body, order=..., data=...)``."""

    def _get(self, path: str, params: Optional[Mapping[str, Any]] = None, *, data: bool = False) -> Dict[str, Any]:
        raise NotImplementedError

    def _write(self, method: str, path: str, body: Any, *, order: bool = False,
               data: bool = False) -> Dict[str, Any]:
        raise NotImplementedError

    # -- positions and quotes ----------------------------------------------------------------
    def attach_position_legs(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Attach or change take-profit / stop-loss legs of an open position (``PATCH /positions``)."""
        return self._write("PATCH", "/positions", _with(data, "positionId"), order=True)

    def quotes_v2(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Quotes through ``POST /data/quotes`` with ``{"symbols": [...]}`` (up to 50)."""
        d = _with(data, "symbols")
        d["symbols"] = check.symbols(d["symbols"], "data['symbols']", limit=check.MAX_QUOTES)
        return self._write("POST", "/quotes", d, data=True)

    # -- price alerts --------------------------------------------------------------------------
    def create_alert(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Create a price alert (``POST /price-alert``)."""
        d = _with(data, "symbol")
        check.symbol(d["symbol"], "data['symbol']")
        return self._write("POST", "/price-alert", d)

    def get_alert(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Active (or, with ``{"archive": 1}``, archived) alerts (``GET /price-alert``)."""
        return self._get("/price-alert", check.query(data))

    def delete_alert(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Delete an alert (``DELETE /price-alert``): ``{"alertId": ...}``."""
        return self._write("DELETE", "/price-alert", _with(data, "alertId"))

    def update_alert(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Change an alert (``PUT /price-alert``): ``alertId`` and the new fields."""
        return self._write("PUT", "/price-alert", _with(data, "alertId"))

    def toggle_alert(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Enable or disable an alert (``PUT /toggle-alert``): ``{"alertId": ...}``."""
        return self._write("PUT", "/toggle-alert", _with(data, "alertId"))

    # -- smart orders --------------------------------------------------------------------------
    def create_smart_order_step(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A step (averaging) smart order (``POST /smart-order/step``)."""
        return self._write("POST", SMART + "/step", _smart(data), order=True)

    def create_smart_order_limit(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A limit smart order (``POST /smart-order/limit``)."""
        return self._write("POST", SMART + "/limit", _smart(data), order=True)

    def create_smart_order_trail(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A trailing-stop smart order (``POST /smart-order/trail``)."""
        return self._write("POST", SMART + "/trail", _smart(data), order=True)

    def create_smart_order_sip(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A SIP smart order (``POST /smart-order/sip``)."""
        return self._write("POST", SMART + "/sip", _smart(data), order=True)

    def modify_smart_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Modify a smart order (``PATCH /smart-order/modify``): ``flowId`` and the fields."""
        return self._write("PATCH", SMART + "/modify", _with(data, "flowId"), order=True)

    def cancel_smart_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Cancel a smart order (``DELETE /smart-order/cancel``): ``{"flowId": ...}``."""
        return self._write("DELETE", SMART + "/cancel", _with(data, "flowId"), order=True)

    def pause_smart_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Pause a smart order (``PATCH /smart-order/pause``)."""
        return self._write("PATCH", SMART + "/pause", _with(data, "flowId"), order=True)

    def resume_smart_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Resume a paused smart order (``PATCH /smart-order/resume``)."""
        return self._write("PATCH", SMART + "/resume", _with(data, "flowId"), order=True)

    def smart_orderbook_with_filter(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Smart orders, filtered and paged (``GET /smart-order/orderbook``)."""
        return self._get(SMART + "/orderbook", check.query(data))

    # -- smart exit triggers -------------------------------------------------------------------
    def create_smartexit_trigger(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Create a smart exit trigger (``POST /flows/tc/se``)."""
        return self._write("POST", SMART_EXIT, _dict(data))

    def get_smartexit_triggers(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Smart exit triggers (``GET /flows/tc/se``)."""
        return self._get(SMART_EXIT, check.query(data))

    def update_smartexit_trigger(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Change a smart exit trigger (``PUT /flows/tc/se``)."""
        return self._write("PUT", SMART_EXIT, _with(data, "flowId"))

    def activate_deactivate_smartexit_trigger(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Switch a smart exit trigger on or off (``POST /flows/tc/se/activate``)."""
        return self._write("POST", SMART_EXIT + "/activate", _with(data, "flowId"))

    # -- reports -------------------------------------------------------------------------------
    def orderhistory(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Past orders (``GET /order-history``): ``from_date``, ``to_date``, paging, filters."""
        return self._get("/order-history", check.query(data))

    def tradehistory(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Past trades (``GET /trade-history``)."""
        return self._get("/trade-history", check.query(data))

    def charges_history(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Charges (``GET /charges-history``)."""
        return self._get("/charges-history", check.query(data))

    def realised_profit_history(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Realised P&L (``GET /realised-pnl-history``)."""
        return self._get("/realised-pnl-history", check.query(data))

    def tax_pnl_history(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Tax P&L (``GET /tax-pnl-history``)."""
        return self._get("/tax-pnl-history", check.query(data))

    def ledger_history(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Ledger (``GET /ledger-history``)."""
        return self._get("/ledger-history", check.query(data))

    # -- screeners -----------------------------------------------------------------------------
    def screeners_config(self) -> Dict[str, Any]:
        """Screener settings (``GET /screeners/config``)."""
        return self._get("/screeners/config")

    def screeners_query(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Run a screener (``GET /screeners/query``)."""
        return self._get("/screeners/query", _dict(data))

    def screeners_candlestick(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Candlestick-pattern screener (``GET /screeners/candlestick``)."""
        return self._get("/screeners/candlestick", _dict(data))

    def screeners_technical(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Technical screener (``GET /screeners/technical``)."""
        return self._get("/screeners/technical", _dict(data))

    # -- F&O data ------------------------------------------------------------------------------
    def futures_chain(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Futures of an underlying (``GET /data/futures-chain``)."""
        return self._get("/futures-chain", check.query(data), data=True)

    def expiry_dates(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Expiry dates of expired contracts (``GET /data/history/fno/expired/expiry-dates``)."""
        return self._get(EXPIRED + "/expiry-dates", _dict(data), data=True)

    def history_underlying_symbols(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Underlyings with expired-contract history (``GET .../underlying-symbols``)."""
        return self._get(EXPIRED + "/underlying-symbols", _dict(data), data=True)

    def fno_historical_data(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Candles of an expired contract (``GET .../historical-data``)."""
        return self._get(EXPIRED + "/historical-data", _dict(data), data=True)
