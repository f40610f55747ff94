"""DhanFeed and DhanOrder against the sandbox's websockets over loopback."""

from __future__ import annotations

import json
import logging
import struct
from typing import Any, Callable, List

import pytest

from brokers import errors
from brokers.dhan import Dhan, DhanFeed, DhanOrder, codec
from brokers.sandbox import Sandbox

from ..recorder import FeedRecorder, wait_for
from .conftest import CLIENT

FAST = dict(initial_delay=0.05, max_delay=0.2, watchdog=2.0, ping_interval=2.0, ping_timeout=1.0,
            stable_after=60.0)


@pytest.fixture
def sb():
    with Sandbox() as sandbox:
        sandbox.dhan_feed.tick_interval = 0.05
        sandbox.dhan.rate_limits = {k: (10_000, 1.0) for k in sandbox.dhan.rate_limits}
        yield sandbox


class Rec(FeedRecorder):
    """Ticks flattened into one list; raw frames (parse_data=False) kept apart."""

    def __init__(self, feed: Any) -> None:
        super().__init__(feed, flatten=True)

    def seen(self, kind: str, sid: int, since: int = 0) -> Callable[[], bool]:
        return lambda: any(t["type"] == kind and t["security_id"] == sid for t in self.ticks[since:])


def make_feed(sb: Sandbox, instruments: Any = None, token: Any = None, **kw: Any) -> DhanFeed:
    opts = dict(FAST)
    opts.update(kw)
    return DhanFeed(CLIENT, token or sb.dhan.issue_token(CLIENT), instruments, **sb.dhan_feed_urls(), **opts)


def test_every_packet_type_arrives(sb):
    feed = make_feed(sb, [("NSE_EQ", "1333"), (2, 52175, "quote"), ("NSE_FNO", 52176, codec.FULL),
                          ("IDX_I", 13)])
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        for kind, sid in (("Ticker Data", 1333), ("Quote Data", 52175), ("OI Data", 52175), ("Full Data", 52176),
                          ("Index Data", 13), ("Previous Close", 1333)):
            assert rec.wait(rec.seen(kind, sid)), (kind, sid)
        full = next(t for t in rec.ticks if t["type"] == "Full Data")
        assert len(full["depth"]) == 5 and full["depth"][0]["bid_price"] < full["depth"][0]["ask_price"]
        assert full["exchange_segment"] == 2 and full["OI"] == 50000
        assert rec.connects == 1 and not rec.errors
    finally:
        feed.close()


def test_raw_frames_with_parse_data_false(sb):
    feed = make_feed(sb, [("NSE_EQ", "1333")], parse_data=False)
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: len(rec.raw) >= 2)
        assert any(p["type"] == "Ticker Data" for p in codec.parse_frame(rec.raw[-1]))
    finally:
        feed.close()


def test_subscriptions_go_in_batches_of_100_and_modes_move(sb):
    many = [("NSE_EQ", str(100000 + n)) for n in range(250)] + [("NSE_EQ", "1333")]
    feed = make_feed(sb)
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: rec.connects == 1)
        assert feed.subscribe(many, mode="quote") is True
        fs = sb.dhan_feed

        def counts() -> List[int]:
            sessions = fs._sessions()
            return [m["InstrumentCount"] for m in sessions[0].received] if sessions else []
        assert wait_for(lambda: sum(counts()) == 251)
        assert counts() == [100, 100, 51] and not rec.errors
        assert rec.wait(rec.seen("Quote Data", 1333))
        feed.subscribe([("NSE_EQ", "1333", "full")])  # moves 1333 from quote to full
        assert wait_for(lambda: [m["RequestCode"] for m in fs._sessions()[0].received][-2:] == [18, 21])
        since = len(rec.ticks)
        assert rec.wait(rec.seen("Full Data", 1333, since))
        feed.unsubscribe([("NSE_EQ", "1333")])
        assert wait_for(lambda: fs._sessions()[0].received[-1]["RequestCode"] == 22)
        assert ("NSE_EQ", "1333") not in feed.subscriptions and len(feed.subscriptions) == 250
    finally:
        feed.close()


