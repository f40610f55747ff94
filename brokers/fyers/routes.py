"""Fyers API v3: hosts, paths and rate limits.

Everything here is data about the wire (no I/O): what the client needs to
build a request. Facts from the Fyers v3 docs and the official SDK
(``fyers_apiv3``). How the answer becomes a dict or a typed exception is
:mod:`brokers.fyers.decode`.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

__all__ = [
    "API_ROOT",
    "DATA_ROOT",
    "DATA_WS",
    "ORDER_WS",
    "PUBLIC_ROOT",
    "RATE_LIMITS",
]

BROKER = "fyers"

# -- hosts -----------------------------------------------------------------------------------
API_ROOT = "https://api-t1.fyers.in/api/v3"
DATA_ROOT = "https://api-t1.fyers.in/data"
PUBLIC_ROOT = "https://public.fyers.in"  # symbol master files, no auth
DATA_WS = "wss://socket.fyers.in/hsm/v1-5/prod"
ORDER_WS = "wss://socket.fyers.in/trade/v3"

# -- paths (API_ROOT) ------------------------------------------------------------------------
GENERATE_AUTHCODE = "/generate-authcode"
VALIDATE_AUTHCODE = "/validate-authcode"
VALIDATE_REFRESH = "/validate-refresh-token"
LOGOUT = "/logout"
PROFILE = "/profile"
FUNDS = "/funds"
HOLDINGS = "/holdings"
POSITIONS = "/positions"  # GET list, POST convert, DELETE exit
TRADEBOOK = "/tradebook"
ORDERS = "/orders"  # GET order book (?id=)
ORDERS_SYNC = "/orders/sync"  # POST place, PATCH modify, DELETE cancel
MULTI_ORDER = "/multi-order/sync"  # basket: POST, PATCH, DELETE
MULTILEG = "/multileg/orders/sync"
GTT_ORDERS = "/gtt/orders"
GTT_SYNC = "/gtt/orders/sync"
PRICE_ALERT = "/price-alert"
TOGGLE_ALERT = "/toggle-alert"

# -- paths (DATA_ROOT) -----------------------------------------------------------------------
MARKET_STATUS = "/marketStatus"
HISTORY = "/history"
QUOTES = "/quotes"
DEPTH = "/depth"
OPTION_CHAIN = "/options-chain-v3"
SYMBOL_TOKEN = "/symbol-token"

# -- paths (PUBLIC_ROOT) ---------------------------------------------------------------------
SYMBOL_MASTER = "/sym_details/{segment}.csv"
INDEX_MAPPING = "/sym_details/index_hsm_mapping.json"
SEGMENTS = ("NSE_CM", "NSE_FO", "NSE_CD", "NSE_COM", "BSE_CM", "BSE_FO", "MCX_COM")

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
