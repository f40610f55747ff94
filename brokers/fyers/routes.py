"""Fyers API v3: hosts, paths, rate limits, the error-code table and the decoder.

Everything here is data about the wire (no I/O): what the client needs to
build a request and to turn the answer into a dict or a typed exception.
Facts from the Fyers v3 docs and the official SDK (``fyers_apiv3``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple, Type

import requests

from .. import errors
from ..core import redact
from ..core.http import read_json, retry_after_seconds, status_error

__all__ = [
    "API_ROOT",
    "DATA_ROOT",
    "DATA_WS",
    "ERROR_CODES",
    "ORDER_WS",
    "PUBLIC_ROOT",
    "RATE_LIMITS",
    "decode",
    "decode_order",
    "error_for",
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
DATA_TOKEN = "/data-token"  # a token for third-party data vendors (TrueData)
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

# -- error codes -----------------------------------------------------------------------------
# Fyers' own ``code`` (negative ints) -> our class. An explicit table: a code that is
# not listed falls back to the HTTP status (see error_for), never to getattr.
ERROR_CODES: Dict[int, Type[errors.BrokerError]] = {
    # session
    -8: errors.TokenExpired,  # token expired
    -15: errors.TokenExpired,  # invalid token
    -16: errors.TokenExpired,  # could not authenticate the token
    -17: errors.TokenExpired,  # token invalid or expired
    # login / app
    -352: errors.AuthError,  # invalid app id
    -371: errors.AuthError,  # appIdHash is not sha256(app_id:secret)
    -373: errors.AuthError,  # no permission
    -374: errors.AuthError,  # auth code missing or invalid
    -437: errors.AuthError,  # refresh token / pin refused
    -441: errors.AuthError,  # invalid grant type
    # throttling
    -353: errors.RateLimitError,  # API limit exceeded (second, minute or day)
    -429: errors.RateLimitError,
    # input
    -50: errors.InputError,
    -51: errors.InputError,  # invalid order id
    -53: errors.InputError,  # invalid position id
    -101: errors.InputError,  # order type
    -209: errors.InputError,  # validation parameter / order number
    -300: errors.InputError,  # invalid symbol
    -305: errors.InputError,
    -308: errors.InputError,  # limitPrice
    -309: errors.InputError,  # stopPrice
    -310: errors.InputError,  # qty
    -311: errors.InputError,  # stop loss
    -313: errors.InputError,  # side
    -314: errors.InputError,  # productType
    -315: errors.InputError,  # stop-limit price
    -316: errors.InputError,
    -323: errors.InputError,
    -325: errors.InputError,  # takeProfit
    -326: errors.InputError,  # validity
    -327: errors.InputError,  # disclosed qty
    -328: errors.InputError,  # offline flag
    -372: errors.InputError,  # price
    -390: errors.InputError,  # stop price
    -392: errors.InputError,  # not a multiple of the tick size
    # order state and risk
    -99: errors.OrderError,  # order rejected by the OMS
    -157: errors.OrderError,  # user does not exist
    -159: errors.OrderError,  # no such order
    -161: errors.OrderError,  # already cancelled
    -162: errors.OrderError,  # already traded
    -163: errors.OrderError,  # modification failed
    -164: errors.OrderError,  # already rejected
    -201: errors.OrderError,  # exchange connectivity
    -202: errors.OrderError,
    -204: errors.OrderError,
    -205: errors.OrderError,
    -329: errors.OrderError,  # exit request taken; check positions
    -397: errors.OrderError,  # position quantity is zero
    -398: errors.OrderError,  # no open positions
    -399: errors.OrderError,  # no pending orders
    # broker side
    -96: errors.ServerError,
}


def _code(body: Any) -> Optional[int]:
    if not isinstance(body, Mapping):
        return None
    code = body.get("code")
    if isinstance(code, bool):
        return None
    try:
        return int(code) if code is not None else None
    except (TypeError, ValueError):
        return None


def error_for(
    response: requests.Response, body: Any, default: Type[errors.BrokerError] = errors.InputError
) -> errors.BrokerError:
    """The exception for an error answer: by Fyers' ``code`` first, then by status.

    Args:
        response: the HTTP response.
        body: its decoded JSON.
        default: the class for an unknown code on a 2xx/4xx status (order calls
            pass :class:`~brokers.errors.OrderError`).
    """
    code = _code(body)
    message = str(body.get("message") or "") if isinstance(body, Mapping) else ""
    status = response.status_code
    cls = ERROR_CODES.get(code) if code is not None else None
    if cls is None:
        if status == 401:
            cls = errors.TokenExpired
        elif status == 429:
            cls = errors.RateLimitError
        elif status >= 500:
            cls = errors.ServerError
        elif status == 403:
            cls = errors.AuthError
        else:
            cls = default
    if status >= 500 and cls is not errors.ServerError and not issubclass(cls, errors.AuthError):
        # A gateway status must stay a ServerError so that GETs are retried and an
        # order call reports an unknown state instead of a plain rejection.
        cls = errors.ServerError
    err = status_error(response, BROKER, message or f"HTTP {status}", code=code, cls=cls)
    if isinstance(err, errors.RateLimitError) and err.retry_after is None:
        err.retry_after = retry_after_seconds(response)
    return err


def _decode(response: requests.Response, default: Type[errors.BrokerError]) -> Dict[str, Any]:
    body = read_json(response, BROKER)
    failed = response.status_code >= 400 or (isinstance(body, Mapping) and body.get("s") == "error")
    if failed:
        raise error_for(response, body, default)
    if not isinstance(body, dict):
        raise errors.ResponseError(
            f"expected a JSON object, got {type(body).__name__}", broker=BROKER,
            status=response.status_code, body=redact.scrub(response.text[:300]))
    return body


def decode(response: requests.Response) -> Dict[str, Any]:
    """The broker's JSON dict, or a typed exception for ``s == "error"`` or an error status."""
    return _decode(response, errors.InputError)


def decode_order(response: requests.Response) -> Dict[str, Any]:
    """As :func:`decode`, but an unknown error code on an order call is an OrderError."""
    return _decode(response, errors.OrderError)
