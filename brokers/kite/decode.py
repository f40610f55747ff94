"""Kite's one error boundary: the tables and the function that turn a response
into a value or one of the exceptions in :mod:`brokers.kite.exceptions`.

The rules, in order:

1. HTTP 429 is :class:`~brokers.kite.exceptions.RateLimitException` (a
   :class:`~brokers.errors.RateLimitError`), whatever the body says; Kite's
   ``error_type`` is kept in ``e.error_type``. (kiteconnect would raise the body's
   class; a 429 is a RateLimitError for every broker.)
2. A JSON body with ``"status": "error"`` or an ``error_type`` raises the class
   named by ``error_type`` (:data:`BY_ERROR_TYPE`; an unknown name is a
   GeneralException, as in kiteconnect) at **every** HTTP status, 200 included:
   ``"error_type": "NetworkException"`` on a 503 is a NetworkException, a
   DataException on a 502 likewise.
3. Any other error status (no ``error_type``, an HTML or CSV page) is classed by
   :data:`BY_STATUS`: an HTML 502 page is a ServerException with status 502.
4. Otherwise the envelope's ``data`` is returned (CSV bodies as bytes).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Type

import requests

from .. import errors
from ..core.response import error_from, read_json
from . import exceptions as ex

__all__ = ["BY_ERROR_TYPE", "BY_STATUS", "FAMILY", "decode", "status_error"]

BROKER = "kite"

#: Kite's ``error_type`` -> class. Unknown types become GeneralException.
BY_ERROR_TYPE: Mapping[str, Type[ex.KiteException]] = {
    "GeneralException": ex.GeneralException,
    "TokenException": ex.TokenException,
    "PermissionException": ex.PermissionException,
    "OrderException": ex.OrderException,
    "InputException": ex.InputException,
    "DataException": ex.DataException,
    "NetworkException": ex.NetworkException,
    "MarginException": ex.MarginException,
    "HoldingException": ex.HoldingException,
    "UserException": ex.UserException,
    "TwoFAException": ex.TwoFAException,
}

#: HTTP status -> class, for error answers without an ``error_type``. Any other
#: 5xx is a ServerException, any other 4xx a GeneralException.
BY_STATUS: Mapping[int, Type[ex.KiteException]] = {
    400: ex.InputException, 404: ex.InputException, 405: ex.InputException, 422: ex.InputException,
    401: ex.TokenException, 403: ex.TokenException, 429: ex.RateLimitException,
}

#: generic class -> Kite class, for the errors the transport makes itself
#: (network failures, timeouts, an order whose state is unknown).
FAMILY: Dict[Type[errors.BrokerError], Type[errors.BrokerError]] = {
    errors.AuthError: ex.PermissionException,
    errors.TokenExpired: ex.TokenException,
    errors.InputError: ex.InputException,
    errors.OrderError: ex.OrderException,
    errors.RateLimitError: ex.RateLimitException,
    errors.NetworkError: ex.NetworkException,
    errors.Timeout: ex.TimeoutException,
    errors.OrderStateUnknown: ex.OrderStateUnknownException,
    errors.ServerError: ex.ServerException,
    errors.ResponseError: ex.DataException,
}


def _by_status(status: int) -> Type[ex.KiteException]:
    cls = BY_STATUS.get(status)
    if cls is not None:
        return cls
    return ex.ServerException if status >= 500 else ex.GeneralException


def status_error(response: requests.Response, message: str) -> errors.BrokerError:
    """The error for an error status whose body says nothing more (HTML, CSV, no type)."""
    return error_from(_by_status(response.status_code), response, BROKER, message)


def _error(response: requests.Response, body: Dict[str, Any]) -> errors.BrokerError:
    status = response.status_code
    message = str(body.get("message") or f"HTTP {status}")
    error_type = body.get("error_type") or None
    if status == 429:
        cls: Type[ex.KiteException] = ex.RateLimitException
    elif error_type:
        cls = BY_ERROR_TYPE.get(str(error_type), ex.GeneralException)
    else:
        cls = _by_status(status)
    return error_from(cls, response, BROKER, message, error_type=str(error_type) if error_type else None)


def decode(response: requests.Response) -> Any:
    """Kite's envelope -> ``data``, or an exception (the rules in the module docstring).

    Like kiteconnect, a body with ``status == "error"`` or an ``error_type``
    raises even on HTTP 200, and a CSV body is returned as bytes. Unlike
    kiteconnect, a non-JSON error page keeps its status (an HTML 502 is a
    ServerException with status 502, not a DataException) and a missing
    content type is not a crash.
    """
    status = response.status_code
    ctype = response.headers.get("Content-Type", "").lower()
    if status >= 400 and ("csv" in ctype or "json" not in ctype):
        body_hint = response.headers.get("Content-Type") or "untyped"
        raise status_error(response, f"HTTP {status} with a {body_hint} body")
    if "csv" in ctype:
        return response.content
    body = read_json(response, BROKER, status_error, ex.DataException)
    if isinstance(body, dict):
        if body.get("status") == "error" or body.get("error_type") or status >= 400:
            raise _error(response, body)
        return body["data"] if "data" in body else body
    if status >= 400:
        raise status_error(response, f"HTTP {status}")
    return body

