"""The Dhan sandbox's order routes: place (with Dhan's holding and margin checks),
slice, modify, cancel, the order book, lookups by correlation id, and trades."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Optional

from ..server import Request, Response
from .state import OPEN, ORDER_TYPES, DhanState, body, err, now

__all__ = ["OrderRoutes"]


class OrderRoutes(DhanState):
    """Order handlers; each takes the request and the authenticated client id."""

    def place_order(self, req: Request, client: str) -> Response:
        b = body(req)
        problem = self._check_order(b, client)
        if problem is not None:
            return problem
        order = self._new_order(b, client)
        self._record(order)
        return Response(200, {"orderId": order["orderId"], "orderStatus": order["orderStatus"]})

    def place_slice(self, req: Request, client: str) -> Response:
        b = body(req)
        problem = self._check_order(b, client)
        if problem is not None:
            return problem
        freeze = 1800 if b["exchangeSegment"] == "NSE_FNO" else b["quantity"]
        out, left = [], b["quantity"]
        while left > 0:
            order = self._new_order(dict(b, quantity=min(freeze, left)), client)
            self._record(order)
            out.append({"orderId": order["orderId"], "orderStatus": order["orderStatus"]})
            left -= freeze
        return Response(200, out)

    def _own(self, client: str, order_id: str) -> Optional[Dict[str, Any]]:
        o = self.orders.get(order_id)
        return o if o is not None and o["dhanClientId"] == client else None

    def modify_order(self, req: Request, client: str) -> Response:
        o = self._own(client, req.params["order_id"])
        if o is None:
            return err(400, "DH-905", "Invalid orderId.")
        if o["orderStatus"] not in OPEN:
            return err(400, "DH-906", f"Order is {o['orderStatus']} and cannot be modified.", "Order_Error")
        if o["modifications"] >= 25:
            return err(400, "DH-906", "At most 25 modifications are allowed per order.", "Order_Error")
        b = body(req)
        if b.get("orderId") != o["orderId"] or b.get("orderType") not in ORDER_TYPES:
            return err(400, "DH-905", "Missing or invalid orderId or orderType.")
        o = dict(o)
        for k in ("orderType", "quantity", "price", "triggerPrice", "disclosedQuantity", "validity", "legName"):
            if k in b:
                o[k] = b[k]
        o["remainingQuantity"] = o["quantity"]
        o["modifications"] += 1
        o["updateTime"] = now()
        self._record(o)
        return Response(200, {"orderId": o["orderId"], "orderStatus": o["orderStatus"]})

    def cancel_order(self, req: Request, client: str) -> Response:
        o = self._own(client, req.params["order_id"])
        if o is None:
            return err(400, "DH-905", "Invalid orderId.")
        if o["orderStatus"] not in OPEN:
            return err(400, "DH-906", f"Order is {o['orderStatus']} and cannot be cancelled.", "Order_Error")
        o = dict(o, orderStatus="CANCELLED", updateTime=now())
        self._record(o)
        return Response(200, {"orderId": o["orderId"], "orderStatus": "CANCELLED"})

    def list_orders(self, req: Request, client: str) -> Response:
        return Response(200, [o for o in self.orders.values() if o["dhanClientId"] == client])

    def get_order(self, req: Request, client: str) -> Response:
        o = self._own(client, req.params["order_id"])
        return Response(200, o) if o else err(400, "DH-905", "Invalid orderId.")

    def order_by_correlation(self, req: Request, client: str) -> Response:
        found = [o for o in self.orders.values()
                 if o["dhanClientId"] == client and o["correlationId"] == req.params["correlation_id"]]
        return Response(200, found[-1]) if found else err(400, "DH-907", "No order for this correlationId.",
                                                          "Data_Error")

    def trade_book(self, req: Request, client: str) -> Response:
        oid = req.params.get("order_id")
        return Response(200, [t for t in self.trades if t["dhanClientId"] == client
                              and oid in (None, t["orderId"])])

    def trade_history(self, req: Request, client: str) -> Response:
        try:
            start = dt.date.fromisoformat(req.params["from_date"])
            end = dt.date.fromisoformat(req.params["to_date"])
        except ValueError:
            return err(400, "DH-905", "Dates must be YYYY-MM-DD.")
        if start > end:
            return err(400, "DH-905", "from-date is after to-date.")
        page = int(req.params["page"]) if req.params["page"].isdigit() else 0
        rows = [t for t in self.trades if t["dhanClientId"] == client]
        return Response(200, rows[page * 20:(page + 1) * 20])
