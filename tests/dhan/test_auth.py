"""Dhan sessions: given tokens, stores, JWT expiry, PIN+TOTP, consent, renew, re-login."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from dataclasses import replace

import pyotp
import pytest
import requests

from brokers import errors
from brokers.core.jwt import jwt_claims
from brokers.dhan import Dhan
from brokers.dhan.auth import PinTotpLogin, make_session, token_expiry
from brokers.stores import EnvStore, MemoryStore, Session

from .conftest import CLIENT, PIN


def _jwt(payload: dict) -> str:
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{enc({'alg': 'none'})}.{enc(payload)}.c2ln"


def secret(sb, client=CLIENT):
    return sb.dhan.accounts[client].totp_secret


# -- tokens and expiry -------------------------------------------------------------------------
def test_jwt_expiry_and_client_id_are_read():
    exp = int(dt.datetime(2030, 1, 2, tzinfo=dt.timezone.utc).timestamp())
    token = _jwt({"exp": exp, "dhanClientId": "1100000009"})
    assert jwt_claims(token)["dhanClientId"] == "1100000009"
    session = make_session(token, None)
    assert session.user_id == "1100000009"
    assert session.expires_at == dt.datetime(2030, 1, 2, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("token", ["plain-token", "a.b.c", "a.!!!.c", _jwt(["not", "a", "dict"])])
def test_non_jwt_tokens_have_unknown_expiry(token):
    assert jwt_claims(token) == {} or not isinstance(jwt_claims(token).get("exp"), int)
    assert token_expiry(token) is None
    fresh = token_expiry(token, assume_fresh=True)
    assert fresh is not None and fresh - dt.datetime.now(dt.timezone.utc) > dt.timedelta(hours=23)


def test_expiry_time_field_is_ist_when_naive():
    when = token_expiry("opaque", "2026-12-01T09:30:00")
    assert when == dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.timezone.utc)


def test_client_id_is_taken_from_the_token(sb, make_dhan):
    client = make_dhan(access_token=sb.dhan.issue_token(CLIENT))
    assert client.client_id == CLIENT
    assert client.get_fund_limits()["dhanClientId"] == CLIENT


def test_token_of_another_client_is_refused(sb, make_dhan):
    with pytest.raises(errors.AuthError, match="belongs to client"):
        make_dhan("1100000002", sb.dhan.issue_token(CLIENT))


def test_expired_token_raises_before_the_network(sb, make_dhan):
    token = sb.dhan.issue_token(CLIENT, lifetime=30)  # inside the 60 s skew: already "expired"
    client = make_dhan(CLIENT, token)
    hooked = []
    client.set_session_expiry_hook(lambda: hooked.append(1))
    before = len(sb.requests())
    with pytest.raises(errors.TokenExpired, match="expired"):
        client.get_holdings()
    assert len(sb.requests()) == before and hooked == [1]


def test_no_session_at_all_says_what_to_pass(make_dhan):
    client = make_dhan(CLIENT)
    with pytest.raises(errors.AuthError, match="access_token"):
        client.get_holdings()


# -- stores ----------------------------------------------------------------------------------
def test_given_token_is_saved_to_the_store_and_reused(sb, make_dhan):
    store = MemoryStore()
    token = sb.dhan.issue_token(CLIENT)
    make_dhan(CLIENT, token, store=store)
    assert store.load(f"dhan-{CLIENT}").token == token and store.load("dhan").token == token
    other = make_dhan(CLIENT, store=store)  # a second process: no token given
    assert other.get_holdings() and other.access_token == token and other.auth_flow == "stored"
    assert store.load("dhan").expires_at is not None


def test_env_store(sb, make_dhan):
    env = {"DHAN_CLIENT_ID": CLIENT, "DHAN_ACCESS_TOKEN": sb.dhan.issue_token(CLIENT), "DHAN_ROOT": sb.dhan_urls()["root"]}
    client = make_dhan(store=EnvStore(env))
    assert client.get_positions() == [] and client.client_id == CLIENT
    wrong = make_dhan("1100000002", store=EnvStore(env))
    with pytest.raises(errors.AuthError):
        wrong.get_positions()


def test_expired_stored_session_is_ignored(sb, make_dhan):
    store = MemoryStore()
    old = Session("dhan", "access_token", sb.dhan.issue_token(CLIENT), user_id=CLIENT,
                  expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1))
    store.save(f"dhan-{CLIENT}", old)
    client = make_dhan(CLIENT, store=store)
    with pytest.raises(errors.AuthError):
        client.get_holdings()


# -- PIN + TOTP --------------------------------------------------------------------------------
def test_pin_totp_login_saves_the_session(sb, make_dhan):
    store = MemoryStore()
    client = make_dhan(CLIENT, store=store)
    assert client.authorize(pin=PIN, totp=pyotp.TOTP(secret(sb)).now).kind == "access_token"
    assert client.auth_flow == "pin-totp"
    assert sb.dhan.logins["pin-totp"] == 1
    assert store.load(f"dhan-{CLIENT}").token == client.access_token
    assert client.session.expires_at > dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=23)
    assert client.get_holdings()
    # the next client finds the stored session and does not log in again
    again = make_dhan(CLIENT, store=store)
    again.authorize(pin=PIN, totp_secret=secret(sb))
    assert again.auth_flow == "stored"
    assert sb.dhan.logins["pin-totp"] == 1


def test_pin_and_totp_go_in_the_query_string_not_the_body(sb, make_dhan):
    sent = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    client = make_dhan(CLIENT, session=session)
    client.generate_token(PIN, sb.dhan.totp())
    assert sent[0].method == "POST" and f"pin={PIN}" in sent[0].url and not sent[0].body
    assert "access-token" not in sent[0].headers
    session.close()


def test_generate_token_returns_dhans_json(sb, make_dhan):
    client = make_dhan(CLIENT)
    data = client.generate_token(PIN, sb.dhan.totp())
    assert data["dhanClientId"] == CLIENT and data["accessToken"] == client.access_token
    assert client.user_profile()["dhanClientId"] == CLIENT


@pytest.mark.parametrize("pin,code", [("000000", None), (PIN, "000000")])
def test_wrong_pin_or_totp_is_an_auth_error(sb, make_dhan, pin, code):
    client = make_dhan(CLIENT)
    with pytest.raises(errors.AuthError) as e:
        client.authorize(pin=pin, totp=code or sb.dhan.totp())
    assert not isinstance(e.value, errors.TokenExpired)
    assert client.session is None


@pytest.mark.parametrize("kw,missing", [({"pin": PIN}, "totp"), ({"totp": "123456"}, "pin"),
                                        ({"totp_secret": "GEZDGNBVGY3TQOJQ"}, "pin")])
def test_incomplete_pin_totp_is_a_value_error(make_dhan, kw, missing):
    client = make_dhan(CLIENT)
    with pytest.raises(ValueError, match=missing):
        client.authorize(**kw)


def test_pin_totp_needs_a_client_id(make_dhan):
    with pytest.raises(ValueError, match="client_id"):
        make_dhan().authorize(pin=PIN, totp="123456")
    flow = PinTotpLogin(lambda *a, **k: None, "http://x", None, PIN, "123456")
    with pytest.raises(ValueError, match="client_id"):
        flow.request()


def test_relogin_once_after_dh901_with_a_totp_secret(sb, make_dhan):
    store = MemoryStore()
    client = make_dhan(CLIENT, store=store)
    client.authorize(pin=PIN, totp_secret=secret(sb))
    first = client.access_token
    hooked = []
    client.set_session_expiry_hook(lambda: hooked.append(1))
    sb.dhan.expire_sessions()
    assert client.get_holdings()  # refused with DH-901, logged in again, replayed once
    assert sb.dhan.logins["pin-totp"] == 2 and hooked == [1]
    assert client.access_token != first and store.load("dhan").token == client.access_token


def test_no_relogin_with_a_one_off_code(sb, make_dhan):
    client = make_dhan(CLIENT)
    client.authorize(pin=PIN, totp=sb.dhan.totp())
    sb.dhan.expire_sessions()
    with pytest.raises(errors.TokenExpired):
        client.get_holdings()
    assert sb.dhan.logins["pin-totp"] == 1


def test_relogin_uses_a_newer_stored_session(sb, make_dhan):
    store = MemoryStore()
    a = make_dhan(CLIENT, sb.dhan.issue_token(CLIENT), store=store)
    sb.dhan.expire_sessions()
    fresh = sb.dhan.issue_token(CLIENT)  # another process logged in and saved
    store.save(f"dhan-{CLIENT}", replace(make_session(fresh, CLIENT), root=sb.dhan_urls()["root"]))
    assert a.get_holdings() and a.access_token == fresh


def test_stored_token_refused_is_cleared(sb, make_dhan):
    store = MemoryStore()
    client = make_dhan(CLIENT, sb.dhan.issue_token(CLIENT), store=store)
    sb.dhan.expire_sessions()
    with pytest.raises(errors.TokenExpired):
        client.get_holdings()
    assert store.load(f"dhan-{CLIENT}") is None


# -- consent flow and renew --------------------------------------------------------------------
def test_consent_flow(sb, make_dhan):
    client = make_dhan(CLIENT)
    consent = client.generate_login_session(sb.dhan.app_id, sb.dhan.app_secret)
    url = client.login_url(consent)
    assert consent in url and url.startswith(sb.url + "/dhan/auth/login/consentApp-login")
    redirect = requests.get(url, allow_redirects=False, timeout=5)  # the user's browser
    token_id = redirect.headers["Location"].split("tokenId=")[1]
    data = client.consume_token_id(token_id, sb.dhan.app_id, sb.dhan.app_secret)
    assert data["accessToken"] == client.access_token and client.get_holdings()
    with pytest.raises(errors.AuthError):  # a tokenId works once
        client.consume_token_id(token_id, sb.dhan.app_id, sb.dhan.app_secret)


def test_consent_through_authorize(sb, make_dhan):
    client = make_dhan(CLIENT, store=MemoryStore())
    session = client.authorize(token_id=sb.dhan.issue_token_id(CLIENT), app_id=sb.dhan.app_id,
                               app_secret=sb.dhan.app_secret)
    assert client.auth_flow == "consent" and session.user_id == CLIENT
    assert client.get_fund_limits()["dhanClientId"] == CLIENT


def test_consent_with_a_wrong_secret(sb, make_dhan):
    client = make_dhan(CLIENT)
    with pytest.raises(errors.AuthError):
        client.generate_login_session(sb.dhan.app_id, "wrong-secret")


def test_renew_token(sb, make_dhan):
    store = MemoryStore()
    client = make_dhan(CLIENT, sb.dhan.issue_token(CLIENT, lifetime=3600), store=store)
    old = client.access_token
    data = client.renew_token()
    assert data["token"] == client.access_token != old
    assert client.session.expires_at > dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=23)
    assert store.load("dhan").token == client.access_token and sb.dhan.logins["renew"] == 1


def test_given_token_wins_and_authorize_does_no_network(sb, make_dhan):
    client = make_dhan(CLIENT, sb.dhan.issue_token(CLIENT))
    before = len(sb.requests())
    assert client.authorize() is client.session
    assert client.auth_flow == "token"
    assert len(sb.requests()) == before


def test_authorize_with_nothing_raises(make_dhan):
    with pytest.raises(errors.AuthError):
        make_dhan(CLIENT).authorize()


def test_dhan_uses_its_own_errors_class_family():
    assert issubclass(errors.TokenExpired, errors.AuthError)
    assert Dhan.broker == "dhan"


def test_concurrent_logins_share_one(sb, make_dhan):
    store = MemoryStore()
    clients = [make_dhan(CLIENT, store=store) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    flows: list = []

    def run(client: Dhan) -> None:
        barrier.wait(5)
        client.authorize(pin=PIN, totp_secret=secret(sb))
        flows.append(client.auth_flow)
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(flows) == ["pin-totp"] + ["stored"] * 5
    assert sb.dhan.logins["pin-totp"] == 1
    assert len({c.access_token for c in clients}) == 1


def test_concurrent_relogins_after_dh901_share_one(sb, make_dhan):
    store = MemoryStore()
    first = make_dhan(CLIENT, store=store)
    first.authorize(pin=PIN, totp_secret=secret(sb))
    clients = [first] + [make_dhan(CLIENT, store=store) for _ in range(4)]
    for c in clients[1:]:
        c.authorize(pin=PIN, totp_secret=secret(sb))  # from the store
    assert sb.dhan.logins["pin-totp"] == 1
    sb.dhan.expire_sessions()
    barrier = threading.Barrier(len(clients))
    results: list = []

    def run(client: Dhan) -> None:
        barrier.wait(5)
        results.append(client.get_holdings())
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(results) == len(clients) and all(results)
    assert sb.dhan.logins["pin-totp"] == 2  # one more login between all of them


def test_env_store_token_expiry_comes_from_the_jwt(sb, make_dhan):
    env = {"DHAN_CLIENT_ID": CLIENT, "DHAN_ACCESS_TOKEN": sb.dhan.issue_token(CLIENT, lifetime=-5),
           "DHAN_ROOT": sb.dhan_urls()["root"]}
    client = make_dhan(store=EnvStore(env))
    with pytest.raises(errors.AuthError):
        client.get_holdings()
    env["DHAN_ACCESS_TOKEN"] = sb.dhan.issue_token(CLIENT, lifetime=7200)
    fresh = make_dhan(store=EnvStore(env))
    assert fresh.get_holdings()
    assert dt.timedelta(minutes=100) < fresh.session.expires_at - dt.datetime.now(dt.timezone.utc) \
        < dt.timedelta(minutes=121)
