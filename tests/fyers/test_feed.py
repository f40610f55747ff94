"""FyersFeed and FyersOrder against the sandbox's sockets: ticks, subscriptions,
reconnect with subscriptions restored, auth failures, pings, bounded close."""

from __future__ import annotations

import time
from typing import Any, Iterator, List

import pytest

from brokers import errors
from brokers.fyers import Fyers, FyersFeed, FyersOrder
from brokers.sandbox import Sandbox

from ..recorder import FeedRecorder, wait_for

FAST = {"initial_delay": 0.05, "max_delay": 0.2}
SBIN, NIFTY, INFY = "NSE:SBIN-EQ", "NSE:NIFTY50-INDEX", "NSE:INFY-EQ"


@pytest.fixture
def token(sb: Sandbox) -> str:
    return sb.fyers.issue_access_token()


@pytest.fixture
def feed(sb: Sandbox, token: str) -> Iterator[FyersFeed]:
    f = FyersFeed(f"{sb.fyers.client_id}:{token}", **sb.fyers_feed_urls(), **FAST)
    yield f
    f.close()


def _no_threads(f: Any) -> bool:
    run = f._run
    return run is None or not any(t.is_alive() for t in run.threads)


def _data_session(sb: Sandbox) -> Any:
    assert wait_for(lambda: len(sb.fyers_data.sessions()) == 1)
    return sb.fyers_data.sessions()[0]


# -- data socket ---------------------------------------------------------------------------------------
def test_ticks_for_symbols_and_index_subscribed_on_connect(sb, feed):
    rec = FeedRecorder(feed, flatten=True)
    feed.on_connect = lambda f: f.subscribe([SBIN, NIFTY])
    feed.connect(threaded=True)
    assert rec.wait(lambda: {SBIN, NIFTY} <= {t["symbol"] for t in rec.ticks}
                    and sum(t["symbol"] == SBIN for t in rec.ticks) >= 3)
    sbin = [t for t in rec.ticks if t["symbol"] == SBIN]
    assert sbin[0]["type"] == "sf" and sbin[0]["prev_close_price"] == 812.45 and "ch" in sbin[0]
    assert all(set(t) >= {"ltp", "vol_traded_today", "bid_price", "ask_price"} for t in sbin)
    nifty = next(t for t in rec.ticks if t["symbol"] == NIFTY)
    assert nifty["type"] == "if" and nifty["prev_close_price"] == 24310.55
    assert {"type": "cn", "code": 200, "message": "Authentication done", "s": "ok"} in rec.calls["on_message"]
    assert any(m.get("type") == "sub" for m in rec.calls["on_message"])
    feed.close()
    assert _no_threads(feed) and not feed.connected


def test_subscribe_before_connect_is_sent_once_connected(sb, feed):
    rec = FeedRecorder(feed, flatten=True)
    assert feed.subscribe([SBIN]) is False  # remembered only
    feed.connect(threaded=True)
    assert rec.wait(lambda: any(t["symbol"] == SBIN for t in rec.ticks))
    kinds = [k for k, _ in _data_session(sb).received]
    assert kinds[:3] == [1, 12, 4]  # auth, mode, subscribe


