"""KiteFeed against the sandbox's ticker over loopback."""

from __future__ import annotations

import logging
import random
import socket
import threading
from typing import Any, Callable, List, Optional

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.errors import AuthError, BrokerError
from brokers.kite import KiteFeed
from brokers.kite.codec import parse_binary
from brokers.sandbox import Sandbox

from ..recorder import WAIT, FeedRecorder

INFY, SBIN, NIFTY, USDINR = 408065, 779521, 256265, 412675
FAST = dict(initial_delay=0.05, max_delay=0.2, watchdog=1.0, ping_interval=2.0, ping_timeout=1.0,
            stable_after=60.0)


@pytest.fixture(scope="module")
def sb():
    with Sandbox() as sandbox:
        sandbox.kite_ticker.tick_interval = 0.05
        sandbox.kite_ticker.heartbeat_interval = 0.2
        yield sandbox


class Rec(FeedRecorder):
    """Ticks kept as the batches the feed delivered."""

    def tick_for(self, token: int, mode: Optional[str] = None) -> Callable[[], bool]:
        start = len(self.ticks)

        def seen() -> bool:
            return any(t["instrument_token"] == token and (mode is None or t["mode"] == mode)
                       for batch in self.ticks[start:] for t in batch)
        return seen


def web_feed(sb: Sandbox, **kw: Any) -> KiteFeed:
    return KiteFeed(user_id="AB1234", enctoken=sb.kite.issue_enctoken("AB1234"), **sb.kite_feed_urls(),
                    **{**FAST, **kw})


def connect_feed(sb: Sandbox, **kw: Any) -> KiteFeed:
    return KiteFeed(sb.kite.api_key, access_token=sb.kite.issue_access_token("AB1234"), **sb.kite_feed_urls(),
                    **{**FAST, **kw})


def server_modes(sb: Sandbox, feed: KiteFeed) -> Optional[dict]:
    sessions = sb.kite_ticker.sessions("AB1234")
    return sessions[-1].modes if sessions else None


# -- construction ---------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [
    dict(enctoken="tok123456"),                                   # enctoken without user_id
    dict(access_token="tok123456"),                               # access_token with kitefront
    dict(api_key="myapp", user_id="AB1234"),                      # no token at all
    dict(user_id="AB1234", enctoken="e123456", access_token="a123456"),
    dict(api_key="myapp", user_id="AB1234", enctoken="e123456"),  # enctoken with an app key
])
def test_missing_or_contradictory_credentials(kwargs):
    with pytest.raises(ValueError):
        KiteFeed(**kwargs)


def test_urls_for_both_logins_and_override():
    web = KiteFeed(user_id="AB1234", enctoken="a+b/c==")
    url = web._url()
    assert url.startswith("wss://ws.zerodha.com?api_key=kitefront&user_id=AB1234&enctoken=a%2Bb%2Fc%3D%3D&uid=")
    assert "user-agent=kite3-web" in url and "version=" in url
    app = KiteFeed("myapp", access_token="secret-access")
    assert app._url() == "wss://ws.kite.trade?api_key=myapp&access_token=secret-access"
    local = KiteFeed("myapp", access_token="secret-access", url="ws://127.0.0.1:9/kite/ws")
    assert local._url() == "ws://127.0.0.1:9/kite/ws?api_key=myapp&access_token=secret-access"
    assert "secret-access" not in repr(app) and "a+b/c" not in repr(web)


def test_subscriptions_are_per_instance_and_keep_modes():
    a = KiteFeed(user_id="AB1234", enctoken="enc-aaaa")
    b = KiteFeed(user_id="AB1234", enctoken="enc-bbbb")
    assert a.subscribe([INFY, SBIN]) is False  # not connected: remembered only
    assert a.set_mode("full", [INFY]) is False
    a.unsubscribe([SBIN])
    assert a.subscribed_tokens == {INFY: "full"} and b.subscribed_tokens == {}
    with pytest.raises(ValueError):
        a.set_mode("ltpc", [INFY])
    with pytest.raises(ValueError):
        a.subscribe(["408065"])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        a.subscribe(range(1, 3002))


# -- over loopback ----------------------------------------------------------------------
@pytest.mark.parametrize("make", [web_feed, connect_feed], ids=["web", "connect"])
def test_both_logins_stream_ticks(sb, make):
    with make(sb) as feed:
        rec = Rec(feed)
        feed.subscribe([INFY])  # before connect: sent once connected
        feed.connect(threaded=True)
        assert rec.wait(rec.tick_for(INFY, "quote"))
        assert rec.connects == 1 and feed.connected
    assert not feed.connected and rec.errors == []


