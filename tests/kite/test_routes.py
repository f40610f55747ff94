"""Kite's request chain is kiteconnect 5.2.2's: the ``_routes`` table is consulted
on every call, every public method goes through ``_get/_post/_put/_delete`` and
``_request`` with kiteconnect's signatures, so a subclass (or a patch on the
class) takes over calls as it does with kiteconnect."""

from __future__ import annotations

import inspect
from typing import Any, Dict, Iterator, List

import pytest

from brokers.kite import Kite, KiteConnect
from brokers.kite import routes as kite_routes
from brokers.kite.base import KiteBase
from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore

from ..conftest import USER

# kiteconnect 5.2.2's KiteConnect._routes, names and paths as published (MIT).
KITECONNECT_ROUTES = {
    "api.token": "/session/token", "api.token.invalidate": "/session/token",
    "api.token.renew": "/session/refresh_token", "user.profile": "/user/profile", "user.margins": "/user/margins",
    "user.margins.segment": "/user/margins/{segment}", "orders": "/orders", "trades": "/trades",
    "order.info": "/orders/{order_id}", "order.place": "/orders/{variety}", "order.modify": "/orders/{variety}/{order_id}",
    "order.cancel": "/orders/{variety}/{order_id}", "order.trades": "/orders/{order_id}/trades",
    "portfolio.positions": "/portfolio/positions", "portfolio.holdings": "/portfolio/holdings",
    "portfolio.holdings.auction": "/portfolio/holdings/auctions", "portfolio.positions.convert": "/portfolio/positions",
    "mf.orders": "/mf/orders", "mf.order.info": "/mf/orders/{order_id}", "mf.order.place": "/mf/orders",
    "mf.order.cancel": "/mf/orders/{order_id}", "mf.sips": "/mf/sips", "mf.sip.info": "/mf/sips/{sip_id}",
    "mf.sip.place": "/mf/sips", "mf.sip.modify": "/mf/sips/{sip_id}", "mf.sip.cancel": "/mf/sips/{sip_id}",
    "mf.holdings": "/mf/holdings", "mf.instruments": "/mf/instruments", "market.instruments.all": "/instruments",
    "market.instruments": "/instruments/{exchange}", "market.margins": "/margins/{segment}",
    "market.historical": "/instruments/historical/{instrument_token}/{interval}",
    "market.trigger_range": "/instruments/trigger_range/{transaction_type}", "market.quote": "/quote",
    "market.quote.ohlc": "/quote/ohlc", "market.quote.ltp": "/quote/ltp", "gtt": "/gtt/triggers",
    "gtt.place": "/gtt/triggers", "gtt.info": "/gtt/triggers/{trigger_id}", "gtt.modify": "/gtt/triggers/{trigger_id}",
    "gtt.delete": "/gtt/triggers/{trigger_id}", "order.margins": "/margins/orders",
    "order.margins.basket": "/margins/basket", "order.contract_note": "/charges/orders",
}
# kiteconnect 5.2.2's signatures of the chain (parameter names and defaults).
SIGNATURES = {
    "_get": "(self, route, url_args=None, params=None, is_json=False)",
    "_post": "(self, route, url_args=None, params=None, is_json=False, query_params=None)",
    "_put": "(self, route, url_args=None, params=None, is_json=False, query_params=None)",
    "_delete": "(self, route, url_args=None, params=None, is_json=False)",
    "_request": "(self, route, method, url_args=None, params=None, is_json=False, query_params=None)",
}


def _bare(fn: Any) -> str:
    sig = inspect.signature(fn)
    return str(sig.replace(parameters=[p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()],
                           return_annotation=inspect.Signature.empty))


def test_the_route_table_holds_kiteconnects_routes() -> None:
    for name, path in KITECONNECT_ROUTES.items():
        assert Kite._routes[name] == path, name
    assert Kite._routes is KiteBase._routes and Kite._routes == kite_routes.ROUTES


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_the_chain_has_kiteconnects_signatures(name: str) -> None:
    assert _bare(getattr(Kite, name)) == SIGNATURES[name]


