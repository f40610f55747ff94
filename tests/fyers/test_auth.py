"""FyersAuth against the sandbox: the auth-code URL, the exchange, refresh with PIN, errors, storage."""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from brokers import errors
from brokers.core.jwt import jwt_claims
from brokers.fyers import Fyers, FyersAuth
from brokers.fyers.auth import session_key, split_token
from brokers.stores import EnvStore, MemoryStore

from .conftest import browser_login, make_auth


def test_generate_authcode_url_has_the_documented_query_and_no_state_none(sb):
    with make_auth(sb) as auth:
        url = auth.generate_authcode()
    split = urlsplit(url)
    assert split.path == "/fyers/api/v3/generate-authcode"
    q = parse_qs(split.query)
    assert q == {"client_id": [sb.fyers.client_id], "redirect_uri": [sb.fyers.redirect_uri],
                 "response_type": ["code"]}
    with make_auth(sb, state="abc", scope="openid", nonce="n1") as auth:
        q = parse_qs(urlsplit(auth.generate_authcode()).query)
    assert q["state"] == ["abc"] and q["scope"] == ["openid"] and q["nonce"] == ["n1"]


def test_redirect_carries_state_and_auth_code(sb):
    with make_auth(sb, state="s-42") as auth:
        r = requests.get(auth.generate_authcode() + "&fy_id=XS00001", allow_redirects=False, timeout=5)
    q = parse_qs(urlsplit(r.headers["Location"]).query)
    assert r.headers["Location"].startswith(sb.fyers.redirect_uri)
    assert q["state"] == ["s-42"] and q["auth_code"][0]


def test_generate_token_posts_app_id_hash_and_saves_session(sb, mstore):
    with make_auth(sb, store=mstore) as auth:
        assert auth.get_hash() == hashlib.sha256(f"{sb.fyers.client_id}:{sb.fyers.secret_key}".encode()).hexdigest()
        code = browser_login(sb, auth)
        data = auth.generate_token(auth_code=code)
    assert data["s"] == "ok" and data["access_token"] and data["refresh_token"]
    saved = mstore.load(session_key(sb.fyers.client_id))
    assert saved is not None and saved.token == data["access_token"]
    assert saved.extra["refresh_token"] == data["refresh_token"]
    exp = jwt_claims(data["access_token"])["exp"]
    assert saved.expires_at == dt.datetime.fromtimestamp(exp, dt.timezone.utc)
    assert sb.fyers.logins["authcode"] == 1
    # the stored session is enough for the client
    with Fyers(client_id=sb.fyers.client_id, store=mstore, **sb.fyers_urls()) as fyers:
        assert fyers.get_profile()["data"]["fy_id"] == "XS00001"


def test_set_token_then_generate_token_like_session_model(sb):
    with make_auth(sb) as auth:
        auth.set_token(browser_login(sb, auth))
        assert auth.generate_token()["access_token"]


def test_auth_code_is_single_use_and_errors_carry_fyers_code(sb):
    with make_auth(sb) as auth:
        code = browser_login(sb, auth)
        auth.generate_token(auth_code=code)
        with pytest.raises(errors.AuthError) as e:
            auth.generate_token(auth_code=code)
    assert e.value.code == -374 and e.value.broker == "fyers" and "auth code" in e.value.message


def test_wrong_secret_is_an_auth_error_with_code_371(sb):
    fs = sb.fyers
    with FyersAuth(fs.client_id, fs.redirect_uri, "not-the-secret", root=sb.fyers_urls()["root"]) as auth:
        with pytest.raises(errors.AuthError) as e:
            auth.generate_token(auth_code=fs.issue_auth_code())
    assert e.value.code == -371 and e.value.status == 400


def test_refresh_token_with_pin(sb, mstore):
    with make_auth(sb, store=mstore) as auth:
        first = auth.generate_token(auth_code=browser_login(sb, auth))
        data = auth.refresh_token(first["refresh_token"], "4826")
        assert data["access_token"] != first["access_token"]
        assert mstore.load(session_key(sb.fyers.client_id)).token == data["access_token"]
        with pytest.raises(errors.AuthError) as e:
            auth.refresh_token(first["refresh_token"], "0000")
        assert e.value.code == -437
        assert auth.refresh_token(first["refresh_token"], 4826)["access_token"]  # an int PIN works too
    assert sb.fyers.logins["refresh"] == 2


@pytest.mark.parametrize("kwargs, name", [
    ({"client_id": "", "redirect_uri": "http://x", "secret_key": "s"}, "client_id"),
    ({"client_id": "A-100", "redirect_uri": None, "secret_key": "s"}, "redirect_uri"),
    ({"client_id": "A-100", "redirect_uri": "http://x", "secret_key": ""}, "secret_key"),
])
def test_bad_constructor_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        FyersAuth(**kwargs)


def test_missing_auth_code_and_pin_fail_before_the_network(sb):
    with make_auth(sb) as auth:
        with pytest.raises(ValueError, match="auth_code"):
            auth.generate_token()
        with pytest.raises(ValueError, match="pin"):
            auth.refresh_token("rt.x", "")
        with pytest.raises(ValueError, match="refresh_token"):
            auth.refresh_token("", "1234")
    assert sb.requests(path="/fyers") == []


def test_repr_hides_the_secret(sb):
    with make_auth(sb) as auth:
        text = repr(auth)
    assert sb.fyers.secret_key not in text and "<set>" in text


def test_env_store_round_trip(sb):
    env: dict = {}
    store = EnvStore(env)
    with make_auth(sb, store=store) as auth:
        data = auth.generate_token(auth_code=browser_login(sb, auth))
    assert env["FYERS_ACCESS_TOKEN"] == data["access_token"]
    assert env["FYERS_CLIENT_ID"] == sb.fyers.client_id
    with Fyers(client_id=sb.fyers.client_id, store=store, **sb.fyers_urls()) as fyers:
        assert fyers.funds()["s"] == "ok"


def test_split_token_accepts_appid_prefix():
    assert split_token(None, "A-100:tok") == ("A-100", "tok")
    assert split_token("A-100", "A-100:tok") == ("A-100", "tok")
    assert split_token("A-100", "tok") == ("A-100", "tok")
    with pytest.raises(ValueError, match="B-100"):
        split_token("A-100", "B-100:tok")


def test_stored_session_of_another_broker_is_not_used(sb):
    store = MemoryStore()
    with Fyers(client_id=sb.fyers.client_id, store=store, **sb.fyers_urls()) as fyers:
        with pytest.raises(errors.AuthError, match="no Fyers session"):
            fyers.get_profile()
    assert sb.requests(path="/fyers") == []
