"""Every step of Kite's documented login order, and recovery from a refused token."""

from __future__ import annotations

import datetime as dt
import threading

import pyotp
import pytest

from brokers import errors
from brokers.kite import Kite, KiteConnect
from brokers.kite.exceptions import LoginException, TokenException, TwoFAException
from brokers.stores import MemoryStore, Session

from .conftest import USER, web_login_kwargs


def test_given_enctoken_needs_no_network(sandbox, store):
    token = sandbox.kite.issue_enctoken(USER)
    with Kite(enctoken=token, user_id=USER, store=store, **sandbox.kite_urls()) as kite:
        kite.authorize()
        assert sandbox.requests() == []
        assert kite.auth_flow == "given-token" and kite.enctoken == token
        assert kite.profile()["user_id"] == USER
    assert sandbox.requests("GET", "/kite/web/oms/user/profile")


def test_given_access_token_needs_no_network(sandbox, store):
    token = sandbox.kite.issue_access_token(USER)
    with Kite(access_token=token, api_key=sandbox.kite.api_key, store=store, **sandbox.kite_urls()) as kite:
        kite.authorize()
        assert sandbox.requests() == []
        assert kite.access_token == token and kite.enctoken is None
        assert kite.holdings()
    assert sandbox.requests("GET", "/kite/connect/portfolio/holdings")


def test_access_token_without_api_key_is_a_value_error(sandbox, store):
    with Kite(access_token="abc123", store=store, **sandbox.kite_urls()) as kite:
        with pytest.raises(ValueError, match="api_key"):
            kite.authorize()
        kite.authorize(api_key=sandbox.kite.api_key)  # from authorize() is fine too
        assert kite.session.api_key == sandbox.kite.api_key


def test_both_tokens_is_a_value_error():
    with pytest.raises(ValueError, match="not both"):
        Kite(enctoken="a", access_token="b", store=MemoryStore())


@pytest.mark.parametrize("given,missing", [
    ({"request_token": "rt"}, "secret, api_key"),
    ({"secret": "s"}, "request_token, api_key"),
    ({"request_token": "rt", "secret": "s"}, "api_key"),
    ({"request_token": "rt", "api_key": "k"}, "secret"),
])
def test_partial_connect_arguments_name_what_is_missing(sandbox, store, given, missing):
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        with pytest.raises(ValueError, match=f"missing: {missing}$"):
            kite.authorize(**given)
    assert sandbox.requests() == []


def test_connect_login_exchanges_and_saves(sandbox, store):
    rt = sandbox.kite.issue_request_token(USER)
    with Kite(api_key=sandbox.kite.api_key, store=store, **sandbox.kite_urls()) as kite:
        session = kite.authorize(request_token=rt, secret=sandbox.kite.api_secret)
        assert kite.auth_flow == "connect-login" and session.kind == "access_token"
        assert kite.profile()["user_id"] == USER
    saved = store.load("kite-AB1234")
    assert saved is not None and saved.token == session.token and saved.api_key == sandbox.kite.api_key
    assert saved.expires_at is not None and saved.expires_at.astimezone(dt.timezone(dt.timedelta(hours=5.5))).hour == 6


def test_connect_login_bad_checksum_is_token_exception(sandbox, store):
    rt = sandbox.kite.issue_request_token(USER)
    with Kite(api_key=sandbox.kite.api_key, store=store, **sandbox.kite_urls()) as kite:
        with pytest.raises(TokenException):
            kite.authorize(request_token=rt, secret="wrong-secret")
    assert store.load("kite") is None


def test_generate_session_as_kiteconnect(sandbox):
    kite = KiteConnect(sandbox.kite.api_key, root=sandbox.kite_urls()["root"])
    kite.web_root = sandbox.kite_urls()["web_root"]
    assert kite.login_url() == f"{kite.web_root}/connect/login?api_key={sandbox.kite.api_key}&v=3"
    data = kite.generate_session(sandbox.kite.issue_request_token(USER), api_secret=sandbox.kite.api_secret)
    assert isinstance(data["login_time"], dt.datetime)
    assert kite.access_token == data["access_token"]
    renewed = kite.renew_access_token(data["refresh_token"], sandbox.kite.api_secret)
    assert renewed["access_token"] != data["access_token"] and kite.access_token == renewed["access_token"]
    assert kite.invalidate_access_token() is True
    requests_before = len(sandbox.requests())
    with pytest.raises(errors.AuthError, match="authorize"):  # no session left: a local error, no request
        kite.profile()
    assert len(sandbox.requests()) == requests_before
    kite.close()


def test_stored_session_means_no_login(sandbox, store):
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
    logins = sandbox.kite.logins["web"]
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        assert kite.auth_flow == "stored"
        assert kite.profile()["user_id"] == USER
    assert sandbox.kite.logins["web"] == logins == 1


def test_stored_session_is_picked_up_without_authorize(sandbox, store):
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        assert kite.holdings()
        assert kite.auth_flow == "stored"


