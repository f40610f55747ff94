"""Fyers orders: single, basket, multileg and GTT orders, position exits and
conversions (``FyersModel`` names).

Every call here is an order call: never retried once it may have reached
Fyers, and an answer that is lost or from which the order id cannot be read
raises :class:`~brokers.errors.OrderStateUnknown` (carrying the ``orderTag`` or
the order's id): look the order up in :meth:`orderbook` before trying again.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, cast

from . import validate as check
from .base import FyersBase

__all__ = ["OrdersMixin"]


class OrdersMixin(FyersBase):
    """Order placement, modification and cancellation."""

    def place_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Place an order (``POST /orders/sync``): ``{"id": "<order id>", "code": 1101, ...}``.

        Args:
            data: ``symbol``, ``qty``, ``type`` (1 limit, 2 market, 3 SL-M, 4 SL-L),
                ``side`` (1 buy, -1 sell), ``productType``, ``limitPrice``,
                ``stopPrice``, ``validity``, ``disclosedQty``, ``offlineOrder``,
                ``stopLoss``, ``takeProfit``, ``orderTag``.

        Raises:
            ValueError: a missing or invalid field (before any network call).
            brokers.errors.OrderError: Fyers rejected the order.
            brokers.errors.OrderStateUnknown: no answer; look for the order
                (by ``orderTag``) in :meth:`orderbook` before placing it again.
        """
        body = check.order(data)
        return self._call("place_order", body=body, tag=body.get("orderTag"))

    def modify_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Modify a pending order (``PATCH /orders/sync``): ``id`` and the fields to change."""
        body = check.modify_order(data)
        return self._call("modify_order", body=body, known_id=str(body["id"]))

    def cancel_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Cancel a pending order (``DELETE /orders/sync``): ``{"id": "<order id>"}``."""
        body = check.cancel(data)
        return self._call("cancel_order", body=body, known_id=str(body["id"]))

    def place_basket_orders(self, data: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
        """Place up to 10 orders at once (``POST /multi-order/sync``)."""
        return cast("Dict[str, Any]", self._read_items(self._call("place_basket_orders", body=check.basket(data, check.order))))

    def modify_basket_orders(self, data: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
        """Modify up to 10 orders at once (``PATCH /multi-order/sync``)."""
        return cast("Dict[str, Any]", self._read_items(self._call("modify_basket_orders", body=check.basket(data, check.modify_order))))

    def cancel_basket_orders(self, data: Sequence[Any]) -> Dict[str, Any]:
        """Cancel up to 10 orders at once (``DELETE /multi-order/sync``): ``[{"id": ...}, ...]``."""
        return cast("Dict[str, Any]", self._read_items(self._call("cancel_basket_orders", body=check.cancel_basket(data))))

    def place_multileg_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Place a 2- or 3-leg order (``POST /multileg/orders/sync``)."""
        return self._call("place_multileg_order", body=check.multileg(data))

    def exit_positions(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """Close positions (``DELETE /positions``): all of them by default
        (``{"exit_all": 1}``), or ``{"id": "NSE:SBIN-EQ-INTRADAY"}``."""
        return self._call("exit_positions", body=check.exit_positions(data))

    def convert_position(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Convert a position's product type (``POST /positions`` with a JSON body).

        Args:
            data: ``symbol``, ``positionSide`` (1/-1), ``convertQty``,
                ``convertFrom``, ``convertTo`` (and ``overnight`` 0/1).
        """
        return self._call("convert_position", body=check.convert_position(data))

    # -- GTT -----------------------------------------------------------------------------------
    def gtt_orderbook(self, data: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        """GTT orders (``GET /gtt/orders``)."""
        return self._call("gtt_orderbook", params=check.query(data))

    def place_gtt_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Place a GTT (one leg) or OCO (two legs) order (``POST /gtt/orders/sync``)."""
        return self._call("place_gtt_order", body=check.gtt_order(data))

    def modify_gtt_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Modify a GTT order (``PATCH /gtt/orders/sync``)."""
        body = check.modify_gtt_order(data)
        return self._call("modify_gtt_order", body=body, known_id=str(body["id"]))

    def cancel_gtt_order(self, data: Mapping[str, Any]) -> Dict[str, Any]:
        """Cancel a GTT order (``DELETE /gtt/orders/sync``): ``{"id": ...}``."""
        body = check.cancel(data)
        return self._call("cancel_gtt_order", body=body, known_id=str(body["id"]))
