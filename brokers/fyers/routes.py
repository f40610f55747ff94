"""Fyers API v3: hosts, paths and rate limits.

Everything here is data about the wire (no I/O): what the client needs to
build a request. Facts from the Fyers v3 docs and the official SDK
(``fyers_apiv3``). How the answer becomes a dict or a typed exception is
:mod:`brokers.fyers.decode`.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Optional, Tuple

__all__ = [
    "API_ROOT",
    "DATA_ROOT",
    "DATA_WS",
    "ORDER_WS",
    "PUBLIC_ROOT",
    "RATE_LIMITS",
    "ROUTES",
    "Route",
]

BROKER = "fyers"

# -- hosts -----------------------------------------------------------------------------------
API_ROOT = "https://api-t1.fyers.in/api/v3"
DATA_ROOT = "https://api-t1.fyers.in/data"
PUBLIC_ROOT = "https://public.fyers.in"  # symbol master files, no auth
DATA_WS = "wss://socket.fyers.in/hsm/v1-5/prod"
ORDER_WS = "wss://socket.fyers.in/trade/v3"

# -- paths the login code sends to (API_ROOT) ---------------------------------------------------
GENERATE_AUTHCODE = "/generate-authcode"
VALIDATE_AUTHCODE = "/validate-authcode"
VALIDATE_REFRESH = "/validate-refresh-token"
SEGMENTS = ("NSE_CM", "NSE_FO", "NSE_CD", "NSE_COM", "BSE_CM", "BSE_FO", "MCX_COM")


# -- routes ------------------------------------------------------------------------------------
class Route(NamedTuple):
    """One endpoint: verb, path, and how it is sent.

    root: ``"api"`` (API_ROOT), ``"data"`` (DATA_ROOT) or ``"public"`` (PUBLIC_ROOT: the
    symbol master files, no token, not rate-limited). order: an order call (never
    retried; a lost or unreadable answer is OrderStateUnknown; unknown error codes
    are OrderError). id_key: where the answer names the order (``"id"``), or None.
    """

    method: str
    path: str
    root: str = "api"
    order: bool = False
    id_key: Optional[str] = None


def _get(path: str, root: str = "api") -> Route:
    return Route("GET", path, root)


def _order(method: str, path: str, id_key: Optional[str] = "id") -> Route:
    return Route(method, path, "api", True, id_key)


#: Route name (the FyersModel method that calls it) -> Route.
ROUTES: Dict[str, Route] = {
    # account
    "get_profile": _get("/profile"),
    "funds": _get("/funds"),
    "holdings": _get("/holdings"),
    "positions": _get("/positions"),
    "tradebook": _get("/tradebook"),
    "orderbook": _get("/orders"),
    "logout": Route("POST", "/logout"),
    "generate_data_token": Route("POST", "/data-token"),  # a token for data vendors (TrueData)
    # orders
    "place_order": _order("POST", "/orders/sync"),
    "modify_order": _order("PATCH", "/orders/sync"),
    "cancel_order": _order("DELETE", "/orders/sync"),
    "place_basket_orders": _order("POST", "/multi-order/sync", None),
    "modify_basket_orders": _order("PATCH", "/multi-order/sync", None),
    "cancel_basket_orders": _order("DELETE", "/multi-order/sync", None),
    "place_multileg_order": _order("POST", "/multileg/orders/sync"),
    "exit_positions": _order("DELETE", "/positions", None),
    "convert_position": _order("POST", "/positions", None),
    "attach_position_legs": _order("PATCH", "/positions", None),
    "gtt_orderbook": _get("/gtt/orders"),
    "place_gtt_order": _order("POST", "/gtt/orders/sync"),
    "modify_gtt_order": _order("PATCH", "/gtt/orders/sync"),
    "cancel_gtt_order": _order("DELETE", "/gtt/orders/sync"),
    # price alerts
    "create_alert": Route("POST", "/price-alert"),
    "get_alert": _get("/price-alert"),
    "update_alert": Route("PUT", "/price-alert"),
    "delete_alert": Route("DELETE", "/price-alert"),
    "toggle_alert": Route("PUT", "/toggle-alert"),
    # smart orders (Fyers documents no id in their answers: nothing to read)
    "create_smart_order_step": _order("POST", "/smart-order/step", None),
    "create_smart_order_limit": _order("POST", "/smart-order/limit", None),
    "create_smart_order_trail": _order("POST", "/smart-order/trail", None),
    "create_smart_order_sip": _order("POST", "/smart-order/sip", None),
    "modify_smart_order": _order("PATCH", "/smart-order/modify", None),
    "cancel_smart_order": _order("DELETE", "/smart-order/cancel", None),
    "pause_smart_order": _order("PATCH", "/smart-order/pause", None),
    "resume_smart_order": _order("PATCH", "/smart-order/resume", None),
    "smart_orderbook_with_filter": _get("/smart-order/orderbook"),
    # smart exit triggers
    "create_smartexit_trigger": Route("POST", "/flows/tc/se"),
    "get_smartexit_triggers": _get("/flows/tc/se"),
    "update_smartexit_trigger": Route("PUT", "/flows/tc/se"),
    "activate_deactivate_smartexit_trigger": Route("POST", "/flows/tc/se/activate"),
    # reports and screeners
    "orderhistory": _get("/order-history"),
    "tradehistory": _get("/trade-history"),
    "charges_history": _get("/charges-history"),
    "realised_profit_history": _get("/realised-pnl-history"),
    "tax_pnl_history": _get("/tax-pnl-history"),
    "ledger_history": _get("/ledger-history"),
    "screeners_config": _get("/screeners/config"),
    "screeners_query": _get("/screeners/query"),
    "screeners_candlestick": _get("/screeners/candlestick"),
    "screeners_technical": _get("/screeners/technical"),
    # market data (DATA_ROOT)
    "market_status": _get("/marketStatus", "data"),
    "history": _get("/history", "data"),
    "quotes": _get("/quotes", "data"),
    "quotes_v2": Route("POST", "/quotes", "data"),
    "depth": _get("/depth", "data"),
    "optionchain": _get("/options-chain-v3", "data"),
    "symbol_token": Route("POST", "/symbol-token", "data"),
    "futures_chain": _get("/futures-chain", "data"),
    "expiry_dates": _get("/history/fno/expired/expiry-dates", "data"),
    "history_underlying_symbols": _get("/history/fno/expired/underlying-symbols", "data"),
    "fno_historical_data": _get("/history/fno/expired/historical-data", "data"),
    # public files (PUBLIC_ROOT)
    "symbol_master": _get("/sym_details/{segment}.csv", "public"),
    "index_names": _get("/sym_details/index_hsm_mapping.json", "public"),
}

# -- rate limits -----------------------------------------------------------------------------
# One bucket per app key for every REST call (Fyers: 10/s, 200/min, 100000/day).
DEFAULT_GROUP = "default"
PUBLIC_GROUP = "public"  # symbol master files on public.fyers.in: not API calls, not limited
RATE_LIMITS: Dict[str, List[Tuple[int, float]]] = {
    DEFAULT_GROUP: [(10, 1.0), (200, 60.0), (100_000, 86_400.0)],
}

#: Widest range of one /data/history request, in days, per resolution in minutes (1440 = "D").
HISTORY_CAPS: Dict[int, int] = {**{m: 100 for m in (1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 240)}, 1440: 366}
HISTORY_WORKERS = 5  # within 10/s and 200/min, shared with every other call