def test_reconnect_restores_subscriptions_without_new_lookups(sb, feed):
    rec = FeedRecorder(feed, flatten=True)
    feed.subscribe([SBIN, NIFTY])
    feed.subscribe([INFY], data_type="DepthUpdate", channel=12)
    feed.channel_pause(12)
    feed.connect(threaded=True)
    assert rec.wait(lambda: len(rec.calls["on_connect"]) == 1 and any(t["symbol"] == SBIN for t in rec.ticks))
    first = _data_session(sb)
    # The subscribe and pause frames may still be on their way to the server after the first tick.
    expected = {"sf|nse_cm|3045", "if|nse_cm|Nifty 50", "dp|nse_cm|1594"}
    assert wait_for(lambda: set(first.topics) == expected and 12 in first.paused)
    assert sb.drop_feeds("/fyers/data") == 1
    assert rec.wait(lambda: len(rec.calls["on_connect"]) == 2)
    assert rec.calls["on_reconnect"] and rec.calls["on_reconnect"][0] == 1
    assert wait_for(lambda: any(s is not first and len(s.topics) == 3 for s in sb.fyers_data.sessions()))
    second = next(s for s in sb.fyers_data.sessions() if s is not first)
    assert set(second.topics) == set(first.topics) and second.paused == {12}
    before = len(rec.ticks)
    assert rec.wait(lambda: len([t for t in rec.ticks[before:] if t["symbol"] == SBIN]) >= 2)
    assert not any(t["type"] == "dp" for t in rec.ticks[before:])  # channel 12 stayed paused
    assert len(sb.requests("POST", "/fyers/data/symbol-token")) == 2  # one per subscribe call, none on replay
    feed.channel_resume(12)
    assert rec.wait(lambda: any(t["type"] == "dp" and t["symbol"] == INFY for t in rec.ticks[before:]))


def test_unsubscribe_pause_resume_and_lite_mode(sb, feed):
    rec = FeedRecorder(feed, flatten=True)
    feed.connect(threaded=True)
    assert rec.wait(lambda: len(rec.calls["on_connect"]) == 1)
    feed.subscribe([SBIN, INFY])
    s = _data_session(sb)
    assert wait_for(lambda: len(s.topics) == 2)
    assert feed.unsubscribe([INFY]) is True
    assert wait_for(lambda: set(s.topics) == {"sf|nse_cm|3045"})
    assert "sf|nse_cm|3045" in feed.subscriptions and len(feed.subscriptions) == 1
    feed.channel_pause(11)
    assert wait_for(lambda: 11 in s.paused)
    feed.channel_resume(11)
    assert wait_for(lambda: 11 not in s.paused)
    feed.set_litemode(True)
    assert wait_for(lambda: s.lite)
    mark = len(rec.ticks)
    assert rec.wait(lambda: len(rec.ticks) > mark + 1)
    lite = rec.ticks[-1]
    assert set(lite) == {"ltp", "symbol", "type"} and lite["symbol"] == SBIN


def test_depth_ticks(sb, feed):
    rec = FeedRecorder(feed, flatten=True)
    feed.on_connect = lambda f: f.subscribe([INFY], data_type="DepthUpdate")
    feed.connect(threaded=True)
    assert rec.wait(lambda: any(t["type"] == "dp" for t in rec.ticks))
    dp = next(t for t in rec.ticks if t["type"] == "dp")
    assert dp["symbol"] == INFY and dp["bid_price1"] < dp["ask_price1"] and dp["bid_size1"] == 100


def test_bad_subscriptions(sb, feed):
    rec = FeedRecorder(feed, flatten=True)
    with pytest.raises(ValueError, match="depth"):
        feed.subscribe([NIFTY], data_type="DepthUpdate")
    with pytest.raises(ValueError, match="data_type"):
        feed.subscribe([SBIN], data_type="Ticks")
    with pytest.raises(ValueError, match="symbols"):
        feed.subscribe(["SBIN"])
    with pytest.raises(ValueError, match="channel"):
        feed.subscribe([SBIN], channel=0)
    assert sb.requests(path="/fyers/data/symbol-token") == []
    feed.subscribe([SBIN, "NSE:NOPE-EQ"])  # the valid one is kept, the other reported
    assert rec.calls["on_error"] and rec.calls["on_error"][0].code == -300
    assert list(feed.subscriptions) == ["sf|nse_cm|3045"]


def test_acks_are_sent_every_ack_count_frames(sb, feed):
    sb.fyers_data.ack_count = 2
    feed.subscribe([SBIN])
    feed.connect(threaded=True)
    s = _data_session(sb)
    assert wait_for(lambda: len(s.acks) >= 2)
    assert s.acks == sorted(s.acks) and s.acks[0] == 2  # the message number of every 2nd frame


