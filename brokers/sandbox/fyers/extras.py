"""The Fyers sandbox's other routes: GTT orders, and the rest of FyersModel's
endpoints answered with an echo of what was sent (verb, path, query and body)."""

from __future__ import annotations

from typing import Callable

from ..server import Request, Response
from .routes import DATA
from .state import FyersState, err, ok

__all__ = ["ExtraRoutes"]


class ExtraRoutes(FyersState):
    """GTT and echo handlers."""

    def gtt_orderbook(self, req: Request, user: str) -> Response:
        return ok(orderBook=[g for g in self.gtts.values() if g["clientId"] == user])

    def place_gtt(self, req: Request, user: str) -> Response:
        d = self._body(req)
        if not isinstance(d, dict) or d.get("side") not in (1, -1) or not isinstance(d.get("orderInfo"), dict):
            return err(400, -50, "Invalid input")
        if d.get("symbol") not in self.by_symbol:
            return err(400, -300, "Invalid symbol")
        gid = str(25112800000 + next(self._ids))
        self.gtts[gid] = {"id": gid, "clientId": user, "symbol": d["symbol"], "side": d["side"],
                          "productType": d.get("productType"), "orderInfo": d["orderInfo"], "gttOrderStatus": 1,
                          "oco": "leg2" in d["orderInfo"]}
        return Response(200, {"s": "ok", "code": 1101, "message": "Successfully placed GTT order", "id": gid})

    def modify_gtt(self, req: Request, user: str) -> Response:
        d = self._body(req)
        g = self.gtts.get(str(d.get("id"))) if isinstance(d, dict) else None
        if g is None or g["clientId"] != user:
            return err(400, -51, "Invalid GTT order id")
        g["orderInfo"] = d.get("orderInfo", g["orderInfo"])
        return Response(200, {"s": "ok", "code": 1102, "message": "Successfully modified GTT order", "id": g["id"]})

    def cancel_gtt(self, req: Request, user: str) -> Response:
        d = self._body(req)
        g = self.gtts.get(str(d.get("id"))) if isinstance(d, dict) else None
        if g is None or g["clientId"] != user:
            return err(400, -51, "Invalid GTT order id")
        del self.gtts[g["id"]]
        return Response(200, {"s": "ok", "code": 1103, "message": "Successfully cancelled GTT order", "id": g["id"]})

    def _echo(self, root: str) -> Callable[[Request, str], Response]:
        def handler(req: Request, user: str) -> Response:
            return ok(data={"method": req.method, "root": root.rsplit("/", 1)[-1] if root == DATA else "api",
                             "path": req.path[len(root):], "query": {k: v[0] for k, v in req.query.items()},
                             "body": self._body(req)})
        return handler
