"""No secret anywhere an exception reaches, for every broker: not in the message,
args, repr, ``__cause__``, ``__context__``, nor in any attribute reachable from
them (walked recursively), for failed logins and failed calls alike. Tracebacks
are not walked: their frames hold the caller's own variables."""

from __future__ import annotations

import socket
from typing import Any, Callable, Iterator, List, Set

import pyotp
import pytest

from brokers import errors
from brokers.dhan import Dhan
from brokers.fyers import Fyers, FyersAuth
from brokers.fyers.auth import make_session, session_key
from brokers.kite import Kite
from brokers.sandbox import client_urls
from brokers.stores import MemoryStore


def dead_base() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def strings(obj: Any, seen: Set[int], depth: int = 0) -> Iterator[str]:
    """Every string reachable from ``obj`` (exceptions, their attributes, containers)."""
    if id(obj) in seen or depth > 12:
        return
    seen.add(id(obj))
    if isinstance(obj, (str, bytes)):
        yield obj if isinstance(obj, str) else obj.decode("latin-1")
        return
    if isinstance(obj, (int, float, bool, type(None))):
        yield str(obj)
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings(k, seen, depth + 1)
            yield from strings(v, seen, depth + 1)
        return
    if isinstance(obj, (list, tuple, set, frozenset)):
        for v in obj:
            yield from strings(v, seen, depth + 1)
        return
    if isinstance(obj, BaseException):
        yield str(obj)
        yield repr(obj)
        yield from strings(obj.args, seen, depth + 1)
        yield from strings(obj.__cause__, seen, depth + 1)
        yield from strings(obj.__context__, seen, depth + 1)
    attrs = getattr(obj, "__dict__", None)
    if isinstance(attrs, dict):
        yield from strings(attrs, seen, depth + 1)
    else:
        yield repr(obj)


def assert_clean(exc: BaseException, secrets: List[str]) -> None:
    found = [(s, text) for text in strings(exc, set()) for s in secrets if s and s in text]
    assert not found, found[:3]


def caught(call: Callable[[], Any]) -> BaseException:
    with pytest.raises(Exception) as e:
        call()
    return e.value


class Codes:
    """A TOTP callable that remembers every code it gave out."""

    def __init__(self, secret: str) -> None:
        self.totp, self.given = pyotp.TOTP(secret), []  # type: ignore[var-annotated]

    def __call__(self) -> str:
        code = self.totp.now()
        self.given.append(code)
        return code


# -- Kite -----------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["wrong-password", "wrong-code", "dead-host"])
def test_kite_failed_web_logins(sandbox, where):
    acct = sandbox.kite.accounts["AB1234"]
    base = dead_base() if where == "dead-host" else sandbox.url
    password = "not-the-password-77" if where == "wrong-password" else acct.password
    codes = Codes(acct.totp_secret)
    twofa = (lambda: "000000") if where == "wrong-code" else codes
    with Kite(store=MemoryStore(), retries=0, **client_urls(base, "kite")) as kite:
        exc = caught(lambda: kite.authorize(user_id="AB1234", password=password, twofa=twofa, interactive=False))
    assert isinstance(exc, errors.BrokerError)
    assert_clean(exc, [password, acct.password, acct.totp_secret, *codes.given])


def test_kite_failed_connect_login_and_invalidate_on_a_dead_host(sandbox):
    request_token = sandbox.kite.issue_request_token("AB1234")
    with Kite(store=MemoryStore(), api_key=sandbox.kite.api_key, **client_urls(dead_base(), "kite")) as kite:
        exc = caught(lambda: kite.authorize(request_token=request_token, secret=sandbox.kite.api_secret))
        assert_clean(exc, [request_token, sandbox.kite.api_secret])
    access = sandbox.kite.issue_access_token("AB1234")
    with Kite(access_token=access, api_key=sandbox.kite.api_key, store=MemoryStore(),
              **client_urls(dead_base(), "kite")) as kite:
        exc = caught(kite.invalidate_access_token)
        assert isinstance(exc, errors.NetworkError)
        assert_clean(exc, [access])
        kite.transport.retries = 0
        assert_clean(caught(kite.holdings), [access])