def test_refused_login_is_reported_once_and_not_retried(sb, feed):
    rec = FeedRecorder(feed, flatten=True)
    sb.fyers_data.refuse_auth = True
    feed.connect(threaded=True)
    assert rec.wait(lambda: bool(rec.calls["on_noreconnect"]))
    assert len(rec.calls["on_error"]) == 1 and isinstance(rec.calls["on_error"][0], errors.TokenExpired)
    assert rec.calls["on_error"][0].code == 11001
    assert wait_for(lambda: not feed.running)
    assert sb.ws.connections_made == 1 and rec.calls["on_reconnect"] == []


def test_expired_jwt_does_not_connect(sb):
    tok = sb.fyers.issue_access_token(lifetime=-60)
    f = FyersFeed(f"{sb.fyers.client_id}:{tok}", **sb.fyers_feed_urls(), **FAST)
    seen: List[BaseException] = []
    f.on_error = lambda feed, e: seen.append(e)
    f.connect(threaded=True)
    assert isinstance(seen[0], errors.TokenExpired) and seen[0].code == -99
    assert not f.running and sb.ws.connections_made == 0
    f.close()


def test_constructor_checks_and_repr(sb, token):
    with pytest.raises(ValueError, match="client_id"):
        FyersFeed(token)
    with pytest.raises(ValueError, match="hsm_key"):
        FyersFeed(f"{sb.fyers.client_id}:not-a-jwt")
    f = FyersFeed(token, client_id=sb.fyers.client_id)
    assert token not in repr(f) and "stopped" in repr(f)
    f.close()  # closing a feed that never ran is fine


def test_handler_errors_are_reported_and_ticks_go_on(sb, feed):
    rec = FeedRecorder(feed, flatten=True)
    count = []

    def bad(f: Any, ticks: Any) -> None:
        count.append(1)
        raise RuntimeError("user bug")

    feed.on_tick = bad
    feed.on_connect = lambda f: f.subscribe([SBIN])
    feed.connect(threaded=True)
    assert rec.wait(lambda: len(rec.calls["on_error"]) >= 3)
    assert all(isinstance(e, RuntimeError) for e in rec.calls["on_error"])
    assert feed.connected


def test_close_is_bounded_idempotent_and_restartable(sb, feed):
    rec = FeedRecorder(feed, flatten=True)
    feed.subscribe([SBIN])
    feed.connect(threaded=True)
    assert rec.wait(lambda: bool(rec.ticks))
    started = time.monotonic()
    feed.close()
    feed.close()
    assert time.monotonic() - started < 3.0 and _no_threads(feed)
    feed.connect(threaded=True)
    assert rec.wait(lambda: len(rec.calls["on_connect"]) == 2)
    mark = len(rec.ticks)
    assert rec.wait(lambda: len(rec.ticks) > mark)  # the subscription came back too
    feed.close()
    assert _no_threads(feed)


def test_binary_pings_are_sent(sb, token):
    f = FyersFeed(f"{sb.fyers.client_id}:{token}", **sb.fyers_feed_urls(), ping_every=0.05, **FAST)
    try:
        f.connect(threaded=True)
        s = _data_session(sb)
        assert wait_for(lambda: sum(k == 11 for k, _ in s.received) >= 2)
    finally:
        f.close()


# -- order socket --------------------------------------------------------------------------------------
@pytest.fixture
def orders(sb: Sandbox, token: str) -> Iterator[FyersOrder]:
    f = FyersOrder(f"{sb.fyers.client_id}:{token}", url=sb.fyers_order_url(), **FAST)
    yield f
    f.close()


ORDER = {"symbol": SBIN, "qty": 1, "type": 2, "side": 1, "productType": "INTRADAY", "orderTag": "o1"}


