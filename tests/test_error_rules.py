"""Rules every broker keeps at its error boundary (issues 9 and 14), tried for Kite,
Dhan and Fyers alike: the tree in errors.py holds (a 429 is a RateLimitError and
never a NetworkError), a network failure carries no HTTP status and reads the same
for every broker, errors name the request (method, URL without its query), Kite
follows the body's ``error_type`` at every status, and a call before any login is
a local AuthError."""

from __future__ import annotations

import inspect
import json
import re
import socket
from typing import Any, Callable, Iterator, Tuple

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.dhan import Dhan
from brokers.fyers import Fyers
from brokers.kite import Kite
from brokers.kite import decode as kite_decode
from brokers.kite import exceptions as kex
from brokers.sandbox import client_urls
from brokers.stores import MemoryStore

BRANCHES = (errors.AuthError, errors.InputError, errors.OrderError, errors.RateLimitError, errors.NetworkError,
            errors.ServerError, errors.ResponseError)
HOLDINGS = {"kite": "/kite/connect/portfolio/holdings", "dhan": "/dhan/v2/holdings", "fyers": "/fyers/api/v3/holdings"}


def dead_base() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def clients(base: str, sb: Any = None) -> Iterator[Tuple[str, Any, Callable[[Any], Any]]]:
    """A logged-in client of each broker pointed at ``base``, and its holdings call."""
    kite_token = sb.kite.issue_access_token("AB1234") if sb else "kite-access-token-1"
    kite_key = sb.kite.api_key if sb else "kitekey"
    yield "kite", Kite(access_token=kite_token, api_key=kite_key, store=MemoryStore(), rate_limits=False,
                       **client_urls(base, "kite")), lambda c: c.holdings()
    dhan_token = sb.dhan.issue_token("1100000001") if sb else "dhan-access-token-1"
    yield "dhan", Dhan("1100000001", dhan_token, store=MemoryStore(), rate_limits=False,
                       cache_dir=False, **client_urls(base, "dhan")), lambda c: c.get_holdings()
    fyers_token = sb.fyers.issue_access_token() if sb else "fyers-access-token-1"
    fyers_app = sb.fyers.client_id if sb else "APP1-100"
    yield "fyers", Fyers(fyers_app, fyers_token, store=MemoryStore(), rate_limits=False,
                         **client_urls(base, "fyers")), lambda c: c.holdings()


# -- the tree -------------------------------------------------------------------------------
def test_every_kite_class_sits_on_one_branch_of_the_tree():
    for name, cls in inspect.getmembers(kex, inspect.isclass):
        if issubclass(cls, errors.BrokerError):
            branches = {b for b in BRANCHES if issubclass(cls, b)}
            assert len(branches) <= 1, (name, branches)
    assert not issubclass(kex.RateLimitException, errors.NetworkError)
    assert not issubclass(kex.RateLimitException, kex.NetworkException)


@pytest.mark.parametrize("body", [None, {"status": "error", "message": "slow down", "error_type": "NetworkException"},
                                  {"errorCode": "DH-904", "errorMessage": "slow"}, {"s": "error", "code": -429}])
def test_a_429_is_a_rate_limit_error_for_every_broker(sandbox, body):
    for name, client, holdings in clients(sandbox.url, sandbox):
        with client:
            client.transport.retries = 0
            sandbox.fail_next(1, 429, path=HOLDINGS[name], body=body, headers={"Retry-After": "7"})
            with pytest.raises(errors.RateLimitError) as e:
                holdings(client)
            assert not isinstance(e.value, errors.NetworkError), name
            assert e.value.status == 429 and e.value.retry_after == 7.0 and e.value.broker == name


# -- network failures -----------------------------------------------------------------------
def test_a_refused_connection_has_no_status_and_the_same_words_for_every_broker():
    base = dead_base()
    seen = {}
    for name, client, holdings in clients(base):
        with client:
            client.transport.retries = 0
            with pytest.raises(errors.NetworkError) as e:
                holdings(client)
            err = e.value
            assert err.status is None and err.code is None and err.broker == name
            assert "HTTP" not in str(err)
            assert err.method == "GET" and err.url is not None and err.url.startswith(base)
            seen[name] = str(err).replace(err.url, "<url>")
    assert len(set(seen.values())) == 3  # the broker's name differs ...
    assert len({re.sub(r"^\[\w+\] ", "", s) for s in seen.values()}) == 1, seen  # ... nothing else
    assert seen["kite"] == "[kite] GET <url>: could not connect (ConnectionError)."


