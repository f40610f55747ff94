"""Kite mutual funds: orders, SIPs, holdings, instruments (kiteconnect 5.x names)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .base import KiteBase
from .codec import format_response, parse_mf_instruments

__all__ = ["MutualFundsMixin"]


class MutualFundsMixin(KiteBase):
    """Mutual-fund orders, SIPs and holdings."""

    def mf_orders(self, order_id: Optional[str] = None) -> Any:
        """All MF orders, or one."""
        return format_response(self._get(f"/mf/orders/{order_id}" if order_id else "/mf/orders"))

    def place_mf_order(self, tradingsymbol: str, transaction_type: str, quantity: Optional[float] = None,
                       amount: Optional[float] = None, tag: Optional[str] = None) -> Dict[str, Any]:
        """Place an MF order (``amount`` to buy, ``quantity`` to sell). Never retried."""
        if transaction_type not in ("BUY", "SELL"):
            raise ValueError(f"transaction_type must be BUY or SELL; got {transaction_type!r}")
        if transaction_type == "BUY" and not amount:
            raise ValueError("amount is required for an MF BUY order")
        if transaction_type == "SELL" and not quantity and not amount:
            raise ValueError("quantity or amount is required for an MF SELL order")
        return self._call("POST", "/mf/orders", order=True, params={
            "tradingsymbol": tradingsymbol, "transaction_type": transaction_type, "quantity": quantity,
            "amount": amount, "tag": tag})

    def cancel_mf_order(self, order_id: str) -> Dict[str, Any]:
        """Cancel an open MF order. Never retried."""
        return self._call("DELETE", f"/mf/orders/{order_id}", order=True)

    def mf_sips(self, sip_id: Optional[str] = None) -> Any:
        """All SIPs, or one."""
        return format_response(self._get(f"/mf/sips/{sip_id}" if sip_id else "/mf/sips"))

    def place_mf_sip(self, tradingsymbol: str, amount: float, instalments: int, frequency: str,
                     initial_amount: Optional[float] = None, instalment_day: Optional[int] = None,
                     tag: Optional[str] = None) -> Dict[str, Any]:
        """Start a SIP; returns ``{"sip_id"}``. Never retried."""
        if frequency not in ("weekly", "monthly", "quarterly"):
            raise ValueError(f"frequency must be weekly, monthly or quarterly; got {frequency!r}")
        return self._call("POST", "/mf/sips", order=True, params={
            "tradingsymbol": tradingsymbol, "amount": amount, "instalments": instalments, "frequency": frequency,
            "initial_amount": initial_amount, "instalment_day": instalment_day, "tag": tag})

    def modify_mf_sip(self, sip_id: str, amount: Optional[float] = None, status: Optional[str] = None,
                      instalments: Optional[int] = None, frequency: Optional[str] = None,
                      instalment_day: Optional[int] = None) -> Dict[str, Any]:
        """Change a SIP (amount, ``status="active"|"paused"``, ...). Never retried."""
        return self._call("PUT", f"/mf/sips/{sip_id}", order=True, params={
            "amount": amount, "status": status, "instalments": instalments, "frequency": frequency,
            "instalment_day": instalment_day})

    def cancel_mf_sip(self, sip_id: str) -> Dict[str, Any]:
        """Cancel a SIP. Never retried."""
        return self._call("DELETE", f"/mf/sips/{sip_id}", order=True)

    def mf_holdings(self) -> List[Dict[str, Any]]:
        """MF holdings."""
        return self._get("/mf/holdings")

    def mf_holding_info(self, isin: str) -> List[Dict[str, Any]]:
        """The trades behind one MF holding."""
        return self._get(f"/mf/holdings/{isin}")

    def mf_allotments(self) -> List[Dict[str, Any]]:
        """ISINs allotted to the user."""
        return self._get("/mf/allotments")

    def mf_instruments(self) -> List[Dict[str, Any]]:
        """Every MF scheme, parsed from Kite's CSV as kiteconnect does."""
        return parse_mf_instruments(self._get("/mf/instruments"))
