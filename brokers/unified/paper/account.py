"""The paper account: a JSON document and the pure rules that change it.

Everything here is a function of the document (a ``dict``, as kept by
``SessionStore.update_state``) and prices; nothing does I/O, so the engine can
run each change under the store's lock and several processes can share one
account.

The rules, close to what the brokers do:

- A MARKET order fills at once at the touch (a buy at the ask, a sell at the
  bid; the last price where the feed gives no depth or a stale one). A LIMIT
  order fills when the last price crosses its price (a buy when it is at or
  below, at the better of the two), a STOP (stop-loss market) at the touch when
  the last price reaches the trigger (a buy at or above, a sell at or below) and
  a STOP_LIMIT turns into its LIMIT then. IOC orders that cannot fill at once are cancelled. Fills are whole.
- Margin: INTRADAY blocks 20 % of the value, MARGIN (derivatives) 15 %, a
  DELIVERY buy and an option buy 100 %; an order that only reduces an open
  position blocks nothing. An order whose margin exceeds the available funds is
  REJECTED, as is a DELIVERY sell of more shares than the holdings (less those
  already being sold).
- A DELIVERY buy adds to the holdings at once (no T+1) and takes the cash; a
  DELIVERY sell takes from the holdings and gives the cash back. Positions show
  every product's day, with Kite's P&L: sell value - buy value + net x last.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Optional, Tuple

from ...ist import IST

__all__ = ["Touch", "available", "cancel", "match", "modify", "new_account", "place", "used_margin"]

Doc = Dict[str, Any]
Touch = Tuple[Optional[float], Optional[float], float]  # bid, ask, last

RATES = {"INTRADAY": 0.2, "MARGIN": 0.15, "DELIVERY": 1.0}
OPEN = ("OPEN", "PARTIAL", "PENDING")


def new_account(funds: float) -> Doc:
    """An empty account holding ``funds`` of cash."""
    return {"funds": float(funds), "delivery_flow": 0.0, "next_id": 1, "orders": {}, "trades": [],
            "positions": {}, "holdings": {}}


def _now() -> str:
    return dt.datetime.now(IST).replace(microsecond=0).isoformat()


def _rate(o: Dict[str, Any]) -> float:
    if o["side"] == "BUY" and o.get("option"):
        return 1.0  # an option buyer pays the whole premium
    return RATES.get(str(o["product"]), 1.0)


def _net(doc: Doc, symbol: str, product: str) -> int:
    p = doc["positions"].get(f"{symbol}|{product}")
    return int(p["buy_qty"] - p["sell_qty"]) if p else 0


def _opening(doc: Doc, o: Dict[str, Any], qty: int) -> int:
    """The part of ``qty`` that opens or adds to a position (the rest reduces one)."""
    net = _net(doc, o["symbol"], o["product"])
    reducible = max(0, -net) if o["side"] == "BUY" else max(0, net)
    return max(0, qty - reducible)


def used_margin(doc: Doc) -> float:
    """Margin blocked by open positions (not DELIVERY) and open orders."""
    used = 0.0
    for p in doc["positions"].values():
        net = p["buy_qty"] - p["sell_qty"]
        if net and p["product"] != "DELIVERY":
            avg = p["buy_value"] / p["buy_qty"] if net > 0 else p["sell_value"] / p["sell_qty"]
            used += abs(net) * avg * RATES.get(p["product"], 1.0)
    for o in doc["orders"].values():
        if o["status"] in OPEN and o["product"] != "DELIVERY":
            used += o.get("blocked", 0.0)
    return round(used, 2)


def cash(doc: Doc) -> float:
    """Funds plus realised intraday/margin P&L plus the delivery cash flow."""
    realised = 0.0
    for p in doc["positions"].values():
        closed = min(p["buy_qty"], p["sell_qty"])
        if closed and p["product"] != "DELIVERY":
            realised += closed * (p["sell_value"] / p["sell_qty"] - p["buy_value"] / p["buy_qty"])
    return round(float(doc["funds"]) + float(doc["delivery_flow"]) + realised, 2)


def available(doc: Doc) -> float:
    return round(cash(doc) - used_margin(doc), 2)


def _reject(o: Dict[str, Any], why: str) -> None:
    o.update(status="REJECTED", message=why, time=_now())


def place(doc: Doc, order: Dict[str, Any], touch: Touch) -> str:
    """Add ``order`` (unified field names: symbol, side, quantity, order_type, product,
    validity, price, trigger_price, tag, option) to the book, check funds and
    holdings, and fill it if it can fill now. Returns its order id."""
    oid = f"P{doc['next_id']:09d}"
    doc["next_id"] += 1
    o = dict(order, order_id=oid, filled=0, average_price=0.0, status="OPEN", message=None, time=_now(),
             triggered=order["order_type"] not in ("STOP", "STOP_LIMIT"))
    doc["orders"][oid] = o
    qty = o["quantity"]
    if o["product"] == "DELIVERY" and o["side"] == "SELL" and not o.get("option"):
        held = doc["holdings"].get(o["symbol"], {}).get("qty", 0)
        selling = sum(x["quantity"] - x["filled"] for x in doc["orders"].values() if x is not o and
                      x["status"] in OPEN and x["symbol"] == o["symbol"] and x["side"] == "SELL"
                      and x["product"] == "DELIVERY")
        if qty > held - selling:
            _reject(o, f"RMS: insufficient holdings: selling {qty} of {o['symbol']}, {held - selling} held and free")
            return oid
    else:
        bid, ask, last = touch
        ref = o.get("price") or o.get("trigger_price") or (ask if o["side"] == "BUY" else bid) or last
        need = round(_opening(doc, o, qty) * ref * _rate(o), 2)
        free = available(doc)
        if need > free:
            _reject(o, f"RMS: insufficient funds: required margin {need:.2f}, available {free:.2f}")
            return oid
        o["blocked"] = need
    _try_fill(doc, o, touch)
    if o["status"] in OPEN and o["validity"] == "IOC":
        o.update(status="CANCELLED", message="IOC: not filled at once", time=_now())
    return oid


def _fill_price(o: Dict[str, Any], touch: Touch) -> Optional[float]:
    bid, ask, last = touch
    buy = o["side"] == "BUY"
    if not o["triggered"]:
        trig = o["trigger_price"]
        if (buy and last >= trig) or (not buy and last <= trig):
            o["triggered"] = True
        else:
            return None
    if o["order_type"] in ("MARKET", "STOP"):
        return _touch(touch, buy)
    limit = float(o["price"])
    if buy and last <= limit:
        return min(limit, last)
    if not buy and last >= limit:
        return max(limit, last)
    return None


def _touch(touch: Touch, buy: bool) -> float:
    """Where a market order fills: the ask for a buy, the bid for a sell; the last price
    when the feed gives no depth or a touch that disagrees with the last trade (a
    spread over 1 %, or a last price outside it: a stale quote)."""
    bid, ask, last = touch
    if bid is None or ask is None or not bid <= last <= ask or ask - bid > 0.01 * last:
        return last
    return ask if buy else bid


def _try_fill(doc: Doc, o: Dict[str, Any], touch: Touch) -> bool:
    price = _fill_price(o, touch)
    if price is None:
        return False
    qty = o["quantity"] - o["filled"]
    now = _now()
    o.update(filled=o["quantity"], average_price=price, status="COMPLETE", time=now, blocked=0.0)
    doc["trades"].append({"trade_id": f"T{len(doc['trades']) + 1:09d}", "order_id": o["order_id"],
                          "symbol": o["symbol"], "side": o["side"], "product": o["product"], "quantity": qty,
                          "price": price, "time": now})
    key = f"{o['symbol']}|{o['product']}"
    p = doc["positions"].setdefault(key, {"symbol": o["symbol"], "product": o["product"], "buy_qty": 0,
                                          "buy_value": 0.0, "sell_qty": 0, "sell_value": 0.0})
    side = "buy" if o["side"] == "BUY" else "sell"
    p[f"{side}_qty"] += qty
    p[f"{side}_value"] = round(p[f"{side}_value"] + qty * price, 4)
    if o["product"] == "DELIVERY" and not o.get("option"):
        h = doc["holdings"].setdefault(o["symbol"], {"qty": 0, "avg": 0.0})
        if side == "buy":
            h["avg"] = round((h["qty"] * h["avg"] + qty * price) / (h["qty"] + qty), 4)
            h["qty"] += qty
            doc["delivery_flow"] -= qty * price
        else:
            h["qty"] -= qty
            doc["delivery_flow"] += qty * price
            if h["qty"] <= 0:
                del doc["holdings"][o["symbol"]]
    return True


def match(doc: Doc, symbol: str, touch: Touch) -> List[str]:
    """Fill what the new prices of ``symbol`` cross; returns the ids that changed."""
    changed = []
    for o in doc["orders"].values():
        if o["symbol"] == symbol and o["status"] in OPEN:
            was = o["triggered"]
            if _try_fill(doc, o, touch) or o["triggered"] != was:
                changed.append(o["order_id"])
    return changed


def cancel(doc: Doc, order_id: str) -> Optional[str]:
    """Cancel an open order; returns why not, or ``None`` when done."""
    o = doc["orders"].get(order_id)
    if o is None:
        return f"no order {order_id}"
    if o["status"] not in OPEN:
        return f"order {order_id} is {o['status']} and cannot be cancelled"
    o.update(status="CANCELLED", time=_now(), blocked=0.0)
    return None


def modify(doc: Doc, order_id: str, changes: Dict[str, Any], touch: Touch) -> Optional[str]:
    """Change an open order (quantity, order_type, price, trigger_price) and fill it if
    it can fill now; returns why not, or ``None`` when done."""
    o = doc["orders"].get(order_id)
    if o is None:
        return f"no order {order_id}"
    if o["status"] not in OPEN:
        return f"order {order_id} is {o['status']} and cannot be modified"
    o.update(changes, time=_now())
    o["triggered"] = o["order_type"] not in ("STOP", "STOP_LIMIT")
    _try_fill(doc, o, touch)
    return None
