"""The Fyers sandbox's route table: every path it serves and the name of the handler
method on :class:`~brokers.sandbox.fyers.FyersSandbox`. Fyers counts one rate limit
per app, so there are no groups."""

from __future__ import annotations

from typing import List, Tuple

__all__ = ["API", "DATA", "ECHO", "PUBLIC", "PUBLIC_ROUTES", "ROUTES"]

API = "/fyers/api/v3"
DATA = "/fyers/data"
PUBLIC = "/fyers/public"

# (method, full path, handler): no "APPID:token" header needed.
PUBLIC_ROUTES: List[Tuple[str, str, str]] = [
    ("GET", API + "/generate-authcode", "generate_authcode"),
    ("POST", API + "/validate-authcode", "validate_authcode"),
    ("POST", API + "/validate-refresh-token", "validate_refresh"),
    ("POST", DATA + "/symbol-token", "symbol_token"),  # checks the bare token itself
    ("GET", PUBLIC + "/sym_details/index_hsm_mapping.json", "index_mapping"),
    ("GET", PUBLIC + "/sym_details/{name}", "symbol_master"),
]

# (method, full path, handler): behind the "APPID:token" check.
ROUTES: List[Tuple[str, str, str]] = [
    ("GET", API + "/profile", "profile"),
    ("GET", API + "/funds", "funds"),
    ("GET", API + "/holdings", "holdings"),
    ("GET", API + "/positions", "get_positions"),
    ("POST", API + "/positions", "convert_position"),
    ("DELETE", API + "/positions", "exit_positions"),
    ("GET", API + "/tradebook", "tradebook"),
    ("GET", API + "/orders", "orderbook"),
    ("POST", API + "/orders/sync", "place_order"),
    ("PATCH", API + "/orders/sync", "modify_order"),
    ("DELETE", API + "/orders/sync", "cancel_order"),
    ("POST", API + "/multi-order/sync", "place_basket"),
    ("PATCH", API + "/multi-order/sync", "modify_basket"),
    ("DELETE", API + "/multi-order/sync", "cancel_basket"),
    ("POST", API + "/multileg/orders/sync", "place_multileg"),
    ("GET", API + "/gtt/orders", "gtt_orderbook"),
    ("POST", API + "/gtt/orders/sync", "place_gtt"),
    ("PATCH", API + "/gtt/orders/sync", "modify_gtt"),
    ("DELETE", API + "/gtt/orders/sync", "cancel_gtt"),
    ("POST", API + "/logout", "logout"),
    ("GET", DATA + "/marketStatus", "market_status"),
    ("GET", DATA + "/history", "history"),
    ("GET", DATA + "/quotes", "quotes"),
    ("GET", DATA + "/depth", "depth"),
    ("GET", DATA + "/options-chain-v3", "optionchain"),
]

# The rest of FyersModel's endpoints: (method, root, path), echoed back so tests see
# the verb, path and payload the client sent.
ECHO: List[Tuple[str, str, str]] = (
    [("PATCH", API, "/positions"), ("POST", DATA, "/quotes")]
    + [(m, API, "/price-alert") for m in ("GET", "POST", "PUT", "DELETE")] + [("PUT", API, "/toggle-alert")]
    + [("POST", API, f"/smart-order/{k}") for k in ("step", "limit", "trail", "sip")]
    + [("PATCH", API, "/smart-order/modify"), ("DELETE", API, "/smart-order/cancel"),
       ("PATCH", API, "/smart-order/pause"), ("PATCH", API, "/smart-order/resume"),
       ("GET", API, "/smart-order/orderbook"), ("GET", API, "/flows/tc/se"), ("POST", API, "/flows/tc/se"),
       ("PUT", API, "/flows/tc/se"), ("POST", API, "/flows/tc/se/activate")]
    + [("GET", API, p) for p in ("/order-history", "/trade-history", "/charges-history", "/realised-pnl-history",
                                 "/tax-pnl-history", "/ledger-history", "/screeners/config", "/screeners/query",
                                 "/screeners/candlestick", "/screeners/technical")]
    + [("GET", DATA, p) for p in ("/futures-chain", "/history/fno/expired/expiry-dates",
                                  "/history/fno/expired/underlying-symbols",
                                  "/history/fno/expired/historical-data")]
)
