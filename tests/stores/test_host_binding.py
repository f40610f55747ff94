"""A session is bound to the host that issued it: sessions of a sandbox are never sent
to a real broker nor to another sandbox, and the reverse, for every broker; the CLI's
`login --sandbox` then plain `whoami` sends nothing to the real host."""

from __future__ import annotations

import io
import sys

import pytest
import requests

from brokers import errors
from brokers.__main__ import main
from brokers.dhan import Dhan
from brokers.fyers import Fyers, FyersAuth
from brokers.kite import Kite
from brokers.sandbox import Sandbox
from brokers.stores import FileStore, MemoryStore, Session
from tests.test_stores import _future


@pytest.fixture
def wire(monkeypatch):
    """Every request's URL and headers; anything not on loopback is refused unsent."""
    sent = []
    real_send = requests.Session.send

    def send(self, request, **kw):
        sent.append((request.url, dict(request.headers)))
        if not request.url.startswith("http://127.0.0.1"):
            raise requests.exceptions.ConnectionError("test: no internet")
        return real_send(self, request, **kw)

    monkeypatch.setattr(requests.Session, "send", send)
    return sent


def _carries(sent, token):
    return [url for url, headers in sent if any(token in str(v) for v in headers.values()) or token in url]


def login(broker, sb, store):
    """Log in to sandbox ``sb`` saving to ``store``; returns the token."""
    if broker == "kite":
        acct = sb.kite.accounts["AB1234"]
        with Kite(store=store, **sb.kite_urls()) as k:
            return k.authorize(user_id="AB1234", password=acct.password, totp_secret=acct.totp_secret).token
    if broker == "dhan":
        acct = sb.dhan.accounts["1100000001"]
        with Dhan("1100000001", store=store, **sb.dhan_urls()) as d:
            return d.authorize(pin=acct.pin, totp_secret=acct.totp_secret).token
    with FyersAuth(sb.fyers.client_id, sb.fyers.redirect_uri, sb.fyers.secret_key, store=store,
                   root=sb.fyers_urls()["root"]) as auth:
        return auth.generate_token(auth_code=sb.fyers.issue_auth_code())["access_token"]


def call(broker, store, urls, sb):
    """One authenticated call of a client that has only the store to go on."""
    if broker == "kite":
        with Kite(store=store, user_id="AB1234", **urls) as k:
            k.authorize(interactive=False)
            return k.profile()
    if broker == "dhan":
        with Dhan("1100000001", store=store, **urls) as d:
            return d.get_holdings()
    with Fyers(client_id=sb.fyers.client_id, store=store, **urls) as f:
        return f.get_profile()


BROKERS = ["kite", "dhan", "fyers"]


@pytest.mark.parametrize("broker", BROKERS)
def test_a_sandbox_session_is_never_sent_to_the_real_host(broker, sandbox, wire, tmp_path):
    store = FileStore(tmp_path / "s")
    token = login(broker, sandbox, store)
    with pytest.raises(errors.BrokerError) as info:
        call(broker, store, {}, sandbox)  # a client of the real broker
    assert isinstance(info.value, (errors.AuthError, errors.NetworkError))
    real = [url for url, _ in wire if not url.startswith("http://127.0.0.1")]
    assert not [u for u in _carries(wire, token) if u in real]
    # and the sandbox's own client still uses it
    assert call(broker, store, {"kite": sandbox.kite_urls, "dhan": sandbox.dhan_urls,
                                "fyers": sandbox.fyers_urls}[broker](), sandbox) is not None


@pytest.mark.parametrize("broker", BROKERS)
@pytest.mark.parametrize("recorded", ["real-root", "legacy-no-root"])
def test_a_real_session_is_never_sent_to_a_sandbox(broker, recorded, sandbox, wire):
    store = MemoryStore()
    real_token = "REAL-TOKEN-" + "x" * 20
    root = None if recorded == "legacy-no-root" else {
        "kite": "https://api.kite.trade", "dhan": "https://api.dhan.co/v2", "fyers": "https://api-t1.fyers.in/api/v3"}[broker]
    user = {"kite": "AB1234", "dhan": "1100000001", "fyers": sandbox.fyers.client_id}[broker]
    session = Session(broker, "enctoken" if broker == "kite" else "access_token", real_token, user_id=user,
                      expires_at=_future(), root=root)
    for key in {"kite": ["kite", "kite-AB1234"], "dhan": ["dhan", "dhan-1100000001"],
                "fyers": [f"fyers-{user}"]}[broker]:
        store.inner.save(key, session) if hasattr(store, "inner") else store.save(key, session)
    urls = {"kite": sandbox.kite_urls, "dhan": sandbox.dhan_urls, "fyers": sandbox.fyers_urls}[broker]()
    with pytest.raises(errors.AuthError):
        call(broker, store, urls, sandbox)
    assert _carries(wire, real_token) == []


@pytest.mark.parametrize("broker", BROKERS)
def test_two_sandboxes_are_two_hosts(broker, sandbox, wire, tmp_path):
    store = FileStore(tmp_path / "s")
    token = login(broker, sandbox, store)
    with Sandbox() as other:
        urls = {"kite": other.kite_urls, "dhan": other.dhan_urls, "fyers": other.fyers_urls}[broker]()
        with pytest.raises(errors.AuthError):
            call(broker, store, urls, other)
        assert not [u for u in _carries(wire, token) if u.startswith(other.url)]
        other_token = login(broker, other, store)  # both live side by side in one store? the last wins
    assert other_token != token


def _cli(args, capsys, monkeypatch, stdin=""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_login_sandbox_then_plain_whoami_sends_nothing_to_the_real_host(sandbox, wire, tmp_path, capsys,
                                                                            monkeypatch):
    acct = sandbox.kite.accounts["AB1234"]
    monkeypatch.setenv("MY_TOTP", acct.totp_secret)
    base = ["--store", str(tmp_path)]
    code, out, err = _cli(base + ["login", "kite", "--user-id", "AB1234", "--totp-secret-env", "MY_TOTP",
                                  "--sandbox", sandbox.url], capsys, monkeypatch, stdin=acct.password + "\n")
    assert code == 0, err
    token = FileStore(tmp_path).load("kite").token
    wire.clear()
    code, out, err = _cli(base + ["whoami"], capsys, monkeypatch)
    assert code == 0 and "not asked" in out and sandbox.url in out
    assert wire == []  # nothing sent anywhere, least of all the sandbox token to api.kite.trade
    assert _carries(wire, token) == []
    code, out, err = _cli(base + ["sessions"], capsys, monkeypatch)
    assert code == 0 and sandbox.url in out and "valid until" in out and token not in out
