"""Dhan (DhanHQ v2) wire facts: hosts, paths, rate-limit groups, enums and feed
disconnect codes.

Everything here is data about Dhan's API; ``client.py`` and ``auth.py`` only
combine it. Facts come from the DhanHQ v2 docs and the official ``dhanhq`` 2.x
client. How a response becomes a value or a typed error is :mod:`brokers.dhan.decode`.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Mapping, Optional, Tuple

__all__ = [
    "API_ROOT", "AUTH_ROOT", "SCRIP_ROOT", "FEED_URL", "ORDER_FEED_URL", "DEFAULT_LIMITS",
    "SEGMENTS", "SEGMENT_CODES",
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

# -- paths (relative to API_ROOT unless noted) -------------------------------------------
ORDERS = "/orders"
ORDER = "/orders/{order_id}"
ORDER_SLICING = "/orders/slicing"
ORDER_BY_CORRELATION = "/orders/external/{correlation_id}"
SUPER_ORDERS = "/super/orders"
SUPER_ORDER = "/super/orders/{order_id}"
SUPER_ORDER_LEG = "/super/orders/{order_id}/{order_leg}"
FOREVER_ORDERS = "/forever/orders"
FOREVER_ORDER = "/forever/orders/{order_id}"
CONDITIONAL_ORDERS = "/alerts/orders"
CONDITIONAL_ORDER = "/alerts/orders/{alert_id}"
POSITIONS = "/positions"
POSITIONS_CONVERT = "/positions/convert"
HOLDINGS = "/holdings"
FUND_LIMIT = "/fundlimit"
MARGIN = "/margincalculator"
MARGIN_MULTI = "/margincalculator/multi"
TRADES = "/trades"
TRADES_OF_ORDER = "/trades/{order_id}"
TRADE_HISTORY = "/trades/{from_date}/{to_date}/{page}"
LEDGER = "/ledger"
KILL_SWITCH = "/killswitch"
PNL_EXIT = "/pnlExit"
EDIS_TPIN = "/edis/tpin"
EDIS_FORM = "/edis/form"
EDIS_BULK_FORM = "/edis/bulkform"
EDIS_INQUIRE = "/edis/inquire/{isin}"
CHART_DAILY = "/charts/historical"
CHART_INTRADAY = "/charts/intraday"
CHART_EXPIRED = "/charts/rollingoption"
QUOTE_LTP = "/marketfeed/ltp"
QUOTE_OHLC = "/marketfeed/ohlc"
QUOTE_FULL = "/marketfeed/quote"
OPTION_CHAIN = "/optionchain"
EXPIRY_LIST = "/optionchain/expirylist"
PROFILE = "/profile"
RENEW_TOKEN = "/RenewToken"
IP_SET = "/ip/setIP"
IP_MODIFY = "/ip/modifyIP"
IP_GET = "/ip/getIP"
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
