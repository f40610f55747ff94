"""A bad frame costs only itself (Fyers): the HSM parsers and the order-socket mapper
return records or raise only ValueError, a frame damaged part-way still gives the
records before the damage, control frames after a bad one are acted on; property
tests over random and mutated frames, and the feeds over the sandbox's websockets.

Frames are built here with struct (big-endian, as the HSM protocol is), not with the
library's or the sandbox's encoders.
"""

from __future__ import annotations

import base64
import json
import random
import struct
from typing import Any, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.fyers import FyersFeed, FyersOrder, codec
from brokers.fyers.hsm_book import HsmBook

from ..hostile import EXAMPLES, finite, hostile_json, mutate, mutated
from ..recorder import FeedRecorder, wait_for

I32 = st.integers(-(2 ** 31), 2 ** 31 - 1)
TID = st.integers(0, 0xFFFF)


def s8(text: str) -> bytes:
    raw = text.encode()
    return bytes([len(raw)]) + raw


def snapshot(tid: int, topic: str, values: List[int], symbol: str = "NSE:TEST-EQ", multiplier: int = 1,
             precision: int = 2) -> bytes:
    return (b"S" + struct.pack(">H", tid) + s8(topic) + bytes([len(values)])
            + struct.pack(f">{len(values)}i", *values) + b"\x00\x00" + struct.pack(">HB", multiplier, precision)
            + s8("10") + s8("999") + s8(symbol))


def update(tid: int, values: List[int]) -> bytes:
    return b"U" + struct.pack(">H", tid) + bytes([len(values)]) + struct.pack(f">{len(values)}i", *values)


def lite(tid: int, ltp: int) -> bytes:
    return b"L" + struct.pack(">Hi", tid, ltp)


def datafeed(number: int, records: List[bytes]) -> bytes:
    body = b"".join(records)
    return struct.pack(">HBIH", (7 + len(body)) & 0xFFFF, 6, number, len(records)) + body


def control(kind: int, *fields: bytes) -> bytes:
    body = struct.pack(">BB", kind, len(fields)) + b"".join(
        struct.pack(">BH", i, len(f)) + f for i, f in enumerate(fields, 1))
    return struct.pack(">H", len(body)) + body


RECORD = st.one_of(
    st.builds(lambda t, v: snapshot(t, "sf|nse_cm|999", v), TID, st.lists(I32, max_size=25)),
    st.builds(update, TID, st.lists(I32, max_size=25)),
    st.builds(lite, TID, I32),
)
FRAME = st.builds(datafeed, st.integers(0, 2 ** 32 - 1), st.lists(RECORD, max_size=6))
# A record the parser cannot get past: one of an unknown type (anything may follow it),
# or a known one cut short (at the end of the frame: records carry no length, so a cut
# record followed by more bytes reads as a record, as on the real socket).
UNKNOWN = st.builds(lambda b, tail: bytes([b]) + tail, st.integers(0, 255).filter(lambda b: b not in b"SUL"),
                    st.binary(max_size=10))
CUT = st.builds(lambda r, f: r[:max(1, int(len(r) * f))] if len(r) > 1 else b"", RECORD, st.floats(0, 0.99))


# -- HSM parsers -----------------------------------------------------------------------------------
@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(RECORD, max_size=5), st.one_of(st.tuples(UNKNOWN, st.lists(RECORD, max_size=3)),
                                              st.tuples(CUT, st.just([]))))
def test_a_damaged_record_keeps_the_records_before_it(before, damaged):
    broken, after = damaged
    whole = datafeed(7, before + [broken] + after)
    damage: List[ValueError] = []
    number, records = codec.parse_datafeed(whole, damage)
    assert number == 7 and records == codec.parse_datafeed(datafeed(7, before))[1]
    assert len(damage) == 1
    with pytest.raises(ValueError):
        codec.parse_datafeed(whole)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(st.binary(max_size=300), mutated(FRAME),
                 mutated(st.builds(lambda c: control(c, b"K", b"\x00\x00\x00\x02"), st.sampled_from([1, 4, 51])))))
def test_random_and_mutated_frames_raise_only_value_error(data):
    for parse in (codec.frame_type, codec.parse_control, codec.parse_datafeed):
        try:
            parse(data)
        except ValueError:
            pass
    damage: List[ValueError] = []
    try:
        codec.parse_datafeed(data, damage)
    except ValueError:
        assert not damage  # with a damage list only a bad header raises
    book = HsmBook({"sf|nse_cm|999": "NSE:TEST-EQ"})
    try:
        _, ticks = book.feed(data, [])
        assert finite(ticks)
    except ValueError:
        pass


def test_not_bytes():
    for parse in (codec.frame_type, codec.parse_control, codec.parse_datafeed):
        with pytest.raises(ValueError):
            parse("text")  # type: ignore[arg-type]


# -- order socket (JSON) ---------------------------------------------------------------------------
ORDER = {"s": "ok", "orders": {"id": "1", "org_ord_status": 90, "price_traded": 812.5, "qty": 1,
                               "symbol": "NSE:SBIN-EQ"}}
TRADE = {"s": "ok", "trades": {"id_fill": "1", "price_traded": 812.5, "qty_traded": 1}}


