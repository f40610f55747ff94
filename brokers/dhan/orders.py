"""Dhan order methods: regular, slice, super, forever and conditional orders.

Names and arguments are those of ``dhanhq`` 2.x (``place_order``,
``modify_forever``, ``bo_stop_loss_Value``, ``trigger_Price`` ... spelled as
there). Unlike ``dhanhq``, arguments are checked before anything is sent, the
body goes as JSON in the request body, errors raise, and an order call that may
have reached Dhan is never repeated: it raises
:class:`~brokers.errors.OrderStateUnknown`; look the order up with
:meth:`OrdersMixin.get_order_by_correlationID` (your ``tag``) before placing it again.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, cast

from . import routes as r
from . import validate as p
from .base import DhanBase

__all__ = ["OrdersMixin"]

_NEEDS_PRICE = ("LIMIT", "STOP_LOSS")
_NEEDS_TRIGGER = ("STOP_LOSS", "STOP_LOSS_MARKET")


def _order_terms(order_type: Any, price: Any, trigger_price: Any, *, price_name: str = "price",
                 trigger_name: str = "trigger_price") -> Tuple[str, float, float]:
    kind = p.choice("order_type", order_type, r.ORDER_TYPES)
    return (kind, p.price(price_name, price, required=kind in _NEEDS_PRICE),
            p.price(trigger_name, trigger_price, required=kind in _NEEDS_TRIGGER))


class OrdersMixin(DhanBase):
    """Order placement, modification, cancellation and order books."""

    # -- regular orders ------------------------------------------------------------------
    def place_order(self, security_id: Any, exchange_segment: str, transaction_type: str, quantity: int,
                    order_type: str, product_type: str, price: float, trigger_price: float = 0,
                    disclosed_quantity: int = 0, after_market_order: bool = False, validity: str = "DAY",
                    amo_time: str = "OPEN", bo_profit_value: Optional[float] = None,
                    bo_stop_loss_Value: Optional[float] = None, tag: Optional[str] = None,
                    should_slice: bool = False) -> Dict[str, Any]:
        """Place an order (``POST /orders``, or ``/orders/slicing`` with ``should_slice``).

        Args:
            security_id: Dhan's security id (``"1333"`` or ``1333``).
            exchange_segment: ``NSE_EQ``, ``NSE_FNO``, ``BSE_EQ``, ``MCX_COMM``, ...
            transaction_type: ``BUY`` or ``SELL``.
            quantity: shares or units, > 0.
            order_type: ``LIMIT``, ``MARKET``, ``STOP_LOSS`` or ``STOP_LOSS_MARKET``.
            product_type: ``CNC``, ``INTRADAY``, ``MARGIN``, ``MTF``, ``CO`` or ``BO``.
            price: > 0 for LIMIT and STOP_LOSS; 0 for market orders.
            trigger_price: > 0 for STOP_LOSS and STOP_LOSS_MARKET.
            disclosed_quantity: 0 or at most ``quantity``.
            after_market_order: an AMO, placed at ``amo_time``.
            validity: ``DAY`` or ``IOC``.
            amo_time: ``PRE_OPEN``, ``OPEN``, ``OPEN_30`` or ``OPEN_60`` (sent only for AMOs).
            bo_profit_value, bo_stop_loss_Value: required for ``BO``.
            tag: a correlation id (up to 30 of letters, digits, space, ``_``, ``-``):
                set it, so a lost answer can be reconciled.
            should_slice: split a quantity above the exchange's freeze limit.

        Returns:
            Dhan's JSON, ``{"orderId": "...", "orderStatus": "..."}``.

        Raises:
            ValueError: a bad argument (before any network call).
            brokers.errors.OrderError: Dhan rejected the order (DH-906).
            brokers.errors.OrderStateUnknown: the answer was lost; it was not retried.
        """
        kind, price_, trigger = _order_terms(order_type, price, trigger_price)
        qty = p.positive_int("quantity", quantity)
        disclosed = p.non_negative_int("disclosed_quantity", disclosed_quantity)
        if disclosed > qty:
            raise ValueError(f"disclosed_quantity ({disclosed}) must not exceed quantity ({qty})")
        product = p.choice("product_type", product_type, r.PRODUCT_TYPES)
        amo = p.flag("after_market_order", after_market_order)
        body: Dict[str, Any] = {
            "transactionType": p.choice("transaction_type", transaction_type, r.TRANSACTION_TYPES),
            "exchangeSegment": p.choice("exchange_segment", exchange_segment, r.TRADABLE_SEGMENTS),
            "productType": product,
            "orderType": kind,
            "validity": p.choice("validity", validity, r.VALIDITIES),
            "securityId": p.security_id(security_id),
            "quantity": qty,
            "disclosedQuantity": disclosed,
            "price": price_,
            "triggerPrice": trigger,
            "afterMarketOrder": amo,
        }
        if amo:
            body["amoTime"] = p.choice("amo_time", amo_time, r.AMO_TIMES)
        if product == "BO":
            body["boProfitValue"] = p.price("bo_profit_value", bo_profit_value, required=True)
            body["boStopLossValue"] = p.price("bo_stop_loss_Value", bo_stop_loss_Value, required=True)
        tag = p.correlation_id(tag)
        if tag:
            body["correlationId"] = tag
        route = "place_slice_order" if p.flag("should_slice", should_slice) else "place_order"
        return cast("Dict[str, Any]", self._read_id(self._call(route, body=body, tag=tag), tag=tag))

    def place_slice_order(self, security_id: Any, exchange_segment: str, transaction_type: str, quantity: int,
                          order_type: str, product_type: str, price: float, trigger_price: float = 0,
                          disclosed_quantity: int = 0, after_market_order: bool = False, validity: str = "DAY",
                          amo_time: str = "OPEN", bo_profit_value: Optional[float] = None,
                          bo_stop_loss_Value: Optional[float] = None, tag: Optional[str] = None) -> Any:
        """:meth:`place_order` with ``should_slice=True`` (``POST /orders/slicing``);
        returns Dhan's list of the child orders."""
        return self.place_order(security_id, exchange_segment, transaction_type, quantity, order_type,
                                product_type, price, trigger_price, disclosed_quantity, after_market_order,
                                validity, amo_time, bo_profit_value, bo_stop_loss_Value, tag, True)

    def modify_order(self, order_id: str, order_type: str, leg_name: Optional[str], quantity: int, price: float,
                     trigger_price: float, disclosed_quantity: int, validity: str) -> Dict[str, Any]:
        """Modify a pending order (``PUT /orders/{order_id}``).

        ``quantity`` is the order's **original** quantity, not what is left
        pending (Dhan's rule); at most 25 modifications per order.

        Args:
            leg_name: ``ENTRY_LEG``, ``TARGET_LEG`` or ``STOP_LOSS_LEG`` for BO/CO
                orders, else ``None`` or ``""``.

        Raises:
            ValueError: a bad argument.
            brokers.errors.OrderStateUnknown: the answer was lost; it was not retried.
        """
        oid = p.order_id(order_id)
        kind, price_, trigger = _order_terms(order_type, price, trigger_price)
        body: Dict[str, Any] = {
            "orderId": oid, "orderType": kind, "quantity": p.positive_int("quantity", quantity),
            "price": price_, "disclosedQuantity": p.non_negative_int("disclosed_quantity", disclosed_quantity),
            "triggerPrice": trigger, "validity": p.choice("validity", validity, r.VALIDITIES),
        }
        if leg_name:
            body["legName"] = p.choice("leg_name", leg_name, r.LEG_NAMES)
        answer = self._call("modify_order", path_args={"order_id": oid}, body=body, known_id=oid)
        return cast("Dict[str, Any]", self._read_id(answer, order_id=oid))

    def cancel_order(self, order_id: str) -> Dict[str, Any]:
        """Cancel a pending order (``DELETE /orders/{order_id}``)."""
        oid = p.order_id(order_id)
        return cast("Dict[str, Any]", self._read_id(self._call("cancel_order", path_args={"order_id": oid}, known_id=oid), order_id=oid))

    def get_order_list(self) -> List[Dict[str, Any]]:
        """Every order of the day with its latest state (``GET /orders``)."""
        return cast("List[Dict[str, Any]]", self._call("get_order_list"))

    def get_order_by_id(self, order_id: str) -> Any:
        """One order of the day (``GET /orders/{order_id}``)."""
        return self._call("get_order_by_id", path_args={"order_id": p.order_id(order_id)})

    def get_order_by_correlationID(self, correlation_id: str) -> Any:
        """The order placed with ``tag=correlation_id`` (``GET /orders/external/{id}``):
        how to find out what happened after an OrderStateUnknown."""
        cid = p.correlation_path(correlation_id, "correlation_id")
        return self._call("get_order_by_correlationID", path_args={"correlation_id": cid})

    # -- super orders ----------------------------------------------------------------------
    def place_super_order(self, security_id: Any, exchange_segment: str, transaction_type: str, quantity: int,
                          order_type: str, product_type: str, price: float, targetPrice: float = 0.0,
                          stopLossPrice: float = 0.0, trailingJump: float = 0.0,
                          tag: Optional[str] = None) -> Dict[str, Any]:
        """Place a super order: entry with target and stop-loss legs (``POST /super/orders``).

        Checks as ``dhanhq`` does: ``price`` > 0, at least one of ``targetPrice`` and
        ``stopLossPrice``, on the right side of ``price`` for the direction.
        """
        side = p.choice("transaction_type", transaction_type, r.TRANSACTION_TYPES)
        entry = p.price("price", price, required=True)
        target = p.price("targetPrice", targetPrice)
        stop = p.price("stopLossPrice", stopLossPrice)
        if target <= 0 and stop <= 0:
            raise ValueError("at least one of targetPrice or stopLossPrice must be > 0")
        above, below = (target, stop) if side == "BUY" else (stop, target)
        if above > 0 and not above > entry:
            raise ValueError(f"for {side}, {'targetPrice' if side == 'BUY' else 'stopLossPrice'} must be > price")
        if below > 0 and not below < entry:
            raise ValueError(f"for {side}, {'stopLossPrice' if side == 'BUY' else 'targetPrice'} must be < price")
        body: Dict[str, Any] = {
            "transactionType": side,
            "exchangeSegment": p.choice("exchange_segment", exchange_segment, r.TRADABLE_SEGMENTS),
            "productType": p.choice("product_type", product_type, r.PRODUCT_TYPES),
            "orderType": p.choice("order_type", order_type, r.ORDER_TYPES),
            "securityId": p.security_id(security_id),
            "quantity": p.positive_int("quantity", quantity),
            "price": entry, "targetPrice": target, "stopLossPrice": stop,
            "trailingJump": p.price("trailingJump", trailingJump),
        }
        tag = p.correlation_id(tag)
        if tag:
            body["correlationId"] = tag
        return cast("Dict[str, Any]", self._read_id(self._call("place_super_order", body=body, tag=tag), tag=tag))

    def modify_super_order(self, order_id: str, order_type: str, leg_name: str, quantity: int = 0,
                           price: float = 0.0, targetPrice: float = 0.0, stopLossPrice: float = 0.0,
                           trailingJump: float = 0.0) -> Dict[str, Any]:
        """Modify one leg of a pending super order (``PUT /super/orders/{order_id}``).
        ENTRY_LEG sends every field; TARGET_LEG only ``targetPrice``; STOP_LOSS_LEG
        ``stopLossPrice`` and ``trailingJump`` (as ``dhanhq``)."""
        oid = p.order_id(order_id)
        leg = p.choice("leg_name", leg_name, r.LEG_NAMES)
        body: Dict[str, Any] = {"orderId": oid, "legName": leg}
        if leg == "ENTRY_LEG":
            body.update(orderType=p.choice("order_type", order_type, r.ORDER_TYPES),
                        quantity=p.positive_int("quantity", quantity), price=p.price("price", price),
                        targetPrice=p.price("targetPrice", targetPrice),
                        stopLossPrice=p.price("stopLossPrice", stopLossPrice),
                        trailingJump=p.price("trailingJump", trailingJump))
        elif leg == "TARGET_LEG":
            body["targetPrice"] = p.price("targetPrice", targetPrice, required=True)
        else:
            body.update(stopLossPrice=p.price("stopLossPrice", stopLossPrice, required=True),
                        trailingJump=p.price("trailingJump", trailingJump))
        answer = self._call("modify_super_order", path_args={"order_id": oid}, body=body, known_id=oid)
        return cast("Dict[str, Any]", self._read_id(answer, order_id=oid))

    def cancel_super_order(self, order_id: str, order_leg: str) -> Dict[str, Any]:
        """Cancel a super order (``ENTRY_LEG`` cancels every leg) or one of its legs."""
        oid = p.order_id(order_id)
        leg = p.choice("order_leg", order_leg, r.LEG_NAMES)
        answer = self._call("cancel_super_order", path_args={"order_id": oid, "order_leg": leg}, known_id=oid)
        return cast("Dict[str, Any]", self._read_id(answer, order_id=oid))

    def get_super_order_list(self) -> List[Dict[str, Any]]:
        """Every super order of the day (``GET /super/orders``)."""
        return cast("List[Dict[str, Any]]", self._call("get_super_order_list"))

    # -- forever orders ------------------------------------------------------------------
    def place_forever(self, security_id: Any, exchange_segment: str, transaction_type: str, product_type: str,
                      order_type: str, quantity: int, price: float, trigger_Price: float, order_flag: str = "SINGLE",
                      disclosed_quantity: int = 0, validity: str = "DAY", price1: float = 0,
                      trigger_Price1: float = 0, quantity1: int = 0, tag: Optional[str] = None) -> Dict[str, Any]:
        """Place a forever (GTT) order, ``SINGLE`` or ``OCO`` (``POST /forever/orders``).
        For OCO, ``price1``, ``trigger_Price1`` and ``quantity1`` describe the second leg."""
        flag = p.choice("order_flag", order_flag, r.ORDER_FLAGS)
        body: Dict[str, Any] = {
            "orderFlag": flag,
            "transactionType": p.choice("transaction_type", transaction_type, r.TRANSACTION_TYPES),
            "exchangeSegment": p.choice("exchange_segment", exchange_segment, r.TRADABLE_SEGMENTS),
            "productType": p.choice("product_type", product_type, r.PRODUCT_TYPES),
            "orderType": p.choice("order_type", order_type, r.ORDER_TYPES),
            "validity": p.choice("validity", validity, r.VALIDITIES),
            "securityId": p.security_id(security_id),
            "quantity": p.positive_int("quantity", quantity),
            "disclosedQuantity": p.non_negative_int("disclosed_quantity", disclosed_quantity),
            "price": p.price("price", price),
            "triggerPrice": p.price("trigger_Price", trigger_Price, required=True),
            "price1": p.price("price1", price1),
            "triggerPrice1": p.price("trigger_Price1", trigger_Price1, required=flag == "OCO"),
            "quantity1": (p.positive_int if flag == "OCO" else p.non_negative_int)("quantity1", quantity1),
        }
        tag = p.correlation_id(tag)
        if tag:
            body["correlationId"] = tag
        return cast("Dict[str, Any]", self._read_id(self._call("place_forever", body=body, tag=tag), tag=tag))

    def modify_forever(self, order_id: str, order_flag: str, order_type: str, leg_name: str, quantity: int,
                       price: float, trigger_price: float, disclosed_quantity: int, validity: str) -> Dict[str, Any]:
        """Modify a forever order's leg (``PUT /forever/orders/{order_id}``)."""
        oid = p.order_id(order_id)
        body = {
            "orderId": oid, "orderFlag": p.choice("order_flag", order_flag, r.ORDER_FLAGS),
            "orderType": p.choice("order_type", order_type, r.ORDER_TYPES),
            "legName": p.choice("leg_name", leg_name, r.LEG_NAMES),
            "quantity": p.positive_int("quantity", quantity), "price": p.price("price", price),
            "disclosedQuantity": p.non_negative_int("disclosed_quantity", disclosed_quantity),
            "triggerPrice": p.price("trigger_price", trigger_price),
            "validity": p.choice("validity", validity, r.VALIDITIES),
        }
        answer = self._call("modify_forever", path_args={"order_id": oid}, body=body, known_id=oid)
        return cast("Dict[str, Any]", self._read_id(answer, order_id=oid))

    def cancel_forever(self, order_id: str) -> Dict[str, Any]:
        """Delete a forever order (``DELETE /forever/orders/{order_id}``)."""
        oid = p.order_id(order_id)
        return cast("Dict[str, Any]", self._read_id(self._call("cancel_forever", path_args={"order_id": oid}, known_id=oid), order_id=oid))

    def get_forever(self) -> List[Dict[str, Any]]:
        """Every forever order (``GET /forever/orders``)."""
        return cast("List[Dict[str, Any]]", self._call("get_forever"))

    # -- conditional orders (alerts) -----------------------------------------------------------
    def place_conditional_order(self, condition: Dict[str, Any], orders: List[Dict[str, Any]]) -> Any:
        """Create an alert that places ``orders`` when ``condition`` holds
        (``POST /alerts/orders``; fields as in ``dhanhq``, camelCase)."""
        if not isinstance(condition, dict) or not condition:
            raise ValueError("condition must be a non-empty dict")
        if not isinstance(orders, list) or not orders or not all(isinstance(o, dict) for o in orders):
            raise ValueError("orders must be a non-empty list of dicts")
        answer = self._call("place_conditional_order", body={"condition": condition, "orders": orders})
        return self._read_id(answer, ("alertId",), what="conditional order")

    def get_conditional_orders(self) -> Any:
        """Every conditional order (``GET /alerts/orders``)."""
        return self._call("get_conditional_orders")

    def get_conditional_order(self, alert_id: str) -> Any:
        """One conditional order (``GET /alerts/orders/{alert_id}``)."""
        return self._call("get_conditional_order", path_args={"alert_id": p.order_id(alert_id, "alert_id")})

    def modify_conditional_order(self, alert_id: str, condition: Dict[str, Any],
                                 orders: Optional[List[Dict[str, Any]]] = None) -> Any:
        """Change a conditional order's condition and, optionally, its orders."""
        aid = p.order_id(alert_id, "alert_id")
        if not isinstance(condition, dict) or not condition:
            raise ValueError("condition must be a non-empty dict")
        body: Dict[str, Any] = {"alertId": aid, "condition": condition}
        if orders is not None:
            if not isinstance(orders, list) or not all(isinstance(o, dict) for o in orders):
                raise ValueError("orders must be a list of dicts")
            body["orders"] = orders
        answer = self._call("modify_conditional_order", path_args={"alert_id": aid}, body=body, known_id=aid)
        return self._read_id(answer, ("alertId",), order_id=aid, what="conditional order")

    def cancel_conditional_order(self, alert_id: str) -> Any:
        """Delete a conditional order (``DELETE /alerts/orders/{alert_id}``)."""
        aid = p.order_id(alert_id, "alert_id")
        answer = self._call("cancel_conditional_order", path_args={"alert_id": aid}, known_id=aid)
        return self._read_id(answer, ("alertId",), order_id=aid, what="conditional order")
