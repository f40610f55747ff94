"""The Dhan sandbox's other routes: super, forever and conditional orders, the
kill switch, P&L exit, eDIS and the static IP settings."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ..server import Request, Response
from .state import DhanState, body, err, now

__all__ = ["ExtraRoutes"]


class ExtraRoutes(DhanState):
    """Handlers of Dhan's order extras and trader controls."""

    def place_super(self, req: Request, client: str) -> Response:
        b = body(req)
        b.setdefault("validity", "DAY")
        problem = self._check_order(b, client)
        if problem is not None:
            return problem
        oid = str(7125000000 + next(self._ids))
        legs = [{"orderId": oid, "legName": leg, "transactionType": "SELL" if b["transactionType"] == "BUY" else "BUY",
                 "totalQuatity": b["quantity"], "remainingQuantity": b["quantity"], "triggeredQuantity": 0,
                 "price": b.get(key, 0.0), "orderStatus": "PENDING", "trailingJump": b.get("trailingJump", 0.0)}
                for leg, key in (("TARGET_LEG", "targetPrice"), ("STOP_LOSS_LEG", "stopLossPrice"))]
        self.super_orders[oid] = dict(b, orderId=oid, orderStatus="PENDING", legName="ENTRY_LEG",
                                         createTime=now(), legDetails=legs)
        return Response(200, {"orderId": oid, "orderStatus": "PENDING"})

    def modify_super(self, req: Request, client: str) -> Response:
        o = self.super_orders.get(req.params["order_id"])
        if o is None or o["dhanClientId"] != client:
            return err(400, "DH-905", "Invalid orderId.")
        b = body(req)
        for k in ("orderType", "quantity", "price", "targetPrice", "stopLossPrice", "trailingJump"):
            if k in b:
                o[k] = b[k]
        return Response(200, {"orderId": o["orderId"], "orderStatus": o["orderStatus"]})

    def cancel_super(self, req: Request, client: str) -> Response:
        o = self.super_orders.get(req.params["order_id"])
        if o is None or o["dhanClientId"] != client:
            return err(400, "DH-905", "Invalid orderId.")
        leg = req.params["order_leg"]
        if leg == "ENTRY_LEG":
            o["orderStatus"] = "CANCELLED"
        o["legDetails"] = [dict(x, orderStatus="CANCELLED") if leg in ("ENTRY_LEG", x["legName"]) else x
                           for x in o["legDetails"]]
        return Response(200, {"orderId": o["orderId"], "orderStatus": "CANCELLED"})

    def list_super(self, req: Request, client: str) -> Response:
        return Response(200, [o for o in self.super_orders.values() if o["dhanClientId"] == client])

    def place_forever(self, req: Request, client: str) -> Response:
        b = body(req)
        if b.get("orderFlag") not in ("SINGLE", "OCO") or not b.get("triggerPrice"):
            return err(400, "DH-905", "Missing or invalid orderFlag or triggerPrice.")
        problem = self._check_order(b, client, rms=False)
        if problem is not None:
            return problem
        oid = str(6125000000 + next(self._ids))
        self.forever_orders[oid] = dict(b, orderId=oid, orderStatus="PENDING", createTime=now())
        return Response(200, {"orderId": oid, "orderStatus": "PENDING"})

    def modify_forever(self, req: Request, client: str) -> Response:
        o = self.forever_orders.get(req.params["order_id"])
        if o is None or o["dhanClientId"] != client:
            return err(400, "DH-905", "Invalid orderId.")
        o.update({k: v for k, v in body(req).items() if k != "dhanClientId"})
        return Response(200, {"orderId": o["orderId"], "orderStatus": o["orderStatus"]})

    def cancel_forever(self, req: Request, client: str) -> Response:
        o = self.forever_orders.get(req.params["order_id"])
        if o is None or o["dhanClientId"] != client:
            return err(400, "DH-905", "Invalid orderId.")
        o["orderStatus"] = "CANCELLED"
        return Response(200, {"orderId": o["orderId"], "orderStatus": "CANCELLED"})

    def list_forever(self, req: Request, client: str) -> Response:
        return Response(200, [o for o in self.forever_orders.values() if o["dhanClientId"] == client])

    def place_alert(self, req: Request, client: str) -> Response:
        b = body(req)
        if not isinstance(b.get("condition"), dict) or not isinstance(b.get("orders"), list):
            return err(400, "DH-905", "condition and orders are required.")
        aid = str(8125000000 + next(self._ids))
        self.alerts[aid] = {"alertId": aid, "dhanClientId": client, "alertStatus": "ACTIVE",
                               "condition": b["condition"], "orders": b["orders"], "createdTime": now()}
        return Response(200, {"alertId": aid, "alertStatus": "ACTIVE"})

    def _alert(self, req: Request, client: str) -> Optional[Dict[str, Any]]:
        a = self.alerts.get(req.params["alert_id"])
        return a if a is not None and a["dhanClientId"] == client else None

    def get_alert(self, req: Request, client: str) -> Response:
        a = self._alert(req, client)
        return Response(200, a) if a else err(400, "DH-905", "Invalid alertId.")

    def list_alerts(self, req: Request, client: str) -> Response:
        return Response(200, [a for a in self.alerts.values() if a["dhanClientId"] == client])

    def modify_alert(self, req: Request, client: str) -> Response:
        a = self._alert(req, client)
        if a is None:
            return err(400, "DH-905", "Invalid alertId.")
        b = body(req)
        a["condition"] = b.get("condition", a["condition"])
        a["orders"] = b.get("orders", a["orders"])
        return Response(200, {"alertId": a["alertId"], "alertStatus": a["alertStatus"]})

    def cancel_alert(self, req: Request, client: str) -> Response:
        a = self._alert(req, client)
        if a is None:
            return err(400, "DH-905", "Invalid alertId.")
        a["alertStatus"] = "CANCELLED"
        return Response(200, {"alertId": a["alertId"], "alertStatus": "CANCELLED"})

    def kill_switch_set(self, req: Request, client: str) -> Response:
        status = req.arg("killSwitchStatus")
        if status not in ("ACTIVATE", "DEACTIVATE"):
            return err(400, "DH-905", "killSwitchStatus must be ACTIVATE or DEACTIVATE.")
        self.kill_switch[client] = status == "ACTIVATE"
        word = "activated" if status == "ACTIVATE" else "deactivated"
        return Response(200, {"dhanClientId": client, "killSwitchStatus": f"Kill Switch has been successfully {word}"})

    def kill_switch_get(self, req: Request, client: str) -> Response:
        on = self.kill_switch.get(client, False)
        return Response(200, {"dhanClientId": client, "killSwitchStatus": "ACTIVATE" if on else "DEACTIVATE"})

    def pnl_set(self, req: Request, client: str) -> Response:
        b = body(req)
        if not isinstance(b.get("productType"), list):
            return err(400, "DH-905", "productType must be a list.")
        self.pnl_exit[client] = {k: b.get(k) for k in ("profitValue", "lossValue", "productType",
                                                           "enableKillSwitch")}
        return Response(200, {"pnlExitStatus": "ACTIVE", "message": "P&L based exit configured successfully"})

    def pnl_get(self, req: Request, client: str) -> Response:
        rule = self.pnl_exit.get(client)
        return Response(200, dict(rule, pnlExitStatus="ACTIVE") if rule else {"pnlExitStatus": "INACTIVE"})

    def pnl_stop(self, req: Request, client: str) -> Response:
        self.pnl_exit.pop(client, None)
        return Response(200, {"pnlExitStatus": "DISABLED", "message": "P&L based exit stopped successfully"})

    def tpin(self, req: Request, client: str) -> Response:
        return Response(202, b"", "application/json")

    def edis_form(self, req: Request, client: str) -> Response:
        b = body(req)
        if not b.get("isin") or not b.get("qty"):
            return err(400, "DH-905", "isin and qty are required.")
        html = (f"<html><body><form action=\\\"https://edis.example/cdsl\\\" method=\\\"POST\\\">"
                f"<input name=\\\"isin\\\" value=\\\"{b['isin']}\\\"/></form></body></html>")
        return Response(200, {"dhanClientId": client, "edisFormHtml": html})

    def edis_inquire(self, req: Request, client: str) -> Response:
        return Response(200, {"clientId": client, "isin": req.params["isin"], "totalQty": 10, "aprvdQty": 0,
                              "status": "NOT_APPROVED", "remarks": ""})

    def set_ip(self, req: Request, client: str) -> Response:
        b = body(req)
        if b.get("ipFlag") not in ("PRIMARY", "SECONDARY") or not b.get("ip"):
            return err(400, "DH-905", "ip and ipFlag (PRIMARY or SECONDARY) are required.")
        self.ips.setdefault(client, {})[b["ipFlag"]] = b["ip"]
        return Response(200, {"message": "IP saved successfully", "status": "SUCCESS"})

    def get_ip(self, req: Request, client: str) -> Response:
        ips = self.ips.get(client, {})
        return Response(200, {"primaryIP": ips.get("PRIMARY", ""), "secondaryIP": ips.get("SECONDARY", ""),
                              "modifyDatePrimary": "2026-12-05", "modifyDateSecondary": "2026-12-05"})