def test_reconnect_restores_every_subscription_with_its_mode(sb):
    feed = make_feed(sb, [("NSE_EQ", "1333"), ("NSE_FNO", "52176", "full")])
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(rec.seen("Full Data", 52176))
        feed.subscribe([("NSE_FNO", "52175", "quote")])
        assert rec.wait(rec.seen("Quote Data", 52175))
        assert sb.drop_feeds("/dhan/feed") == 1
        assert rec.wait(lambda: rec.connects == 2)
        assert rec.reconnects and rec.reconnects[0] == 1
        since = len(rec.ticks)
        for kind, sid in (("Ticker Data", 1333), ("Full Data", 52176), ("Quote Data", 52175)):
            assert rec.wait(rec.seen(kind, sid, since)), kind
        session = sb.dhan_feed.sessions()[0]
        replayed = {(i["SecurityId"], m["RequestCode"]) for m in session.received for i in m["InstrumentList"]}
        assert replayed == {("1333", 15), ("52176", 21), ("52175", 17)}
    finally:
        feed.close()


def test_watchdog_replaces_a_silent_connection(sb):
    feed = make_feed(sb, [("NSE_EQ", "1333")], watchdog=0.5)
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(rec.seen("Ticker Data", 1333))
        sb.silence_feeds("/dhan/feed")
        assert rec.wait(lambda: rec.reconnects != [])
        sb.silence_feeds("/dhan/feed", False)
        assert rec.wait(lambda: rec.connects >= 2)
        since = len(rec.ticks)
        assert rec.wait(rec.seen("Ticker Data", 1333, since))
        assert any(isinstance(e, errors.NetworkError) for e in rec.errors)
    finally:
        feed.close()


@pytest.mark.parametrize("reason,cls", [(807, errors.TokenExpired), (806, errors.AuthError),
                                        (805, errors.RateLimitError)])
def test_fatal_disconnect_codes_stop_the_feed(sb, reason, cls):
    feed = make_feed(sb, [("NSE_EQ", "1333")])
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(rec.seen("Ticker Data", 1333))
        sb.dhan_feed.disconnect(reason)
        assert rec.wait(lambda: rec.gave_up)
        err = next(e for e in rec.errors if isinstance(e, errors.BrokerError) and e.code == reason)
        assert isinstance(err, cls) and str(reason) in str(err)
        assert rec.wait(lambda: not feed.running)
        assert rec.reconnects == []
    finally:
        feed.close()


def test_other_disconnect_codes_reconnect(sb):
    feed = make_feed(sb, [("NSE_EQ", "1333")])
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(rec.seen("Ticker Data", 1333))
        sb.dhan_feed.disconnect(800)
        assert rec.wait(lambda: rec.connects == 2)
        assert any(getattr(e, "code", None) == 800 and isinstance(e, errors.ServerError) for e in rec.errors)
        assert not rec.gave_up
    finally:
        feed.close()


def test_sixth_connection_pushes_the_oldest_out(sb):
    token = sb.dhan.issue_token(CLIENT)
    feeds = [make_feed(sb, [("NSE_EQ", "1333")], token=token) for _ in range(6)]
    recs = [Rec(f) for f in feeds]
    try:
        for feed, rec in zip(feeds, recs):
            feed.connect(threaded=True)
            assert rec.wait(rec.seen("Ticker Data", 1333))
        assert recs[0].wait(lambda: recs[0].gave_up)
        assert any(isinstance(e, errors.RateLimitError) and e.code == 805 for e in recs[0].errors)
        assert not any(r.gave_up for r in recs[1:])
    finally:
        for feed in feeds:
            feed.close()


def test_bad_token_is_refused_without_retrying(sb):
    feed = make_feed(sb, [("NSE_EQ", "1333")], token="not-a-real-token")
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: rec.gave_up)
        assert any(isinstance(e, errors.TokenExpired) and e.code == 808 for e in rec.errors)
        assert rec.reconnects == []
    finally:
        feed.close()


def test_handshake_403_is_an_auth_error(sb):
    sb.dhan_feed.handshake_status = 403
    feed = make_feed(sb, [("NSE_EQ", "1333")])
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: rec.gave_up)
        assert any(isinstance(e, errors.TokenExpired) and e.status == 403 for e in rec.errors)
        assert rec.reconnects == [] and rec.connects == 0
    finally:
        feed.close()