def test_order_trade_and_position_updates(sb, token, orders):
    rec = FeedRecorder(orders, flatten=True)
    orders.on_connect = lambda f: f.subscribe("OnOrders,OnTrades,OnPositions")
    orders.connect(threaded=True)
    assert rec.wait(lambda: any(m.get("code") == 1605 for m in rec.calls["on_general"]))
    with Fyers(sb.fyers.client_id, token, **sb.fyers_urls()) as client:
        oid = client.place_order(ORDER)["id"]
    assert rec.wait(lambda: rec.calls["on_order_update"] and rec.calls["on_trade"] and rec.calls["on_position"])
    order = rec.calls["on_order_update"][0]["orders"]
    assert order["id"] == oid and order["status"] == 2 and order["orderNumStatus"] == f"{oid}:2"
    assert order["orderTag"] == "o1" and order["side"] == 1
    assert rec.calls["on_trade"][0]["trades"]["orderNumber"] == oid
    assert rec.calls["on_position"][0]["positions"]["netQty"] == 1


def test_order_socket_resubscribes_after_reconnect_and_pings(sb, token):
    f = FyersOrder(f"{sb.fyers.client_id}:{token}", url=sb.fyers_order_url(), ping_every=0.05, **FAST)
    rec = FeedRecorder(f, flatten=True)
    try:
        f.subscribe("OnOrders")
        f.connect(threaded=True)
        assert rec.wait(lambda: len(rec.calls["on_general"]) == 1)
        assert wait_for(lambda: sb.fyers_orders.sessions() and "ping" in sb.fyers_orders.sessions()[0].received)
        assert sb.drop_feeds("/fyers/orders") == 1
        assert rec.wait(lambda: len(rec.calls["on_connect"]) == 2 and len(rec.calls["on_general"]) == 2)
        assert sb.fyers_orders.sessions()[0].lists == {"orders"}
        with Fyers(sb.fyers.client_id, token, **sb.fyers_urls()) as client:
            client.place_order(ORDER)
        assert rec.wait(lambda: bool(rec.calls["on_order_update"]))
        assert rec.calls["on_trade"] == []  # not subscribed
        assert not any(isinstance(e, ValueError) for e in rec.calls["on_error"])  # "pong" was skipped
    finally:
        f.close()
    assert _no_threads(f)


def test_order_socket_unsubscribe_and_bad_names(sb, orders):
    rec = FeedRecorder(orders, flatten=True)
    with pytest.raises(ValueError, match="OnOrderz"):
        orders.subscribe("OnOrderz")
    orders.subscribe("OnOrders,OnGeneral")
    assert orders.subscriptions == ["edis", "login", "orders", "pricealerts"]
    orders.connect(threaded=True)
    assert rec.wait(lambda: len(rec.calls["on_general"]) == 1)
    orders.unsubscribe("OnGeneral")
    assert rec.wait(lambda: any(m.get("code") == 1606 for m in rec.calls["on_general"]))
    assert wait_for(lambda: sb.fyers_orders.sessions()[0].lists == {"orders"})


def test_order_socket_refused_token_stops(sb):
    f = FyersOrder(f"{sb.fyers.client_id}:eyJ.not.valid", url=sb.fyers_order_url(), **FAST)
    rec = FeedRecorder(f, flatten=True)
    try:
        f.connect(threaded=True)
        assert rec.wait(lambda: bool(rec.calls["on_noreconnect"]))
        assert len(rec.calls["on_error"]) == 1 and isinstance(rec.calls["on_error"][0], errors.TokenExpired)
        assert wait_for(lambda: not f.running)
        assert sb.ws.connections_made == 1
    finally:
        f.close()


def test_lookups_can_share_a_client(sb, token):
    with Fyers(sb.fyers.client_id, token, **sb.fyers_urls()) as client:
        f = FyersFeed(f"{sb.fyers.client_id}:{token}", url=sb.fyers_feed_urls()["url"], client=client, **FAST)
        try:
            f.subscribe([SBIN])
            assert sb.requests("POST", "/fyers/data/symbol-token")
        finally:
            f.close()
        assert client.funds()["s"] == "ok"  # the feed did not close the caller's client


