"""Kite orders, trades, GTT triggers, margins and charges (kiteconnect 5.x names)."""

from __future__ import annotations

import json as jsonlib
from typing import Any, Dict, List, Optional

from .base import KiteBase
from .codec import format_response

__all__ = ["OrdersMixin"]

VARIETIES = ("regular", "amo", "co", "iceberg", "auction")
TRANSACTION_TYPES = ("BUY", "SELL")
ORDER_TYPES = ("MARKET", "LIMIT", "SL", "SL-M")
PRODUCTS = ("CNC", "NRML", "MIS", "CO", "MTF", "BO")
VALIDITIES = ("DAY", "IOC", "TTL")
GTT_TYPES = ("single", "two-leg")


def _one_of(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _positive_int(name: str, value: Any, required: bool = True) -> None:
    if value is None and not required:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive whole number; got {value!r}")


def _non_negative(name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{name} must be a number >= 0; got {value!r}")


def _check_order(variety: str, exchange: Any, tradingsymbol: Any, transaction_type: Any, quantity: Any,
                 product: Any, order_type: Any, price: Any, validity: Any, trigger_price: Any) -> None:
    _one_of("variety", variety, VARIETIES)
    for name, value in (("exchange", exchange), ("tradingsymbol", tradingsymbol)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string; got {value!r}")
    _one_of("transaction_type", transaction_type, TRANSACTION_TYPES)
    _positive_int("quantity", quantity)
    _one_of("product", product, PRODUCTS)
    _one_of("order_type", order_type, ORDER_TYPES)
    if validity is not None:
        _one_of("validity", validity, VALIDITIES)
    _non_negative("price", price)
    _non_negative("trigger_price", trigger_price)
    if order_type in ("LIMIT", "SL") and not price:
        raise ValueError(f"price is required for a {order_type} order")
    if order_type in ("SL", "SL-M") and not trigger_price:
        raise ValueError(f"trigger_price is required for a {order_type} order")


class OrdersMixin(KiteBase):
    """Orders, trades, GTT, margins and charges."""

    # Constants, as on kiteconnect.KiteConnect.
    PRODUCT_MIS = "MIS"
    PRODUCT_CNC = "CNC"
    PRODUCT_NRML = "NRML"
    PRODUCT_CO = "CO"
    PRODUCT_MTF = "MTF"
    ORDER_TYPE_MARKET = "MARKET"
    ORDER_TYPE_LIMIT = "LIMIT"
    ORDER_TYPE_SLM = "SL-M"
    ORDER_TYPE_SL = "SL"
    VARIETY_REGULAR = "regular"
    VARIETY_CO = "co"
    VARIETY_AMO = "amo"
    VARIETY_ICEBERG = "iceberg"
    VARIETY_AUCTION = "auction"
    TRANSACTION_TYPE_BUY = "BUY"
    TRANSACTION_TYPE_SELL = "SELL"
    VALIDITY_DAY = "DAY"
    VALIDITY_IOC = "IOC"
    VALIDITY_TTL = "TTL"
    POSITION_TYPE_DAY = "day"
    POSITION_TYPE_OVERNIGHT = "overnight"
    MARKET_PROTECTION_AUTO = -1
    GTT_TYPE_OCO = "two-leg"
    GTT_TYPE_SINGLE = "single"
    GTT_STATUS_ACTIVE = "active"
    GTT_STATUS_TRIGGERED = "triggered"
    GTT_STATUS_DISABLED = "disabled"
    GTT_STATUS_EXPIRED = "expired"
    GTT_STATUS_CANCELLED = "cancelled"
    GTT_STATUS_REJECTED = "rejected"
    GTT_STATUS_DELETED = "deleted"
    STATUS_COMPLETE = "COMPLETE"
    STATUS_REJECTED = "REJECTED"
    STATUS_CANCELLED = "CANCELLED"

    # -- orders -------------------------------------------------------------------------
    def _order_params(self, variety: str, exchange: str, tradingsymbol: str, transaction_type: str,
                      quantity: int, product: str, order_type: str, price: Optional[float],
                      validity: Optional[str], validity_ttl: Optional[int], disclosed_quantity: Optional[int],
                      trigger_price: Optional[float], iceberg_legs: Optional[int], iceberg_quantity: Optional[int],
                      auction_number: Optional[str], algo_id: Optional[str], tag: Optional[str],
                      market_protection: Optional[int]) -> Dict[str, Any]:
        _check_order(variety, exchange, tradingsymbol, transaction_type, quantity, product, order_type, price,
                     validity, trigger_price)
        if tag is not None and (not isinstance(tag, str) or len(tag) > 20):
            raise ValueError(f"tag must be a string of at most 20 characters; got {tag!r}")
        return {"variety": variety, "exchange": exchange, "tradingsymbol": tradingsymbol,
                "transaction_type": transaction_type, "quantity": quantity, "product": product,
                "order_type": order_type, "price": price, "validity": validity, "validity_ttl": validity_ttl,
                "disclosed_quantity": disclosed_quantity, "trigger_price": trigger_price,
                "iceberg_legs": iceberg_legs, "iceberg_quantity": iceberg_quantity,
                "auction_number": auction_number, "algo_id": algo_id, "tag": tag,
                "market_protection": market_protection}

    def place_order(self, variety: str, exchange: str, tradingsymbol: str, transaction_type: str, quantity: int,
                    product: str, order_type: str, price: Optional[float] = None, validity: Optional[str] = None,
                    validity_ttl: Optional[int] = None, disclosed_quantity: Optional[int] = None,
                    trigger_price: Optional[float] = None, iceberg_legs: Optional[int] = None,
                    iceberg_quantity: Optional[int] = None, auction_number: Optional[str] = None,
                    algo_id: Optional[str] = None, tag: Optional[str] = None,
                    market_protection: Optional[int] = None) -> str:
        """Place an order and return its ``order_id``.

        Never retried: if the request may have reached Kite and no answer came
        back, :class:`~brokers.kite.exceptions.OrderStateUnknownException` is
        raised; look for the order by ``tag`` in :meth:`orders` before placing it
        again.

        Raises:
            ValueError: an argument is missing or invalid (before any network call).
            brokers.kite.exceptions.KiteException: Kite refused the order.
        """
        params = self._order_params(variety, exchange, tradingsymbol, transaction_type, quantity, product,
                                    order_type, price, validity, validity_ttl, disclosed_quantity, trigger_price,
                                    iceberg_legs, iceberg_quantity, auction_number, algo_id, tag, market_protection)
        return self._call("POST", f"/orders/{variety}", params=params, group="orders", order=True)["order_id"]

    def place_autoslice_order(self, variety: str, exchange: str, tradingsymbol: str, transaction_type: str,
                              quantity: int, product: str, order_type: str, price: Optional[float] = None,
                              validity: Optional[str] = None, validity_ttl: Optional[int] = None,
                              disclosed_quantity: Optional[int] = None, trigger_price: Optional[float] = None,
                              iceberg_legs: Optional[int] = None, iceberg_quantity: Optional[int] = None,
                              auction_number: Optional[str] = None, algo_id: Optional[str] = None,
                              tag: Optional[str] = None, market_protection: Optional[int] = None) -> Dict[str, Any]:
        """Place an order that Kite slices above the freeze quantity.

        Returns:
            ``{"order_id": ..., "children": [{"order_id": ...} | {"error": {...}}, ...]}``.
        """
        params = self._order_params(variety, exchange, tradingsymbol, transaction_type, quantity, product,
                                    order_type, price, validity, validity_ttl, disclosed_quantity, trigger_price,
                                    iceberg_legs, iceberg_quantity, auction_number, algo_id, tag, market_protection)
        params["autoslice"] = "true"
        return self._call("POST", f"/orders/{variety}", params=params, group="orders", order=True)

    def modify_order(self, variety: str, order_id: str, parent_order_id: Optional[str] = None,
                     quantity: Optional[int] = None, price: Optional[float] = None, order_type: Optional[str] = None,
                     trigger_price: Optional[float] = None, validity: Optional[str] = None,
                     disclosed_quantity: Optional[int] = None, market_protection: Optional[int] = None) -> str:
        """Modify an open order and return its ``order_id``. Never retried.

        Zero values (``trigger_price=0``) are sent; only ``None`` is left out.
        """
        _one_of("variety", variety, VARIETIES)
        if not order_id:
            raise ValueError("order_id is required")
        _positive_int("quantity", quantity, required=False)
        _non_negative("price", price)
        _non_negative("trigger_price", trigger_price)
        if order_type is not None:
            _one_of("order_type", order_type, ORDER_TYPES)
        if validity is not None:
            _one_of("validity", validity, VALIDITIES)
        params = {"variety": variety, "order_id": order_id, "parent_order_id": parent_order_id,
                  "quantity": quantity, "price": price, "order_type": order_type, "trigger_price": trigger_price,
                  "validity": validity, "disclosed_quantity": disclosed_quantity,
                  "market_protection": market_protection}
        return self._call("PUT", f"/orders/{variety}/{order_id}", params=params, group="orders",
                          order=True)["order_id"]

    def cancel_order(self, variety: str, order_id: str, parent_order_id: Optional[str] = None) -> str:
        """Cancel an open order and return its ``order_id``. Never retried."""
        _one_of("variety", variety, VARIETIES)
        if not order_id:
            raise ValueError("order_id is required")
        return self._call("DELETE", f"/orders/{variety}/{order_id}", params={"parent_order_id": parent_order_id},
                          group="orders", order=True)["order_id"]

    def exit_order(self, variety: str, order_id: str, parent_order_id: Optional[str] = None) -> str:
        """Exit a cover order leg (the same call as :meth:`cancel_order`)."""
        return self.cancel_order(variety, order_id, parent_order_id=parent_order_id)

    def orders(self) -> List[Dict[str, Any]]:
        """Today's orders, date fields as naive IST datetimes."""
        return format_response(self._get("/orders"))

    def order_history(self, order_id: str) -> List[Dict[str, Any]]:
        """Every state an order went through."""
        return format_response(self._get(f"/orders/{order_id}"))

    def trades(self) -> List[Dict[str, Any]]:
        """Today's trades."""
        return format_response(self._get("/trades"))

    def order_trades(self, order_id: str) -> List[Dict[str, Any]]:
        """The trades of one order."""
        return format_response(self._get(f"/orders/{order_id}/trades"))

    # -- GTT ----------------------------------------------------------------------------
    @staticmethod
    def _gtt_payload(trigger_type: str, tradingsymbol: str, exchange: str, trigger_values: List[float],
                     last_price: float, orders: List[Dict[str, Any]]) -> Dict[str, Any]:
        _one_of("trigger_type", trigger_type, GTT_TYPES)
        if not isinstance(trigger_values, (list, tuple)):
            raise ValueError("trigger_values must be a list")
        want = 1 if trigger_type == "single" else 2
        if len(trigger_values) != want:
            raise ValueError(f"a {trigger_type} GTT needs {want} trigger value(s); got {len(trigger_values)}")
        if not orders:
            raise ValueError("orders must list at least one order")
        rebuilt = []
        for i, o in enumerate(orders):
            missing = [k for k in ("transaction_type", "quantity", "order_type", "product", "price") if k not in o]
            if missing:
                raise ValueError(f"orders[{i}] lacks {', '.join(missing)}")
            rebuilt.append({"exchange": exchange, "tradingsymbol": tradingsymbol,
                            "transaction_type": o["transaction_type"], "quantity": int(o["quantity"]),
                            "order_type": o["order_type"], "product": o["product"], "price": float(o["price"])})
        condition = {"exchange": exchange, "tradingsymbol": tradingsymbol, "trigger_values": list(trigger_values),
                     "last_price": last_price}
        return {"condition": jsonlib.dumps(condition), "orders": jsonlib.dumps(rebuilt), "type": trigger_type}

    def get_gtts(self) -> List[Dict[str, Any]]:
        """Every GTT trigger."""
        return self._get("/gtt/triggers")

    def get_gtt(self, trigger_id: int) -> Dict[str, Any]:
        """One GTT trigger."""
        return self._get(f"/gtt/triggers/{trigger_id}")

    def place_gtt(self, trigger_type: str, tradingsymbol: str, exchange: str, trigger_values: List[float],
                  last_price: float, orders: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Place a GTT; returns ``{"trigger_id": ...}``. Never retried."""
        payload = self._gtt_payload(trigger_type, tradingsymbol, exchange, trigger_values, last_price, orders)
        return self._call("POST", "/gtt/triggers", params=payload, order=True)

    def modify_gtt(self, trigger_id: int, trigger_type: str, tradingsymbol: str, exchange: str,
                   trigger_values: List[float], last_price: float, orders: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Modify a GTT; returns ``{"trigger_id": ...}``. Never retried."""
        payload = self._gtt_payload(trigger_type, tradingsymbol, exchange, trigger_values, last_price, orders)
        return self._call("PUT", f"/gtt/triggers/{trigger_id}", params=payload, order=True)

    def delete_gtt(self, trigger_id: int) -> Dict[str, Any]:
        """Delete a GTT; returns ``{"trigger_id": ...}``. Never retried."""
        return self._call("DELETE", f"/gtt/triggers/{trigger_id}", order=True)

    # -- margins and charges ------------------------------------------------------------
    def order_margins(self, params: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Margins for a list of orders (JSON body)."""
        return self._call("POST", "/margins/orders", json=_list_of_dicts("params", params))

    def basket_order_margins(self, params: List[Dict[str, Any]], consider_positions: bool = True,
                             mode: Optional[str] = None) -> Dict[str, Any]:
        """Margins for a basket, optionally netted against positions (``mode="compact"``)."""
        return self._call("POST", "/margins/basket", json=_list_of_dicts("params", params),
                          query={"consider_positions": consider_positions, "mode": mode})

    def get_virtual_contract_note(self, params: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Charges for executed orders (JSON body)."""
        return self._call("POST", "/charges/orders", json=_list_of_dicts("params", params))


def _list_of_dicts(name: str, value: Any) -> List[Dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"{name} must be a list of dicts")
    return value

