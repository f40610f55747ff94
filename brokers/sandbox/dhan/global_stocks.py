"""The Dhan sandbox's Global Stocks (US stocks) routes (``/dhan/v2/globalstocks/...``)
and the US stock list CSV (``/dhan/scrip-global/...``). Our own fixture data."""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from ..server import Request, Response
from .state import DhanState, body, err

__all__ = ["GlobalRoutes", "US_STOCKS", "scrip_csv"]

# security id -> (symbol, name, price in USD)
US_STOCKS: Dict[str, Tuple[str, str, float]] = {
    "100001": ("AAPL", "APPLE INC", 231.40),
    "100002": ("MSFT", "MICROSOFT CORP", 418.25),
    "100003": ("NVDA", "NVIDIA CORP", 136.10),
}
_TYPES = ("MARKET", "LIMIT", "STOP_LOSS", "STOP_LOSS_MARKET", "AMOUNT")


def scrip_csv() -> str:
    head = "EXCHANGE,SEGMENT,SCRIP_CODE,ISIN_CODE,SYMBOL,SYMBOL_NAME,TRADING_SYMBOL,FRACTION,TICK_SIZE,LOT_SIZE\n"
    return head + "".join(f"NASDAQ,E,{sid},US00000{sid},{sym},\"{name}\",{sym},Y,0.01,1\n"
                          for sid, (sym, name, _) in US_STOCKS.items())


class GlobalRoutes(DhanState):
    """Global Stocks handlers; their order book (``us_orders``, ``us_trades``) is kept apart."""

    def scrip_global(self, req: Request) -> Response:
        with self.lock:
            self.scrip_downloads += 1
        return Response(200, scrip_csv(), "text/csv")

    def us_place(self, req: Request, client: str) -> Response:
        b = body(req)
        stock = US_STOCKS.get(str(b.get("securityId")))
        if stock is None or b.get("orderType") not in _TYPES or b.get("transactionType") not in ("BUY", "SELL"):
            return err(400, "DH-905", "Invalid securityId, orderType or transactionType.")
        if b["orderType"] != "AMOUNT" and not b.get("quantity"):
            return err(400, "DH-905", "quantity is required.")
        oid = str(9125000000 + next(self._ids))
        market = b["orderType"] in ("MARKET", "AMOUNT")
        qty = b.get("quantity") or round(float(b.get("amount") or 0) / stock[2], 4)
        self.us_orders[oid] = {"dhanClientId": client, "orderId": oid, "securityId": b["securityId"],
                               "symbol": stock[0], "transactionType": b["transactionType"],
                               "orderType": b["orderType"], "quantity": qty, "price": b.get("price", 0.0),
                               "orderStatus": "TRADED" if market else "PENDING",
                               "correlationId": b.get("correlationId", "")}
        if market:
            self.us_trades.append({"orderId": oid, "securityId": b["securityId"], "tradedQuantity": qty,
                                   "tradedPrice": stock[2], "transactionType": b["transactionType"]})
        return Response(200, {"orderId": oid, "orderStatus": self.us_orders[oid]["orderStatus"]})

    def _us_own(self, req: Request, client: str) -> Optional[Dict[str, Any]]:
        o = self.us_orders.get(req.params["order_id"])
        return o if o is not None and o["dhanClientId"] == client else None

    def us_orders_list(self, req: Request, client: str) -> Response:
        return Response(200, [o for o in self.us_orders.values() if o["dhanClientId"] == client])

    def us_get(self, req: Request, client: str) -> Response:
        o = self._us_own(req, client)
        return Response(200, o) if o else err(400, "DH-905", "Invalid orderId.")

    def us_modify(self, req: Request, client: str) -> Response:
        o = self._us_own(req, client)
        if o is None or o["orderStatus"] != "PENDING":
            return err(400, "DH-906", "Order cannot be modified.", "Order_Error")
        o.update({k: v for k, v in body(req).items() if k in ("quantity", "price", "orderType")})
        return Response(200, {"orderId": o["orderId"], "orderStatus": o["orderStatus"]})

    def us_cancel(self, req: Request, client: str) -> Response:
        o = self._us_own(req, client)
        if o is None or o["orderStatus"] != "PENDING":
            return err(400, "DH-906", "Order cannot be cancelled.", "Order_Error")
        o["orderStatus"] = "CANCELLED"
        return Response(200, {"orderId": o["orderId"], "orderStatus": "CANCELLED"})

    def us_trades_list(self, req: Request, client: str) -> Response:
        sid = req.params.get("security_id")
        mine = {oid for oid, o in self.us_orders.items() if o["dhanClientId"] == client}
        return Response(200, [t for t in self.us_trades if t["orderId"] in mine and sid in (None, t["securityId"])])

    def us_holdings(self, req: Request, client: str) -> Response:
        return Response(200, [{"securityId": "100001", "symbol": "AAPL", "quantity": 1.5, "avgCostPrice": 210.0}])

    def us_estimate(self, req: Request, client: str) -> Response:
        b = body(req)
        if str(b.get("securityId")) not in US_STOCKS or not isinstance(b.get("price"), str):
            return err(400, "DH-905", "Invalid securityId or price.")
        value = (float(b["price"]) or US_STOCKS[b["securityId"]][2]) * float(b.get("quantity") or 0)
        return Response(200, {"orderValue": round(value, 2), "brokerage": 0.0, "fxCharges": round(value * 0.001, 2),
                              "totalCharges": round(value * 0.001, 2), "requiredMargin": round(value, 2)})

    def us_market_status(self, req: Request, client: str) -> Response:
        return Response(200, {"marketStatus": "CLOSED", "sessionOpen": "09:30", "sessionClose": "16:00",
                              "timeZone": "America/New_York"})

    def us_fund_limit(self, req: Request, client: str) -> Response:
        return Response(200, {"dhanClientId": client, "availableBalanceUsd": 1250.0, "utilizedAmountUsd": 0.0})