def test_modes_ltp_quote_full_for_stocks_index_and_cds(sb):
    with web_feed(sb) as feed:
        rec = Rec(feed)
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 1)
        assert feed.subscribe([INFY, SBIN, NIFTY, USDINR]) is True
        assert feed.set_mode("full", [INFY, NIFTY]) and feed.set_mode("ltp", [SBIN])
        assert rec.wait(rec.tick_for(INFY, "full"))
        assert rec.wait(rec.tick_for(SBIN, "ltp"))
        assert rec.wait(rec.tick_for(NIFTY, "full"))
        assert rec.wait(rec.tick_for(USDINR, "quote"))
        last = {t["instrument_token"]: t for batch in rec.ticks[-3:] for t in batch}
    assert set(last[INFY]["depth"]) == {"buy", "sell"} and len(last[INFY]["depth"]["sell"]) == 5
    assert set(last[SBIN]) == {"tradable", "mode", "instrument_token", "last_price"}
    assert last[NIFTY]["tradable"] is False and "exchange_timestamp" in last[NIFTY]
    assert last[USDINR]["last_price"] == pytest.approx(84.12, abs=1)  # CDS divisor 1e7
    assert feed.subscribed_tokens == {INFY: "full", SBIN: "ltp", NIFTY: "full", USDINR: "quote"}


def test_set_mode_subscribes_tokens_not_subscribed_yet(sb):
    tcs = 2953217
    with connect_feed(sb) as feed:
        rec = Rec(feed)
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 1)
        assert feed.set_mode("full", [tcs]) is True
        assert rec.wait(rec.tick_for(tcs, "full"))
        assert feed.is_connected() and feed.subscribed_tokens == {tcs: "full"}


def test_unsubscribe_stops_ticks_on_the_server(sb):
    with web_feed(sb) as feed:
        rec = Rec(feed)
        feed.subscribe([INFY, SBIN])
        feed.connect(threaded=True)
        assert rec.wait(rec.tick_for(SBIN))
        feed.unsubscribe([SBIN])
        feed.set_mode("ltp", [INFY])
        assert rec.wait(rec.tick_for(INFY, "ltp"))  # sent after the unsubscribe, so it is done
        assert server_modes(sb, feed) == {INFY: "ltp"}


def test_order_updates(sb):
    with connect_feed(sb) as feed:
        rec = Rec(feed)
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 1)
        token = sb.kite.issue_access_token("AB1234")
        r = requests.post(sb.url + "/kite/connect/orders/regular", timeout=5,
                          headers={"Authorization": f"token {sb.kite.api_key}:{token}"},
                          data={"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY",
                                "quantity": "1", "product": "CNC", "order_type": "LIMIT", "price": "1500",
                                "tag": "feedtest"})
        assert r.status_code == 200, r.text
        order_id = r.json()["data"]["order_id"]
        assert rec.wait(lambda: any(o["order_id"] == order_id for o in rec.orders))
    order = next(o for o in rec.orders if o["order_id"] == order_id)
    assert order["status"] == "OPEN" and order["tag"] == "feedtest" and order["tradingsymbol"] == "INFY"


def test_error_and_other_text_messages(sb):
    with web_feed(sb) as feed:
        rec = Rec(feed)
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 1)
        assert sb.kite_ticker.push_error("Something broke", "AB1234") >= 1
        sb.kite_ticker.push('{"type": "message", "data": "Markets open"}', "AB1234")
        assert rec.wait(lambda: rec.messages and rec.errors)
    assert isinstance(rec.errors[0], BrokerError) and "Something broke" in str(rec.errors[0])
    assert rec.messages[0] == {"type": "message", "data": "Markets open"}


def test_parse_data_false_hands_raw_frames(sb):
    with web_feed(sb, parse_data=False) as feed:
        rec = Rec(feed)
        feed.subscribe([INFY])
        feed.connect(threaded=True)
        assert rec.wait(lambda: bool(rec.raw))
    raw = rec.raw[0]
    assert isinstance(raw, bytes) and len(raw) > 4
    assert parse_binary(raw)[0]["instrument_token"] == INFY


def test_reconnect_after_drop_restores_subscriptions(sb):
    with web_feed(sb) as feed:
        rec = Rec(feed)
        feed.subscribe([INFY, NIFTY])
        feed.set_mode("full", [INFY])
        feed.set_mode("ltp", [NIFTY])
        feed.connect(threaded=True)
        assert rec.wait(rec.tick_for(NIFTY, "ltp"))
        assert sb.drop_feeds("/kite/ws") >= 1
        assert rec.wait(lambda: rec.connects == 2)
        assert rec.wait(rec.tick_for(INFY, "full")) and rec.wait(rec.tick_for(NIFTY, "ltp"))
        assert server_modes(sb, feed) == {INFY: "full", NIFTY: "ltp"}
    assert rec.reconnects == [1] and rec.closes >= 1