@pytest.fixture
def connect(sandbox: Sandbox) -> Iterator[Dict[str, Any]]:
    sandbox.kite.rate_limits = {k: (1000, 1.0) for k in sandbox.kite.rate_limits}
    yield dict(access_token=sandbox.kite.issue_access_token(USER), api_key=sandbox.kite.api_key,
               store=MemoryStore(), rate_limits=False, **sandbox.kite_urls())


def test_a_subclass_route_entry_redirects_that_call(sandbox: Sandbox, connect: Dict[str, Any]) -> None:
    class Redirected(Kite):
        _routes = dict(Kite._routes, **{"portfolio.holdings": "/portfolio/positions"})

    with Redirected(**connect) as kite:
        assert set(kite.holdings()) == {"net", "day"}
    assert sandbox.requests("GET")[-1].path.endswith("/portfolio/positions")
    with Kite(**connect) as plain:  # the base class's table is untouched
        assert isinstance(plain.holdings(), list)


def test_editing_the_class_table_redirects_every_client(sandbox: Sandbox, connect: Dict[str, Any],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(Kite._routes, "user.profile", "/user/profile/full")
    with Kite(**connect) as kite:
        kite.profile()
    assert sandbox.requests("GET")[-1].path.endswith("/user/profile/full")


def test_a_subclass_request_takes_over_every_call(sandbox: Sandbox, connect: Dict[str, Any]) -> None:
    seen: List[Any] = []

    class Spy(KiteConnect):
        def _request(self, route: str, method: str, url_args: Any = None, params: Any = None, is_json: bool = False,
                     query_params: Any = None) -> Any:
            seen.append((route, method, url_args))
            return super()._request(route, method, url_args, params, is_json, query_params)

    with Spy(connect["api_key"], access_token=connect["access_token"], root=connect["root"],
             rate_limits=False) as kite:
        kite.holdings()
        oid = kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "LIMIT", price=1.0)
        kite.cancel_order("regular", oid)
        kite.quote("NSE:INFY")
        kite.historical_data(408065, "2026-11-02 09:15:00", "2026-11-02 10:15:00", "minute")
        kite.order_margins([{"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY",
                             "variety": "regular", "product": "CNC", "order_type": "MARKET", "quantity": 1}])
    assert [s[0] for s in seen] == ["portfolio.holdings", "order.place", "order.cancel", "market.quote",
                                    "market.historical", "order.margins"]
    assert seen[2] == ("order.cancel", "DELETE", {"variety": "regular", "order_id": oid})


def test_patching_get_on_the_class_works(connect: Dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Kite, "_get", lambda self, route, url_args=None, params=None, is_json=False: [route])
    with Kite(**connect) as kite:
        assert kite.holdings() == ["portfolio.holdings"]
        assert kite.orders() == ["orders"]


def test_a_root_with_a_path_keeps_it(sandbox: Sandbox, connect: Dict[str, Any]) -> None:
    """Concatenation, not urljoin: a root such as ``.../kite/connect`` keeps its path."""
    with Kite(**connect) as kite:
        kite.profile()
    assert sandbox.requests("GET")[-1].path == "/kite/connect/user/profile"


def test_web_sessions_go_to_oms(sandbox: Sandbox, kite: Kite) -> None:
    kite.profile()
    assert sandbox.requests("GET")[-1].path.endswith("/oms/user/profile")


def test_url_args_given_to_request_directly_are_encoded(sandbox: Sandbox, connect: Dict[str, Any]) -> None:
    from brokers import errors

    with Kite(**connect) as kite:
        with pytest.raises(errors.InputError):
            kite._get("order.info", url_args={"order_id": "1/../../user/profile"})
        assert sandbox.requests("GET")[-1].path.endswith("/orders/1%2F..%2F..%2Fuser%2Fprofile")
        for bad in ("..", ".", ""):
            with pytest.raises(ValueError, match="order_id"):
                kite._get("order.info", url_args={"order_id": bad})


def test_an_unknown_route_is_a_key_error(connect: Dict[str, Any]) -> None:
    with Kite(**connect) as kite, pytest.raises(KeyError):
        kite._get("no.such.route")
