"""Dhan (DhanHQ v2) wire facts: hosts, the route table (every path), rate-limit
groups, enums and feed disconnect codes.

Everything here is data about Dhan's API; ``client.py`` and ``auth.py`` only
combine it. Facts come from the DhanHQ v2 docs and the official ``dhanhq`` 2.x
client. How a response becomes a value or a typed error is :mod:`brokers.dhan.decode`.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Mapping, NamedTuple, Optional, Tuple

__all__ = [
    "API_ROOT", "AUTH_ROOT", "SCRIP_ROOT", "FEED_URL", "ORDER_FEED_URL", "DEFAULT_LIMITS",
    "SEGMENTS", "SEGMENT_CODES", "ROUTES", "Route",
]

BROKER = "dhan"

# -- hosts -------------------------------------------------------------------------------
API_ROOT = "https://api.dhan.co/v2"
AUTH_ROOT = "https://auth.dhan.co"
# The scrip master lives on a public CDN: no token is ever sent there (Aio-Trader did).
SCRIP_ROOT = "https://images.dhan.co/api-data"
GLOBAL_SCRIP_ROOT = "https://api-global-stocks.dhan.co/api-data"
FEED_URL = "wss://api-feed.dhan.co"
ORDER_FEED_URL = "wss://api-order-update.dhan.co"

SCRIP_FILES = {"compact": "api-scrip-master.csv", "detailed": "api-scrip-master-detailed.csv",
               "global": "us-stock-scrip-master.csv"}

# -- rate limits -------------------------------------------------------------------------
# Groups and their documented windows (calls, seconds). Orders were cut from 25/s to
# 10/s in v2.3 (2025-09-08). The option chain allows one request every 3 s.
DEFAULT_LIMITS: Dict[str, List[Tuple[int, float]]] = {
    "orders": [(10, 1.0), (250, 60.0), (1000, 3600.0), (7000, 86400.0)],
    "data": [(5, 1.0), (100000, 86400.0)],
    "quote": [(1, 1.0)],
    "option_chain": [(1, 3.0)],
    "default": [(20, 1.0)],
}

# -- routes ------------------------------------------------------------------------------
class Route(NamedTuple):
    """One endpoint: verb, path (``{name}`` slots filled by the client, percent-encoded),
    and how it is sent.

    group: the rate-limit group. order: an order call (never retried; an answer that
    is lost or unreadable is OrderStateUnknown). client_id: the JSON body carries
    ``dhanClientId`` (as dhanhq sends it). root: ``"api"`` (API_ROOT), ``"scrip"``
    or ``"global_scrip"`` (the public CSV hosts, no token). auth: send the token headers.
    """

    method: str
    path: str
    group: str = "default"
    order: bool = False
    client_id: bool = True
    root: str = "api"
    auth: bool = True


def _order(method: str, path: str) -> Route:
    return Route(method, path, "orders", True)


def _data(path: str, group: str = "data") -> Route:
    return Route("POST", path, group)  # dhanhq sends dhanClientId in these bodies too


#: Route name (the dhanhq method that calls it) -> Route, relative to API_ROOT unless noted.
ROUTES: Dict[str, Route] = {
    # orders
    "place_order": _order("POST", "/orders"),
    "place_slice_order": _order("POST", "/orders/slicing"),
    "modify_order": _order("PUT", "/orders/{order_id}"),
    "cancel_order": _order("DELETE", "/orders/{order_id}"),
    "get_order_list": Route("GET", "/orders"),
    "get_order_by_id": Route("GET", "/orders/{order_id}"),
    "get_order_by_correlationID": Route("GET", "/orders/external/{correlation_id}"),
    "place_super_order": _order("POST", "/super/orders"),
    "modify_super_order": _order("PUT", "/super/orders/{order_id}"),
    "cancel_super_order": _order("DELETE", "/super/orders/{order_id}/{order_leg}"),
    "get_super_order_list": Route("GET", "/super/orders"),
    "place_forever": _order("POST", "/forever/orders"),
    "modify_forever": _order("PUT", "/forever/orders/{order_id}"),
    "cancel_forever": _order("DELETE", "/forever/orders/{order_id}"),
    "get_forever": Route("GET", "/forever/orders"),
    "place_conditional_order": _order("POST", "/alerts/orders"),
    "get_conditional_orders": Route("GET", "/alerts/orders"),
    "get_conditional_order": Route("GET", "/alerts/orders/{alert_id}"),
    "modify_conditional_order": _order("PUT", "/alerts/orders/{alert_id}"),
    "cancel_conditional_order": _order("DELETE", "/alerts/orders/{alert_id}"),
    # portfolio, funds, statements
    "get_holdings": Route("GET", "/holdings"),
    "get_positions": Route("GET", "/positions"),
    "exit_all_positions": _order("DELETE", "/positions"),
    "convert_position": Route("POST", "/positions/convert", order=True),
    "get_fund_limits": Route("GET", "/fundlimit"),
    "margin_calculator": Route("POST", "/margincalculator"),
    "margin_calculator_multi": Route("POST", "/margincalculator/multi"),
    "get_trade_book": Route("GET", "/trades"),
    "get_order_trades": Route("GET", "/trades/{order_id}"),
    "get_trade_history": Route("GET", "/trades/{from_date}/{to_date}/{page}"),
    "ledger_report": Route("GET", "/ledger"),
    # trader controls, eDIS, static IP, profile
    "kill_switch": Route("POST", "/killswitch"),
    "status_kill_switch": Route("GET", "/killswitch"),
    "set_pnl_exit": Route("POST", "/pnlExit"),
    "get_pnl_exit": Route("GET", "/pnlExit"),
    "stop_pnl_exit": Route("DELETE", "/pnlExit"),
    "generate_tpin": Route("GET", "/edis/tpin"),
    "edis_form": Route("POST", "/edis/form"),
    "edis_bulk_form": Route("POST", "/edis/bulkform"),
    "edis_inquiry": Route("GET", "/edis/inquire/{isin}"),
    "set_ip": Route("POST", "/ip/setIP"),
    "modify_ip": Route("PUT", "/ip/modifyIP"),
    "get_ip": Route("GET", "/ip/getIP"),
    "user_profile": Route("GET", "/profile"),
    # market data
    "historical_daily_data": _data("/charts/historical"),
    "intraday_minute_data": _data("/charts/intraday"),
    "expired_options_data": _data("/charts/rollingoption"),
    "ticker_data": _data("/marketfeed/ltp", "quote"),
    "ohlc_data": _data("/marketfeed/ohlc", "quote"),
    "quote_data": _data("/marketfeed/quote", "quote"),
    "option_chain": _data("/optionchain", "option_chain"),
    "expiry_list": _data("/optionchain/expirylist"),
    "fetch_security_list": Route("GET", "/{file}", root="scrip", auth=False),
    "fetch_global_security_list": Route("GET", "/{file}", root="global_scrip", auth=False),
    # Global Stocks (US)
    "place_global_order": _order("POST", "/globalstocks/orders"),
    "get_global_order_list": Route("GET", "/globalstocks/orders"),
    "get_global_order_by_id": Route("GET", "/globalstocks/orders/{order_id}"),
    "modify_global_order": _order("PUT", "/globalstocks/orders/{order_id}"),
    "cancel_global_order": _order("DELETE", "/globalstocks/orders/{order_id}"),
    "get_global_trades": Route("GET", "/globalstocks/trades"),
    "get_global_trades_by_security": Route("GET", "/globalstocks/trades/{security_id}"),
    "get_global_holdings": Route("GET", "/globalstocks/holdings"),
    "global_trans_estimate": Route("POST", "/globalstocks/transEstimate"),
    "global_margin_calculator": Route("POST", "/globalstocks/margincalculator"),
    "get_global_market_status": Route("GET", "/globalstocks/marketstatus"),
    "get_global_fund_limit": Route("GET", "/globalstocks/fundlimit"),
}

# Session routes, sent by the login code (not through ROUTES).
RENEW_TOKEN = "/RenewToken"
# relative to AUTH_ROOT
AUTH_PIN_TOTP = "/app/generateAccessToken"
AUTH_CONSENT = "/app/generate-consent"
AUTH_CONSENT_LOGIN = "/login/consentApp-login"
AUTH_CONSUME = "/app/consumeApp-consent"

# -- enums -------------------------------------------------------------------------------
# Exchange segment name -> the integer used in binary feed packets.
SEGMENT_CODES: Dict[str, int] = {
    "IDX_I": 0, "NSE_EQ": 1, "NSE_FNO": 2, "NSE_CURRENCY": 3, "BSE_EQ": 4, "MCX_COMM": 5,
    "BSE_CURRENCY": 7, "BSE_FNO": 8,
}
SEGMENT_NAMES: Dict[int, str] = {v: k for k, v in SEGMENT_CODES.items()}
SEGMENTS: FrozenSet[str] = frozenset(SEGMENT_CODES)
TRADABLE_SEGMENTS: FrozenSet[str] = SEGMENTS - {"IDX_I"}
TRANSACTION_TYPES = frozenset({"BUY", "SELL"})
PRODUCT_TYPES = frozenset({"CNC", "INTRADAY", "MARGIN", "MTF", "CO", "BO"})
ORDER_TYPES = frozenset({"LIMIT", "MARKET", "STOP_LOSS", "STOP_LOSS_MARKET"})
VALIDITIES = frozenset({"DAY", "IOC"})
AMO_TIMES = frozenset({"PRE_OPEN", "OPEN", "OPEN_30", "OPEN_60"})
LEG_NAMES = frozenset({"ENTRY_LEG", "TARGET_LEG", "STOP_LOSS_LEG"})
ORDER_FLAGS = frozenset({"SINGLE", "OCO"})
POSITION_TYPES = frozenset({"LONG", "SHORT", "CLOSED"})
INSTRUMENTS = frozenset({"INDEX", "FUTIDX", "OPTIDX", "EQUITY", "FUTSTK", "OPTSTK", "FUTCOM", "OPTFUT",
                         "FUTCUR", "OPTCUR"})
INTERVALS = frozenset({1, 5, 15, 25, 60})
EXPIRY_CODES = frozenset({0, 1, 2, 3})
EXPIRY_FLAGS = frozenset({"WEEK", "MONTH"})
OPTION_TYPES = frozenset({"CALL", "PUT"})
ROLLING_FIELDS = frozenset({"open", "high", "low", "close", "iv", "volume", "strike", "oi", "spot"})
KILL_SWITCH_ACTIONS = frozenset({"ACTIVATE", "DEACTIVATE"})
IP_FLAGS = frozenset({"PRIMARY", "SECONDARY"})
MAX_QUOTE_INSTRUMENTS = 1000

# Feed disconnect codes and what they mean (sent in a code-50 packet).
DISCONNECT_REASONS: Mapping[int, str] = {
    800: "internal server error",
    804: "too many instruments requested",
    805: "too many requests or connections (a 6th connection drops the oldest)",
    806: "Data APIs not subscribed",
    807: "access token expired",
    808: "authentication failed",
    809: "access token invalid",
    810: "client id invalid",
    811: "invalid expiry date",
    812: "invalid date format",
    813: "invalid security id",
    814: "invalid request",
}
# Disconnects after which reconnecting cannot help (and for 805 would knock out
# another of the user's connections).
FATAL_DISCONNECTS = frozenset({805, 806, 807, 808, 809, 810})


#: Widest range of one chart request, in days, per interval in minutes (1440 = daily: no cap).
HISTORY_CAPS: Dict[int, Optional[int]] = {1: 90, 5: 90, 15: 90, 25: 90, 60: 90, 1440: None}
HISTORY_WORKERS = 5  # the data APIs allow 5 calls a second