@settings(max_examples=EXAMPLES, deadline=None)
@given(hostile_json([ORDER, TRADE, {"s": "ok", "positions": {"net_qty": 1}}, {"s": "error", "code": -8}]))
def test_order_messages_map_or_raise_only_value_error(text):
    for message in (text, text.encode()):
        try:
            mapped = codec.map_order_message(message)
        except ValueError:
            continue
        assert mapped is None or finite(mapped[1])


def test_infinity_and_nan_in_an_order_message():
    kind, message = codec.map_order_message('{"s":"ok","orders":{"id":"1","org_ord_status":Infinity,'
                                            '"price_traded":NaN,"qty":1e999}}')
    assert kind == "orders"
    assert message["orders"] == {"id": "1", "status": None, "rawStatus": None, "tradedPrice": None, "qty": None,
                                 "orderNumStatus": "1:None"}
    with pytest.raises(ValueError, match="nested too deeply"):
        codec.map_order_message("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError):
        codec.map_order_message(None)  # type: ignore[arg-type]


# -- the feeds' decode, offline ---------------------------------------------------------------------
def _jwt(claims: dict) -> str:
    part = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part({'alg': 'HS256'})}.{part(claims)}.c2ln"


FYERS_TOKEN = "APP-100:" + _jwt({"hsm_key": "fuzz-hsm-key", "exp": 4_102_444_800})


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(st.binary(max_size=200), mutated(FRAME)))
def test_feed_decode_raises_only_value_error(data):
    feed = FyersFeed(FYERS_TOKEN)
    rec = FeedRecorder(feed, flatten=True)
    try:
        feed._decode(data)
    except ValueError:
        pass
    assert finite(rec.ticks) and all(isinstance(e, (ValueError, errors.BrokerError)) for e in rec.errors)


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(hostile_json([ORDER, TRADE]))
def test_order_feed_decode_raises_only_value_error(text):
    feed = FyersOrder(FYERS_TOKEN)
    rec = FeedRecorder(feed)
    try:
        feed._decode(text)
    except ValueError:
        pass
    assert all(finite(calls) for calls in rec.calls.values())


# -- over the sandbox's websockets ------------------------------------------------------------------
FAST = {"initial_delay": 0.05, "max_delay": 0.2}


def symbols(rec: FeedRecorder) -> List[Any]:
    return [(t["symbol"], t.get("ltp")) for t in rec.ticks if t["symbol"] == "NSE:TEST-EQ"]


def test_over_the_socket_a_bad_record_costs_only_itself(sandbox):
    feed = FyersFeed(f"{sandbox.fyers.client_id}:{sandbox.fyers.issue_access_token()}", **sandbox.fyers_feed_urls(), **FAST)
    rec = FeedRecorder(feed, flatten=True)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: any(m.get("type") == "cn" for m in rec.messages if isinstance(m, dict)))
        values = [10000] + [0] * 20
        # good, good, then a record of an unknown type: the first two arrive
        sandbox.fyers_data.push(datafeed(1, [snapshot(900, "sf|nse_cm|999", values), lite(900, 10100), b"X\x03\x84"]))
        assert rec.wait(lambda: symbols(rec) == [("NSE:TEST-EQ", 100.0), ("NSE:TEST-EQ", 101.0)])
        assert rec.wait(lambda: len(rec.errors) == 1) and isinstance(rec.errors[0], ValueError)
        sandbox.fyers_data.push(datafeed(2, [lite(900, 10200)]))  # the next frame is read as usual
        assert rec.wait(lambda: symbols(rec)[-1] == ("NSE:TEST-EQ", 102.0))
        rnd = random.Random(4)
        for _ in range(20):
            sandbox.fyers_data.push(mutate(datafeed(3, [lite(900, 1), update(900, [5, 6])]), rnd))
        sandbox.fyers_data.push(datafeed(4, [lite(900, 10300)]))
        assert rec.wait(lambda: ("NSE:TEST-EQ", 103.0) in symbols(rec))
        assert feed.connected and rec.reconnects == []
        # a control frame after the bad ones is acted on: a refused login stops the feed
        sandbox.fyers_data.push(b"\x00\x05\x06\x00")
        sandbox.fyers_data.push(control(codec.AUTH, b"E"))
        assert rec.wait(lambda: rec.gave_up)
        assert any(isinstance(e, errors.TokenExpired) for e in rec.errors)
        assert wait_for(lambda: not feed.running) and rec.reconnects == []
    finally:
        feed.close()


def test_over_the_socket_bad_order_messages_cost_only_themselves(sandbox):
    tok = sandbox.fyers.issue_access_token()
    feed = FyersOrder(f"{sandbox.fyers.client_id}:{tok}", url=sandbox.fyers_order_url(), **FAST)
    rec = FeedRecorder(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: rec.connects == 1)
        assert wait_for(lambda: bool(sandbox.fyers_orders.sessions()))
        sandbox.fyers_orders.push('{"s":"ok","orders":{"id":"1","org_ord_status":Infinity,"price_traded":NaN}}')
        sandbox.fyers_orders.push("[" * 100_000 + "]" * 100_000)
        sandbox.fyers_orders.push('{"s":"ok","orders":{"id":"2","org_ord_status":90,"price_traded":812.5}}')
        assert rec.wait(lambda: len(rec.orders) == 2 and len(rec.errors) == 1)
        assert [o["orders"]["status"] for o in rec.orders] == [None, 2]
        assert rec.orders[0]["orders"]["tradedPrice"] is None and isinstance(rec.errors[0], ValueError)
        assert feed.connected and rec.reconnects == []
    finally:
        feed.close()
