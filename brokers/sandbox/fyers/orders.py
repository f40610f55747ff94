"""The Fyers sandbox's order routes: place (with Fyers' holding and margin checks),
modify, cancel, baskets, multi-leg orders, the order book and the trade book."""

from __future__ import annotations

from typing import Any, List

from ..server import Request, Response
from .state import FyersState, err, ok

__all__ = ["OrderRoutes"]


class OrderRoutes(FyersState):
    """Order handlers; each takes the request and the authenticated fy_id."""

    def place_order(self, req: Request, user: str) -> Response:
        o, problem = self._new_order(user, self._body(req))
        if problem is not None:
            return problem
        assert o is not None
        return Response(200, {"s": "ok", "code": 1101,
                              "message": f"Order Submitted Successfully. Your Order Ref. No.{o['id']}", "id": o["id"]})

    def _modify(self, user: str, d: Any) -> Response:
        if not isinstance(d, dict):
            return err(400, -50, "Invalid input")
        o = self._own(d.get("id"), user)
        if o is None:
            return err(400, -51, "Invalid order id")
        if o["status"] != 6:
            return err(400, {1: -161, 2: -162, 5: -164}.get(o["status"], -163), "Order is not pending")
        for src, dst in (("qty", "qty"), ("limitPrice", "limitPrice"), ("stopPrice", "stopPrice"), ("type", "type")):
            if src in d:
                o[dst] = d[src]
        o["remainingQuantity"] = o["qty"]
        self._push(user, "orders", self._raw_order(o))
        return Response(200, {"s": "ok", "code": 1102, "message": "Successfully modified order", "id": o["id"]})

    def _cancel(self, user: str, d: Any) -> Response:
        o = self._own(d.get("id") if isinstance(d, dict) else None, user)
        if o is None:
            return err(400, -51, "Invalid order id")
        if o["status"] != 6:
            return err(400, {1: -161, 2: -162, 5: -164}.get(o["status"], -163),
                        {1: "Order already cancelled", 2: "Order already traded"}.get(o["status"], "Cannot cancel"))
        o["status"] = 1
        o["orderNumStatus"] = f"{o['id']}:1"
        o["message"] = "CANCELLED"
        self._push(user, "orders", self._raw_order(o))
        return Response(200, {"s": "ok", "code": 1103, "message": "Successfully cancelled order", "id": o["id"]})

    def modify_order(self, req: Request, user: str) -> Response:
        return self._modify(user, self._body(req))

    def cancel_order(self, req: Request, user: str) -> Response:
        return self._cancel(user, self._body(req))

    def orderbook(self, req: Request, user: str) -> Response:
        oid = req.arg("id")
        rows = [o for o in self.orders.values() if o["clientId"] == user and oid in (None, o["id"])]
        if oid is not None and not rows:
            return err(400, -51, "Invalid order id")
        return ok(orderBook=rows)

    @staticmethod
    def _multi(results: List[Response]) -> Response:
        data = [{"statusCode": r.status, "body": r.body, "statusDescription": "OK" if r.status == 200 else "Error"}
                for r in results]
        return ok(data=data)

    def place_basket(self, req: Request, user: str) -> Response:
        rows = self._body(req)
        if not isinstance(rows, list) or not rows or len(rows) > 10:
            return err(400, -50, "Provide 1 to 10 orders")
        out = []
        for d in rows:
            o, problem = self._new_order(user, d)
            out.append(problem if problem is not None else Response(200, {
                "s": "ok", "code": 1101, "message": "Order Submitted Successfully", "id": o["id"]}))  # type: ignore[index]
        return self._multi(out)

    def modify_basket(self, req: Request, user: str) -> Response:
        rows = self._body(req)
        if not isinstance(rows, list) or not rows:
            return err(400, -50, "Provide 1 to 10 orders")
        return self._multi([self._modify(user, d) for d in rows])

    def cancel_basket(self, req: Request, user: str) -> Response:
        rows = self._body(req)
        if not isinstance(rows, list) or not rows:
            return err(400, -50, "Provide 1 to 10 order ids")
        return self._multi([self._cancel(user, d) for d in rows])

    def place_multileg(self, req: Request, user: str) -> Response:
        d = self._body(req)
        if not isinstance(d, dict) or d.get("orderType") not in ("2L", "3L") or not isinstance(d.get("legs"), dict):
            return err(400, -50, "Invalid input")
        ids = []
        for leg in d["legs"].values():
            body = dict(leg, productType=d.get("productType"), validity=d.get("validity"))
            o, problem = self._new_order(user, body)
            if problem is not None:
                return problem
            ids.append(o["id"])  # type: ignore[index]
        return Response(200, {"s": "ok", "code": 1101, "message": "Order Submitted Successfully", "id": ids[0]})

    def tradebook(self, req: Request, user: str) -> Response:
        tag = req.arg("order_tag")
        return ok(tradeBook=[t for t in self.trades if tag in (None, t.get("orderTag"))])