def test_expired_jwt_is_refused_before_connecting(sb):
    token = sb.dhan.issue_token(CLIENT, lifetime=-10)
    feed = make_feed(sb, token=token)
    with pytest.raises(errors.TokenExpired):
        feed.connect(threaded=True)
    assert not feed.running
    feed.set_access_token(sb.dhan.issue_token(CLIENT))
    rec = Rec(feed)
    feed.subscribe([("NSE_EQ", "1333")])
    feed.connect(threaded=True)
    try:
        assert rec.wait(rec.seen("Ticker Data", 1333))
    finally:
        feed.close()


def test_odd_frames_do_not_stop_the_feed(sb):
    feed = make_feed(sb, [("NSE_EQ", "1333")])
    rec = Rec(feed)
    calls = []

    def bad_handler(f: Any, ticks: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("user bug")
        rec.on_tick(f, ticks)
    feed.on_tick = bad_handler
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: any(isinstance(e, RuntimeError) for e in rec.errors))
        unknown = struct.pack("<BHBI", 99, 10, 1, 1) + b"\x00\x00"
        sb.dhan_feed.push(unknown + codec.encode_oi(1, 1333, 77) + b"\x04\x32")  # unknown, OI, cut quote
        sb.dhan_feed.push("a text frame")
        assert rec.wait(lambda: any(t["type"] == "OI Data" and t["OI"] == 77 for t in rec.ticks))
        assert rec.wait(lambda: rec.messages == ["a text frame"])
        since = len(rec.ticks)
        assert rec.wait(rec.seen("Ticker Data", 1333, since))
        assert rec.reconnects == []
    finally:
        feed.close()


def test_close_is_bounded_idempotent_and_says_goodbye(sb):
    feed = make_feed(sb, [("NSE_EQ", "1333")])
    rec = Rec(feed)
    feed.connect(threaded=True)
    assert rec.wait(rec.seen("Ticker Data", 1333))
    session = sb.dhan_feed.sessions()[0]
    feed.close()
    feed.close()
    assert not feed.running and not feed.connected
    assert wait_for(lambda: any(m.get("RequestCode") == 12 for m in session.received))
    # and it can be started again
    feed.connect(threaded=True)
    try:
        since = len(rec.ticks)
        assert rec.wait(rec.seen("Ticker Data", 1333, since))
    finally:
        feed.close_connection()


@pytest.mark.parametrize("kw,match", [
    (dict(instruments=[("NSE", "1333")]), "exchange segment"),
    (dict(instruments=[("NSE_EQ", "INFY")]), "security_id"),
    (dict(instruments=[("NSE_EQ", "1333", 19)]), "mode"),
    (dict(instruments=[("NSE_EQ",)]), "instrument"),
    (dict(version="v1"), "v2"),
])
def test_bad_feed_arguments(sb, kw, match):
    with pytest.raises(ValueError, match=match):
        DhanFeed(CLIENT, "token", **kw)


def test_too_many_instruments():
    feed = DhanFeed(CLIENT, "token")
    with pytest.raises(ValueError, match="5000"):
        feed.subscribe([("NSE_EQ", str(n)) for n in range(5001)])
    assert feed.subscribe([("NSE_EQ", "1")]) is False  # remembered, not sent (not connected)
    assert feed.subscriptions == {("NSE_EQ", "1"): 15}


# -- order updates -----------------------------------------------------------------------------
def make_orders(sb: Sandbox, token: Any = None, **kw: Any) -> DhanOrder:
    opts = dict(FAST)
    opts.update(kw)
    return DhanOrder(CLIENT, token or sb.dhan.issue_token(CLIENT), **sb.dhan_order_urls(), **opts)


def test_order_updates_arrive(sb):
    token = sb.dhan.issue_token(CLIENT)
    feed = make_orders(sb, token)
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert wait_for(lambda: sb.dhan_feed._order_count(CLIENT) == 1)
        with Dhan(CLIENT, token, rate_limits=False, cache_dir=False, **sb.dhan_urls()) as dhan:
            placed = dhan.place_order("1333", "NSE_EQ", "BUY", 2, "LIMIT", "CNC", 1500, tag="ou-1")
            dhan.cancel_order(placed["orderId"])
        assert rec.wait(lambda: len(rec.orders) == 2)
        assert [o["Status"] for o in rec.orders] == ["Pending", "Cancelled"]
        assert rec.orders[0]["OrderNo"] == placed["orderId"] and rec.orders[0]["CorrelationId"] == "ou-1"
        assert rec.connects == 1
    finally:
        feed.close()


