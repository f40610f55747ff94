"""With DEBUG logging on everywhere, no Fyers secret shows up in logs, errors or reprs."""

from __future__ import annotations

from typing import List

from brokers import errors
from brokers.fyers import Fyers
from brokers.fyers.auth import app_id_hash
from brokers.stores import MemoryStore

from .conftest import browser_login, make_auth


def test_no_secret_in_debug_logs_errors_or_reprs(sb, all_debug):
    fs = sb.fyers
    store = MemoryStore()
    texts: List[str] = []
    auth = make_auth(sb, store=store, state="st8")
    with auth:
        code = browser_login(sb, auth)
        tokens = auth.generate_token(auth_code=code)
        refreshed = auth.refresh_token(tokens["refresh_token"], fs.accounts["XS00001"].pin)
        try:
            auth.refresh_token(tokens["refresh_token"], "9999")
        except errors.AuthError as e:
            texts += [str(e), repr(e), e.body or ""]
        try:
            auth.generate_token(auth_code=code)  # spent code: refused
        except errors.AuthError as e:
            texts += [str(e), repr(e), e.body or ""]
        texts.append(repr(auth))
        with Fyers(store=store, auth=auth, pin=fs.accounts["XS00001"].pin, **sb.fyers_urls()) as f:
            f.get_profile()
            f.quotes({"symbols": "NSE:SBIN-EQ"})
            f.symbol_token(["NSE:SBIN-EQ"])
            f.place_order({"symbol": "NSE:SBIN-EQ", "qty": 1, "type": 2, "side": 1, "productType": "CNC"})
            fs.expire_sessions()
            f.funds()  # refused, refreshed with the PIN, replayed
            try:
                f.cancel_order({"id": "nope"})
            except errors.BrokerError as e:
                texts += [str(e), repr(e), e.body or ""]
            texts += [repr(f), repr(f.session), repr(store)]
            latest = f.token
    secrets = {
        "secret_key": fs.secret_key,
        "appIdHash": app_id_hash(fs.client_id, fs.secret_key),
        "auth_code": code,
        "pin": fs.accounts["XS00001"].pin,
        "access_token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "refreshed_token": refreshed["access_token"],
        "latest_token": latest or "",
    }
    haystack = "\n".join(all_debug.lines + texts)
    assert len(all_debug.lines) > 5  # DEBUG logging really was on
    for name, value in secrets.items():
        assert value and value not in haystack, f"{name} leaked"


def test_no_secret_in_debug_logs_of_the_feeds(sb, all_debug):
    import threading

    from brokers.core.jwt import jwt_claims
    from brokers.fyers import FyersFeed, FyersOrder

    token = sb.fyers.issue_access_token()
    hsm_key = jwt_claims(token)["hsm_key"]
    ticked, ordered = threading.Event(), threading.Event()
    feed = FyersFeed(f"{sb.fyers.client_id}:{token}", **sb.fyers_feed_urls(), initial_delay=0.05, max_delay=0.2)
    orders = FyersOrder(f"{sb.fyers.client_id}:{token}", url=sb.fyers_order_url(), initial_delay=0.05)
    feed.on_tick = lambda f, t: ticked.set()
    orders.on_general = lambda f, m: ordered.set()
    feed.subscribe(["NSE:SBIN-EQ"])
    orders.subscribe("OnOrders")
    try:
        feed.connect(threaded=True)
        orders.connect(threaded=True)
        assert ticked.wait(5) and ordered.wait(5)
        assert sb.drop_feeds("/fyers") == 2  # reconnects log their URLs and errors
        ticked.clear()
        assert ticked.wait(5)
        texts = [repr(feed), repr(orders)]
    finally:
        feed.close()
        orders.close()
    haystack = "\n".join(all_debug.lines + texts)
    assert "reconnect" in haystack  # DEBUG/INFO logging really was on
    assert token not in haystack and hsm_key not in haystack
