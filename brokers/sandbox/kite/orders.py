"""The Kite sandbox's order routes: place (with Kite's holding and margin checks),
modify, cancel, the order book, order history and trades."""

from __future__ import annotations

import time

from ..server import Request, Response
from .state import KiteState, err, ist, ok

__all__ = ["OrderRoutes"]


class OrderRoutes(KiteState):
    """Order handlers; each takes the request and the authenticated user id."""

    def place_order(self, req: Request, user: str) -> Response:
        f = req.form
        variety = req.params["variety"]
        if variety not in ("regular", "amo", "co", "iceberg", "auction"):
            return err(400, "InputException", "Invalid variety.")
        missing = [k for k in ("exchange", "tradingsymbol", "transaction_type", "quantity", "product", "order_type")
                   if not f.get(k)]
        if missing:
            return err(400, "InputException", f"Missing {', '.join(missing)}.")
        if self.market.find(f"{f['exchange']}:{f['tradingsymbol']}") is None:
            return err(400, "InputException", "Invalid `tradingsymbol`.")
        if f["order_type"] == "LIMIT" and not f.get("price"):
            return err(400, "InputException", "Invalid `price`.")
        if not f["quantity"].isdigit() or int(f["quantity"]) <= 0:
            return err(400, "InputException", "Invalid `quantity`.")
        refused = self.refusal(user, f)
        if refused is not None:
            return refused
        if f.get("autoslice") == "true":
            first = self._new_order(user, variety, f)
            second = self._new_order(user, variety, f)
            for o in (first, second):
                o["quantity"] = o["quantity"] // 2 or 1
                self._record(o)
            return ok({"order_id": first["order_id"],
                        "children": [{"order_id": first["order_id"]}, {"order_id": second["order_id"]}]})
        order = self._new_order(user, variety, f)
        self._record(order)
        if order["status"] == "COMPLETE":
            self.trades.append({"trade_id": str(10000000 + next(self._ids)), "order_id": order["order_id"],
                                "exchange": order["exchange"], "tradingsymbol": order["tradingsymbol"],
                                "instrument_token": order["instrument_token"], "product": order["product"],
                                "average_price": order["average_price"], "quantity": order["quantity"],
                                "exchange_order_id": order["exchange_order_id"],
                                "transaction_type": order["transaction_type"],
                                "fill_timestamp": order["order_timestamp"], "order_timestamp": order["order_timestamp"][11:],
                                "exchange_timestamp": order["exchange_timestamp"]})
        return ok({"order_id": order["order_id"]})

    def modify_order(self, req: Request, user: str) -> Response:
        o = self._own_order(user, req.params["order_id"])
        if o is None:
            return err(400, "InputException", "Invalid `order_id`.")
        if o["status"] != "OPEN":
            return err(400, "OrderException", f"Order cannot be modified as it is being processed or is {o['status']}.")
        f = req.form
        o = dict(o)
        for k, cast in (("quantity", int), ("price", float), ("trigger_price", float), ("disclosed_quantity", int)):
            if f.get(k):
                o[k] = cast(f[k])
        for k in ("order_type", "validity"):
            if f.get(k):
                o[k] = f[k]
        o["pending_quantity"] = o["quantity"]
        o["modified"] = True
        o["exchange_update_timestamp"] = ist(time.time())
        self._record(o)
        return ok({"order_id": o["order_id"]})

    def cancel_order(self, req: Request, user: str) -> Response:
        o = self._own_order(user, req.params["order_id"])
        if o is None:
            return err(400, "InputException", "Invalid `order_id`.")
        if o["status"] != "OPEN":
            return err(400, "OrderException", f"Order cannot be cancelled as it is {o['status']}.")
        o = dict(o, status="CANCELLED", cancelled_quantity=o["pending_quantity"], pending_quantity=0)
        self._record(o)
        return ok({"order_id": o["order_id"]})

    def list_orders(self, req: Request, user: str) -> Response:
        return ok([dict(o) for o in self.orders.values() if o["placed_by"] == user])

    def get_order_history(self, req: Request, user: str) -> Response:
        if self._own_order(user, req.params["order_id"]) is None:
            return err(400, "InputException", "Invalid `order_id`.")
        return ok([dict(o) for o in self.order_history[req.params["order_id"]]])

    def get_order_trades(self, req: Request, user: str) -> Response:
        return ok([t for t in self.trades if t["order_id"] == req.params["order_id"]])

    def list_trades(self, req: Request, user: str) -> Response:
        return ok([t for t in self.trades if self.orders[t["order_id"]]["placed_by"] == user])
