"""The Kite sandbox's REST handlers: user, orders, portfolio, market data, GTT,
margins, mutual funds and alerts. Mixed into :class:`~brokers.sandbox.kite.KiteSandbox`,
which owns the state these handlers read and change, and the login routes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import secrets
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..ist import IST
from .candles import cap_days
from .market import Instrument, Market
from .server import Request, Response

__all__ = ["KiteRoutes"]


def _err(status: int, error_type: str, message: str, data: Any = None) -> Response:
    body: Dict[str, Any] = {"status": "error", "message": message, "error_type": error_type}
    if data is not None:
        body["data"] = data
    return Response(status, body)


def _ok(data: Any) -> Response:
    return Response(200, {"status": "success", "data": data})


def _kite_date(value: Optional[str]) -> dt.datetime:
    value = value or ""
    fmt = "%Y-%m-%d" if len(value) == 10 else "%Y-%m-%d %H:%M:%S"
    return dt.datetime.strptime(value, fmt).replace(tzinfo=IST)


def _ist(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, IST).strftime("%Y-%m-%d %H:%M:%S")


class KiteRoutes:
    """Route handlers; each takes the request and the authenticated user id."""

    market: Market
    orders: Dict[str, Dict[str, Any]]
    order_history: Dict[str, List[Dict[str, Any]]]
    trades: List[Dict[str, Any]]
    gtts: Dict[int, Dict[str, Any]]
    alerts: Dict[str, Dict[str, Any]]
    mf_orders: Dict[str, Dict[str, Any]]
    mf_sips: Dict[str, Dict[str, Any]]
    holdings_qty: Dict[str, int]
    order_listeners: List[Callable[[str, Dict[str, Any]], None]]
    accounts: Dict[str, Any]
    _ids: Any

    # -- user ---------------------------------------------------------------------------
    def profile(self, req: Request, user: str) -> Response:
        acct = self.accounts[user]
        return _ok({"user_id": user, "user_type": "individual", "email": acct.email, "user_name": acct.user_name,
                    "user_shortname": acct.user_name.split()[0], "broker": "ZERODHA",
                    "exchanges": ["NSE", "BSE", "NFO", "CDS", "MCX"], "products": ["CNC", "NRML", "MIS"],
                    "order_types": ["MARKET", "LIMIT", "SL", "SL-M"], "avatar_url": None,
                    "meta": {"demat_consent": "consent"}})

    def profile_full(self, req: Request, user: str) -> Response:
        data = self.profile(req, user).body["data"]
        data.update({"phone": "*9999", "pan": "*1234F", "twofa_type": "totp", "bank_accounts": []})
        return _ok(data)

    def margins(self, req: Request, user: str) -> Response:
        seg = req.params.get("segment")
        one = {"enabled": True, "net": 99725.05, "available": {"adhoc_margin": 0, "cash": 100000.0,
               "opening_balance": 100000.0, "live_balance": 99725.05, "collateral": 0, "intraday_payin": 0},
               "utilised": {"debits": 274.95, "exposure": 0, "m2m_realised": 0, "m2m_unrealised": 0,
                            "option_premium": 0, "payout": 0, "span": 0, "holding_sales": 0, "turnover": 0}}
        if seg is None:
            return _ok({"equity": one, "commodity": dict(one, net=50000.0)})
        if seg not in ("equity", "commodity"):
            return _err(400, "InputException", "Invalid segment.")
        return _ok(one)

    # -- orders -------------------------------------------------------------------------
    def _new_order(self, user: str, variety: str, f: Dict[str, str]) -> Dict[str, Any]:
        order_id = str(250101000000000 + next(self._ids))
        ins = self.market.find(f"{f.get('exchange')}:{f.get('tradingsymbol')}")
        qty = int(f.get("quantity") or 0)
        market = f.get("order_type") == "MARKET"
        price = float(f.get("price") or 0)
        now = _ist(time.time())
        status = "COMPLETE" if market else "OPEN"
        fill = (ins.last if ins else price) if market else 0.0
        return {"placed_by": user, "order_id": order_id, "exchange_order_id": str(1300000000000000 + next(self._ids)),
                "parent_order_id": None, "status": status, "status_message": None, "status_message_raw": None,
                "order_timestamp": now, "exchange_update_timestamp": now, "exchange_timestamp": now,
                "variety": variety, "modified": False, "exchange": f.get("exchange"),
                "tradingsymbol": f.get("tradingsymbol"), "instrument_token": ins.token if ins else 0,
                "order_type": f.get("order_type"), "transaction_type": f.get("transaction_type"),
                "validity": f.get("validity", "DAY"), "validity_ttl": 0, "product": f.get("product"),
                "quantity": qty, "disclosed_quantity": int(f.get("disclosed_quantity") or 0), "price": price,
                "trigger_price": float(f.get("trigger_price") or 0), "average_price": fill,
                "filled_quantity": qty if market else 0, "pending_quantity": 0 if market else qty,
                "cancelled_quantity": 0, "market_protection": 0, "meta": {}, "tag": f.get("tag"),
                "tags": [f["tag"]] if f.get("tag") else [], "guid": uuid.uuid4().hex}

    def _record(self, order: Dict[str, Any]) -> None:
        self.orders[order["order_id"]] = order
        self.order_history.setdefault(order["order_id"], []).append(dict(order))
        for listener in list(self.order_listeners):
            try:
                listener(order["placed_by"], dict(order))
            except Exception:  # a broken listener must not fail the order
                pass

    def place_order(self, req: Request, user: str) -> Response:
        f = req.form
        variety = req.params["variety"]
        if variety not in ("regular", "amo", "co", "iceberg", "auction"):
            return _err(400, "InputException", "Invalid variety.")
        missing = [k for k in ("exchange", "tradingsymbol", "transaction_type", "quantity", "product", "order_type")
                   if not f.get(k)]
        if missing:
            return _err(400, "InputException", f"Missing {', '.join(missing)}.")
        if self.market.find(f"{f['exchange']}:{f['tradingsymbol']}") is None:
            return _err(400, "InputException", "Invalid `tradingsymbol`.")
        if f["order_type"] == "LIMIT" and not f.get("price"):
            return _err(400, "InputException", "Invalid `price`.")
        if int(f["quantity"]) > 100000:
            return _err(400, "MarginException", "Insufficient funds. Required margin is 95.00 but available "
                                                "margin is 74.80.")
        if f.get("autoslice") == "true":
            first = self._new_order(user, variety, f)
            second = self._new_order(user, variety, f)
            for o in (first, second):
                o["quantity"] = o["quantity"] // 2 or 1
                self._record(o)
            return _ok({"order_id": first["order_id"],
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
        return _ok({"order_id": order["order_id"]})

    def _own_order(self, user: str, order_id: str) -> Optional[Dict[str, Any]]:
        o = self.orders.get(order_id)
        return o if o is not None and o["placed_by"] == user else None

    def modify_order(self, req: Request, user: str) -> Response:
        o = self._own_order(user, req.params["order_id"])
        if o is None:
            return _err(400, "InputException", "Invalid `order_id`.")
        if o["status"] != "OPEN":
            return _err(400, "OrderException", f"Order cannot be modified as it is being processed or is {o['status']}.")
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
        o["exchange_update_timestamp"] = _ist(time.time())
        self._record(o)
        return _ok({"order_id": o["order_id"]})

    def cancel_order(self, req: Request, user: str) -> Response:
        o = self._own_order(user, req.params["order_id"])
        if o is None:
            return _err(400, "InputException", "Invalid `order_id`.")
        if o["status"] != "OPEN":
            return _err(400, "OrderException", f"Order cannot be cancelled as it is {o['status']}.")
        o = dict(o, status="CANCELLED", cancelled_quantity=o["pending_quantity"], pending_quantity=0)
        self._record(o)
        return _ok({"order_id": o["order_id"]})

    def list_orders(self, req: Request, user: str) -> Response:
        return _ok([dict(o) for o in self.orders.values() if o["placed_by"] == user])

    def get_order_history(self, req: Request, user: str) -> Response:
        if self._own_order(user, req.params["order_id"]) is None:
            return _err(400, "InputException", "Invalid `order_id`.")
        return _ok([dict(o) for o in self.order_history[req.params["order_id"]]])

    def get_order_trades(self, req: Request, user: str) -> Response:
        return _ok([t for t in self.trades if t["order_id"] == req.params["order_id"]])

    def list_trades(self, req: Request, user: str) -> Response:
        return _ok([t for t in self.trades if self.orders[t["order_id"]]["placed_by"] == user])

    # -- portfolio ----------------------------------------------------------------------
    def _holding(self, sym: str, qty: int) -> Dict[str, Any]:
        i = self.market.find(f"NSE:{sym}")
        assert i is not None
        avg = round(i.close * 0.9, 2)
        return {"tradingsymbol": sym, "exchange": "NSE", "instrument_token": i.token, "isin": i.isin,
                "product": "CNC", "price": 0, "quantity": qty, "used_quantity": 0, "t1_quantity": 0,
                "realised_quantity": qty, "authorised_quantity": 0, "authorised_date": "2026-11-27 00:00:00",
                "opening_quantity": qty, "collateral_quantity": 0, "collateral_type": "",
                "discrepancy": False, "average_price": avg, "last_price": i.last, "close_price": i.close,
                "pnl": round((i.last - avg) * qty, 2), "day_change": round(i.last - i.close, 2),
                "day_change_percentage": round((i.last - i.close) * 100 / i.close, 4)}

    def holdings(self, req: Request, user: str) -> Response:
        return _ok([self._holding(s, q) for s, q in self.holdings_qty.items()])

    def holdings_summary(self, req: Request, user: str) -> Response:
        rows = [self._holding(s, q) for s, q in self.holdings_qty.items()]
        invested = sum(r["average_price"] * r["quantity"] for r in rows)
        current = sum(r["last_price"] * r["quantity"] for r in rows)
        return _ok({"total_pnl": round(current - invested, 2), "total_pnl_percent": round((current - invested) * 100 / invested, 4),
                    "today_pnl": round(sum(r["day_change"] * r["quantity"] for r in rows), 2),
                    "invested_amount": round(invested, 2), "current_value": round(current, 2)})

    def holdings_compact(self, req: Request, user: str) -> Response:
        return _ok([{"exchange": "NSE", "tradingsymbol": s, "instrument_token": self.market.find(f"NSE:{s}").token,  # type: ignore[union-attr]
                     "quantity": q} for s, q in self.holdings_qty.items()])

    def holdings_authorise(self, req: Request, user: str) -> Response:
        return _ok({"request_id": secrets.token_hex(8)})

    def auctions(self, req: Request, user: str) -> Response:
        return _ok([])

    def positions(self, req: Request, user: str) -> Response:
        net: Dict[Tuple[str, str, str], Dict[str, Any]] = {}
        for t in self.trades:
            if self.orders[t["order_id"]]["placed_by"] != user:
                continue
            k = (t["exchange"], t["tradingsymbol"], t["product"])
            p = net.setdefault(k, {"tradingsymbol": k[1], "exchange": k[0], "instrument_token": t["instrument_token"],
                                   "product": k[2], "quantity": 0, "overnight_quantity": 0, "multiplier": 1,
                                   "average_price": 0.0, "buy_quantity": 0, "sell_quantity": 0, "buy_value": 0.0,
                                   "sell_value": 0.0, "pnl": 0.0, "m2m": 0.0})
            sign = 1 if t["transaction_type"] == "BUY" else -1
            p["quantity"] += sign * t["quantity"]
            side = "buy" if sign > 0 else "sell"
            p[f"{side}_quantity"] += t["quantity"]
            p[f"{side}_value"] += t["quantity"] * t["average_price"]
            p["average_price"] = t["average_price"]
        for p in net.values():
            i = self.market.get(p["instrument_token"])
            p["last_price"] = i.last if i else 0.0
            p["pnl"] = round(p["sell_value"] - p["buy_value"] + p["quantity"] * p["last_price"], 2)
        rows = list(net.values())
        return _ok({"net": rows, "day": [dict(r) for r in rows]})

    def convert_position(self, req: Request, user: str) -> Response:
        f = req.form
        missing = [k for k in ("exchange", "tradingsymbol", "transaction_type", "position_type", "quantity",
                               "old_product", "new_product") if not f.get(k)]
        if missing:
            return _err(400, "InputException", f"Missing {', '.join(missing)}.")
        return _ok(True)

    # -- market data --------------------------------------------------------------------
    def _instruments_for(self, req: Request) -> List[Tuple[str, Instrument]]:
        """The requested instruments that exist, with the key they were asked by."""
        found = []
        for key in req.query.get("i", []):
            ins = self.market.find(key)
            if ins is None and key.isdigit():
                ins = self.market.get(int(key))
            if ins is not None:
                found.append((key, ins))
        return found

    def _ohlc(self, i: Instrument) -> Dict[str, float]:
        return {"open": i.open, "high": i.high, "low": i.low, "close": i.close}

    def quote(self, req: Request, user: str) -> Response:
        out = {}
        for key, i in self._instruments_for(req):
            out[key] = {"instrument_token": i.token, "timestamp": _ist(time.time()),
                        "last_trade_time": _ist(i.last_trade), "last_price": i.last, "last_quantity": i.last_qty,
                        "buy_quantity": i.buy_qty, "sell_quantity": i.sell_qty, "volume": i.volume,
                        "average_price": round((i.high + i.low) / 2, 2), "oi": i.oi, "oi_day_high": i.oi,
                        "oi_day_low": i.oi, "net_change": round(i.last - i.close, 4),
                        "lower_circuit_limit": round(i.close * 0.8, 2), "upper_circuit_limit": round(i.close * 1.2, 2),
                        "ohlc": self._ohlc(i), "depth": self.market.depth(i)}
        return _ok(out)

    def ohlc(self, req: Request, user: str) -> Response:
        return _ok({k: {"instrument_token": i.token, "last_price": i.last, "ohlc": self._ohlc(i)}
                    for k, i in self._instruments_for(req)})

    def ltp(self, req: Request, user: str) -> Response:
        return _ok({k: {"instrument_token": i.token, "last_price": i.last}
                    for k, i in self._instruments_for(req)})

    _INTERVALS = {"minute": 1, "3minute": 3, "5minute": 5, "10minute": 10, "15minute": 15, "30minute": 30,
                  "60minute": 60, "day": 1440}

    def historical(self, req: Request, user: str) -> Response:
        i = self.market.get(int(req.params["token"])) if req.params["token"].isdigit() else None
        minutes = self._INTERVALS.get(req.params["interval"])
        if i is None or minutes is None:
            return _err(400, "InputException", "Invalid token or interval.")
        try:
            start, end = _kite_date(req.arg("from")), _kite_date(req.arg("to"))
        except ValueError:
            return _err(400, "InputException", "Invalid `from` or `to` date. Use yyyy-mm-dd hh:mm:ss.")
        if minutes == 1440:
            start = start.replace(hour=0, minute=0, second=0)
        cap = cap_days("kite", minutes)
        if cap is not None and end - start > dt.timedelta(days=cap):
            return _err(400, "InputException", f"interval exceeds max limit: {cap} days")
        candles = []
        for ts, o, h, low, c, v in self.market.candles(i, start, end, minutes):
            row: List[Any] = [dt.datetime.fromtimestamp(ts, IST).strftime("%Y-%m-%dT%H:%M:%S+0530"), o, h, low, c, v]
            if req.arg("oi") == "1":
                row.append(i.oi)
            candles.append(row)
        return _ok({"candles": candles})

    def trigger_range(self, req: Request, user: str) -> Response:
        out = {}
        for key, i in self._instruments_for(req):
            out[key] = {"instrument_token": i.token, "lower": round(i.last * 0.97, 2), "upper": round(i.last * 1.03, 2),
                        "percentage": 3}
        return _ok(out)

    def instruments(self, req: Request) -> Response:
        exchange = req.params.get("exchange")
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["instrument_token", "exchange_token", "tradingsymbol", "name", "last_price", "expiry", "strike",
                    "tick_size", "lot_size", "instrument_type", "segment", "exchange"])
        for i in self.market.instruments:
            if exchange and i.exchange != exchange:
                continue
            w.writerow([i.token, i.token >> 8, i.tradingsymbol, i.name, 0, i.expiry, i.strike, i.tick_size,
                        i.lot_size, i.instrument_type, i.segment, i.exchange])
        return Response(200, buf.getvalue(), "text/csv")

    # -- GTT ----------------------------------------------------------------------------
    def _gtt_from_form(self, f: Dict[str, str], trigger_id: int, user: str) -> Dict[str, Any]:
        condition = json.loads(f["condition"])
        orders = json.loads(f["orders"])
        i = self.market.find(f"{condition.get('exchange')}:{condition.get('tradingsymbol')}")
        condition["instrument_token"] = i.token if i else 0
        now = _ist(time.time())
        return {"id": trigger_id, "user_id": user, "parent_trigger": None, "type": f["type"], "created_at": now,
                "updated_at": now, "expires_at": _ist(time.time() + 365 * 86400), "status": "active",
                "condition": condition, "orders": [dict(o, result=None) for o in orders], "meta": {}}

    def gtt_place(self, req: Request, user: str) -> Response:
        f = req.form
        if f.get("type") not in ("single", "two-leg") or not f.get("condition") or not f.get("orders"):
            return _err(400, "InputException", "Invalid GTT.")
        trigger_id = 100000 + next(self._ids)
        self.gtts[trigger_id] = self._gtt_from_form(f, trigger_id, user)
        return _ok({"trigger_id": trigger_id})

    def _own_gtt(self, req: Request, user: str) -> Optional[Dict[str, Any]]:
        g = self.gtts.get(int(req.params["trigger_id"])) if req.params["trigger_id"].isdigit() else None
        return g if g is not None and g["user_id"] == user else None

    def gtt_list(self, req: Request, user: str) -> Response:
        return _ok([g for g in self.gtts.values() if g["user_id"] == user])

    def gtt_get(self, req: Request, user: str) -> Response:
        g = self._own_gtt(req, user)
        return _ok(g) if g else _err(400, "InputException", "Invalid trigger id.")

    def gtt_modify(self, req: Request, user: str) -> Response:
        g = self._own_gtt(req, user)
        if g is None:
            return _err(400, "InputException", "Invalid trigger id.")
        self.gtts[g["id"]] = self._gtt_from_form(req.form, g["id"], user)
        return _ok({"trigger_id": g["id"]})

    def gtt_delete(self, req: Request, user: str) -> Response:
        g = self._own_gtt(req, user)
        if g is None:
            return _err(400, "InputException", "Invalid trigger id.")
        del self.gtts[g["id"]]
        return _ok({"trigger_id": g["id"]})

    # -- margins and charges ------------------------------------------------------------
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
        return _err(400, "InputException", "Expected a JSON list.") if rows is None else _ok(
            [self._margin_row(o) for o in rows])

    def basket_margins(self, req: Request, user: str) -> Response:
        rows = self._json_list(req)
        if rows is None:
            return _err(400, "InputException", "Expected a JSON list.")
        orders = [self._margin_row(o) for o in rows]
        total = round(sum(o["total"] for o in orders), 2)
        agg = dict(self._margin_row({}), total=total, var=total)
        return _ok({"initial": agg, "final": agg, "orders": orders, "charges": agg["charges"]})

    def charges(self, req: Request, user: str) -> Response:
        rows = self._json_list(req)
        if rows is None:
            return _err(400, "InputException", "Expected a JSON list.")
        return _ok([dict({k: o.get(k) for k in ("transaction_type", "tradingsymbol", "exchange", "variety",
                                                  "product", "order_type", "quantity", "price")},
                         charges=self._margin_row(o)["charges"]) for o in rows])

    # -- mutual funds -------------------------------------------------------------------
    def mf_order_list(self, req: Request, user: str) -> Response:
        return _ok([o for o in self.mf_orders.values() if o["placed_by"] == user])

    def mf_order_get(self, req: Request, user: str) -> Response:
        o = self.mf_orders.get(req.params["order_id"])
        return _ok(o) if o and o["placed_by"] == user else _err(400, "InputException", "Invalid order id.")

    def mf_order_place(self, req: Request, user: str) -> Response:
        f = req.form
        if not f.get("tradingsymbol") or f.get("transaction_type") not in ("BUY", "SELL"):
            return _err(400, "InputException", "Invalid tradingsymbol or transaction_type.")
        oid = str(uuid.uuid4())
        self.mf_orders[oid] = {"order_id": oid, "placed_by": user, "status": "OPEN",
                               "tradingsymbol": f["tradingsymbol"], "transaction_type": f["transaction_type"],
                               "amount": float(f.get("amount") or 0), "quantity": float(f.get("quantity") or 0),
                               "order_timestamp": _ist(time.time()), "tag": f.get("tag")}
        return _ok({"order_id": oid})

    def mf_order_cancel(self, req: Request, user: str) -> Response:
        o = self.mf_orders.get(req.params["order_id"])
        if not o or o["placed_by"] != user:
            return _err(400, "InputException", "Invalid order id.")
        o["status"] = "CANCELLED"
        return _ok({"order_id": o["order_id"]})

    def mf_sip_list(self, req: Request, user: str) -> Response:
        return _ok([s for s in self.mf_sips.values() if s["placed_by"] == user])

    def mf_sip_get(self, req: Request, user: str) -> Response:
        s = self.mf_sips.get(req.params["sip_id"])
        return _ok(s) if s and s["placed_by"] == user else _err(400, "InputException", "Invalid SIP id.")

    def mf_sip_place(self, req: Request, user: str) -> Response:
        f = req.form
        if not f.get("tradingsymbol") or not f.get("amount") or not f.get("instalments"):
            return _err(400, "InputException", "Missing tradingsymbol, amount or instalments.")
        sid = str(next(self._ids) + 900000)
        self.mf_sips[sid] = {"sip_id": sid, "placed_by": user, "tradingsymbol": f["tradingsymbol"],
                             "instalment_amount": float(f["amount"]), "instalments": int(f["instalments"]),
                             "frequency": f.get("frequency", "monthly"), "status": "ACTIVE",
                             "created": _ist(time.time()), "last_instalment": _ist(time.time()), "tag": f.get("tag")}
        return _ok({"sip_id": sid})

    def mf_sip_modify(self, req: Request, user: str) -> Response:
        s = self.mf_sips.get(req.params["sip_id"])
        if not s or s["placed_by"] != user:
            return _err(400, "InputException", "Invalid SIP id.")
        f = req.form
        if f.get("amount"):
            s["instalment_amount"] = float(f["amount"])
        if f.get("status"):
            s["status"] = f["status"].upper()
        return _ok({"sip_id": s["sip_id"]})

    def mf_sip_cancel(self, req: Request, user: str) -> Response:
        s = self.mf_sips.pop(req.params["sip_id"], None)
        return _ok({"sip_id": s["sip_id"]}) if s else _err(400, "InputException", "Invalid SIP id.")

    _MF_ISIN = "INF109K01Z48"

    def mf_holdings(self, req: Request, user: str) -> Response:
        return _ok([{"folio": "1234567/89", "fund": "SANDBOX LIQUID FUND - DIRECT PLAN", "tradingsymbol": self._MF_ISIN,
                     "average_price": 312.5, "last_price": 318.25, "last_price_date": "2026-11-27", "pnl": 57.5,
                     "quantity": 10.0, "pledged_quantity": 0}])

    def mf_holding(self, req: Request, user: str) -> Response:
        if req.params["isin"] != self._MF_ISIN:
            return _err(400, "InputException", "No holding for this ISIN.")
        return _ok([{"fund": "SANDBOX LIQUID FUND - DIRECT PLAN", "tradingsymbol": self._MF_ISIN, "quantity": 10.0,
                     "average_price": 312.5, "folio": "1234567/89", "trade_date": "2026-10-01"}])

    def mf_allotments(self, req: Request, user: str) -> Response:
        return _ok([])

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

    # -- alerts -------------------------------------------------------------------------
    def alert_list(self, req: Request, user: str) -> Response:
        status = req.arg("status")
        return _ok([a for a in self.alerts.values() if a["user_id"] == user and status in (None, a["status"])])

    def _alert_from_form(self, f: Dict[str, str], uid: str, user: str) -> Dict[str, Any]:
        now = _ist(time.time())
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
            return _err(400, "InputException", f"Missing {', '.join(missing)}.")
        uid = str(uuid.uuid4())
        self.alerts[uid] = self._alert_from_form(f, uid, user)
        return _ok(self.alerts[uid])

    def alert_get(self, req: Request, user: str) -> Response:
        a = self.alerts.get(req.params["uuid"])
        return _ok(a) if a and a["user_id"] == user else _err(400, "InputException", "Invalid alert uuid.")

    def alert_modify(self, req: Request, user: str) -> Response:
        a = self.alerts.get(req.params["uuid"])
        if not a or a["user_id"] != user:
            return _err(400, "InputException", "Invalid alert uuid.")
        self.alerts[a["uuid"]] = dict(self._alert_from_form(req.form, a["uuid"], user), created_at=a["created_at"])
        return _ok(self.alerts[a["uuid"]])

    def alert_delete(self, req: Request, user: str) -> Response:
        ids = req.query.get("uuid", [])
        if not ids:
            return _err(400, "InputException", "Missing uuid.")
        for uid in ids:
            if self.alerts.get(uid, {}).get("user_id") == user:
                del self.alerts[uid]
        return _ok(None)

    def alert_history(self, req: Request, user: str) -> Response:
        a = self.alerts.get(req.params["uuid"])
        if not a or a["user_id"] != user:
            return _err(400, "InputException", "Invalid alert uuid.")
        return _ok([{"uuid": a["uuid"], "type": a["type"], "meta": [{"instrument_token": 408065,
                     "tradingsymbol": a["lhs_tradingsymbol"], "timestamp": "2026-11-27 10:00:00",
                     "last_price": 1570.0, "last_trade_time": "0001-01-01 00:00:00"}],
                     "condition": "LastTradedPrice(\"NSE:INFY\") <= 1600", "created_at": a["created_at"],
                     "order_meta": None}])
