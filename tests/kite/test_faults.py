"""No duplicate order under any fault; bad bodies become typed errors that keep the status."""

from __future__ import annotations

import pytest

from brokers import errors
from brokers.kite.exceptions import (
    DataException,
    GeneralException,
    KiteException,
    NetworkException,
    OrderStateUnknownException,
    RateLimitException,
    ServerException,
    TokenException,
)

from ..conftest import wait_for

ORDER = dict(variety="regular", exchange="NSE", tradingsymbol="INFY", transaction_type="BUY", quantity=1,
             product="CNC", order_type="MARKET")


def place(kite, tag):
    return kite.place_order(**ORDER, tag=tag)


def test_answer_lost_after_placing_is_state_unknown_and_not_repeated(kite, sandbox):
    sandbox.drop_next(1, path="/kite/web/oms/orders/regular", after=True)
    with pytest.raises(OrderStateUnknownException) as e:
        place(kite, "dropped")
    assert isinstance(e.value, errors.OrderStateUnknown) and isinstance(e.value, NetworkException)
    assert "tag" in e.value.message
    assert sandbox.kite.order_count("dropped") == 1
    assert len(sandbox.requests("POST", "/kite/web/oms/orders")) == 1
    # the documented way to reconcile: find it by tag
    assert [o["tag"] for o in kite.orders()] == ["dropped"]


def test_connection_dropped_before_processing_is_not_repeated(kite, sandbox):
    sandbox.drop_next(1, path="/kite/web/oms/orders/regular")
    with pytest.raises(errors.OrderStateUnknown):
        place(kite, "cut")
    assert sandbox.kite.order_count("cut") == 0
    assert len(sandbox.requests("POST", "/kite/web/oms/orders")) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_on_orders_are_state_unknown(kite, sandbox, status):
    sandbox.fail_next(1, status, path="/kite/web/oms/orders")
    with pytest.raises(errors.OrderStateUnknown) as e:
        place(kite, f"gw{status}")
    assert e.value.status == status
    assert len(sandbox.requests("POST", "/kite/web/oms/orders")) == 1


def test_stall_past_the_timeout_is_state_unknown_and_placed_once(sandbox, store):
    from brokers.kite import Kite

    from .conftest import web_login_kwargs
    with Kite(store=store, rate_limits=False, timeout=(2.0, 0.3), **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        sandbox.stall_next(1, seconds=0.8, path="/kite/web/oms/orders/regular")
        with pytest.raises(errors.OrderStateUnknown):
            place(kite, "slow")
        assert wait_for(lambda: sandbox.kite.order_count("slow") == 1)
    assert sandbox.kite.order_count("slow") == 1


def test_429_on_an_order_is_not_retried(kite, sandbox):
    sandbox.fail_next(1, 429, path="/kite/web/oms/orders", headers={"Retry-After": "0"},
                      body={"status": "error", "message": "Too many requests", "error_type": "NetworkException"})
    with pytest.raises(RateLimitException) as e:
        place(kite, "limited")
    assert e.value.retry_after == 0.0 and isinstance(e.value, errors.RateLimitError)
    assert sandbox.kite.order_count("limited") == 0
    assert len(sandbox.requests("POST", "/kite/web/oms/orders")) == 1


def test_modify_and_cancel_are_not_repeated(kite, sandbox):
    oid = kite.place_order(**dict(ORDER, order_type="LIMIT", price=1000.0))
    sandbox.fail_next(2, 503, path=f"/kite/web/oms/orders/regular/{oid}")
    with pytest.raises(errors.OrderStateUnknown):
        kite.modify_order("regular", oid, price=1001.0)
    with pytest.raises(errors.OrderStateUnknown):
        kite.cancel_order("regular", oid)
    assert len(sandbox.requests(path=f"/kite/web/oms/orders/regular/{oid}")) == 2


def test_reads_are_retried_through_faults(kite, sandbox):
    sandbox.fail_next(2, 503, path="/kite/web/oms/portfolio/holdings")
    sandbox.drop_next(1, path="/kite/web/oms/portfolio/holdings")
    assert kite.holdings()
    assert len(sandbox.requests("GET", "/kite/web/oms/portfolio/holdings")) == 4


@pytest.mark.parametrize("status,body,ctype,cls", [
    (502, "<html><h1>502 Bad Gateway</h1></html>", "text/html", ServerException),
    (200, "{not json", "application/json", DataException),
    (200, "", "application/json", DataException),
    (200, "<html>maintenance</html>", "text/html", DataException),
    (200, {"status": "error", "message": "odd", "error_type": "TokenException"}, None, TokenException),
    (400, {"status": "error", "message": "odd", "error_type": "BrandNewException"}, None, GeneralException),
    (403, {"status": "error", "message": "no"}, None, TokenException),
    (500, "Internal Server Error", "text/plain", ServerException),
])
def test_bad_bodies_are_typed_errors(kite, sandbox, status, body, ctype, cls):
    sandbox.fail_next(10, status, path="/kite/web/oms/user/margins", body=body, content_type=ctype)
    kite.transport.retries = 0
    kite._set_repeat_login(None)  # no re-login: see the first error as it is
    with pytest.raises(cls) as e:
        kite.margins()
    assert isinstance(e.value, KiteException)
    assert e.value.status == status and e.value.code == status
    assert e.value.broker == "kite"


def test_html_502_is_a_server_error_not_a_parse_failure(kite, sandbox):
    sandbox.fail_next(10, 502, path="/kite/web/oms/user/profile")
    kite.transport.retries = 1
    with pytest.raises(errors.ServerError) as e:
        kite.profile()
    assert not isinstance(e.value, errors.ResponseError)
    assert "502" in str(e.value) and "Bad Gateway" in (e.value.body or "")