def test_server_notices_and_malformed_frames(sb, feed):
    from brokers.fyers import codec

    rec = FeedRecorder(feed, flatten=True)
    feed.subscribe([SBIN])
    feed.connect(threaded=True)
    assert rec.wait(lambda: bool(rec.ticks))
    assert sb.fyers_data.push(codec.custom_message(51001, "symbol limit reached", 4)) == 1
    assert rec.wait(lambda: any(m.get("code") == 51001 for m in rec.calls["on_message"] if isinstance(m, dict)))
    notice = next(m for m in rec.calls["on_message"] if isinstance(m, dict) and m.get("code") == 51001)
    assert notice == {"code": 51001, "message": "symbol limit reached", "ref_type": 4, "type": "msg", "s": "error"}
    sb.fyers_data.push(b"\x00\x10\x06\x00\x00\x00\x01\x00\x05U")  # claims 5 records, holds a stub
    assert rec.wait(lambda: any(isinstance(e, ValueError) for e in rec.calls["on_error"]))
    mark = len(rec.ticks)
    assert rec.wait(lambda: len(rec.ticks) > mark) and feed.connected  # the feed went on


def test_symbol_limit_per_connection(sb, feed, monkeypatch):
    import brokers.fyers.feed as feed_module

    monkeypatch.setattr(feed_module, "MAX_SYMBOLS", 2)
    feed.subscribe([SBIN, INFY])
    with pytest.raises(ValueError, match="at most 2"):
        feed.subscribe([NIFTY])
    assert len(feed.subscriptions) == 2


def test_set_access_token_after_logging_in_again(sb, token):
    f = FyersFeed(f"{sb.fyers.client_id}:{token}", **sb.fyers_feed_urls(), **FAST)
    o = FyersOrder(f"{sb.fyers.client_id}:{token}", url=sb.fyers_order_url(), **FAST)
    rec = FeedRecorder(f, flatten=True)
    orec = FeedRecorder(o, flatten=True)
    try:
        f.subscribe([SBIN])
        o.subscribe("OnOrders")
        f.connect(threaded=True)
        o.connect(threaded=True)
        assert rec.wait(lambda: bool(rec.ticks)) and orec.wait(lambda: bool(orec.calls["on_general"]))
        sb.fyers.expire_sessions()
        fresh = sb.fyers.issue_access_token()
        f.set_access_token(fresh)
        o.set_access_token(f"{sb.fyers.client_id}:{fresh}")
        assert sb.drop_feeds("/fyers") == 2
        assert rec.wait(lambda: len(rec.calls["on_connect"]) == 2)
        mark = len(rec.ticks)
        assert rec.wait(lambda: len(rec.ticks) > mark)  # the new hsm_key logged in
        assert orec.wait(lambda: len(orec.calls["on_general"]) == 2)  # the new token was accepted
        assert not any(isinstance(e, errors.AuthError) for e in rec.calls["on_error"] + orec.calls["on_error"])
        with pytest.raises(ValueError):
            f.set_access_token("OTHER-100:" + fresh)
    finally:
        f.close()
        o.close()


def test_fytokens_from_the_symbol_master_skip_the_lookup(sb, token):
    with Fyers(sb.fyers.client_id, token, **sb.fyers_urls()) as client:
        master = {r["symbol_ticker"]: r["fytoken"] for r in client.symbol_master("NSE_CM")}
    f = FyersFeed(f"{sb.fyers.client_id}:{token}", **sb.fyers_feed_urls(), fytokens=master, **FAST)
    rec = FeedRecorder(f, flatten=True)
    try:
        f.subscribe([SBIN, NIFTY])
        f.connect(threaded=True)
        assert rec.wait(lambda: {SBIN, NIFTY} <= {t["symbol"] for t in rec.ticks})
    finally:
        f.close()
    assert sb.requests(path="/fyers/data/symbol-token") == []


def test_unknown_index_names_are_fetched_once(sb, feed):
    del feed.index_names[NIFTY]  # as if the built-in table lacked it
    feed.subscribe([NIFTY])
    feed.subscribe(["NSE:NIFTYBANK-INDEX"])
    assert "if|nse_cm|Nifty 50" in feed.subscriptions
    assert len(sb.requests("GET", "/fyers/public/sym_details/index_hsm_mapping.json")) == 1
