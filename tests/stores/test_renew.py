"""Renewal ahead of a known expiry: a client that holds the means logs in again before
the session dies; processes renewing together log in once (a newer stored session is
taken instead)."""

from __future__ import annotations

import pyotp

from brokers.dhan import Dhan
from brokers.fyers import Fyers, FyersAuth
from brokers.kite import Kite
from brokers.stores import FileStore

DAY = 86400.0


def test_dhan_renews_once_for_everyone(sandbox, tmp_path):
    acct = sandbox.dhan.accounts["1100000001"]
    store = FileStore(tmp_path / "s")
    a = Dhan("1100000001", store=store, **sandbox.dhan_urls())
    b = Dhan("1100000001", store=store, **sandbox.dhan_urls())
    a.authorize(pin=acct.pin, totp_secret=acct.totp_secret)
    b.authorize(pin=acct.pin, totp_secret=acct.totp_secret)
    assert sandbox.dhan.logins["pin-totp"] == 1
    assert a.renew(within=60) is False  # a 24-hour token is not near its end
    old = a.access_token
    assert a.renew(within=2 * DAY) is True  # RenewToken: no PIN, no TOTP
    assert a.access_token != old and sandbox.dhan.logins["renew"] == 1 and sandbox.dhan.logins["pin-totp"] == 1
    assert store.load("dhan-1100000001").token == a.access_token
    assert b.renew(within=2 * DAY) is True  # takes a's renewal from the store
    assert b.access_token == a.access_token and sandbox.dhan.logins["renew"] == 1
    assert b.get_holdings() is not None


def test_dhan_renews_a_bare_token_and_falls_back_to_a_login(sandbox, tmp_path):
    acct = sandbox.dhan.accounts["1100000001"]
    only_token = Dhan("1100000001", sandbox.dhan.issue_token("1100000001"), store=FileStore(tmp_path / "a"),
                      **sandbox.dhan_urls())
    assert only_token.renew(within=2 * DAY) is True and sandbox.dhan.logins["renew"] == 1
    client = Dhan("1100000001", store=FileStore(tmp_path / "b"), **sandbox.dhan_urls())
    client.authorize(pin=acct.pin, totp_secret=acct.totp_secret)
    sandbox.dhan.expire_sessions()  # RenewToken refuses a dead token: log in again instead
    assert client.renew(within=2 * DAY) is True and sandbox.dhan.logins["pin-totp"] == 2


def test_kite_renews_with_a_totp_secret_only(sandbox, tmp_path):
    acct = sandbox.kite.accounts["AB1234"]
    with Kite(store=FileStore(tmp_path / "s"), **sandbox.kite_urls()) as kite:
        kite.authorize(user_id="AB1234", password=acct.password, totp_secret=acct.totp_secret)
        old = kite.enctoken
        assert kite.renew(within=2 * DAY) is True
        assert kite.enctoken != old and sandbox.kite.logins["web"] == 2
        assert kite.profile()["user_id"] == "AB1234"
    with Kite(store=FileStore(tmp_path / "s2"), **sandbox.kite_urls()) as kite:
        kite.authorize(user_id="AB1234", password=acct.password, twofa=pyotp.TOTP(acct.totp_secret).now())
        assert kite.renew(within=2 * DAY) is False  # a one-off code cannot log in again


def test_fyers_renews_with_its_refresh_token(sandbox, tmp_path):
    fy = sandbox.fyers
    pin = next(iter(fy.accounts.values())).pin
    store = FileStore(tmp_path / "s")
    auth = FyersAuth(fy.client_id, fy.redirect_uri, fy.secret_key, store=store, root=sandbox.fyers_urls()["root"])
    auth.generate_token(auth_code=fy.issue_auth_code())
    with Fyers(client_id=fy.client_id, store=store, auth=auth, pin=pin, **sandbox.fyers_urls()) as client:
        client.get_profile()
        old = client.token
        assert client.renew(within=2 * DAY) is True
        assert client.token != old and client.get_profile()["s"] == "ok"
    auth.close()