def test_order_feed_reconnects_and_logs_in_again(sb):
    token = sb.dhan.issue_token(CLIENT)
    feed = make_orders(sb, token)
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert wait_for(lambda: sb.dhan_feed._order_count(CLIENT) == 1)
        sb.drop_feeds("/dhan/orders")
        assert rec.wait(lambda: rec.connects == 2)
        assert wait_for(lambda: sb.dhan_feed._order_count(CLIENT) == 1)
        sb.dhan_feed.push("ignored")  # market-feed push reaches no order socket
        with Dhan(CLIENT, token, rate_limits=False, cache_dir=False, **sb.dhan_urls()) as dhan:
            dhan.place_order("1333", "NSE_EQ", "BUY", 1, "MARKET", "CNC", 0)
        assert rec.wait(lambda: [o["Status"] for o in rec.orders] == ["Traded"])
    finally:
        feed.close()


def test_order_feed_other_messages(sb):
    feed = make_orders(sb)
    rec = Rec(feed)
    feed._decode('{"Type":"heartbeat"}')
    feed._decode("plain text")
    feed._decode('{"Type":"order_alert","Data":"not a dict"}')
    assert rec.messages == [{"Type": "heartbeat"}, "plain text", {"Type": "order_alert", "Data": "not a dict"}]
    assert rec.orders == []


def test_order_feed_bad_login_gives_up(sb):
    feed = make_orders(sb, token="bad-token", max_retries=1)
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: rec.gave_up)
        assert rec.reconnects == [1]
    finally:
        feed.close()


def test_no_token_in_feed_logs(sb, caplog):
    token = sb.dhan.issue_token(CLIENT)
    caplog.set_level(logging.DEBUG)
    feed = make_feed(sb, [("NSE_EQ", "1333")], token=token)
    orders = make_orders(sb, token)
    rec, orec = Rec(feed), Rec(orders)
    feed.connect(threaded=True)
    orders.connect(threaded=True)
    try:
        assert rec.wait(rec.seen("Ticker Data", 1333))
        assert orec.wait(lambda: orec.connects == 1)
        sb.drop_feeds("/dhan/feed")
        assert rec.wait(lambda: rec.connects == 2)
    finally:
        feed.close()
        orders.close()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "connecting to" in text and token not in text
    assert token not in repr(feed) and token not in repr(orders)
    assert json.dumps(token)[1:-1] not in text


def test_feeds_from_a_client(sb):
    token = sb.dhan.issue_token(CLIENT)
    with Dhan(CLIENT, token, rate_limits=False, cache_dir=False, **sb.dhan_urls()) as dhan:
        feed = DhanFeed.from_dhan(dhan, [("NSE_EQ", "1333")], **sb.dhan_feed_urls(), **FAST)
        orders = DhanOrder.from_dhan(dhan, **sb.dhan_order_urls(), **FAST)
        assert feed.client_id == CLIENT and orders.client_id == CLIENT
        rec = Rec(feed)
        feed.connect(threaded=True)
        try:
            assert rec.wait(rec.seen("Ticker Data", 1333))
        finally:
            feed.close()
    with Dhan(CLIENT, rate_limits=False, cache_dir=False, **sb.dhan_urls()) as empty:
        with pytest.raises(errors.AuthError):
            DhanFeed.from_dhan(empty)


def test_raw_mode_still_honours_a_disconnect(sb):
    feed = make_feed(sb, [("NSE_EQ", "1333")], parse_data=False)
    rec = Rec(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: len(rec.raw) >= 1)
        sb.dhan_feed.disconnect(807)
        assert rec.wait(lambda: rec.gave_up)
        assert any(isinstance(e, errors.TokenExpired) and e.code == 807 for e in rec.errors)
    finally:
        feed.close()
