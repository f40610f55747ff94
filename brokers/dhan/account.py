"""Dhan account methods: portfolio, funds and margins, statements, trader
controls (kill switch, P&L exit), eDIS and static-IP setup.

Names and arguments follow ``dhanhq`` 2.x; see :mod:`brokers.dhan.orders` for
what differs (checked arguments, JSON bodies, typed errors).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import webbrowser
from pathlib import Path
from typing import Any, Dict, List, Optional, cast

from . import routes as r
from . import validate as p
from .base import DhanBase

__all__ = ["AccountMixin"]


class AccountMixin(DhanBase):
    """Positions, holdings, funds, statements, trader controls, eDIS, IP setup."""

    # -- portfolio -----------------------------------------------------------------------
    def get_holdings(self) -> List[Dict[str, Any]]:
        """Demat holdings (``GET /holdings``)."""
        return cast("List[Dict[str, Any]]", self._call("get_holdings"))

    def get_positions(self) -> List[Dict[str, Any]]:
        """Open positions of the day (``GET /positions``)."""
        return cast("List[Dict[str, Any]]", self._call("get_positions"))

    def exit_all_positions(self) -> Any:
        """Square off every open position and cancel every open order (``DELETE /positions``).
        Never retried: if the answer is lost, check :meth:`get_positions`."""
        return self._read_ack(self._call("exit_all_positions"), "exit-all")

    def convert_position(self, from_product_type: str, exchange_segment: str, position_type: str,
                         security_id: Any, convert_qty: int, to_product_type: str) -> Any:
        """Convert a position between products, e.g. INTRADAY -> CNC (``POST /positions/convert``)."""
        src = p.choice("from_product_type", from_product_type, r.PRODUCT_TYPES)
        dst = p.choice("to_product_type", to_product_type, r.PRODUCT_TYPES)
        if src == dst:
            raise ValueError(f"from_product_type and to_product_type are both {src}")
        body = {
            "fromProductType": src, "exchangeSegment": p.choice("exchange_segment", exchange_segment,
                                                                r.TRADABLE_SEGMENTS),
            "positionType": p.choice("position_type", position_type, r.POSITION_TYPES),
            "securityId": p.security_id(security_id), "convertQty": p.positive_int("convert_qty", convert_qty),
            "toProductType": dst,
        }
        return self._read_ack(self._call("convert_position", body=body), "conversion")

    # -- funds and margins ---------------------------------------------------------------
    def get_fund_limits(self) -> Dict[str, Any]:
        """Balances, margin used, collateral (``GET /fundlimit``). Dhan spells two keys
        ``availabelBalance`` and ``receiveableAmount``; they are returned as sent."""
        return cast("Dict[str, Any]", self._call("get_fund_limits"))

    def margin_calculator(self, security_id: Any, exchange_segment: str, transaction_type: str, quantity: int,
                          product_type: str, price: float, trigger_price: float = 0) -> Dict[str, Any]:
        """The margin one order needs (``POST /margincalculator``)."""
        body = {
            "securityId": p.security_id(security_id),
            "exchangeSegment": p.choice("exchange_segment", exchange_segment, r.TRADABLE_SEGMENTS),
            "transactionType": p.choice("transaction_type", transaction_type, r.TRANSACTION_TYPES),
            "quantity": p.positive_int("quantity", quantity),
            "productType": p.choice("product_type", product_type, r.PRODUCT_TYPES),
            "price": p.price("price", price), "triggerPrice": p.price("trigger_price", trigger_price),
        }
        return cast("Dict[str, Any]", self._call("margin_calculator", body=body))

    def margin_calculator_multi(self, scrip_list: List[Dict[str, Any]], include_position: bool = False,
                                include_order: bool = False) -> Dict[str, Any]:
        """Combined margin of several legs, with hedge benefit (``POST /margincalculator/multi``).

        Args:
            scrip_list: dicts with Dhan's camelCase keys (``exchangeSegment``,
                ``transactionType``, ``quantity``, ``productType``, ``securityId``,
                ``price``, ``triggerPrice``).
        """
        if not isinstance(scrip_list, list) or not scrip_list:
            raise ValueError("scrip_list must be a non-empty list of dicts")
        for n, leg in enumerate(scrip_list):
            if not isinstance(leg, dict):
                raise ValueError(f"scrip_list[{n}] must be a dict")
            missing = [k for k in ("exchangeSegment", "transactionType", "quantity", "productType", "securityId")
                       if k not in leg]
            if missing:
                raise ValueError(f"scrip_list[{n}] lacks {', '.join(missing)}")
        body = {"includePosition": p.flag("include_position", include_position),
                "includeOrder": p.flag("include_order", include_order), "scripList": scrip_list}
        return cast("Dict[str, Any]", self._call("margin_calculator_multi", body=body))

    # -- statements ----------------------------------------------------------------------
    def get_trade_book(self, order_id: Optional[str] = None) -> Any:
        """Trades of the day (``GET /trades``), or of one order (``GET /trades/{order_id}``)."""
        if order_id is None:
            return self._call("get_trade_book")
        return self._call("get_order_trades", path_args={"order_id": p.order_id(order_id)})

    def get_trade_history(self, from_date: p.DateLike, to_date: p.DateLike, page_number: int = 0) -> Any:
        """Trades between two dates, one page at a time (``GET /trades/{from}/{to}/{page}``)."""
        start, end = p.date_str("from_date", from_date), p.date_str("to_date", to_date)
        p.date_range("from_date", start, "to_date", end)
        return self._call("get_trade_history", path_args={
            "from_date": start, "to_date": end, "page": p.non_negative_int("page_number", page_number)})

    def ledger_report(self, from_date: p.DateLike, to_date: p.DateLike) -> Any:
        """Ledger entries between two dates (``GET /ledger?from-date=..&to-date=..``)."""
        start, end = p.date_str("from_date", from_date), p.date_str("to_date", to_date)
        p.date_range("from_date", start, "to_date", end)
        return self._call("ledger_report", params={"from-date": start, "to-date": end})

    # -- trader controls -----------------------------------------------------------------
    def kill_switch(self, action: str) -> Any:
        """Turn the kill switch on or off for the day (``POST /killswitch?killSwitchStatus=``).

        Args:
            action: ``"activate"`` or ``"deactivate"`` (any case).

        Raises:
            ValueError: another action (``dhanhq`` returns a failure dict instead).
        """
        status = p.choice("action", action, r.KILL_SWITCH_ACTIONS)
        return self._call("kill_switch", params={"killSwitchStatus": status})

    def status_kill_switch(self) -> Any:
        """Whether the kill switch is on (``GET /killswitch``)."""
        return self._call("status_kill_switch")

    def set_pnl_exit(self, profit_value: float, loss_value: float, product_type: List[str],
                     enable_kill_switch: bool = False) -> Any:
        """Exit every position when the day's P&L reaches ``profit_value`` or
        ``-loss_value`` rupees (``POST /pnlExit``).

        Args:
            product_type: a list such as ``["INTRADAY", "DELIVERY"]``.
        """
        if isinstance(product_type, str):
            product_type = [product_type]
        if not isinstance(product_type, list) or not product_type:
            raise ValueError("product_type must be a non-empty list such as ['INTRADAY', 'DELIVERY']")
        kinds = [p.choice("product_type item", k, frozenset({"INTRADAY", "DELIVERY"})) for k in product_type]
        body = {"profitValue": p.price("profit_value", profit_value), "lossValue": p.price("loss_value", loss_value),
                "productType": kinds, "enableKillSwitch": p.flag("enable_kill_switch", enable_kill_switch)}
        return self._call("set_pnl_exit", body=body)

    def get_pnl_exit(self) -> Any:
        """The active P&L exit rule (``GET /pnlExit``)."""
        return self._call("get_pnl_exit")

    def stop_pnl_exit(self) -> Any:
        """Turn the P&L exit rule off (``DELETE /pnlExit``)."""
        return self._call("stop_pnl_exit")

    # -- eDIS ----------------------------------------------------------------------------
    def generate_tpin(self) -> Any:
        """Send a T-PIN to the registered mobile (``GET /edis/tpin``); Dhan's reply,
        often empty (``None``)."""
        return self._call("generate_tpin")

    def edis_form(self, isin: str, qty: int, exchange: str, segment: str = "EQ", bulk: bool = False) -> Any:
        """The CDSL eDIS form for selling holdings (``POST /edis/form``): Dhan's JSON
        with ``edisFormHtml``. :meth:`open_browser_for_tpin` shows it."""
        body = {"isin": p.isin(isin), "qty": p.positive_int("qty", qty),
                "exchange": p.choice("exchange", exchange, frozenset({"NSE", "BSE"})),
                "segment": p.choice("segment", segment, frozenset({"EQ"})), "bulk": p.flag("bulk", bulk)}
        return self._call("edis_form", body=body)

    def open_browser_for_tpin(self, isin: str, qty: int, exchange: str, segment: str = "EQ",
                              bulk: bool = False) -> Any:
        """Fetch the eDIS form and open it in the default browser to enter the T-PIN.

        Unlike ``dhanhq`` (``temp_form.html`` in the working directory), the form is
        written to a private temporary file (0600), opened by its ``file://`` URI on
        every platform. Returns Dhan's JSON.
        """
        data = self.edis_form(isin, qty, exchange, segment, bulk)
        html = str((data or {}).get("edisFormHtml") or "").replace("\\", "")
        fd, name = tempfile.mkstemp(prefix="dhan-edis-", suffix=".html")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(html)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
        webbrowser.open(Path(name).as_uri())
        return data

    def edis_inquiry(self, isin: str) -> Any:
        """eDIS approval status of an ISIN, or ``"ALL"`` (``GET /edis/inquire/{isin}``)."""
        key = "ALL" if isinstance(isin, str) and isin.upper() == "ALL" else p.isin(isin)
        return self._call("edis_inquiry", path_args={"isin": key})

    # -- static IP (required for order APIs) ---------------------------------------------------
    def set_ip(self, ip: str, ip_flag: str) -> Any:
        """Register the static IP that order calls come from (``POST /ip/setIP``).

        Args:
            ip: the IPv4 or IPv6 address.
            ip_flag: ``PRIMARY`` or ``SECONDARY``.
        """
        body = {"ip": p.ip(ip), "ipFlag": p.choice("ip_flag", ip_flag, r.IP_FLAGS)}
        return self._call("set_ip", body=body)

    def modify_ip(self, ip: str, ip_flag: str) -> Any:
        """Change a registered static IP (``PUT /ip/modifyIP``; Dhan allows it once a week)."""
        body = {"ip": p.ip(ip), "ipFlag": p.choice("ip_flag", ip_flag, r.IP_FLAGS)}
        return self._call("modify_ip", body=body)

    def get_ip(self) -> Any:
        """The registered static IPs and when they may next change (``GET /ip/getIP``)."""
        return self._call("get_ip")
