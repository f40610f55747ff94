"""The rest of ``FyersModel``: price alerts, smart orders, smart exit triggers,
reports, screeners and expired-F&O data, as a mixin of :class:`~brokers.fyers.Fyers`.

These endpoints take and return Fyers' dicts unchanged; the calls here check
only what every one of them needs (a dict, its id field) before the network.
Calls that create, change or stop orders (smart orders, position legs) are
order calls: never retried once they may have reached Fyers.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from ..core import checks
from . import validate as check
from .base import FyersBase

__all__ = ["FyersExtras"]


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
    if "qty" in d:
        checks.quantity("data['qty']", d["qty"])
    return d


def _dict(data: Any) -> Dict[str, Any]:
    if not isinstance(data, Mapping):
        raise TypeError(f"data must be a dict, got {type(data).__name__}")
    return dict(data)


class FyersExtras(FyersBase):
    """Alerts, smart orders, smart exit triggers, reports, screeners, expired-F&O data."""

    # -- positions and quotes ----------------------------------------------------------------
    def attach_position_legs(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Attach or change take-profit / stop-loss legs of an open position (``PATCH /positions``)."""
        return self._call("attach_position_legs", body=_with(data, "positionId"))

    def quotes_v2(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Quotes through ``POST /data/quotes`` with ``{"symbols": [...]}`` (up to 50)."""
        d = _with(data, "symbols")
        d["symbols"] = check.symbols(d["symbols"], "data['symbols']", limit=check.MAX_QUOTES)
        return self._call("quotes_v2", body=d)

    # -- price alerts --------------------------------------------------------------------------
    def create_alert(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Create a price alert (``POST /price-alert``)."""
        d = _with(data, "symbol")
        check.symbol(d["symbol"], "data['symbol']")
        return self._call("create_alert", body=d)

    def get_alert(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Active (or, with ``{"archive": 1}``, archived) alerts (``GET /price-alert``)."""
        return self._call("get_alert", params=check.query(data))

    def delete_alert(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Delete an alert (``DELETE /price-alert``): ``{"alertId": ...}``."""
        return self._call("delete_alert", body=_with(data, "alertId"))

    def update_alert(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Change an alert (``PUT /price-alert``): ``alertId`` and the new fields."""
        return self._call("update_alert", body=_with(data, "alertId"))

    def toggle_alert(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Enable or disable an alert (``PUT /toggle-alert``): ``{"alertId": ...}``."""
        return self._call("toggle_alert", body=_with(data, "alertId"))

    # -- smart orders --------------------------------------------------------------------------
    def create_smart_order_step(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A step (averaging) smart order (``POST /smart-order/step``)."""
        return self._call("create_smart_order_step", body=_smart(data))

    def create_smart_order_limit(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A limit smart order (``POST /smart-order/limit``)."""
        return self._call("create_smart_order_limit", body=_smart(data))

    def create_smart_order_trail(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A trailing-stop smart order (``POST /smart-order/trail``)."""
        return self._call("create_smart_order_trail", body=_smart(data))

    def create_smart_order_sip(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """A SIP smart order (``POST /smart-order/sip``)."""
        return self._call("create_smart_order_sip", body=_smart(data))

    def modify_smart_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Modify a smart order (``PATCH /smart-order/modify``): ``flowId`` and the fields."""
        return self._call("modify_smart_order", body=_with(data, "flowId"))

    def cancel_smart_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Cancel a smart order (``DELETE /smart-order/cancel``): ``{"flowId": ...}``."""
        return self._call("cancel_smart_order", body=_with(data, "flowId"))

    def pause_smart_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Pause a smart order (``PATCH /smart-order/pause``)."""
        return self._call("pause_smart_order", body=_with(data, "flowId"))

    def resume_smart_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Resume a paused smart order (``PATCH /smart-order/resume``)."""
        return self._call("resume_smart_order", body=_with(data, "flowId"))

    def smart_orderbook_with_filter(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Smart orders, filtered and paged (``GET /smart-order/orderbook``)."""
        return self._call("smart_orderbook_with_filter", params=check.query(data))

    # -- smart exit triggers -------------------------------------------------------------------
    def create_smartexit_trigger(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Create a smart exit trigger (``POST /flows/tc/se``)."""
        return self._call("create_smartexit_trigger", body=_dict(data))

    def get_smartexit_triggers(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Smart exit triggers (``GET /flows/tc/se``)."""
        return self._call("get_smartexit_triggers", params=check.query(data))

    def update_smartexit_trigger(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Change a smart exit trigger (``PUT /flows/tc/se``)."""
        return self._call("update_smartexit_trigger", body=_with(data, "flowId"))

    def activate_deactivate_smartexit_trigger(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Switch a smart exit trigger on or off (``POST /flows/tc/se/activate``)."""
        return self._call("activate_deactivate_smartexit_trigger", body=_with(data, "flowId"))

    # -- reports -------------------------------------------------------------------------------
    def orderhistory(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Past orders (``GET /order-history``): ``from_date``, ``to_date``, paging, filters."""
        return self._call("orderhistory", params=check.query(data))

    def tradehistory(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Past trades (``GET /trade-history``)."""
        return self._call("tradehistory", params=check.query(data))

    def charges_history(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Charges (``GET /charges-history``)."""
        return self._call("charges_history", params=check.query(data))

    def realised_profit_history(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Realised P&L (``GET /realised-pnl-history``)."""
        return self._call("realised_profit_history", params=check.query(data))

    def tax_pnl_history(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Tax P&L (``GET /tax-pnl-history``)."""
        return self._call("tax_pnl_history", params=check.query(data))

    def ledger_history(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Ledger (``GET /ledger-history``)."""
        return self._call("ledger_history", params=check.query(data))

    # -- screeners -----------------------------------------------------------------------------
    def screeners_config(self) -> Dict[str, Any]:
        """Screener settings (``GET /screeners/config``)."""
        return self._call("screeners_config")

    def screeners_query(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Run a screener (``GET /screeners/query``)."""
        return self._call("screeners_query", params=_dict(data))

    def screeners_candlestick(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Candlestick-pattern screener (``GET /screeners/candlestick``)."""
        return self._call("screeners_candlestick", params=_dict(data))

    def screeners_technical(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Technical screener (``GET /screeners/technical``)."""
        return self._call("screeners_technical", params=_dict(data))

    # -- F&O data ------------------------------------------------------------------------------
    def futures_chain(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Futures of an underlying (``GET /data/futures-chain``)."""
        return self._call("futures_chain", params=check.query(data))

    def expiry_dates(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Expiry dates of expired contracts (``GET /data/history/fno/expired/expiry-dates``)."""
        return self._call("expiry_dates", params=_dict(data))

    def history_underlying_symbols(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Underlyings with expired-contract history (``GET .../underlying-symbols``)."""
        return self._call("history_underlying_symbols", params=_dict(data))

    def fno_historical_data(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Candles of an expired contract (``GET .../historical-data``)."""
        return self._call("fno_historical_data", params=_dict(data))
