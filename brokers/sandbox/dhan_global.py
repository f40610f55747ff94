"""The sandbox's Dhan Global Stocks (US stocks) routes (``/dhan/v2/globalstocks/...``)
and the US stock list CSV (``/dhan/scrip-global/...``). Our own fixture data."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Tuple

from .dhan import err
from .server import Request, Response

if TYPE_CHECKING:
    from .dhan import DhanSandbox

__all__ = ["US_STOCKS", "routes", "scrip_csv"]

Handler = Callable[[Request, str], Response]
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


def _body(req: Request) -> Dict[str, Any]:
    try:
        data = req.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def routes(sb: DhanSandbox) -> List[Tuple[str, str, str, Handler]]:
    """(method, path under /dhan/v2, rate-limit group, handler) for the Global Stocks routes."""
    orders: Dict[str, Dict[str, Any]] = {}
    trades: List[Dict[str, Any]] = []
    ids = itertools.count(1)

    def place(req: Request, client: str) -> Response:
        b = _body(req)
        stock = US_STOCKS.get(str(b.get("securityId")))
        if stock is None or b.get("orderType") not in _TYPES or b.get("transactionType") not in ("BUY", "SELL"):
            return err(400, "DH-905", "Invalid securityId, orderType or transactionType.")
        if b["orderType"] != "AMOUNT" and not b.get("quantity"):
            return err(400, "DH-905", "quantity is required.")
        oid = str(9125000000 + next(ids))
        market = b["orderType"] in ("MARKET", "AMOUNT")
        qty = b.get("quantity") or round(float(b.get("amount") or 0) / stock[2], 4)
        orders[oid] = {"dhanClientId": client, "orderId": oid, "securityId": b["securityId"], "symbol": stock[0],
                       "transactionType": b["transactionType"], "orderType": b["orderType"], "quantity": qty,
                       "price": b.get("price", 0.0), "orderStatus": "TRADED" if market else "PENDING",
                       "correlationId": b.get("correlationId", "")}
        if market:
            trades.append({"orderId": oid, "securityId": b["securityId"], "tradedQuantity": qty,
                           "tradedPrice": stock[2], "transactionType": b["transactionType"]})
        return Response(200, {"orderId": oid, "orderStatus": orders[oid]["orderStatus"]})

    def own(req: Request, client: str) -> Any:
        o = orders.get(req.params["order_id"])
        return o if o is not None and o["dhanClientId"] == client else None

    def get_one(req: Request, client: str) -> Response:
        o = own(req, client)
        return Response(200, o) if o else err(400, "DH-905", "Invalid orderId.")

    def modify(req: Request, client: str) -> Response:
        o = own(req, client)
        if o is None or o["orderStatus"] != "PENDING":
            return err(400, "DH-906", "Order cannot be modified.", "Order_Error")
        o.update({k: v for k, v in _body(req).items() if k in ("quantity", "price", "orderType")})
        return Response(200, {"orderId": o["orderId"], "orderStatus": o["orderStatus"]})

    def cancel(req: Request, client: str) -> Response:
        o = own(req, client)
        if o is None or o["orderStatus"] != "PENDING":
            return err(400, "DH-906", "Order cannot be cancelled.", "Order_Error")
        o["orderStatus"] = "CANCELLED"
        return Response(200, {"orderId": o["orderId"], "orderStatus": "CANCELLED"})

    def estimate(req: Request, client: str) -> Response:
        b = _body(req)
        if str(b.get("securityId")) not in US_STOCKS or not isinstance(b.get("price"), str):
            return err(400, "DH-905", "Invalid securityId or price.")
        value = (float(b["price"]) or US_STOCKS[b["securityId"]][2]) * float(b.get("quantity") or 0)
        return Response(200, {"orderValue": round(value, 2), "brokerage": 0.0, "fxCharges": round(value * 0.001, 2),
                              "totalCharges": round(value * 0.001, 2), "requiredMargin": round(value, 2)})

    return [
        ("POST", "/globalstocks/orders", "orders", place),
        ("GET", "/globalstocks/orders", "default",
         lambda req, client: Response(200, [o for o in orders.values() if o["dhanClientId"] == client])),
        ("GET", "/globalstocks/orders/{order_id}", "default", get_one),
        ("PUT", "/globalstocks/orders/{order_id}", "orders", modify),
        ("DELETE", "/globalstocks/orders/{order_id}", "orders", cancel),
        ("GET", "/globalstocks/trades", "default", lambda req, client: Response(200, list(trades))),
        ("GET", "/globalstocks/trades/{security_id}", "default",
         lambda req, client: Response(200, [t for t in trades if t["securityId"] == req.params["security_id"]])),
        ("GET", "/globalstocks/holdings", "default", lambda req, client: Response(200, [
            {"securityId": "100001", "symbol": "AAPL", "quantity": 1.5, "avgCostPrice": 210.0}])),
        ("POST", "/globalstocks/transEstimate", "default", estimate),
        ("POST", "/globalstocks/margincalculator", "default", estimate),
        ("GET", "/globalstocks/marketstatus", "default", lambda req, client: Response(200, {
            "marketStatus": "CLOSED", "sessionOpen": "09:30", "sessionClose": "16:00", "timeZone": "America/New_York"})),
        ("GET", "/globalstocks/fundlimit", "default", lambda req, client: Response(200, {
            "dhanClientId": client, "availableBalanceUsd": 1250.0, "utilizedAmountUsd": 0.0})),
    ]
