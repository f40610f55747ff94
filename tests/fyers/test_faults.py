"""Faults: no duplicate orders, 429 handling, rate limits, refused tokens and re-login."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from brokers import errors
from brokers.fyers import Fyers, FyersAuth
from brokers.fyers.auth import make_session, session_key

from .conftest import browser_login, make_auth

ORDER = {"symbol": "NSE:SBIN-EQ", "qty": 1, "type": 1, "side": 1, "productType": "CNC", "limitPrice": 800.0,
         "orderTag": "dup1"}


def test_order_whose_answer_is_lost_is_not_retried(sb, fyers):
    sb.drop_next(1, path="/fyers/api/v3/orders/sync", after=True)
    with pytest.raises(errors.OrderStateUnknown) as e:
        fyers.place_order(ORDER)
    assert "order book" in str(e.value)
    assert sb.fyers.order_count("dup1") == 1  # placed once, never twice
    assert len(sb.requests("POST", "/fyers/api/v3/orders/sync")) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_order_behind_a_failing_gateway_is_unknown_not_retried(sb, fyers, status):
    sb.fail_next(1, status, path="/fyers/api/v3/orders/sync")
    with pytest.raises(errors.OrderStateUnknown) as e:
        fyers.place_order(ORDER)
    assert e.value.status == status
    assert len(sb.requests("POST", "/fyers/api/v3/orders/sync")) == 1


def test_cancel_and_modify_are_not_retried_either(sb, fyers):
    oid = fyers.place_order(ORDER)["id"]
    sb.drop_next(1, path="/fyers/api/v3/orders/sync", after=True)
    with pytest.raises(errors.OrderStateUnknown):
        fyers.modify_order({"id": oid, "qty": 2})
    sb.drop_next(1, path="/fyers/api/v3/orders/sync")
    with pytest.raises(errors.OrderStateUnknown):
        fyers.cancel_order({"id": oid})
    assert len(sb.requests("PATCH", "/fyers/api/v3/orders/sync")) == 1
    assert len(sb.requests("DELETE", "/fyers/api/v3/orders/sync")) == 1


def test_basket_under_faults_is_placed_once(sb, fyers):
    sb.drop_next(1, path="/fyers/api/v3/multi-order/sync", after=True)
    with pytest.raises(errors.OrderStateUnknown):
        fyers.place_basket_orders([ORDER, dict(ORDER, limitPrice=799.0)])
    assert sb.fyers.order_count("dup1") == 2


def test_get_is_retried_after_a_dropped_connection(sb, fyers):
    sb.drop_next(1, path="/fyers/api/v3/holdings")
    assert fyers.holdings()["s"] == "ok"
    assert len(sb.requests("GET", "/fyers/api/v3/holdings")) == 2


def test_read_timeout_on_a_get_is_a_timeout(sb, token):
    with Fyers(client_id=sb.fyers.client_id, token=token, timeout=(1.0, 0.2), **sb.fyers_urls()) as f:
        f.transport.retries = 0
        sb.stall_next(1, seconds=2.0, path="/fyers/api/v3/funds")
        with pytest.raises(errors.Timeout):
            f.funds()


def test_429_honours_x_retry_after_ms_then_succeeds(sb, token):
    sb.fyers.retry_after_ms = 150
    slept = []
    with Fyers(client_id=sb.fyers.client_id, token=token, rate_limits=False, **sb.fyers_urls()) as f:
        f.transport._sleep = slept.append
        sb.fyers.rate_limits = [(2, 60.0)]
        f.get_profile()
        f.get_profile()
        sb.fyers.rate_limits = [(10, 1.0)]
        sb.fyers._windows.reset()
        sb.fail_next(1, 429, path="/fyers/api/v3/profile", headers={"Retry-After": "1", "X-Retry-After-Ms": "150"},
                     body={"s": "error", "code": -353, "message": "limit"}, content_type="application/json")
        assert f.get_profile()["s"] == "ok"
    assert slept == [0.15]


def test_429_on_an_order_raises_rate_limit_with_retry_after(sb, token):
    with Fyers(client_id=sb.fyers.client_id, token=token, rate_limits=False, **sb.fyers_urls()) as f:
        sb.fyers.rate_limits = [(1, 60.0)]
        f.get_profile()
        with pytest.raises(errors.RateLimitError) as e:
            f.place_order(ORDER)
    assert e.value.status == 429 and e.value.code == -353 and e.value.retry_after == 1.0
    assert sb.fyers.order_count() == 0


def test_client_side_limiter_keeps_the_sandbox_from_answering_429(sb, token):
    sb.fyers.rate_limits = [(3, 0.5)]
    waits = []
    with Fyers(client_id=sb.fyers.client_id, token=token, rate_limits={"default": [(3, 0.5)]},
               **sb.fyers_urls()) as f:
        real = f.transport.limiter._sleep
        f.transport.limiter._sleep = lambda s: (waits.append(s), real(s))
        for _ in range(6):
            f.funds()
    assert all(r.status == 200 for r in sb.requests(path="/fyers/api/v3/funds"))
    assert waits  # the limiter did hold calls back


def test_default_limits_are_fyers_numbers(fyers):
    assert fyers.transport.limiter.limits["default"] == [(10, 1.0), (200, 60.0), (100000, 86400.0)]


def test_refused_token_clears_store_and_calls_hook(sb, mstore):
    key = session_key(sb.fyers.client_id)
    dead = sb.fyers.issue_access_token()
    mstore.save(key, replace(make_session(sb.fyers.client_id, dead), root=sb.fyers_urls()["root"]))
    sb.fyers.expire_sessions()
    called = []
    with Fyers(client_id=sb.fyers.client_id, store=mstore, **sb.fyers_urls()) as f:
        f.set_session_expiry_hook(lambda: called.append(1))
        with pytest.raises(errors.TokenExpired):
            f.get_profile()
    assert called == [1] and mstore.load(key) is None


def test_refused_token_is_replaced_by_a_newer_stored_one(sb, mstore):
    key = session_key(sb.fyers.client_id)
    old = sb.fyers.issue_access_token()
    with Fyers(client_id=sb.fyers.client_id, token=old, store=mstore, **sb.fyers_urls()) as f:
        sb.fyers.expire_sessions()
        mstore.save(key, replace(make_session(sb.fyers.client_id, sb.fyers.issue_access_token()), root=sb.fyers_urls()["root"]))  # another process
        assert f.get_profile()["s"] == "ok"
        assert f.token != old


def test_refused_token_is_refreshed_with_pin_and_replayed_once(sb, mstore):
    auth = make_auth(sb, store=mstore)
    with auth:
        auth.generate_token(auth_code=browser_login(sb, auth))
        with Fyers(store=mstore, auth=auth, pin="4826", **sb.fyers_urls()) as f:
            first = f.token
            assert f.funds()["s"] == "ok"
            sb.fyers.expire_sessions()
            assert f.funds()["s"] == "ok"
            assert f.token != first
    assert sb.fyers.logins["refresh"] == 1
    assert [r.status for r in sb.requests(path="/fyers/api/v3/funds")] == [200, 401, 200]


def test_concurrent_refused_calls_refresh_once(sb, mstore):
    auth = make_auth(sb, store=mstore)
    with auth:
        auth.generate_token(auth_code=browser_login(sb, auth))
        with Fyers(store=mstore, auth=auth, pin="4826", rate_limits=False, **sb.fyers_urls()) as f:
            f.funds()
            sb.fyers.expire_sessions()
            results, barrier = [], threading.Barrier(4)

            def call() -> None:
                barrier.wait(timeout=5)
                results.append(f.funds()["s"])

            threads = [threading.Thread(target=call) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=10)
    assert results == ["ok"] * 4
    assert sb.fyers.logins["refresh"] == 1


def test_no_pin_means_no_refresh(sb, mstore):
    auth = make_auth(sb, store=mstore)
    with auth:
        auth.generate_token(auth_code=browser_login(sb, auth))
        with Fyers(store=mstore, auth=auth, **sb.fyers_urls()) as f:
            sb.fyers.expire_sessions()
            with pytest.raises(errors.TokenExpired):
                f.funds()
    assert sb.fyers.logins["refresh"] == 0


def test_auth_transport_error_is_a_network_error(sb):
    fs = sb.fyers
    sb.drop_next(1, path="/fyers/api/v3/validate-authcode")
    with FyersAuth(fs.client_id, fs.redirect_uri, fs.secret_key, root=sb.fyers_urls()["root"]) as auth:
        with pytest.raises(errors.NetworkError):
            auth.generate_token(auth_code=fs.issue_auth_code())
