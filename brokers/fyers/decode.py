"""Fyers' one error boundary: the error-code table, the status table, and the
functions that turn a response into a dict or a typed exception.

An error is keyed on Fyers' own ``code`` first (:data:`ERROR_CODES`), then on
the HTTP status (:data:`BY_STATUS`); a gateway status (5xx) stays a ServerError
so that GETs are retried and an order call reports an unknown state.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Type

import requests

from .. import errors
from ..core import redact
from ..core.response import body_text, error_from, read_json

__all__ = ["BY_STATUS", "ERROR_CODES", "decode", "decode_json", "decode_order", "decode_text", "error_for"]

BROKER = "fyers"

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

#: HTTP status -> class, for an error answer without a code we know. Any other
#: 5xx is a ServerError; any other status the call's default (InputError, or
#: OrderError on order calls).
BY_STATUS: Mapping[int, Type[errors.BrokerError]] = {
    401: errors.TokenExpired, 403: errors.AuthError, 429: errors.RateLimitError,
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
        cls = BY_STATUS.get(status) or (errors.ServerError if status >= 500 else default)
    if status >= 500 and cls is not errors.ServerError and not issubclass(cls, errors.AuthError):
        # A gateway status must stay a ServerError so that GETs are retried and an
        # order call reports an unknown state instead of a plain rejection.
        cls = errors.ServerError
    return error_from(cls, response, BROKER, message or f"HTTP {status}", code=code)


def status_error(response: requests.Response, message: Optional[str] = None) -> errors.BrokerError:
    """The error for an error status whose body is not JSON (an HTML gateway page)."""
    status = response.status_code
    cls = BY_STATUS.get(status) or (errors.ServerError if status >= 500 else
                                    errors.InputError if status in (400, 404, 405, 422) else errors.ResponseError)
    return error_from(cls, response, BROKER, message)


def _decode(response: requests.Response, default: Type[errors.BrokerError]) -> Dict[str, Any]:
    body = read_json(response, BROKER, status_error)
    failed = response.status_code >= 400 or (isinstance(body, Mapping) and body.get("s") == "error")
    if failed:
        raise error_for(response, body, default)
    if not isinstance(body, dict):
        raise errors.ResponseError(
            f"expected a JSON object, got {type(body).__name__}", broker=BROKER,
            status=response.status_code, body=redact.scrub(body_text(response)))
    return body


def decode(response: requests.Response) -> Dict[str, Any]:
    """The broker's JSON dict, or a typed exception for ``s == "error"`` or an error status."""
    return _decode(response, errors.InputError)


def decode_order(response: requests.Response) -> Dict[str, Any]:
    """As :func:`decode`, but an unknown error code on an order call is an OrderError."""
    return _decode(response, errors.OrderError)


def decode_text(response: requests.Response) -> str:
    """A text body (the public symbol master CSV); an error status raises."""
    if response.status_code >= 400:
        raise status_error(response, f"HTTP {response.status_code}")
    return response.content.decode("utf-8", errors="replace")


def decode_json(response: requests.Response) -> Any:
    """Any JSON body (the public index mapping), without Fyers' envelope."""
    if response.status_code >= 400:
        raise status_error(response, f"HTTP {response.status_code}")
    return read_json(response, BROKER, status_error)
