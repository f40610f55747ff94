"""Kite orders, trades, GTT triggers, margins and charges (kiteconnect 5.x names)."""

from __future__ import annotations

import json as jsonlib
from typing import Any, Dict, List, Optional, cast

from . import validate as v
from .base import KiteBase
from .codec import format_response

__all__ = ["OrdersMixin"]


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
    @staticmethod
    def _order_params(variety: str, exchange: str, tradingsymbol: str, transaction_type: str,
                      quantity: int, product: str, order_type: str, price: Optional[float],
                      validity: Optional[str], validity_ttl: Optional[int], disclosed_quantity: Optional[int],
                      trigger_price: Optional[float], iceberg_legs: Optional[int], iceberg_quantity: Optional[int],
                      auction_number: Optional[str], algo_id: Optional[str], tag: Optional[str],
                      market_protection: Optional[int]) -> Dict[str, Any]:
        v.order(variety, exchange, tradingsymbol, transaction_type, quantity, product, order_type, price,
                validity, trigger_price, validity_ttl, disclosed_quantity, iceberg_legs, iceberg_quantity,
                market_protection, tag)
        # As kiteconnect (locals()): variety is sent in the body too.
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
        answer = self._post("order.place", url_args={"variety": variety}, params=params)
        return self._read_id(answer, "order_id", tag)

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
        answer = self._post("order.place", url_args={"variety": variety}, params=params)
        self._read_id(answer, "order_id", tag)
        return cast("Dict[str, Any]", answer)

    def modify_order(self, variety: str, order_id: str, parent_order_id: Optional[str] = None,
                     quantity: Optional[int] = None, price: Optional[float] = None, order_type: Optional[str] = None,
                     trigger_price: Optional[float] = None, validity: Optional[str] = None,
                     disclosed_quantity: Optional[int] = None, market_protection: Optional[int] = None) -> str:
        """Modify an open order and return its ``order_id``. Never retried.

        Zero values (``trigger_price=0``) are sent; only ``None`` is left out.
        """
        oid = v.order_id(order_id)
        v.modify(variety, quantity, price, order_type, trigger_price, validity, disclosed_quantity, market_protection)
        params = {"variety": variety, "order_id": order_id, "parent_order_id": parent_order_id,
                  "quantity": quantity, "price": price, "order_type": order_type, "trigger_price": trigger_price,
                  "validity": validity, "disclosed_quantity": disclosed_quantity,
                  "market_protection": market_protection}
        answer = self._put("order.modify", url_args={"variety": variety, "order_id": oid}, params=params)
        return self._read_id(answer, "order_id", order_id=str(order_id))

    def cancel_order(self, variety: str, order_id: str, parent_order_id: Optional[str] = None) -> str:
        """Cancel an open order and return its ``order_id``. Never retried."""
        v.one_of("variety", variety, v.VARIETIES)
        oid = v.order_id(order_id)
        if parent_order_id is not None:
            v.order_id(parent_order_id, "parent_order_id")
        answer = self._delete("order.cancel", url_args={"variety": variety, "order_id": oid},
                              params={"parent_order_id": parent_order_id})
        return self._read_id(answer, "order_id", order_id=str(order_id))

    def exit_order(self, variety: str, order_id: str, parent_order_id: Optional[str] = None) -> str:
        """Exit a cover order leg (the same call as :meth:`cancel_order`)."""
        return self.cancel_order(variety, order_id, parent_order_id=parent_order_id)

    def orders(self) -> List[Dict[str, Any]]:
        """Today's orders, date fields as naive IST datetimes."""
        return cast("List[Dict[str, Any]]", format_response(self._get("orders")))

    def order_history(self, order_id: str) -> List[Dict[str, Any]]:
        """Every state an order went through."""
        return cast("List[Dict[str, Any]]", format_response(self._get("order.info", url_args={"order_id": v.order_id(order_id)})))

    def trades(self) -> List[Dict[str, Any]]:
        """Today's trades."""
        return cast("List[Dict[str, Any]]", format_response(self._get("trades")))

    def order_trades(self, order_id: str) -> List[Dict[str, Any]]:
        """The trades of one order."""
        return cast("List[Dict[str, Any]]", format_response(self._get("order.trades", url_args={"order_id": v.order_id(order_id)})))

    # -- GTT ----------------------------------------------------------------------------
    @staticmethod
    def _gtt_payload(trigger_type: str, tradingsymbol: str, exchange: str, trigger_values: List[float],
                     last_price: float, orders: List[Dict[str, Any]]) -> Dict[str, Any]:
        parts = v.gtt_payload(trigger_type, tradingsymbol, exchange, trigger_values, last_price, orders)
        return {"condition": jsonlib.dumps(parts["condition"]), "orders": jsonlib.dumps(parts["orders"]),
                "type": trigger_type}

    def get_gtts(self) -> List[Dict[str, Any]]:
        """Every GTT trigger."""
        return cast("List[Dict[str, Any]]", self._get("gtt"))

    def get_gtt(self, trigger_id: int) -> Dict[str, Any]:
        """One GTT trigger."""
        return cast("Dict[str, Any]", self._get("gtt.info", url_args={"trigger_id": v.trigger_id(trigger_id)}))

    def place_gtt(self, trigger_type: str, tradingsymbol: str, exchange: str, trigger_values: List[float],
                  last_price: float, orders: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Place a GTT; returns ``{"trigger_id": ...}``. Never retried."""
        payload = self._gtt_payload(trigger_type, tradingsymbol, exchange, trigger_values, last_price, orders)
        answer = self._post("gtt.place", params=payload)
        self._read_id(answer, "trigger_id", what="GTT")
        return cast("Dict[str, Any]", answer)

    def modify_gtt(self, trigger_id: int, trigger_type: str, tradingsymbol: str, exchange: str,
                   trigger_values: List[float], last_price: float, orders: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Modify a GTT; returns ``{"trigger_id": ...}``. Never retried."""
        tid = v.trigger_id(trigger_id)
        payload = self._gtt_payload(trigger_type, tradingsymbol, exchange, trigger_values, last_price, orders)
        answer = self._put("gtt.modify", url_args={"trigger_id": tid}, params=payload)
        self._read_id(answer, "trigger_id", order_id=str(trigger_id), what="GTT")
        return cast("Dict[str, Any]", answer)

    def delete_gtt(self, trigger_id: int) -> Dict[str, Any]:
        """Delete a GTT; returns ``{"trigger_id": ...}``. Never retried."""
        answer = self._delete("gtt.delete", url_args={"trigger_id": v.trigger_id(trigger_id)})
        self._read_id(answer, "trigger_id", order_id=str(trigger_id), what="GTT")
        return cast("Dict[str, Any]", answer)

    # -- margins and charges ------------------------------------------------------------
    def order_margins(self, params: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Margins for a list of orders (JSON body)."""
        return cast("List[Dict[str, Any]]", self._post("order.margins", params=v.list_of_dicts("params", params), is_json=True))

    def basket_order_margins(self, params: List[Dict[str, Any]], consider_positions: bool = True,
                             mode: Optional[str] = None) -> Dict[str, Any]:
        """Margins for a basket, optionally netted against positions (``mode="compact"``)."""
        return cast("Dict[str, Any]", self._post("order.margins.basket", params=v.list_of_dicts("params", params), is_json=True,
                          query_params={"consider_positions": consider_positions, "mode": mode}))

    def get_virtual_contract_note(self, params: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """Charges for executed orders (JSON body)."""
        return cast("List[Dict[str, Any]]", self._post("order.contract_note", params=v.list_of_dicts("params", params), is_json=True))

