"""The sandbox's Dhan REST handlers (``/dhan/v2/...``), behind the auth and rate
limit guard of :class:`~brokers.sandbox.dhan.DhanSandbox`.

Each handler gets the request and the authenticated client id, and runs under
the sandbox lock. Bodies are our own fixture data shaped after Dhan's docs.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from ..ist import IST
from .dhan import SEGMENTS, data_err, err
from .market import Instrument
from .server import Request, Response

if TYPE_CHECKING:
    from .dhan import DhanSandbox

__all__ = ["routes"]

Handler = Callable[[Request, str], Response]
_PRODUCTS = ("CNC", "INTRADAY", "MARGIN", "MTF", "CO", "BO")
_ORDER_TYPES = ("LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_MARKET")
_OPEN = ("PENDING", "TRANSIT", "PART_TRADED")


def _body(req: Request) -> Dict[str, Any]:
    try:
        data = req.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _now() -> str:
    return dt.datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")


class _Api:
    def __init__(self, sb: DhanSandbox) -> None:
        self.sb = sb

    # -- orders -------------------------------------------------------------------------
    def _check_order(self, b: Dict[str, Any], client: str) -> Optional[Response]:
        missing = [k for k in ("dhanClientId", "transactionType", "exchangeSegment", "productType", "orderType",
                               "validity", "securityId", "quantity") if b.get(k) in (None, "")]
        if missing:
            return err(400, "DH-905", f"Missing required fields: {', '.join(missing)}")
        if b["transactionType"] not in ("BUY", "SELL") or b["productType"] not in _PRODUCTS \
                or b["orderType"] not in _ORDER_TYPES or b["validity"] not in ("DAY", "IOC"):
            return err(400, "DH-905", "Invalid transactionType, productType, orderType or validity.")
        if self.sb.instrument(b["exchangeSegment"], b["securityId"]) is None:
            return err(400, "DH-905", "Invalid securityId for the exchangeSegment.")
        if not isinstance(b["quantity"], int) or b["quantity"] <= 0:
            return err(400, "DH-905", "quantity must be a positive integer.")
        if b["orderType"] in ("LIMIT", "STOP_LOSS") and not b.get("price"):
            return err(400, "DH-905", "price is required for LIMIT and STOP_LOSS orders.")
        if self.sb.kill_switch.get(client):
            return err(400, "DH-906", "Kill switch is active; trading is disabled for the day.", "Order_Error")
        if b["quantity"] > 100000:
            return err(400, "DH-906", "RMS: insufficient margin. Required 95,000.00, available 74,800.00.",
                       "Order_Error")
        return None

    def _new_order(self, b: Dict[str, Any], client: str) -> Dict[str, Any]:
        sb = self.sb
        i = sb.instrument(b["exchangeSegment"], b["securityId"])
        assert i is not None
        market = b["orderType"] in ("MARKET",)
        now = _now()
        order = {
            "dhanClientId": client, "orderId": str(5125000000 + next(sb._ids)),
            "exchangeOrderId": str(1100000000000000 + next(sb._ids)), "correlationId": b.get("correlationId", ""),
            "orderStatus": "TRADED" if market else "PENDING", "transactionType": b["transactionType"],
            "exchangeSegment": b["exchangeSegment"], "productType": b["productType"], "orderType": b["orderType"],
            "validity": b["validity"], "tradingSymbol": i.tradingsymbol, "securityId": str(b["securityId"]),
            "quantity": b["quantity"], "disclosedQuantity": b.get("disclosedQuantity", 0),
            "price": float(b.get("price") or 0), "triggerPrice": float(b.get("triggerPrice") or 0),
            "afterMarketOrder": bool(b.get("afterMarketOrder")), "boProfitValue": b.get("boProfitValue"),
            "boStopLossValue": b.get("boStopLossValue"), "legName": b.get("legName", ""), "createTime": now,
            "updateTime": now, "exchangeTime": now, "drvExpiryDate": i.expiry or None,
            "drvOptionType": "CALL" if i.instrument_type == "CE" else None, "drvStrikePrice": i.strike,
            "omsErrorCode": None, "omsErrorDescription": None, "algoId": "0",
            "remainingQuantity": 0 if market else b["quantity"], "averageTradedPrice": i.last if market else 0.0,
            "filledQty": b["quantity"] if market else 0, "modifications": 0,
        }
        if b.get("afterMarketOrder"):
            order["amoTime"] = b.get("amoTime")
        return order

    def _record(self, order: Dict[str, Any]) -> None:
        sb = self.sb
        sb.orders[order["orderId"]] = order
        if order["orderStatus"] == "TRADED" and not any(t["orderId"] == order["orderId"] for t in sb.trades):
            sb.trades.append({
                "dhanClientId": order["dhanClientId"], "orderId": order["orderId"],
                "exchangeOrderId": order["exchangeOrderId"], "exchangeTradeId": str(900000 + next(sb._ids)),
                "transactionType": order["transactionType"], "exchangeSegment": order["exchangeSegment"],
                "productType": order["productType"], "orderType": order["orderType"],
                "tradingSymbol": order["tradingSymbol"], "customSymbol": order["tradingSymbol"],
                "securityId": order["securityId"], "tradedQuantity": order["quantity"],
                "tradedPrice": order["averageTradedPrice"], "createTime": order["createTime"],
                "updateTime": order["updateTime"], "exchangeTime": order["exchangeTime"],
                "drvExpiryDate": order["drvExpiryDate"], "drvOptionType": order["drvOptionType"],
                "drvStrikePrice": order["drvStrikePrice"]})
        for listener in list(sb.order_listeners):
            try:
                listener(order["dhanClientId"], dict(order))
            except Exception:  # a broken listener must not fail the order
                pass

    def place_order(self, req: Request, client: str) -> Response:
        b = _body(req)
        problem = self._check_order(b, client)
        if problem is not None:
            return problem
        order = self._new_order(b, client)
        self._record(order)
        return Response(200, {"orderId": order["orderId"], "orderStatus": order["orderStatus"]})

    def place_slice(self, req: Request, client: str) -> Response:
        b = _body(req)
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
        o = self.sb.orders.get(order_id)
        return o if o is not None and o["dhanClientId"] == client else None

    def modify_order(self, req: Request, client: str) -> Response:
        o = self._own(client, req.params["order_id"])
        if o is None:
            return err(400, "DH-905", "Invalid orderId.")
        if o["orderStatus"] not in _OPEN:
            return err(400, "DH-906", f"Order is {o['orderStatus']} and cannot be modified.", "Order_Error")
        if o["modifications"] >= 25:
            return err(400, "DH-906", "At most 25 modifications are allowed per order.", "Order_Error")
        b = _body(req)
        if b.get("orderId") != o["orderId"] or b.get("orderType") not in _ORDER_TYPES:
            return err(400, "DH-905", "Missing or invalid orderId or orderType.")
        o = dict(o)
        for k in ("orderType", "quantity", "price", "triggerPrice", "disclosedQuantity", "validity", "legName"):
            if k in b:
                o[k] = b[k]
        o["remainingQuantity"] = o["quantity"]
        o["modifications"] += 1
        o["updateTime"] = _now()
        self._record(o)
        return Response(200, {"orderId": o["orderId"], "orderStatus": o["orderStatus"]})

    def cancel_order(self, req: Request, client: str) -> Response:
        o = self._own(client, req.params["order_id"])
        if o is None:
            return err(400, "DH-905", "Invalid orderId.")
        if o["orderStatus"] not in _OPEN:
            return err(400, "DH-906", f"Order is {o['orderStatus']} and cannot be cancelled.", "Order_Error")
        o = dict(o, orderStatus="CANCELLED", updateTime=_now())
        self._record(o)
        return Response(200, {"orderId": o["orderId"], "orderStatus": "CANCELLED"})

    def list_orders(self, req: Request, client: str) -> Response:
        return Response(200, [o for o in self.sb.orders.values() if o["dhanClientId"] == client])

    def get_order(self, req: Request, client: str) -> Response:
        o = self._own(client, req.params["order_id"])
        return Response(200, o) if o else err(400, "DH-905", "Invalid orderId.")

    def order_by_correlation(self, req: Request, client: str) -> Response:
        found = [o for o in self.sb.orders.values()
                 if o["dhanClientId"] == client and o["correlationId"] == req.params["correlation_id"]]
        return Response(200, found[-1]) if found else err(400, "DH-907", "No order for this correlationId.",
                                                          "Data_Error")

    # -- super orders -------------------------------------------------------------------
    def place_super(self, req: Request, client: str) -> Response:
        b = _body(req)
        b.setdefault("validity", "DAY")
        problem = self._check_order(b, client)
        if problem is not None:
            return problem
        oid = str(7125000000 + next(self.sb._ids))
        legs = [{"orderId": oid, "legName": leg, "transactionType": "SELL" if b["transactionType"] == "BUY" else "BUY",
                 "totalQuatity": b["quantity"], "remainingQuantity": b["quantity"], "triggeredQuantity": 0,
                 "price": b.get(key, 0.0), "orderStatus": "PENDING", "trailingJump": b.get("trailingJump", 0.0)}
                for leg, key in (("TARGET_LEG", "targetPrice"), ("STOP_LOSS_LEG", "stopLossPrice"))]
        self.sb.super_orders[oid] = dict(b, orderId=oid, orderStatus="PENDING", legName="ENTRY_LEG",
                                         createTime=_now(), legDetails=legs)
        return Response(200, {"orderId": oid, "orderStatus": "PENDING"})

    def modify_super(self, req: Request, client: str) -> Response:
        o = self.sb.super_orders.get(req.params["order_id"])
        if o is None or o["dhanClientId"] != client:
            return err(400, "DH-905", "Invalid orderId.")
        b = _body(req)
        for k in ("orderType", "quantity", "price", "targetPrice", "stopLossPrice", "trailingJump"):
            if k in b:
                o[k] = b[k]
        return Response(200, {"orderId": o["orderId"], "orderStatus": o["orderStatus"]})

    def cancel_super(self, req: Request, client: str) -> Response:
        o = self.sb.super_orders.get(req.params["order_id"])
        if o is None or o["dhanClientId"] != client:
            return err(400, "DH-905", "Invalid orderId.")
        leg = req.params["order_leg"]
        if leg == "ENTRY_LEG":
            o["orderStatus"] = "CANCELLED"
        o["legDetails"] = [dict(x, orderStatus="CANCELLED") if leg in ("ENTRY_LEG", x["legName"]) else x
                           for x in o["legDetails"]]
        return Response(200, {"orderId": o["orderId"], "orderStatus": "CANCELLED"})

    def list_super(self, req: Request, client: str) -> Response:
        return Response(200, [o for o in self.sb.super_orders.values() if o["dhanClientId"] == client])

    # -- forever orders -----------------------------------------------------------------
    def place_forever(self, req: Request, client: str) -> Response:
        b = _body(req)
        if b.get("orderFlag") not in ("SINGLE", "OCO") or not b.get("triggerPrice"):
            return err(400, "DH-905", "Missing or invalid orderFlag or triggerPrice.")
        problem = self._check_order(b, client)
        if problem is not None:
            return problem
        oid = str(6125000000 + next(self.sb._ids))
        self.sb.forever_orders[oid] = dict(b, orderId=oid, orderStatus="PENDING", createTime=_now())
        return Response(200, {"orderId": oid, "orderStatus": "PENDING"})

    def modify_forever(self, req: Request, client: str) -> Response:
        o = self.sb.forever_orders.get(req.params["order_id"])
        if o is None or o["dhanClientId"] != client:
            return err(400, "DH-905", "Invalid orderId.")
        o.update({k: v for k, v in _body(req).items() if k != "dhanClientId"})
        return Response(200, {"orderId": o["orderId"], "orderStatus": o["orderStatus"]})

    def cancel_forever(self, req: Request, client: str) -> Response:
        o = self.sb.forever_orders.get(req.params["order_id"])
        if o is None or o["dhanClientId"] != client:
            return err(400, "DH-905", "Invalid orderId.")
        o["orderStatus"] = "CANCELLED"
        return Response(200, {"orderId": o["orderId"], "orderStatus": "CANCELLED"})

    def list_forever(self, req: Request, client: str) -> Response:
        return Response(200, [o for o in self.sb.forever_orders.values() if o["dhanClientId"] == client])

    # -- conditional orders -------------------------------------------------------------
    def place_alert(self, req: Request, client: str) -> Response:
        b = _body(req)
        if not isinstance(b.get("condition"), dict) or not isinstance(b.get("orders"), list):
            return err(400, "DH-905", "condition and orders are required.")
        aid = str(8125000000 + next(self.sb._ids))
        self.sb.alerts[aid] = {"alertId": aid, "dhanClientId": client, "alertStatus": "ACTIVE",
                               "condition": b["condition"], "orders": b["orders"], "createdTime": _now()}
        return Response(200, {"alertId": aid, "alertStatus": "ACTIVE"})

    def _alert(self, req: Request, client: str) -> Optional[Dict[str, Any]]:
        a = self.sb.alerts.get(req.params["alert_id"])
        return a if a is not None and a["dhanClientId"] == client else None

    def get_alert(self, req: Request, client: str) -> Response:
        a = self._alert(req, client)
        return Response(200, a) if a else err(400, "DH-905", "Invalid alertId.")

    def list_alerts(self, req: Request, client: str) -> Response:
        return Response(200, [a for a in self.sb.alerts.values() if a["dhanClientId"] == client])

    def modify_alert(self, req: Request, client: str) -> Response:
        a = self._alert(req, client)
        if a is None:
            return err(400, "DH-905", "Invalid alertId.")
        b = _body(req)
        a["condition"] = b.get("condition", a["condition"])
        a["orders"] = b.get("orders", a["orders"])
        return Response(200, {"alertId": a["alertId"], "alertStatus": a["alertStatus"]})

    def cancel_alert(self, req: Request, client: str) -> Response:
        a = self._alert(req, client)
        if a is None:
            return err(400, "DH-905", "Invalid alertId.")
        a["alertStatus"] = "CANCELLED"
        return Response(200, {"alertId": a["alertId"], "alertStatus": "CANCELLED"})

    # -- portfolio ----------------------------------------------------------------------
    def holdings(self, req: Request, client: str) -> Response:
        out = []
        for i in self.sb.market.instruments:
            seg, sid, _ = self.sb.ids(i)
            qty = self.sb.holdings_qty.get(sid)
            if qty:
                out.append({"exchange": "ALL", "tradingSymbol": i.tradingsymbol, "securityId": str(sid),
                            "isin": i.isin, "totalQty": qty, "dpQty": qty, "t1Qty": 0, "availableQty": qty,
                            "collateralQty": 0, "avgCostPrice": round(i.close * 0.9, 2), "lastTradedPrice": i.last})
        return Response(200, out)

    def positions(self, req: Request, client: str) -> Response:
        book: Dict[Tuple[str, str, str], Dict[str, Any]] = {}
        for t in self.sb.trades:
            if t["dhanClientId"] != client:
                continue
            key = (t["exchangeSegment"], t["securityId"], t["productType"])
            p = book.setdefault(key, {"dhanClientId": client, "tradingSymbol": t["tradingSymbol"],
                                      "securityId": t["securityId"], "exchangeSegment": t["exchangeSegment"],
                                      "productType": t["productType"], "buyQty": 0, "sellQty": 0, "buyAvg": 0.0,
                                      "sellAvg": 0.0, "netQty": 0, "realizedProfit": 0.0, "unrealizedProfit": 0.0,
                                      "multiplier": 1, "drvExpiryDate": t["drvExpiryDate"],
                                      "drvOptionType": t["drvOptionType"], "drvStrikePrice": t["drvStrikePrice"]})
            side = "buy" if t["transactionType"] == "BUY" else "sell"
            qty, total = p[f"{side}Qty"], p[f"{side}Avg"] * p[f"{side}Qty"]
            p[f"{side}Qty"] = qty + t["tradedQuantity"]
            p[f"{side}Avg"] = round((total + t["tradedPrice"] * t["tradedQuantity"]) / p[f"{side}Qty"], 2)
            p["netQty"] = p["buyQty"] - p["sellQty"]
        for p in book.values():
            p["positionType"] = "LONG" if p["netQty"] > 0 else "SHORT" if p["netQty"] < 0 else "CLOSED"
        return Response(200, list(book.values()))

    def exit_all(self, req: Request, client: str) -> Response:
        for o in list(self.sb.orders.values()):
            if o["dhanClientId"] == client and o["orderStatus"] in _OPEN:
                self._record(dict(o, orderStatus="CANCELLED", updateTime=_now()))
        return Response(200, {"status": "SUCCESS", "message": "All orders and positions exited successfully"})

    def convert(self, req: Request, client: str) -> Response:
        b = _body(req)
        missing = [k for k in ("fromProductType", "exchangeSegment", "positionType", "securityId", "convertQty",
                               "toProductType") if b.get(k) in (None, "")]
        if missing:
            return err(400, "DH-905", f"Missing required fields: {', '.join(missing)}")
        return Response(200, {"status": "success", "message": "Position converted"})

    # -- funds --------------------------------------------------------------------------
    def fund_limit(self, req: Request, client: str) -> Response:
        return Response(200, {"dhanClientId": client, "availabelBalance": 98440.0, "sodLimit": 113642.0,
                              "collateralAmount": 0.0, "receiveableAmount": 0.0, "utilizedAmount": 15202.0,
                              "blockedPayoutAmount": 0.0, "withdrawableBalance": 98310.0})

    def _margin(self, leg: Dict[str, Any]) -> float:
        i = self.sb.instrument(leg.get("exchangeSegment", ""), leg.get("securityId", ""))
        price = float(leg.get("price") or 0) or (i.last if i else 0.0)
        share = 1.0 if leg.get("productType") in ("CNC", "MTF") else 0.2
        return round(price * int(leg.get("quantity") or 0) * share, 2)

    def margin(self, req: Request, client: str) -> Response:
        b = _body(req)
        if self.sb.instrument(b.get("exchangeSegment", ""), b.get("securityId", "")) is None:
            return err(400, "DH-905", "Invalid securityId for the exchangeSegment.")
        total = self._margin(b)
        return Response(200, {"totalMargin": total, "spanMargin": 0.0, "exposureMargin": 0.0,
                              "availableBalance": 98440.0, "variableMargin": total,
                              "insufficientBalance": max(0.0, round(total - 98440.0, 2)), "brokerage": 20.0,
                              "leverage": "1.00" if b.get("productType") == "CNC" else "5.00"})

    def margin_multi(self, req: Request, client: str) -> Response:
        b = _body(req)
        legs = b.get("scripList")
        if not isinstance(legs, list) or not legs:
            return err(400, "DH-905", "scripList is required.")
        total = round(sum(self._margin(x) for x in legs), 2)
        hedge = round(total * 0.1, 2) if len(legs) > 1 else 0.0
        return Response(200, {"total_margin": str(round(total - hedge, 2)), "span_margin": "0.00",
                              "exposure_margin": "0.00", "equity_margin": str(total), "fo_margin": "0.00",
                              "commodity_margin": "0.00", "currency": "0.00", "hedge_benefit": str(hedge)})

    # -- statements ---------------------------------------------------------------------
    def trades(self, req: Request, client: str) -> Response:
        oid = req.params.get("order_id")
        return Response(200, [t for t in self.sb.trades if t["dhanClientId"] == client
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
        rows = [t for t in self.sb.trades if t["dhanClientId"] == client]
        return Response(200, rows[page * 20:(page + 1) * 20])

    def ledger(self, req: Request, client: str) -> Response:
        if not req.arg("from-date") or not req.arg("to-date"):
            return err(400, "DH-905", "from-date and to-date are required.")
        return Response(200, [{"dhanClientId": client, "narration": "FUNDS DEPOSITED", "voucherdate": "Nov 03, 2026",
                               "exchange": "NSE-CAPITAL", "voucherdesc": "Funds Deposit", "vouchernumber": "20261103",
                               "debit": "0.00", "credit": "100000.00", "runbal": "100000.00"}])

    # -- trader controls ----------------------------------------------------------------
    def kill_switch_set(self, req: Request, client: str) -> Response:
        status = req.arg("killSwitchStatus")
        if status not in ("ACTIVATE", "DEACTIVATE"):
            return err(400, "DH-905", "killSwitchStatus must be ACTIVATE or DEACTIVATE.")
        self.sb.kill_switch[client] = status == "ACTIVATE"
        word = "activated" if status == "ACTIVATE" else "deactivated"
        return Response(200, {"dhanClientId": client, "killSwitchStatus": f"Kill Switch has been successfully {word}"})

    def kill_switch_get(self, req: Request, client: str) -> Response:
        on = self.sb.kill_switch.get(client, False)
        return Response(200, {"dhanClientId": client, "killSwitchStatus": "ACTIVATE" if on else "DEACTIVATE"})

    def pnl_set(self, req: Request, client: str) -> Response:
        b = _body(req)
        if not isinstance(b.get("productType"), list):
            return err(400, "DH-905", "productType must be a list.")
        self.sb.pnl_exit[client] = {k: b.get(k) for k in ("profitValue", "lossValue", "productType",
                                                           "enableKillSwitch")}
        return Response(200, {"pnlExitStatus": "ACTIVE", "message": "P&L based exit configured successfully"})

    def pnl_get(self, req: Request, client: str) -> Response:
        rule = self.sb.pnl_exit.get(client)
        return Response(200, dict(rule, pnlExitStatus="ACTIVE") if rule else {"pnlExitStatus": "INACTIVE"})

    def pnl_stop(self, req: Request, client: str) -> Response:
        self.sb.pnl_exit.pop(client, None)
        return Response(200, {"pnlExitStatus": "DISABLED", "message": "P&L based exit stopped successfully"})

    # -- eDIS ---------------------------------------------------------------------------
    def tpin(self, req: Request, client: str) -> Response:
        return Response(202, b"", "application/json")

    def edis_form(self, req: Request, client: str) -> Response:
        b = _body(req)
        if not b.get("isin") or not b.get("qty"):
            return err(400, "DH-905", "isin and qty are required.")
        html = (f"<html><body><form action=\\\"https://edis.example/cdsl\\\" method=\\\"POST\\\">"
                f"<input name=\\\"isin\\\" value=\\\"{b['isin']}\\\"/></form></body></html>")
        return Response(200, {"dhanClientId": client, "edisFormHtml": html})

    def edis_inquire(self, req: Request, client: str) -> Response:
        return Response(200, {"clientId": client, "isin": req.params["isin"], "totalQty": 10, "aprvdQty": 0,
                              "status": "NOT_APPROVED", "remarks": ""})

    # -- charts -------------------------------------------------------------------------
    def _chart_instrument(self, b: Dict[str, Any]) -> Tuple[Optional[Instrument], Optional[Response]]:
        missing = [k for k in ("securityId", "exchangeSegment", "instrument", "fromDate", "toDate")
                   if b.get(k) in (None, "")]
        if missing:
            return None, err(400, "DH-905", f"Missing required fields: {', '.join(missing)}")
        i = self.sb.instrument(b["exchangeSegment"], b["securityId"])
        if i is None:
            return None, err(400, "DH-907", "No data for this securityId.", "Data_Error")
        return i, None

    @staticmethod
    def _when(value: str) -> dt.datetime:
        fmt = "%Y-%m-%d %H:%M:%S" if len(value) > 10 else "%Y-%m-%d"
        return dt.datetime.strptime(value, fmt).replace(tzinfo=IST)

    def _columns(self, i: Instrument, start: dt.datetime, end: dt.datetime, minutes: int, oi: bool) -> Dict[str, Any]:
        rows = self.sb.market.candles(i, start, end, minutes)
        out: Dict[str, Any] = {"open": [r[1] for r in rows], "high": [r[2] for r in rows], "low": [r[3] for r in rows],
                               "close": [r[4] for r in rows], "volume": [r[5] for r in rows],
                               "timestamp": [int(r[0]) for r in rows]}
        if oi:
            out["open_interest"] = [i.oi for _ in rows]
        return out

    def chart_daily(self, req: Request, client: str) -> Response:
        b = _body(req)
        i, problem = self._chart_instrument(b)
        if problem is not None or i is None:
            return problem or err(400, "DH-905", "bad request")
        try:
            start, end = self._when(b["fromDate"]), self._when(b["toDate"]) - dt.timedelta(days=1)
        except ValueError:
            return err(400, "DH-905", "Dates must be YYYY-MM-DD.")
        return Response(200, self._columns(i, start, end, 1440, bool(b.get("oi"))))

    def chart_intraday(self, req: Request, client: str) -> Response:
        b = _body(req)
        i, problem = self._chart_instrument(b)
        if problem is not None or i is None:
            return problem or err(400, "DH-905", "bad request")
        if int(b.get("interval") or 0) not in (1, 5, 15, 25, 60):
            return err(400, "DH-905", "interval must be 1, 5, 15, 25 or 60.")
        try:
            start, end = self._when(b["fromDate"]), self._when(b["toDate"])
        except ValueError:
            return err(400, "DH-905", "Dates must be YYYY-MM-DD[ HH:MM:SS].")
        if (end - start).days > 90:
            return err(400, "DH-905", "At most 90 days per request.")
        return Response(200, self._columns(i, start, end, int(b["interval"]), bool(b.get("oi"))))

    def chart_expired(self, req: Request, client: str) -> Response:
        b = _body(req)
        if b.get("expiryFlag") not in ("WEEK", "MONTH") or b.get("drvOptionType") not in ("CALL", "PUT"):
            return err(400, "DH-905", "Invalid expiryFlag or drvOptionType.")
        fields = b.get("requiredData") or []
        side = {f: [100.0 + n for n in range(3)] for f in fields}
        side["timestamp"] = [int(time.time()) - 180 + 60 * n for n in range(3)]
        key = "ce" if b["drvOptionType"] == "CALL" else "pe"
        return Response(200, {"data": {key: side, "pe" if key == "ce" else "ce": None}})

    # -- market quote -------------------------------------------------------------------
    def _quote(self, req: Request, shape: Callable[[Instrument], Dict[str, Any]]) -> Response:
        b = {k: v for k, v in _body(req).items() if k != "dhanClientId"}
        if not b:
            return data_err("814", "Invalid Request")
        if sum(len(v) for v in b.values() if isinstance(v, list)) > 1000:
            return data_err("804", "Requested number of instruments exceeds limit")
        out: Dict[str, Dict[str, Any]] = {}
        for seg, ids in b.items():
            if seg not in SEGMENTS or not isinstance(ids, list):
                return data_err("814", "Invalid Request")
            for sid in ids:
                i = self.sb.instrument(seg, sid)
                if i is not None:
                    out.setdefault(seg, {})[str(sid)] = shape(i)
        if not out:
            return data_err("813", "Invalid SecurityId")
        return Response(200, {"data": out, "status": "success"})

    def ltp(self, req: Request, client: str) -> Response:
        return self._quote(req, lambda i: {"last_price": i.last})

    @staticmethod
    def _ohlc(i: Instrument) -> Dict[str, Any]:
        return {"last_price": i.last, "ohlc": {"open": i.open, "close": i.close, "high": i.high, "low": i.low}}

    def ohlc(self, req: Request, client: str) -> Response:
        return self._quote(req, self._ohlc)

    def quote(self, req: Request, client: str) -> Response:
        def full(i: Instrument) -> Dict[str, Any]:
            d = self.sb.market.depth(i)
            return dict(self._ohlc(i), average_price=i.last, buy_quantity=i.buy_qty, sell_quantity=i.sell_qty,
                        last_quantity=i.last_qty, last_trade_time=dt.datetime.fromtimestamp(i.last_trade, IST)
                        .strftime("%d/%m/%Y %H:%M:%S"), lower_circuit_limit=round(i.close * 0.9, 2),
                        upper_circuit_limit=round(i.close * 1.1, 2), net_change=round(i.last - i.close, 2),
                        oi=i.oi, oi_day_high=i.oi, oi_day_low=i.oi, volume=i.volume,
                        depth={"buy": [{"quantity": x["quantity"], "orders": x["orders"], "price": x["price"]}
                                       for x in d["buy"]],
                               "sell": [{"quantity": x["quantity"], "orders": x["orders"], "price": x["price"]}
                                        for x in d["sell"]]})
        return self._quote(req, full)

    # -- option chain -------------------------------------------------------------------
    def _underlying(self, b: Dict[str, Any]) -> Optional[Instrument]:
        if not isinstance(b.get("UnderlyingScrip"), int):
            return None
        return self.sb.instrument(str(b.get("UnderlyingSeg")), b["UnderlyingScrip"])

    @staticmethod
    def _expiries() -> List[str]:
        today = dt.datetime.now(IST).date()
        thursdays = [today + dt.timedelta(days=(3 - today.weekday()) % 7 + 7 * n) for n in range(4)]
        return [d.isoformat() for d in thursdays]

    def option_chain(self, req: Request, client: str) -> Response:
        b = _body(req)
        u = self._underlying(b)
        if u is None:
            return data_err("813", "Invalid SecurityId")
        if b.get("Expiry") not in self._expiries():
            return data_err("811", "Invalid Expiry Date")
        step = 50.0 if u.last > 10000 else 10.0
        atm = round(u.last / step) * step
        oc: Dict[str, Any] = {}
        for n in range(-2, 3):
            strike = atm + n * step

            def side(sign: int, strike: float = strike, n: int = n) -> Dict[str, Any]:
                intrinsic = max(0.0, sign * (u.last - strike))
                ltp = round(intrinsic + 40 + 5 * abs(n), 2)
                return {"average_price": ltp, "greeks": {"delta": round(0.5 * sign - 0.1 * n, 4), "theta": -12.5,
                                                         "gamma": 0.0012, "vega": 9.8},
                        "implied_volatility": 13.2 + abs(n), "last_price": ltp, "oi": 100000 + 5000 * n,
                        "previous_close_price": ltp + 2, "previous_oi": 98000, "previous_volume": 1200000,
                        "security_id": 60000 + int(strike) % 10000 + (1 if sign > 0 else 2),
                        "top_ask_price": ltp + 0.05, "top_ask_quantity": 75, "top_bid_price": ltp - 0.05,
                        "top_bid_quantity": 150, "volume": 1500000}
            oc[f"{strike:.6f}"] = {"ce": side(1), "pe": side(-1)}
        return Response(200, {"data": {"last_price": u.last, "oc": oc}, "status": "success"})

    def expiry_list(self, req: Request, client: str) -> Response:
        if self._underlying(_body(req)) is None:
            return data_err("813", "Invalid SecurityId")
        return Response(200, {"data": self._expiries(), "status": "success"})

    # -- profile and IP -----------------------------------------------------------------
    def profile(self, req: Request, client: str) -> Response:
        token = req.header("access-token") or ""
        exp = self.sb.tokens.get(token, (client, time.time()))[1]
        return Response(200, {"dhanClientId": client,
                              "tokenValidity": dt.datetime.fromtimestamp(exp, IST).strftime("%d/%m/%Y %H:%M"),
                              "activeSegment": "Equity, Derivative, Currency, Commodity", "ddpi": "Active",
                              "mtf": "Active", "dataPlan": "Active", "dataValidity": "2026-12-31 00:00:00.0"})

    def set_ip(self, req: Request, client: str) -> Response:
        b = _body(req)
        if b.get("ipFlag") not in ("PRIMARY", "SECONDARY") or not b.get("ip"):
            return err(400, "DH-905", "ip and ipFlag (PRIMARY or SECONDARY) are required.")
        self.sb.ips.setdefault(client, {})[b["ipFlag"]] = b["ip"]
        return Response(200, {"message": "IP saved successfully", "status": "SUCCESS"})

    def get_ip(self, req: Request, client: str) -> Response:
        ips = self.sb.ips.get(client, {})
        return Response(200, {"primaryIP": ips.get("PRIMARY", ""), "secondaryIP": ips.get("SECONDARY", ""),
                              "modifyDatePrimary": "2026-12-05", "modifyDateSecondary": "2026-12-05"})


def routes(sb: DhanSandbox) -> List[Tuple[str, str, str, Handler]]:
    """(method, path under /dhan/v2, rate-limit group, handler) for every route."""
    a = _Api(sb)
    return [
        ("POST", "/orders", "orders", a.place_order),
        ("POST", "/orders/slicing", "orders", a.place_slice),
        ("GET", "/orders", "default", a.list_orders),
        ("GET", "/orders/external/{correlation_id}", "default", a.order_by_correlation),
        ("GET", "/orders/{order_id}", "default", a.get_order),
        ("PUT", "/orders/{order_id}", "orders", a.modify_order),
        ("DELETE", "/orders/{order_id}", "orders", a.cancel_order),
        ("POST", "/super/orders", "orders", a.place_super),
        ("GET", "/super/orders", "default", a.list_super),
        ("PUT", "/super/orders/{order_id}", "orders", a.modify_super),
        ("DELETE", "/super/orders/{order_id}/{order_leg}", "orders", a.cancel_super),
        ("POST", "/forever/orders", "orders", a.place_forever),
        ("GET", "/forever/orders", "default", a.list_forever),
        ("PUT", "/forever/orders/{order_id}", "orders", a.modify_forever),
        ("DELETE", "/forever/orders/{order_id}", "orders", a.cancel_forever),
        ("POST", "/alerts/orders", "orders", a.place_alert),
        ("GET", "/alerts/orders", "default", a.list_alerts),
        ("GET", "/alerts/orders/{alert_id}", "default", a.get_alert),
        ("PUT", "/alerts/orders/{alert_id}", "orders", a.modify_alert),
        ("DELETE", "/alerts/orders/{alert_id}", "orders", a.cancel_alert),
        ("GET", "/holdings", "default", a.holdings),
        ("GET", "/positions", "default", a.positions),
        ("DELETE", "/positions", "orders", a.exit_all),
        ("POST", "/positions/convert", "default", a.convert),
        ("GET", "/fundlimit", "default", a.fund_limit),
        ("POST", "/margincalculator", "default", a.margin),
        ("POST", "/margincalculator/multi", "default", a.margin_multi),
        ("GET", "/trades", "default", a.trades),
        ("GET", "/trades/{order_id}", "default", a.trades),
        ("GET", "/trades/{from_date}/{to_date}/{page}", "default", a.trade_history),
        ("GET", "/ledger", "default", a.ledger),
        ("POST", "/killswitch", "default", a.kill_switch_set),
        ("GET", "/killswitch", "default", a.kill_switch_get),
        ("POST", "/pnlExit", "default", a.pnl_set),
        ("GET", "/pnlExit", "default", a.pnl_get),
        ("DELETE", "/pnlExit", "default", a.pnl_stop),
        ("GET", "/edis/tpin", "default", a.tpin),
        ("POST", "/edis/form", "default", a.edis_form),
        ("GET", "/edis/inquire/{isin}", "default", a.edis_inquire),
        ("POST", "/charts/historical", "data", a.chart_daily),
        ("POST", "/charts/intraday", "data", a.chart_intraday),
        ("POST", "/charts/rollingoption", "data", a.chart_expired),
        ("POST", "/marketfeed/ltp", "quote", a.ltp),
        ("POST", "/marketfeed/ohlc", "quote", a.ohlc),
        ("POST", "/marketfeed/quote", "quote", a.quote),
        ("POST", "/optionchain", "option_chain", a.option_chain),
        ("POST", "/optionchain/expirylist", "data", a.expiry_list),
        ("GET", "/profile", "default", a.profile),
        ("POST", "/ip/setIP", "default", a.set_ip),
        ("PUT", "/ip/modifyIP", "default", a.set_ip),
        ("GET", "/ip/getIP", "default", a.get_ip),
    ]