def test_kite_failed_calls(sandbox):
    access = sandbox.kite.issue_access_token("AB1234")
    with Kite(access_token=access, api_key=sandbox.kite.api_key, store=MemoryStore(), rate_limits=False,
              **sandbox.kite_urls()) as kite:
        sandbox.kite.expire_sessions()
        assert_clean(caught(kite.holdings), [access])


# -- Dhan -----------------------------------------------------------------------------------
PIN, CLIENT = "246810", "1100000001"


@pytest.mark.parametrize("where", ["wrong-pin", "dead-host"])
def test_dhan_failed_pin_totp_logins(sandbox, where):
    secret = sandbox.dhan.accounts[CLIENT].totp_secret
    codes = Codes(secret)
    pin = "999999" if where == "wrong-pin" else PIN
    base = dead_base() if where == "dead-host" else sandbox.url
    with Dhan(CLIENT, store=MemoryStore(), cache_dir=False, retries=0, **client_urls(base, "dhan")) as dhan:
        exc = caught(lambda: dhan.authorize(pin=pin, totp=codes))
    assert isinstance(exc, errors.BrokerError)
    assert_clean(exc, [pin, PIN, secret, *codes.given])
    if where == "dead-host":
        assert_clean(exc, [CLIENT])  # the client id only travelled in the query string


def test_dhan_failed_consent_and_calls(sandbox):
    with Dhan(CLIENT, store=MemoryStore(), cache_dir=False, **client_urls(dead_base(), "dhan")) as dhan:
        exc = caught(lambda: dhan.authorize(token_id="token-id-secret-1", app_id="app", app_secret="app-secret-99"))
        assert_clean(exc, ["token-id-secret-1", "app-secret-99"])
    token = sandbox.dhan.issue_token(CLIENT)
    with Dhan(CLIENT, token, store=MemoryStore(), cache_dir=False, rate_limits=False, **sandbox.dhan_urls()) as dhan:
        sandbox.dhan.expire_sessions()
        assert_clean(caught(dhan.get_holdings), [token])


# -- Fyers ----------------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["wrong-pin", "dead-host"])
def test_fyers_failed_refresh(sandbox, where):
    fs = sandbox.fyers
    refresh = fs.issue_refresh_token()
    pin = "0000" if where == "wrong-pin" else "4826"
    base = dead_base() if where == "dead-host" else sandbox.url
    with FyersAuth(fs.client_id, fs.redirect_uri, fs.secret_key, store=MemoryStore(),
                   **client_urls(base, "fyers")) as auth:
        exc = caught(lambda: auth.refresh_token(refresh, pin))
        assert_clean(exc, [refresh, pin, fs.secret_key, auth.get_hash()])
        code = fs.issue_auth_code()
        exc = caught(lambda: auth.generate_token(auth_code=code + ("x" if where == "wrong-pin" else "")))
        assert_clean(exc, [code, fs.secret_key, auth.get_hash()])


def test_fyers_failed_relogin_and_calls(sandbox):
    fs = sandbox.fyers
    store = MemoryStore()
    dead = fs.issue_access_token()
    refresh = fs.issue_refresh_token()
    store.save(session_key(fs.client_id), make_session(fs.client_id, dead, refresh))
    fs.expire_sessions()
    with FyersAuth(fs.client_id, fs.redirect_uri, fs.secret_key, store=store, **sandbox.fyers_urls()) as auth:
        with Fyers(store=store, auth=auth, pin="0000", rate_limits=False, **sandbox.fyers_urls()) as f:
            exc = caught(f.funds)  # refused, then the refresh with a wrong PIN is refused
            assert isinstance(exc, errors.AuthError)
            assert_clean(exc, [dead, refresh, "0000", fs.secret_key, auth.get_hash()])