def test_reconnect_after_silence_restores_subscriptions(sb):
    with web_feed(sb) as feed:
        rec = Rec(feed)
        feed.subscribe([SBIN])
        feed.set_mode("full", [SBIN])
        feed.connect(threaded=True)
        assert rec.wait(rec.tick_for(SBIN, "full"))
        sb.silence_feeds("/kite/ws")
        try:
            assert rec.wait(lambda: rec.reconnects == [1])
        finally:
            sb.silence_feeds("/kite/ws", silent=False)
        assert rec.wait(lambda: rec.connects == 2)
        assert rec.wait(rec.tick_for(SBIN, "full"))


def test_handshake_403_reported_once_not_retried(sb):
    before = sb.ws.connections_made
    feed = KiteFeed(user_id="AB1234", enctoken="not-a-valid-enctoken", **sb.kite_feed_urls(), **FAST)
    rec = Rec(feed)
    feed.connect(threaded=True)
    assert rec.wait(lambda: rec.gave_up)
    feed.close()
    assert len(rec.errors) == 1 and isinstance(rec.errors[0], AuthError) and rec.errors[0].status == 403
    assert rec.reconnects == [] and rec.connects == 0
    assert sb.ws.connections_made == before


def test_expired_token_stops_reconnecting(sb):
    feed = KiteFeed(user_id="CD5678", enctoken=sb.kite.issue_enctoken("CD5678"), **sb.kite_feed_urls(), **FAST)
    with feed:
        rec = Rec(feed)
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 1)
        sb.kite.expire_sessions("CD5678")
        sb.drop_feeds("/kite/ws")
        assert rec.wait(lambda: rec.gave_up)
    assert rec.reconnects == [1]
    assert any(isinstance(e, AuthError) for e in rec.errors)
    # logging in again: a fresh token, and the same feed connects again
    feed.set_access_token(enctoken=sb.kite.issue_enctoken("CD5678"))
    with feed:
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 2)
    with pytest.raises(ValueError):
        feed.set_access_token(access_token="wrong-kind-token")


def test_reconnect_counter_and_give_up():
    with socket.socket() as s:  # a port nobody listens on: every attempt is refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    feed = KiteFeed("app", access_token="tok-refused", url=f"ws://127.0.0.1:{port}", max_retries=3, **FAST)
    rec = Rec(feed)
    done = threading.Event()
    t = threading.Thread(target=lambda: (feed.connect(), done.set()))  # blocking connect returns on give-up
    t.start()
    assert done.wait(WAIT)
    t.join(WAIT)
    assert rec.reconnects == [1, 2, 3] and rec.gave_up
    assert len(rec.errors) == 4 and rec.connects == 0


def test_raising_handler_is_reported_and_ticks_go_on(sb):
    with web_feed(sb) as feed:
        rec = Rec(feed)
        calls = []

        def bad(f: Any, ticks: Any) -> None:
            calls.append(ticks)
            rec.on_tick(f, ticks)
            if len(calls) == 1:
                raise ZeroDivisionError("handler bug")

        feed.on_tick = bad
        feed.subscribe([INFY])
        feed.connect(threaded=True)
        assert rec.wait(lambda: len(calls) >= 3)
    assert [type(e) for e in rec.errors] == [ZeroDivisionError]


def test_close_from_inside_a_handler(sb):
    feed = web_feed(sb)
    rec = Rec(feed)
    feed.on_tick = lambda f, ticks: f.close()
    feed.subscribe([INFY])
    done = threading.Event()
    t = threading.Thread(target=lambda: (feed.connect(), done.set()))
    t.start()
    assert done.wait(WAIT)
    t.join(WAIT)
    assert not feed.running and rec.connects == 1
    feed.connect(threaded=True)  # the same feed starts again
    try:
        assert rec.wait(lambda: rec.connects == 2)
    finally:
        feed.close()


def test_close_from_another_thread(sb):
    feed = web_feed(sb)
    rec = Rec(feed)
    done = threading.Event()
    t = threading.Thread(target=lambda: (feed.connect(), done.set()))
    t.start()
    assert rec.wait(lambda: rec.connects == 1)
    closer = threading.Thread(target=feed.close)
    closer.start()
    assert done.wait(WAIT)
    closer.join(WAIT)
    t.join(WAIT)
    assert not any(th.is_alive() for th in feed._run.threads)


def test_garbage_frames_go_to_on_error_and_the_feed_goes_on(sb):
    rnd = random.Random(5)
    with web_feed(sb) as feed:
        rec = Rec(feed)
        feed.subscribe([INFY])
        feed.connect(threaded=True)
        assert rec.wait(rec.tick_for(INFY))
        for _ in range(30):
            sb.kite_ticker.push(b"\x00\x03" + bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 60))))
        sb.kite_ticker.push(b"\x00\x01\x00\xb8\x00")  # truncated for sure
        assert rec.wait(lambda: len(rec.errors) >= 1)
        assert rec.wait(rec.tick_for(INFY))
    assert all(isinstance(e, ValueError) for e in rec.errors)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=100)))
