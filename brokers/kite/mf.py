"""Kite mutual funds: orders, SIPs, holdings, instruments (kiteconnect 5.x names)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, cast

from ..core import checks
from . import validate as v
from .base import KiteBase
from .codec import format_response, parse_mf_instruments

__all__ = ["MutualFundsMixin"]


class MutualFundsMixin(KiteBase):
    """Mutual-fund orders, SIPs and holdings."""

    def mf_orders(self, order_id: Optional[str] = None) -> Any:
        """All MF orders, or one."""
        return format_response(self._get("mf.order.info", url_args={"order_id": v.order_id(order_id)}) if order_id
                               else self._get("mf.orders"))

    def place_mf_order(self, tradingsymbol: str, transaction_type: str, quantity: Optional[float] = None,
                       amount: Optional[float] = None, tag: Optional[str] = None) -> Dict[str, Any]:
        """Place an MF order (``amount`` to buy, ``quantity`` to sell). Never retried."""
        if transaction_type not in ("BUY", "SELL"):
            raise ValueError(f"transaction_type must be BUY or SELL; got {transaction_type!r}")
        if transaction_type == "BUY" and not amount:
            raise ValueError("amount is required for an MF BUY order")
        if transaction_type == "SELL" and not quantity and not amount:
            raise ValueError("quantity or amount is required for an MF SELL order")
        if quantity is not None:
            checks.price("quantity", quantity, positive=True)
        if amount is not None:
            checks.price("amount", amount, positive=True)
        v.tag(tag)
        answer = self._post("mf.order.place", params={
            "tradingsymbol": tradingsymbol, "transaction_type": transaction_type, "quantity": quantity,
            "amount": amount, "tag": tag})
        self._read_id(answer, "order_id", tag, what="MF order")
        return cast("Dict[str, Any]", answer)

    def cancel_mf_order(self, order_id: str) -> Dict[str, Any]:
        """Cancel an open MF order. Never retried."""
        answer = self._delete("mf.order.cancel", url_args={"order_id": v.order_id(order_id)})
        self._read_id(answer, "order_id", order_id=str(order_id), what="MF order")
        return cast("Dict[str, Any]", answer)

    def mf_sips(self, sip_id: Optional[str] = None) -> Any:
        """All SIPs, or one."""
        return format_response(self._get("mf.sip.info", url_args={"sip_id": v.sip_id(sip_id)}) if sip_id
                               else self._get("mf.sips"))

    def place_mf_sip(self, tradingsymbol: str, amount: float, instalments: int, frequency: str,
                     initial_amount: Optional[float] = None, instalment_day: Optional[int] = None,
                     tag: Optional[str] = None) -> Dict[str, Any]:
        """Start a SIP; returns ``{"sip_id"}``. Never retried."""
        if frequency not in ("weekly", "monthly", "quarterly"):
            raise ValueError(f"frequency must be weekly, monthly or quarterly; got {frequency!r}")
        checks.price("amount", amount, positive=True)
        checks.whole_number("instalments", instalments, minimum=-1)
        if initial_amount is not None:
            checks.price("initial_amount", initial_amount, positive=True)
        if instalment_day is not None:
            checks.whole_number("instalment_day", instalment_day, minimum=0, maximum=31)
        v.tag(tag)
        answer = self._post("mf.sip.place", params={
            "tradingsymbol": tradingsymbol, "amount": amount, "initial_amount": initial_amount,
            "instalments": instalments, "frequency": frequency, "instalment_day": instalment_day, "tag": tag})
        self._read_id(answer, "sip_id", tag, what="SIP")
        return cast("Dict[str, Any]", answer)

    def modify_mf_sip(self, sip_id: str, amount: Optional[float] = None, status: Optional[str] = None,
                      instalments: Optional[int] = None, frequency: Optional[str] = None,
                      instalment_day: Optional[int] = None) -> Dict[str, Any]:
        """Change a SIP (amount, ``status="active"|"paused"``, ...). Never retried."""
        sid = v.sip_id(sip_id)
        if amount is not None:
            checks.price("amount", amount, positive=True)
        if instalments is not None:
            checks.whole_number("instalments", instalments, minimum=-1)
        if instalment_day is not None:
            checks.whole_number("instalment_day", instalment_day, minimum=0, maximum=31)
        answer = self._put("mf.sip.modify", url_args={"sip_id": sid}, params={
            "amount": amount, "status": status, "instalments": instalments, "frequency": frequency,
            "instalment_day": instalment_day})
        self._read_id(answer, "sip_id", order_id=str(sip_id), what="SIP")
        return cast("Dict[str, Any]", answer)

    def cancel_mf_sip(self, sip_id: str) -> Dict[str, Any]:
        """Cancel a SIP. Never retried."""
        answer = self._delete("mf.sip.cancel", url_args={"sip_id": v.sip_id(sip_id)})
        self._read_id(answer, "sip_id", order_id=str(sip_id), what="SIP")
        return cast("Dict[str, Any]", answer)

    def mf_holdings(self) -> List[Dict[str, Any]]:
        """MF holdings."""
        return cast("List[Dict[str, Any]]", self._get("mf.holdings"))

    def mf_holding_info(self, isin: str) -> List[Dict[str, Any]]:
        """The trades behind one MF holding."""
        return cast("List[Dict[str, Any]]", self._get("mf.holdings.info", url_args={"isin": v.isin(isin)}))

    def mf_allotments(self) -> List[Dict[str, Any]]:
        """ISINs allotted to the user."""
        return cast("List[Dict[str, Any]]", self._get("mf.allotments"))

    def mf_instruments(self) -> List[Dict[str, Any]]:
        """Every MF scheme, parsed from Kite's CSV as kiteconnect does."""
        return parse_mf_instruments(self._get("mf.instruments"))
