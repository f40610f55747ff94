"""Pure parsing of Fyers' order socket: its JSON messages (orders, trades,
positions) mapped to fyers_apiv3's field names. Raises only ``ValueError``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Union

from ..core import safejson

# -- order socket (JSON) --------------------------------------------------------------------------
ORDER_FIELDS = {
    "client_id": "clientId", "id": "id", "id_parent": "parentId", "id_exchange": "exchOrdId", "qty": "qty",
    "qty_remaining": "remainingQuantity", "qty_filled": "filledQty", "price_limit": "limitPrice",
    "price_stop": "stopPrice", "price_traded": "tradedPrice", "ord_type": "type", "fy_token": "fyToken",
    "exchange": "exchange", "segment": "segment", "symbol": "symbol", "instrument": "instrument",
    "oms_msg": "message", "offline_flag": "offlineOrder", "time_oms": "orderDateTime", "validity": "orderValidity",
    "product_type": "productType", "tran_side": "side", "org_ord_status": "status", "ord_source": "source",
    "symbol_exch": "ex_sym", "symbol_desc": "description", "ordertag": "orderTag", "take_profit": "takeProfit",
    "stop_loss": "stopLoss", "leg_type": "legType", "id_fyers": "id_fyers",
}
TRADE_FIELDS = {
    "id_fill": "tradeNumber", "id": "orderNumber", "qty_traded": "tradedQty", "price_traded": "tradePrice",
    "traded_val": "tradeValue", "product_type": "productType", "client_id": "clientId",
    "id_exchange": "exchangeOrderNo", "ord_type": "orderType", "tran_side": "side", "symbol": "symbol",
    "fill_time": "orderDateTime", "fy_token": "fyToken", "exchange": "exchange", "segment": "segment",
    "ordertag": "orderTag", "id_fyers": "id_fyers",
}
POSITION_FIELDS = {
    "symbol": "symbol", "id": "id", "buy_avg": "buyAvg", "buy_qty": "buyQty", "buy_val": "buyVal",
    "sell_avg": "sellAvg", "sell_qty": "sellQty", "sell_val": "sellVal", "net_avg": "netAvg", "net_qty": "netQty",
    "tran_side": "side", "qty": "qty", "product_type": "productType", "pl_realized": "realized_profit",
    "rbirefrate": "rbiRefRate", "fy_token": "fyToken", "exchange": "exchange", "segment": "segment",
    "day_buy_qty": "dayBuyQty", "day_sell_qty": "daySellQty", "cf_buy_qty": "cfBuyQty", "cf_sell_qty": "cfSellQty",
    "qty_multiplier": "qtyMulti_com", "pl_total": "pl", "cross_curr_flag": "crossCurrency",
    "pl_unrealized": "unrealized_profit", "take_profit": "takeProfit", "stop_loss": "stopLoss",
    "leg_type": "legType", "id_fyers": "id_fyers",
}
# Raw OMS status -> Fyers' order status (1 cancelled, 2 traded, 4 transit, 5 rejected, 6 pending, 7 expired).
ORDER_STATUS: Dict[int, int] = {
    **{c: 4 for c in (11, 12, 20, 21)},
    **{c: 6 for c in (22, 23, 24, 25, 26, 51, 52, 53, 54, 55, 61, 62, 63, 64, 71, 72)},
    90: 2, 91: 1, 73: 1, 92: 5, 93: 5, 94: 5,
}
KINDS = (("orders", ORDER_FIELDS), ("trades", TRADE_FIELDS), ("positions", POSITION_FIELDS))


def map_order_message(text: Union[str, bytes]) -> Optional[Tuple[str, Dict[str, Any]]]:
    """Parse one order-socket text frame.

    Returns:
        ``(kind, message)``: kind is ``"orders"``, ``"trades"``, ``"positions"``
        or ``"general"``; the message is ``{"s": ..., kind: {renamed fields}}``
        as ``fyers_apiv3`` shapes it (general messages pass through). ``None``
        for a ``"pong"``. An order's ``status`` is Fyers' order status (the raw
        OMS code stays in ``rawStatus``) and ``orderNumStatus`` is ``"<id>:<status>"``.

        A ``NaN``, ``Infinity`` or overflowing number reads as ``None``: the update
        is kept (an order update is never dropped), only that value is lost.

    Raises:
        ValueError: the frame is not JSON (or nested too deeply to read), not a
            JSON object, or not text. Nothing else escapes.
    """
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        raise ValueError(f"an order socket frame must be text, not {type(text).__name__}")
    if text.strip() == "pong":
        return None
    msg = safejson.loads(text)
    if not isinstance(msg, dict):
        raise ValueError("order socket message is not a JSON object")
    for kind, names in KINDS:
        body = msg.get(kind)
        if isinstance(body, dict):
            out = {names[k]: v for k, v in body.items() if k in names}
            if kind == "orders" and "status" in out:
                raw = out["status"]
                out["rawStatus"] = raw
                try:
                    out["status"] = ORDER_STATUS.get(int(raw), raw)
                except (TypeError, ValueError, OverflowError):  # OverflowError: int(inf)
                    pass
                if "id" in out:
                    out["orderNumStatus"] = f"{out['id']}:{out['status']}"
            return kind, {"s": msg.get("s"), kind: out}
    return "general", msg


