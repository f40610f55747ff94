"""Kite's hosts, rate limits and response decoding.

Everything here is data about the wire: where requests go, how many the
broker allows, and how a response body becomes a value or one of the
exceptions in :mod:`brokers.kite.exceptions`.
"""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Tuple

import requests

from ..core import redact
from ..core.http import body_text, read_json, retry_after_seconds
from . import exceptions as ex

ROOT = "https://api.kite.trade"
WEB_ROOT = "https://kite.zerodha.com"
KITE_VERSION = "3"

# -- paths on WEB_ROOT (the login pages, not API routes) ---------------------------------------
LOGIN_PATH = "/connect/login"
WEB_LOGIN_PATH = "/api/login"
WEB_TWOFA_PATH = "/api/twofa"
#: A Kite Web (enctoken) session reaches the API routes under WEB_ROOT + WEB_API_PREFIX.
WEB_API_PREFIX = "/oms"

# -- API routes: kiteconnect 5.2.2's names and paths, then the routes it lacks ------------------
#: Route name -> path, relative to ROOT (or WEB_ROOT + "/oms" for a Kite Web session).
#: ``Kite._routes`` starts as a copy of this table.
ROUTES: Dict[str, str] = {
    "api.token": "/session/token",
    "api.token.invalidate": "/session/token",
    "api.token.renew": "/session/refresh_token",
    "user.profile": "/user/profile",
    "user.margins": "/user/margins",
    "user.margins.segment": "/user/margins/{segment}",

    "orders": "/orders",
    "trades": "/trades",

    "order.info": "/orders/{order_id}",
    "order.place": "/orders/{variety}",
    "order.modify": "/orders/{variety}/{order_id}",
    "order.cancel": "/orders/{variety}/{order_id}",
    "order.trades": "/orders/{order_id}/trades",

    "portfolio.positions": "/portfolio/positions",
    "portfolio.holdings": "/portfolio/holdings",
    "portfolio.holdings.auction": "/portfolio/holdings/auctions",
    "portfolio.positions.convert": "/portfolio/positions",

    "mf.orders": "/mf/orders",
    "mf.order.info": "/mf/orders/{order_id}",
    "mf.order.place": "/mf/orders",
    "mf.order.cancel": "/mf/orders/{order_id}",

    "mf.sips": "/mf/sips",
    "mf.sip.info": "/mf/sips/{sip_id}",
    "mf.sip.place": "/mf/sips",
    "mf.sip.modify": "/mf/sips/{sip_id}",
    "mf.sip.cancel": "/mf/sips/{sip_id}",

    "mf.holdings": "/mf/holdings",
    "mf.instruments": "/mf/instruments",

    "market.instruments.all": "/instruments",
    "market.instruments": "/instruments/{exchange}",
    "market.margins": "/margins/{segment}",
    "market.historical": "/instruments/historical/{instrument_token}/{interval}",
    "market.trigger_range": "/instruments/trigger_range/{transaction_type}",

    "market.quote": "/quote",
    "market.quote.ohlc": "/quote/ohlc",
    "market.quote.ltp": "/quote/ltp",

    "gtt": "/gtt/triggers",
    "gtt.place": "/gtt/triggers",
    "gtt.info": "/gtt/triggers/{trigger_id}",
    "gtt.modify": "/gtt/triggers/{trigger_id}",
    "gtt.delete": "/gtt/triggers/{trigger_id}",

    "order.margins": "/margins/orders",
    "order.margins.basket": "/margins/basket",
    "order.contract_note": "/charges/orders",

    # Not in kiteconnect 5.2.2 (Kite documents them; gokiteconnect has most).
    "user.profile.full": "/user/profile/full",
    "portfolio.holdings.summary": "/portfolio/holdings/summary",
    "portfolio.holdings.compact": "/portfolio/holdings/compact",
    "portfolio.holdings.authorise": "/portfolio/holdings/authorise",
    "mf.holdings.info": "/mf/holdings/{isin}",
    "mf.allotments": "/mf/allotments",
    "alerts": "/alerts",
    "alerts.create": "/alerts",
    "alerts.delete": "/alerts",
    "alerts.info": "/alerts/{uuid}",
    "alerts.modify": "/alerts/{uuid}",
    "alerts.history": "/alerts/{uuid}/history",
}


class RouteMeta(NamedTuple):
    """How a route is sent.

    group: the rate-limit group. order: an order call (never retried; an answer
    that is lost or unreadable is OrderStateUnknown). auth: send the session's
    token. api_host: always on ROOT (the instrument dumps), with the token only for
    a KiteConnect session.
    """

    group: str = "default"
    order: bool = False
    auth: bool = True
    api_host: bool = False


DEFAULT_META = RouteMeta()
_ORDER = RouteMeta(group="orders", order=True)
_TRADE = RouteMeta(order=True)  # order-like, default group
_SESSION = RouteMeta(auth=False)
_DUMP = RouteMeta(api_host=True)

#: Route name -> RouteMeta; a route not listed here (one a subclass adds) gets DEFAULT_META.
ROUTE_META: Dict[str, RouteMeta] = {
    "api.token": _SESSION, "api.token.invalidate": _SESSION, "api.token.renew": _SESSION,
    "order.place": _ORDER, "order.modify": _ORDER, "order.cancel": _ORDER,
    "gtt.place": _TRADE, "gtt.modify": _TRADE, "gtt.delete": _TRADE,
    "mf.order.place": _TRADE, "mf.order.cancel": _TRADE,
    "mf.sip.place": _TRADE, "mf.sip.modify": _TRADE, "mf.sip.cancel": _TRADE,
    "alerts.create": _TRADE, "alerts.modify": _TRADE,
    "market.quote": RouteMeta(group="quote"), "market.quote.ohlc": RouteMeta(group="quote"),
    "market.quote.ltp": RouteMeta(group="quote"),
    "market.historical": RouteMeta(group="historical"),
    "market.instruments.all": _DUMP, "market.instruments": _DUMP,
}

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
    error_type = str(body["error_type"]) if body.get("error_type") else None  # whatever its JSON type
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
