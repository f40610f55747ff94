"""Kite's hosts, rate limits and response decoding.

Everything here is data about the wire: where requests go, how many the
broker allows, and how a response body becomes a value or one of the
exceptions in :mod:`brokers.kite.exceptions`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import requests

from ..core import redact
from ..core.http import body_text, read_json, retry_after_seconds
from . import exceptions as ex

ROOT = "https://api.kite.trade"
WEB_ROOT = "https://kite.zerodha.com"
LOGIN_PATH = "/connect/login"
KITE_VERSION = "3"

#: Documented limits per group, as ``(calls, seconds)`` windows.
RATE_LIMITS: Dict[str, List[Tuple[int, float]]] = {
    "quote": [(1, 1.0)],
    "historical": [(3, 1.0)],
    "orders": [(10, 1.0), (400, 60.0), (5000, 86400.0)],
    "default": [(10, 1.0)],
}

_GATEWAY = (502, 503, 504)


def _error(response: requests.Response, body: Any) -> ex.KiteException:
    status = response.status_code
    message = redact.scrub(str(body.get("message") or f"HTTP {status}"))
    error_type = body.get("error_type") or None
    excerpt = redact.scrub(body_text(response))
    if status == 429:
        return ex.RateLimitException(message, status=status, error_type=error_type, body=excerpt,
                                     retry_after=retry_after_seconds(response))
    if status in _GATEWAY:
        return ex.ServerException(message, status=status, error_type=error_type, body=excerpt)
    if error_type:  # as kiteconnect: an error type we do not know is a GeneralException
        cls = ex.BY_ERROR_TYPE.get(error_type, ex.GeneralException)
    else:
        cls = _by_status(status)
    return cls(message, status=status, error_type=error_type, body=excerpt)


def _by_status(status: int) -> type:
    if status in (401, 403):
        return ex.TokenException
    if status in (400, 404, 405, 422):
        return ex.InputException
    if status >= 500:
        return ex.ServerException
    return ex.GeneralException


def decode(response: requests.Response) -> Any:
    """Kite's envelope -> ``data``, or an exception.

    Like kiteconnect, a body with ``status == "error"`` or an ``error_type``
    raises even on HTTP 200, and a CSV body is returned as bytes. Unlike
    kiteconnect, a non-JSON error page keeps its status (an HTML 502 is a
    ServerException with status 502, not a DataException) and a missing
    content type is not a crash.
    """
    ctype = response.headers.get("Content-Type", "").lower()
    if "csv" in ctype:
        if response.status_code >= 400:
            raise _status_only(response)
        return response.content
    if "json" not in ctype and response.status_code >= 400:
        raise _status_only(response)
    body = read_json(response, "kite")
    if isinstance(body, dict):
        if body.get("status") == "error" or body.get("error_type"):
            raise _error(response, body)
        if response.status_code >= 400:
            raise _error(response, body)
        return body["data"] if "data" in body else body
    if response.status_code >= 400:
        raise _status_only(response)
    return body


def _status_only(response: requests.Response) -> ex.KiteException:
    status = response.status_code
    excerpt = redact.scrub(body_text(response))
    message = f"HTTP {status} with a {response.headers.get('Content-Type') or 'untyped'} body"
    if status == 429:
        return ex.RateLimitException(message, status=status, body=excerpt, retry_after=retry_after_seconds(response))
    cls = ex.ServerException if status in _GATEWAY else _by_status(status)
    return cls(message, status=status, body=excerpt)

#: Widest range of one historical request, in days, per interval in minutes (1440 = day).
HISTORY_CAPS: Dict[int, int] = {1: 60, 3: 100, 5: 100, 10: 100, 15: 200, 30: 200, 60: 400, 1440: 2000}
#: Kite's interval names by minutes.
HISTORY_INTERVALS: Dict[int, str] = {1: "minute", 3: "3minute", 5: "5minute", 10: "10minute", 15: "15minute",
                                     30: "30minute", 60: "60minute", 1440: "day"}
HISTORY_WORKERS = 3  # as many threads as the 3/s budget can keep busy