# -- errors name their request --------------------------------------------------------------
def test_errors_carry_the_method_and_the_url_without_its_query(sandbox):
    for name, client, _ in clients(sandbox.url, sandbox):
        with client:
            client.transport.retries = 0
            sandbox.fail_next(1, 500, path="/nope")
            root = client.root
            with pytest.raises(errors.BrokerError) as e:
                client._send("GET", root + "/nope?access_token=abc&x=1", params={"y": "2"})
            assert e.value.method == "GET" and e.value.url == root + "/nope", name


# -- Kite: the body's error_type wins at every status -----------------------------------------
def fake_response(status: int, body: Any, ctype: str = "application/json",
                  headers: Any = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    r.headers["Content-Type"] = ctype
    r.headers.update(headers or {})
    r.url = "https://api.kite.trade/x"
    return r


@settings(max_examples=200, deadline=None)
@given(status=st.integers(200, 599).filter(lambda s: s != 429),
       error_type=st.sampled_from(sorted(kite_decode.BY_ERROR_TYPE)))
def test_kite_follows_the_body_error_type_at_every_status(status, error_type):
    with pytest.raises(kex.KiteException) as e:
        kite_decode.decode(fake_response(status, {"status": "error", "message": "m", "error_type": error_type}))
    assert type(e.value) is kite_decode.BY_ERROR_TYPE[error_type]
    assert e.value.status == status == e.value.code and e.value.error_type == error_type


@pytest.mark.parametrize("status,error_type,cls", [
    (503, "NetworkException", kex.NetworkException), (502, "DataException", kex.DataException),
    (429, "NetworkException", kex.RateLimitException), (200, "TokenException", kex.TokenException),
    (403, "Unheard", kex.GeneralException)])
def test_kite_examples(status, error_type, cls):
    with pytest.raises(kex.KiteException) as e:
        kite_decode.decode(fake_response(status, {"status": "error", "message": "m", "error_type": error_type}))
    assert type(e.value) is cls and e.value.error_type == error_type


@pytest.mark.parametrize("status,cls", [(502, kex.ServerException), (503, kex.ServerException),
                                        (403, kex.TokenException), (400, kex.InputException),
                                        (429, kex.RateLimitException), (418, kex.GeneralException)])
def test_kite_pages_without_error_type_are_classed_by_status(status, cls):
    with pytest.raises(kex.KiteException) as e:
        kite_decode.decode(fake_response(status, b"<html>down</html>", "text/html"))
    assert type(e.value) is cls and e.value.status == status


# -- no session: a local error that says how to log in ---------------------------------------
@pytest.mark.parametrize("make", [
    lambda base: (Kite(store=MemoryStore(), **client_urls(base, "kite")), lambda c: c.holdings()),
    lambda base: (Dhan("1100000001", store=MemoryStore(), cache_dir=False, **client_urls(base, "dhan")),
                  lambda c: c.get_holdings()),
    lambda base: (Fyers("APP1-100", store=MemoryStore(), **client_urls(base, "fyers")), lambda c: c.holdings()),
])
def test_a_call_before_any_login_is_a_local_auth_error(make):
    client, call = make(dead_base())  # nothing listens: any request would be a NetworkError
    with client:
        with pytest.raises(errors.AuthError, match=r"no \w+ session: .*authorize|no \w+ session: .*token") as e:
            call(client)
    assert not isinstance(e.value, errors.TokenExpired) and e.value.status is None


def test_kite_before_authorize_uses_a_stored_session(sandbox):
    store = MemoryStore()
    with Kite(store=store, rate_limits=False, **sandbox.kite_urls()) as first:
        acct = sandbox.kite.accounts["AB1234"]
        first.authorize(user_id="AB1234", password=acct.password, totp_secret=acct.totp_secret)
    with Kite(store=store, rate_limits=False, **sandbox.kite_urls()) as kite:
        assert kite.holdings() is not None and kite.auth_flow == "stored"
