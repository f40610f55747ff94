"""Kite's hosts, paths, route table and rate limits.

Everything here is data about the wire: where requests go and how many the
broker allows. ``ROUTES`` names every API route as kiteconnect 5.2.2 does (plus
the routes it lacks), and ``ROUTE_META`` says how each is sent. How a response
body becomes a value or one of the exceptions in :mod:`brokers.kite.exceptions`
is :mod:`brokers.kite.decode`.
"""

from __future__ import annotations

from typing import Dict, List, NamedTuple, Tuple

ROOT = "https://api.kite.trade"
WEB_ROOT = "https://kite.zerodha.com"
KITE_VERSION = "3"

# -- paths on WEB_ROOT (the login pages, not API routes) ---------------------------------------
LOGIN_PATH = "/connect/login"
WEB_LOGIN = "/api/login"
WEB_TWOFA = "/api/twofa"
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

# The KiteConnect session routes, for the login code (under ROOT).
SESSION_TOKEN = ROUTES["api.token"]
SESSION_REFRESH = ROUTES["api.token.renew"]

#: Documented limits per group, as ``(calls, seconds)`` windows.
RATE_LIMITS: Dict[str, List[Tuple[int, float]]] = {
    "quote": [(1, 1.0)],
    "historical": [(3, 1.0)],
    "orders": [(10, 1.0), (400, 60.0), (5000, 86400.0)],
    "default": [(10, 1.0)],
}

#: Widest range of one historical request, in days, per interval in minutes (1440 = day).
HISTORY_CAPS: Dict[int, int] = {1: 60, 3: 100, 5: 100, 10: 100, 15: 200, 30: 200, 60: 400, 1440: 2000}
#: Kite's interval names by minutes.
HISTORY_INTERVALS: Dict[int, str] = {1: "minute", 3: "3minute", 5: "5minute", 10: "10minute", 15: "15minute",
                                     30: "30minute", 60: "60minute", 1440: "day"}
HISTORY_WORKERS = 3  # as many threads as the 3/s budget can keep busy