def test_expired_stored_session_logs_in_again(sandbox, store):
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    store.save("kite-AB1234", Session("kite", "enctoken", "stale-token", user_id=USER, expires_at=past))
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        assert kite.auth_flow == "web-login"
    assert sandbox.kite.logins["web"] == 1
    assert store.load("kite-AB1234").token != "stale-token"


@pytest.mark.parametrize("how", ["callable", "code", "secret"])
def test_web_login_twofa_forms(sandbox, store, how):
    acct = sandbox.kite.accounts[USER]
    totp = pyotp.TOTP(acct.totp_secret)
    kw = {"callable": {"twofa": totp.now}, "code": {"twofa": totp.now()},
          "secret": {"totp_secret": acct.totp_secret}}[how]
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        session = kite.authorize(user_id=USER, password=acct.password, **kw)
        assert session.kind == "enctoken" and kite.enctoken
        end = session.expires_at.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
        assert (end.hour, end.minute) == (23, 59)
    assert store.load("kite") is not None and store.load("kite-AB1234") is not None


def test_non_interactive_without_credentials_says_what_to_pass(sandbox, store):
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        with pytest.raises(errors.AuthError, match="user_id and password"):
            kite.authorize(interactive=False)
        with pytest.raises(errors.AuthError, match="twofa= .* or totp_secret="):
            kite.authorize(user_id=USER, password="sandbox-password", interactive=False)
    assert sandbox.kite.logins["web"] == 0


def test_interactive_prompts_for_what_is_missing(sandbox, store, monkeypatch):
    acct = sandbox.kite.accounts[USER]
    answers = iter([USER, sandbox.kite.totp(USER)])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": acct.password)
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(interactive=True)
        assert kite.user_id == USER and kite.auth_flow == "web-login"


def test_wrong_password_and_wrong_totp_are_auth_errors(sandbox, store):
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        with pytest.raises(LoginException) as e:
            kite.authorize(user_id=USER, password="nope", twofa="000000")
        assert isinstance(e.value, errors.AuthError) and e.value.status == 400
        with pytest.raises(TwoFAException):
            kite.authorize(user_id=USER, password="sandbox-password", twofa="000000")
    assert store.load("kite") is None


def test_bad_totp_secret_is_a_value_error(sandbox, store):
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        with pytest.raises(ValueError, match="totp_secret"):
            kite.authorize(user_id=USER, password="sandbox-password", totp_secret="not base32 !!")


def test_refused_token_relogs_once_and_replays_once(sandbox, store):
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        first = kite.enctoken
        sandbox.kite.expire_sessions()
        assert kite.profile()["user_id"] == USER
        assert kite.enctoken != first
    assert sandbox.kite.logins["web"] == 2
    assert [r.status for r in sandbox.requests("GET", "/kite/web/oms/user/profile")] == [403, 200]
    assert store.load("kite-AB1234").token != first


def test_refused_token_without_means_to_relogin_raises_and_clears(sandbox, store):
    hook_calls = []
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(user_id=USER, password="sandbox-password", twofa=sandbox.kite.totp(USER))
        kite.set_session_expiry_hook(lambda: hook_calls.append(1))
        sandbox.kite.expire_sessions()
        with pytest.raises(TokenException) as e:
            kite.holdings()
        assert isinstance(e.value, errors.TokenExpired) and e.value.status == 403
    assert hook_calls == [1]
    assert store.load("kite-AB1234") is None and store.load("kite") is None
    assert len(sandbox.requests("GET", "/kite/web/oms/portfolio/holdings")) == 1


def test_expiry_hook_must_be_callable(sandbox, store):
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        with pytest.raises(TypeError):
            kite.set_session_expiry_hook("not callable")  # type: ignore[arg-type]


def test_threads_hitting_a_dead_token_share_one_login(sandbox, store):
    with Kite(store=store, rate_limits=False, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        sandbox.kite.rate_limits["default"] = (1000, 1.0)
        sandbox.kite.expire_sessions()
        results, failures = [], []
        start = threading.Barrier(6)

        def call():
            start.wait(5)
            try:
                results.append(kite.profile()["user_id"])
            except Exception as e:  # pragma: no cover - the assertion below reports it
                failures.append(e)

        threads = [threading.Thread(target=call) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
    assert failures == [] and results == [USER] * 6
    assert sandbox.kite.logins["web"] == 2


def test_another_process_relogin_is_reused(sandbox, store):
    """After a 403, a newer session in the store (written by another process) is used, no login."""
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        sandbox.kite.expire_sessions()
        fresh = sandbox.kite.issue_enctoken(USER)
        store.save("kite-AB1234", Session("kite", "enctoken", fresh, user_id=USER, **sandbox.kite_urls()))
        assert kite.margins()["equity"]["enabled"] is True
        assert kite.enctoken == fresh
    assert sandbox.kite.logins["web"] == 1


def test_logout_clears_the_store(sandbox, store):
    with Kite(store=store, **sandbox.kite_urls()) as kite:
        kite.authorize(**web_login_kwargs(sandbox))
        kite.logout()
        assert kite.session is None
    assert store.load("kite") is None and store.load("kite-AB1234") is None


def test_repr_shows_no_token(kite):
    assert kite.enctoken not in repr(kite)
    assert "enctoken" in repr(kite)