def test_fuzzed_frames_never_raise_out_of_decode_except_value_error(frame):
    feed = KiteFeed(user_id="AB1234", enctoken="fuzz-enctoken")
    delivered: List[Any] = []
    feed.on_tick = lambda f, ticks: delivered.extend(ticks)
    feed.on_error = feed.on_message = feed.on_order_update = lambda f, x: None
    try:
        feed._decode(frame)  # the dispatcher reports a ValueError to on_error; anything else is a bug
    except ValueError:
        pass
    assert all(isinstance(t, dict) and isinstance(t["instrument_token"], int) for t in delivered)


def test_secrets_never_logged(sb, caplog):
    import websocket

    enctoken = sb.kite.issue_enctoken("AB1234")
    websocket.enableTrace(True, handler=logging.NullHandler())  # dumps the handshake, URL included
    try:
        with caplog.at_level(logging.DEBUG):
            feed = KiteFeed(user_id="AB1234", enctoken=enctoken, **sb.kite_feed_urls(), **FAST)
            rec = Rec(feed)
            with feed:
                feed.connect(threaded=True)
                assert rec.wait(lambda: rec.connects == 1)
                sb.drop_feeds("/kite/ws")
                assert rec.wait(lambda: rec.connects == 2)
    finally:
        websocket.enableTrace(False)
    from urllib.parse import quote

    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "connecting to" in text and "GET /kite/ws?api_key=kitefront" in text  # the trace was captured
    assert enctoken not in text and quote(enctoken, safe="") not in text
    assert enctoken not in repr(feed)


# -- the sandbox ticker seen by a bare websocket client --------------------------------
def test_sandbox_ticker_protocol(sb):
    import json

    import websocket

    base = sb.kite_feed_urls()["url"]
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(base + "?api_key=kitefront&user_id=AB1234&enctoken=wrong", timeout=WAIT)
    assert refused.value.status_code == 403
    token = sb.kite.issue_access_token("AB1234")
    ws = websocket.create_connection(f"{base}?api_key={sb.kite.api_key}&access_token={token}", timeout=WAIT)
    try:
        assert ws.recv() == b"\x00"  # a 1-byte heartbeat, with nothing subscribed
        ws.send(json.dumps({"a": "subscribe", "v": ["408065"]}))  # tokens must be numbers
        assert json.loads(next(m for m in iter(ws.recv, None) if isinstance(m, str)))["type"] == "error"
        ws.send(json.dumps({"a": "subscribe", "v": [INFY]}))
        ws.send(json.dumps({"a": "mode", "v": ["ltp", [INFY]]}))
        frame = next(m for m in iter(ws.recv, None)
                     if isinstance(m, bytes) and len(m) > 1 and parse_binary(m)[0]["mode"] == "ltp")
        assert parse_binary(frame) == [{"tradable": True, "mode": "ltp", "instrument_token": INFY,
                                        "last_price": parse_binary(frame)[0]["last_price"]}]
    finally:
        ws.close()


def test_sandbox_without_websockets_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "websockets", None)
    with Sandbox() as plain:
        assert plain.url.startswith("http://")  # the REST side still works
        with pytest.raises(ImportError, match=r"brokers\[sandbox\]"):
            plain.kite_feed_urls()


def test_from_kite_takes_either_kind_of_session(sandbox, kite, connect_kite):
    web = KiteFeed.from_kite(kite, **sandbox.kite_feed_urls())
    assert web.web and web.user_id == "AB1234"
    connect = KiteFeed.from_kite(connect_kite, **sandbox.kite_feed_urls())
    assert not connect.web and connect.api_key == sandbox.kite.api_key
    from brokers.kite import Kite
    from brokers.stores import MemoryStore
    with pytest.raises(ValueError, match="authorize"):
        KiteFeed.from_kite(Kite(store=MemoryStore()))


def test_kiteticker_spellings(sb):
    feed = KiteFeed(user_id="AB1234", enctoken=sb.kite.issue_enctoken("AB1234"), **sb.kite_feed_urls())
    got = threading.Event()
    feed.on_ticks = lambda f, ticks: got.set()  # KiteTicker's attribute name
    assert feed.on_tick is feed.on_ticks
    feed.on_connect = lambda f: f.subscribe([408065])
    feed.connect(threaded=True)
    try:
        assert got.wait(10)
        feed.resubscribe()
        feed.stop_retry()
        assert feed.reconnect is False
    finally:
        feed.stop()
    assert not feed.running
