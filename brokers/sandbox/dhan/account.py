"""The Dhan sandbox's account routes: holdings, positions, funds, margin
calculators, the ledger and the profile."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, Dict, Tuple

from ...ist import IST
from ..server import Request, Response
from .state import OPEN, DhanState, body, err, now

__all__ = ["AccountRoutes"]


class AccountRoutes(DhanState):
    """Portfolio and funds handlers; each takes the request and the authenticated client id."""

    def holdings(self, req: Request, client: str) -> Response:
        out = []
        for i in self.market.instruments:
            seg, sid, _ = self.ids(i)
            qty = self.holdings_qty.get(sid)
            if qty:
                out.append({"exchange": "ALL", "tradingSymbol": i.tradingsymbol, "securityId": str(sid),
                            "isin": i.isin, "totalQty": qty, "dpQty": qty, "t1Qty": 0, "availableQty": qty,
                            "collateralQty": 0, "avgCostPrice": round(i.close * 0.9, 2), "lastTradedPrice": i.last})
        return Response(200, out)

    def positions(self, req: Request, client: str) -> Response:
        book: Dict[Tuple[str, str, str], Dict[str, Any]] = {}
        for t in self.trades:
            if t["dhanClientId"] != client:
                continue
            key = (t["exchangeSegment"], t["securityId"], t["productType"])
            p = book.setdefault(key, {"dhanClientId": client, "tradingSymbol": t["tradingSymbol"],
                                      "securityId": t["securityId"], "exchangeSegment": t["exchangeSegment"],
                                      "productType": t["productType"], "dayBuyQty": 0, "daySellQty": 0,
                                      "dayBuyValue": 0.0, "daySellValue": 0.0, "drvExpiryDate": t["drvExpiryDate"],
                                      "drvOptionType": t["drvOptionType"], "drvStrikePrice": t["drvStrikePrice"]})
            side = "Buy" if t["transactionType"] == "BUY" else "Sell"
            p[f"day{side}Qty"] += t["tradedQuantity"]
            p[f"day{side}Value"] = round(p[f"day{side}Value"] + t["tradedPrice"] * t["tradedQuantity"], 2)
        return Response(200, [self._position(p) for p in book.values()])

    def _position(self, p: Dict[str, Any]) -> Dict[str, Any]:
        """A position row with every field Dhan documents (all of today's trades: no carry-forward)."""
        i = self.instrument(p["exchangeSegment"], p["securityId"])
        last = i.last if i else 0.0
        bq, sq, bv, sv = p["dayBuyQty"], p["daySellQty"], p["dayBuyValue"], p["daySellValue"]
        buy_avg = round(bv / bq, 2) if bq else 0.0
        sell_avg = round(sv / sq, 2) if sq else 0.0
        net = bq - sq
        realized = round(min(bq, sq) * (sell_avg - buy_avg), 2)
        unrealized = round(net * (last - (buy_avg if net > 0 else sell_avg)), 2) if net else 0.0
        return dict(p, positionType="LONG" if net > 0 else "SHORT" if net < 0 else "CLOSED",
                    buyAvg=buy_avg, costPrice=buy_avg if net >= 0 else sell_avg, buyQty=bq, sellAvg=sell_avg,
                    sellQty=sq, netQty=net, realizedProfit=realized, unrealizedProfit=unrealized,
                    rbiReferenceRate=1.0, multiplier=1, carryForwardBuyQty=0, carryForwardSellQty=0,
                    carryForwardBuyValue=0.0, carryForwardSellValue=0.0, crossCurrency=False)

    def exit_all(self, req: Request, client: str) -> Response:
        for o in list(self.orders.values()):
            if o["dhanClientId"] == client and o["orderStatus"] in OPEN:
                self._record(dict(o, orderStatus="CANCELLED", updateTime=now()))
        return Response(200, {"status": "SUCCESS", "message": "All orders and positions exited successfully"})

    def convert(self, req: Request, client: str) -> Response:
        b = body(req)
        missing = [k for k in ("fromProductType", "exchangeSegment", "positionType", "securityId", "convertQty",
                               "toProductType") if b.get(k) in (None, "")]
        if missing:
            return err(400, "DH-905", f"Missing required fields: {', '.join(missing)}")
        return Response(200, {"status": "success", "message": "Position converted"})

    def fund_limit(self, req: Request, client: str) -> Response:
        cash, used = self.funds_of(client), self.used_margin(client)
        return Response(200, {"dhanClientId": client, "availabelBalance": round(cash - used, 2), "sodLimit": cash,
                              "collateralAmount": 0.0, "receiveableAmount": 0.0, "utilizedAmount": used,
                              "blockedPayoutAmount": 0.0, "withdrawableBalance": round(cash - used, 2)})

    def _margin(self, leg: Dict[str, Any]) -> float:
        i = self.instrument(leg.get("exchangeSegment", ""), leg.get("securityId", ""))
        price = float(leg.get("price") or 0) or (i.last if i else 0.0)
        share = 1.0 if leg.get("productType") in ("CNC", "MTF") else 0.2
        return round(price * int(leg.get("quantity") or 0) * share, 2)

    def margin(self, req: Request, client: str) -> Response:
        b = body(req)
        if self.instrument(b.get("exchangeSegment", ""), b.get("securityId", "")) is None:
            return err(400, "DH-905", "Invalid securityId for the exchangeSegment.")
        total = self._margin(b)
        available = round(self.funds_of(client) - self.used_margin(client), 2)
        return Response(200, {"totalMargin": total, "spanMargin": 0.0, "exposureMargin": 0.0,
                              "availableBalance": available, "variableMargin": total,
                              "insufficientBalance": max(0.0, round(total - available, 2)), "brokerage": 20.0,
                              "leverage": "1.00" if b.get("productType") == "CNC" else "5.00"})

    def margin_multi(self, req: Request, client: str) -> Response:
        b = body(req)
        legs = b.get("scripList")
        if not isinstance(legs, list) or not legs:
            return err(400, "DH-905", "scripList is required.")
        total = round(sum(self._margin(x) for x in legs), 2)
        hedge = round(total * 0.1, 2) if len(legs) > 1 else 0.0
        return Response(200, {"total_margin": str(round(total - hedge, 2)), "span_margin": "0.00",
                              "exposure_margin": "0.00", "equity_margin": str(total), "fo_margin": "0.00",
                              "commodity_margin": "0.00", "currency": "0.00", "hedge_benefit": str(hedge)})

    def ledger(self, req: Request, client: str) -> Response:
        if not req.arg("from-date") or not req.arg("to-date"):
            return err(400, "DH-905", "from-date and to-date are required.")
        return Response(200, [{"dhanClientId": client, "narration": "FUNDS DEPOSITED", "voucherdate": "Nov 03, 2026",
                               "exchange": "NSE-CAPITAL", "voucherdesc": "Funds Deposit", "vouchernumber": "20261103",
                               "debit": "0.00", "credit": "100000.00", "runbal": "100000.00"}])

    def profile(self, req: Request, client: str) -> Response:
        token = req.header("access-token") or ""
        exp = self.tokens.get(token, (client, time.time()))[1]
        return Response(200, {"dhanClientId": client,
                              "tokenValidity": dt.datetime.fromtimestamp(exp, IST).strftime("%d/%m/%Y %H:%M"),
                              "activeSegment": "Equity, Derivative, Currency, Commodity", "ddpi": "Active",
                              "mtf": "Active", "dataPlan": "Active", "dataValidity": "2026-12-31 00:00:00.0"})
