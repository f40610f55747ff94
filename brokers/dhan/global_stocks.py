"""Dhan Global Stocks (US stocks) methods, as in ``dhanhq`` 2.3 (``/globalstocks/...``).

Prices and amounts are in USD; quantities may be fractional. Order calls are
never retried (see :mod:`brokers.dhan.orders`).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, cast

from . import routes as r
from . import validate as p
from .base import DhanBase

__all__ = ["GlobalStocksMixin"]

ORDER_TYPES = frozenset({"MARKET", "LIMIT", "STOP_LOSS", "STOP_LOSS_MARKET", "AMOUNT"})
LEG_NAMES = frozenset({"ENTRY_LEG", "STOP_LOSS_LEG", "TARGET_LEG", "NA"})
_sid = p.global_security_id


def _quantity(value: Any, *, required: bool) -> float:
    number = p.price("quantity", value)
    if required and number <= 0:
        raise ValueError(f"quantity must be > 0, got {value!r}")
    return number


class GlobalStocksMixin(DhanBase):
    """US stock orders, trades, holdings, charges, margin, market status, funds."""

    def place_global_order(self, security_id: Any, transaction_type: str, order_type: str, quantity: float = 0,
                           price: float = 0, trigger_price: Optional[float] = None,
                           stop_loss_price: Optional[float] = None, target_price: Optional[float] = None,
                           amount: Optional[float] = None, after_market_order: bool = False,
                           tag: Optional[str] = None) -> Any:
        """Place a US stock order (``POST /globalstocks/orders``).

        Args:
            order_type: ``MARKET``, ``LIMIT``, ``STOP_LOSS``, ``STOP_LOSS_MARKET`` or
                ``AMOUNT`` (buy for ``amount`` USD instead of a quantity).
            quantity: shares, fractional allowed; > 0 unless ``AMOUNT``.
            price: USD; > 0 for LIMIT and STOP_LOSS.
            trigger_price: USD; required for the stop-loss types.
        """
        kind = p.choice("order_type", order_type, ORDER_TYPES)
        body: Dict[str, Any] = {
            "transactionType": p.choice("transaction_type", transaction_type, r.TRANSACTION_TYPES),
            "orderType": kind, "securityId": _sid(security_id),
            "quantity": _quantity(quantity, required=kind != "AMOUNT"),
            "price": p.price("price", price, required=kind in ("LIMIT", "STOP_LOSS")),
            "afterMarketOrder": p.flag("after_market_order", after_market_order),
        }
        if kind in ("STOP_LOSS", "STOP_LOSS_MARKET") or trigger_price is not None:
            body["triggerPrice"] = p.price("trigger_price", trigger_price,
                                           required=kind in ("STOP_LOSS", "STOP_LOSS_MARKET"))
        if stop_loss_price is not None:
            body["stopLossPrice"] = p.price("stop_loss_price", stop_loss_price)
        if target_price is not None:
            body["targetPrice"] = p.price("target_price", target_price)
        if kind == "AMOUNT" or amount is not None:
            body["amount"] = p.price("amount", amount, required=kind == "AMOUNT")
        tag = p.correlation_id(tag)
        if tag:
            body["correlationId"] = tag
        return self._read_id(self._call("place_global_order", body=body, tag=tag), tag=tag)

    def get_global_order_list(self) -> List[Dict[str, Any]]:
        """The day's US stock order book (``GET /globalstocks/orders``)."""
        return cast("List[Dict[str, Any]]", self._call("get_global_order_list"))

    def get_global_order_by_id(self, order_id: str) -> Any:
        """One US stock order (``GET /globalstocks/orders/{order_id}``)."""
        return self._call("get_global_order_by_id", path_args={"order_id": p.order_id(order_id)})

    def modify_global_order(self, order_id: str, order_type: str, transaction_type: str, security_id: Any,
                            quantity: Optional[float] = None, price: Optional[float] = None,
                            leg_name: Optional[str] = None) -> Any:
        """Modify a pending US stock order (``PUT /globalstocks/orders/{order_id}``)."""
        oid = p.order_id(order_id)
        body: Dict[str, Any] = {"orderType": p.choice("order_type", order_type, ORDER_TYPES),
                                "transactionType": p.choice("transaction_type", transaction_type, r.TRANSACTION_TYPES),
                                "securityId": _sid(security_id)}
        if quantity is not None:
            body["quantity"] = _quantity(quantity, required=True)
        if price is not None:
            body["price"] = p.price("price", price)
        if leg_name is not None:
            body["legName"] = p.choice("leg_name", leg_name, LEG_NAMES)
        answer = self._call("modify_global_order", path_args={"order_id": oid}, body=body, known_id=oid)
        return self._read_id(answer, order_id=oid)

    def cancel_global_order(self, order_id: str) -> Any:
        """Cancel a pending US stock order (``DELETE /globalstocks/orders/{order_id}``)."""
        oid = p.order_id(order_id)
        return self._read_id(self._call("cancel_global_order", path_args={"order_id": oid}, known_id=oid),
                             order_id=oid)

    def get_global_trades(self) -> List[Dict[str, Any]]:
        """The day's US stock trades (``GET /globalstocks/trades``)."""
        return cast("List[Dict[str, Any]]", self._call("get_global_trades"))

    def get_global_trades_by_security(self, security_id: Any) -> List[Dict[str, Any]]:
        """The day's trades in one US stock (``GET /globalstocks/trades/{security_id}``)."""
        return cast("List[Dict[str, Any]]", self._call("get_global_trades_by_security", path_args={"security_id": _sid(security_id)}))

    def get_global_holdings(self) -> List[Dict[str, Any]]:
        """US stock holdings (``GET /globalstocks/holdings``)."""
        return cast("List[Dict[str, Any]]", self._call("get_global_holdings"))

    def _estimate_body(self, security_id: Any, price: Any, quantity: Any, transaction_type: str) -> Dict[str, Any]:
        # dhanhq sends these three as strings; so do we.
        return {"securityId": _sid(security_id), "price": str(p.price("price", price)),
                "quantity": str(_quantity(quantity, required=True)),
                "transactionType": p.choice("transaction_type", transaction_type, r.TRANSACTION_TYPES)}

    def global_trans_estimate(self, security_id: Any, price: Any, quantity: Any, transaction_type: str) -> Any:
        """Charges of a US stock order before placing it (``POST /globalstocks/transEstimate``)."""
        return self._call("global_trans_estimate",
                          body=self._estimate_body(security_id, price, quantity, transaction_type))

    def global_margin_calculator(self, security_id: Any, price: Any, quantity: Any, transaction_type: str) -> Any:
        """Margin of a US stock order before placing it (``POST /globalstocks/margincalculator``)."""
        return self._call("global_margin_calculator",
                          body=self._estimate_body(security_id, price, quantity, transaction_type))

    def get_global_market_status(self) -> Any:
        """The US market's status and session times (``GET /globalstocks/marketstatus``)."""
        return self._call("get_global_market_status")

    def get_global_fund_limit(self) -> Any:
        """Funds for US stock trading (``GET /globalstocks/fundlimit``)."""
        return self._call("get_global_fund_limit")
