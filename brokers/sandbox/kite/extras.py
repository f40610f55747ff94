"""The Kite sandbox's other routes: GTT triggers, margin and charge calculators,
mutual funds and alerts."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Dict, List, Optional

from ..server import Request, Response
from .state import KiteState, err, ist, ok

__all__ = ["ExtraRoutes"]


class ExtraRoutes(KiteState):
    """GTT, margin calculator, mutual fund and alert handlers."""

    def _gtt_from_form(self, f: Dict[str, str], trigger_id: int, user: str) -> Dict[str, Any]:
        condition = json.loads(f["condition"])
        orders = json.loads(f["orders"])
        i = self.market.find(f"{condition.get('exchange')}:{condition.get('tradingsymbol')}")
        condition["instrument_token"] = i.token if i else 0
        now = ist(time.time())
        return {"id": trigger_id, "user_id": user, "parent_trigger": None, "type": f["type"], "created_at": now,
                "updated_at": now, "expires_at": ist(time.time() + 365 * 86400), "status": "active",
                "condition": condition, "orders": [dict(o, result=None) for o in orders], "meta": {}}

    def gtt_place(self, req: Request, user: str) -> Response:
        f = req.form
        if f.get("type") not in ("single", "two-leg") or not f.get("condition") or not f.get("orders"):
            return err(400, "InputException", "Invalid GTT.")
        trigger_id = 100000 + next(self._ids)
        self.gtts[trigger_id] = self._gtt_from_form(f, trigger_id, user)
        return ok({"trigger_id": trigger_id})

    def _own_gtt(self, req: Request, user: str) -> Optional[Dict[str, Any]]:
        g = self.gtts.get(int(req.params["trigger_id"])) if req.params["trigger_id"].isdigit() else None
        return g if g is not None and g["user_id"] == user else None

    def gtt_list(self, req: Request, user: str) -> Response:
        return ok([g for g in self.gtts.values() if g["user_id"] == user])

    def gtt_get(self, req: Request, user: str) -> Response:
        g = self._own_gtt(req, user)
        return ok(g) if g else err(400, "InputException", "Invalid trigger id.")

    def gtt_modify(self, req: Request, user: str) -> Response:
        g = self._own_gtt(req, user)
        if g is None:
            return err(400, "InputException", "Invalid trigger id.")
        self.gtts[g["id"]] = self._gtt_from_form(req.form, g["id"], user)
        return ok({"trigger_id": g["id"]})

    def gtt_delete(self, req: Request, user: str) -> Response:
        g = self._own_gtt(req, user)
        if g is None:
            return err(400, "InputException", "Invalid trigger id.")
        del self.gtts[g["id"]]
        return ok({"trigger_id": g["id"]})

    def _margin_row(self, o: Dict[str, Any]) -> Dict[str, Any]:
        i = self.market.find(f"{o.get('exchange')}:{o.get('tradingsymbol')}")
        price = float(o.get("price") or 0) or (i.last if i else 0.0)
        total = round(price * int(o.get("quantity") or 0) * (1.0 if o.get("product") == "CNC" else 0.2), 2)
        return {"type": "equity", "tradingsymbol": o.get("tradingsymbol"), "exchange": o.get("exchange"),
                "span": 0, "exposure": 0, "option_premium": 0, "additional": 0, "bo": 0, "cash": 0, "var": total,
                "pnl": {"realised": 0, "unrealised": 0}, "leverage": 1, "total": total,
                "charges": {"transaction_tax": 0.1, "stamp_duty": 0.02, "brokerage": 0, "gst": {"total": 0.01},
                            "total": 0.13}}

    def _json_list(self, req: Request) -> Optional[List[Dict[str, Any]]]:
        try:
            body = req.json()
        except ValueError:
            return None
        return body if isinstance(body, list) else None

    def order_margins(self, req: Request, user: str) -> Response:
        rows = self._json_list(req)
        return err(400, "InputException", "Expected a JSON list.") if rows is None else ok(
            [self._margin_row(o) for o in rows])

    def basket_margins(self, req: Request, user: str) -> Response:
        rows = self._json_list(req)
        if rows is None:
            return err(400, "InputException", "Expected a JSON list.")
        orders = [self._margin_row(o) for o in rows]
        total = round(sum(o["total"] for o in orders), 2)
        agg = dict(self._margin_row({}), total=total, var=total)
        return ok({"initial": agg, "final": agg, "orders": orders, "charges": agg["charges"]})

    def charges(self, req: Request, user: str) -> Response:
        rows = self._json_list(req)
        if rows is None:
            return err(400, "InputException", "Expected a JSON list.")
        return ok([dict({k: o.get(k) for k in ("transaction_type", "tradingsymbol", "exchange", "variety",
                                                  "product", "order_type", "quantity", "price")},
                         charges=self._margin_row(o)["charges"]) for o in rows])

    def mf_order_list(self, req: Request, user: str) -> Response:
        return ok([o for o in self.mf_orders.values() if o["placed_by"] == user])

    def mf_order_get(self, req: Request, user: str) -> Response:
        o = self.mf_orders.get(req.params["order_id"])
        return ok(o) if o and o["placed_by"] == user else err(400, "InputException", "Invalid order id.")

    def mf_order_place(self, req: Request, user: str) -> Response:
        f = req.form
        if not f.get("tradingsymbol") or f.get("transaction_type") not in ("BUY", "SELL"):
            return err(400, "InputException", "Invalid tradingsymbol or transaction_type.")
        oid = str(uuid.uuid4())
        self.mf_orders[oid] = {"order_id": oid, "placed_by": user, "status": "OPEN",
                               "tradingsymbol": f["tradingsymbol"], "transaction_type": f["transaction_type"],
                               "amount": float(f.get("amount") or 0), "quantity": float(f.get("quantity") or 0),
                               "order_timestamp": ist(time.time()), "tag": f.get("tag")}
        return ok({"order_id": oid})

    def mf_order_cancel(self, req: Request, user: str) -> Response:
        o = self.mf_orders.get(req.params["order_id"])
        if not o or o["placed_by"] != user:
            return err(400, "InputException", "Invalid order id.")
        o["status"] = "CANCELLED"
        return ok({"order_id": o["order_id"]})

    def mf_sip_list(self, req: Request, user: str) -> Response:
        return ok([s for s in self.mf_sips.values() if s["placed_by"] == user])

    def mf_sip_get(self, req: Request, user: str) -> Response:
        s = self.mf_sips.get(req.params["sip_id"])
        return ok(s) if s and s["placed_by"] == user else err(400, "InputException", "Invalid SIP id.")

    def mf_sip_place(self, req: Request, user: str) -> Response:
        f = req.form
        if not f.get("tradingsymbol") or not f.get("amount") or not f.get("instalments"):
            return err(400, "InputException", "Missing tradingsymbol, amount or instalments.")
        sid = str(next(self._ids) + 900000)
        self.mf_sips[sid] = {"sip_id": sid, "placed_by": user, "tradingsymbol": f["tradingsymbol"],
                             "instalment_amount": float(f["amount"]), "instalments": int(f["instalments"]),
                             "frequency": f.get("frequency", "monthly"), "status": "ACTIVE",
                             "created": ist(time.time()), "last_instalment": ist(time.time()), "tag": f.get("tag")}
        return ok({"sip_id": sid})

    def mf_sip_modify(self, req: Request, user: str) -> Response:
        s = self.mf_sips.get(req.params["sip_id"])
        if not s or s["placed_by"] != user:
            return err(400, "InputException", "Invalid SIP id.")
        f = req.form
        if f.get("amount"):
            s["instalment_amount"] = float(f["amount"])
        if f.get("status"):
            s["status"] = f["status"].upper()
        return ok({"sip_id": s["sip_id"]})

    def mf_sip_cancel(self, req: Request, user: str) -> Response:
        s = self.mf_sips.pop(req.params["sip_id"], None)
        return ok({"sip_id": s["sip_id"]}) if s else err(400, "InputException", "Invalid SIP id.")

    _MF_ISIN = "INF109K01Z48"

    def mf_holdings(self, req: Request, user: str) -> Response:
        return ok([{"folio": "1234567/89", "fund": "SANDBOX LIQUID FUND - DIRECT PLAN", "tradingsymbol": self._MF_ISIN,
                     "average_price": 312.5, "last_price": 318.25, "last_price_date": "2026-11-27", "pnl": 57.5,
                     "quantity": 10.0, "pledged_quantity": 0}])

    def mf_holding(self, req: Request, user: str) -> Response:
        if req.params["isin"] != self._MF_ISIN:
            return err(400, "InputException", "No holding for this ISIN.")
        return ok([{"fund": "SANDBOX LIQUID FUND - DIRECT PLAN", "tradingsymbol": self._MF_ISIN, "quantity": 10.0,
                     "average_price": 312.5, "folio": "1234567/89", "trade_date": "2026-10-01"}])

    def mf_allotments(self, req: Request, user: str) -> Response:
        return ok([])

    def mf_instruments(self, req: Request, user: str) -> Response:
        head = ("tradingsymbol,amc,name,purchase_allowed,redemption_allowed,minimum_purchase_amount,"
                "purchase_amount_multiplier,minimum_additional_purchase_amount,minimum_redemption_quantity,"
                "redemption_quantity_multiplier,dividend_type,scheme_type,plan,settlement_type,last_price,"
                "last_price_date\n")
        rows = (f"{self._MF_ISIN},SandboxAMC_MF,SANDBOX LIQUID FUND - DIRECT PLAN,1,1,500.0,1.0,500.0,0.001,0.001,"
                "growth,liquid,direct,T1,318.25,2026-11-27\n"
                "INF000S01AB2,SandboxAMC_MF,SANDBOX EQUITY FUND - REGULAR PLAN,1,0,1000.0,1.0,1000.0,0.001,0.001,"
                "payout,equity,regular,T3,45.1,\n")
        return Response(200, head + rows, "text/csv")

    def alert_list(self, req: Request, user: str) -> Response:
        status = req.arg("status")
        return ok([a for a in self.alerts.values() if a["user_id"] == user and status in (None, a["status"])])

    def _alert_from_form(self, f: Dict[str, str], uid: str, user: str) -> Dict[str, Any]:
        now = ist(time.time())
        a = {"type": f.get("type", "simple"), "user_id": user, "uuid": uid, "name": f.get("name"), "status": "enabled",
             "disabled_reason": "", "lhs_attribute": f.get("lhs_attribute"), "lhs_exchange": f.get("lhs_exchange"),
             "lhs_tradingsymbol": f.get("lhs_tradingsymbol"), "operator": f.get("operator"),
             "rhs_type": f.get("rhs_type"), "rhs_attribute": f.get("rhs_attribute", ""),
             "rhs_exchange": f.get("rhs_exchange", ""), "rhs_tradingsymbol": f.get("rhs_tradingsymbol", ""),
             "rhs_constant": float(f.get("rhs_constant") or 0), "alert_count": 0, "created_at": now, "updated_at": now}
        if f.get("basket"):
            a["basket"] = json.loads(f["basket"])
        return a

    def alert_create(self, req: Request, user: str) -> Response:
        f = req.form
        missing = [k for k in ("name", "type", "lhs_exchange", "lhs_tradingsymbol", "lhs_attribute", "operator",
                               "rhs_type") if not f.get(k)]
        if missing:
            return err(400, "InputException", f"Missing {', '.join(missing)}.")
        uid = str(uuid.uuid4())
        self.alerts[uid] = self._alert_from_form(f, uid, user)
        return ok(self.alerts[uid])

    def alert_get(self, req: Request, user: str) -> Response:
        a = self.alerts.get(req.params["uuid"])
        return ok(a) if a and a["user_id"] == user else err(400, "InputException", "Invalid alert uuid.")

    def alert_modify(self, req: Request, user: str) -> Response:
        a = self.alerts.get(req.params["uuid"])
        if not a or a["user_id"] != user:
            return err(400, "InputException", "Invalid alert uuid.")
        self.alerts[a["uuid"]] = dict(self._alert_from_form(req.form, a["uuid"], user), created_at=a["created_at"])
        return ok(self.alerts[a["uuid"]])

    def alert_delete(self, req: Request, user: str) -> Response:
        ids = req.query.get("uuid", [])
        if not ids:
            return err(400, "InputException", "Missing uuid.")
        for uid in ids:
            if self.alerts.get(uid, {}).get("user_id") == user:
                del self.alerts[uid]
        return ok(None)

    def alert_history(self, req: Request, user: str) -> Response:
        a = self.alerts.get(req.params["uuid"])
        if not a or a["user_id"] != user:
            return err(400, "InputException", "Invalid alert uuid.")
        return ok([{"uuid": a["uuid"], "type": a["type"], "meta": [{"instrument_token": 408065,
                     "tradingsymbol": a["lhs_tradingsymbol"], "timestamp": "2026-11-27 10:00:00",
                     "last_price": 1570.0, "last_trade_time": "0001-01-01 00:00:00"}],
                     "condition": "LastTradedPrice(\"NSE:INFY\") <= 1600", "created_at": a["created_at"],
                     "order_meta": None}])
