"""A bad frame costs only itself (Dhan): every parser returns records or raises only
ValueError, a bad packet never hides the packets around it, a disconnect packet is
acted on even after a bad one; property tests over random and mutated frames, and
the feed over the sandbox's websocket.

Packets are built here with struct (little-endian, as Dhan sends them), not with the
library's or the sandbox's encoders, so the tests check the parser against the
layout rather than against itself.
"""

from __future__ import annotations

import random
import struct
from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers import errors
from brokers.dhan import DhanFeed, DhanOrder, codec
from brokers.sandbox import Sandbox

from ..hostile import EXAMPLES, finite, hostile_json, mutate, mutated, nonfinite_f32
from ..recorder import FeedRecorder, wait_for
from .conftest import CLIENT

# -- packets, built from the documented layouts ------------------------------------------------
SID = st.integers(0, 2 ** 32 - 1)
SEG = st.sampled_from([0, 1, 2, 3, 4, 5, 7, 8])
U32 = st.integers(0, 2 ** 32 - 1)
PRICE = st.floats(0, 1e6, allow_nan=False, width=32)
LTT = st.integers(0, 2 ** 32 - 1)


def ticker(seg: int, sid: int, ltp: float, ltt: int, code: int = 2) -> bytes:
    return struct.pack("<BHBIfI", code, 16, seg, sid, ltp, ltt)


def oi(seg: int, sid: int, value: int) -> bytes:
    return struct.pack("<BHBII", 5, 12, seg, sid, value)


def quote(seg: int, sid: int, p: float, n: int) -> bytes:
    return struct.pack("<BHBIfHIfIIIffff", 4, 50, seg, sid, p, n & 0xFFFF, n, p, n, n, n, p, p, p, p)


def full(seg: int, sid: int, p: float, n: int) -> bytes:
    head = struct.pack("<BHBIfHIfIIIIIIffff", 8, 162, seg, sid, p, n & 0xFFFF, n, p, n, n, n, n, n, n, p, p, p, p)
    return head + struct.pack("<IIHHff", n, n, n & 0xFFFF, n & 0xFFFF, p, p) * 5


def prev_close(seg: int, sid: int, p: float, n: int) -> bytes:
    return struct.pack("<BHBIfI", 6, 16, seg, sid, p, n)


def status(seg: int, sid: int) -> bytes:
    return struct.pack("<BHBI", 7, 8, seg, sid)


def disconnect(code: int) -> bytes:
    return struct.pack("<BHBIH", 50, 10, 0, 0, code)


# Float fields of each float-carrying packet type: (byte offset, ...) per response code.
FLOATS: Dict[int, List[int]] = {
    1: [8], 2: [8], 6: [8],
    4: [8, 18, 34, 38, 42, 46],
    8: [8, 18, 46, 50, 54, 58] + [62 + 20 * row + k for row in range(5) for k in (12, 16)],
}

GOOD = st.one_of(
    st.builds(ticker, SEG, SID, PRICE, LTT),
    st.builds(lambda s, i, p, t: ticker(s, i, p, t, code=1), SEG, SID, PRICE, LTT),
    st.builds(oi, SEG, SID, U32),
    st.builds(quote, SEG, SID, PRICE, U32),
    st.builds(full, SEG, SID, PRICE, U32),
    st.builds(prev_close, SEG, SID, PRICE, U32),
    st.builds(status, SEG, SID),
)
FLOAT_PACKET = st.one_of(
    st.builds(ticker, SEG, SID, PRICE, LTT),
    st.builds(quote, SEG, SID, PRICE, U32),
    st.builds(full, SEG, SID, PRICE, U32),
    st.builds(prev_close, SEG, SID, PRICE, U32),
)


@st.composite
def bad(draw: Any) -> bytes:
    """A float-carrying packet with a NaN or infinity in one of its float fields."""
    packet = bytearray(draw(FLOAT_PACKET))
    offset = draw(st.sampled_from(FLOATS[packet[0]]))
    packet[offset:offset + 4] = nonfinite_f32(random.Random(draw(st.integers(0, 2 ** 32))))
    return bytes(packet)


def frame_of(packets: List[bytes]) -> bytes:
    return b"".join(packets)


# -- parse_frame / parse_packet / disconnects -----------------------------------------------------
@settings(max_examples=EXAMPLES)
@given(st.lists(GOOD, max_size=4), bad(), st.lists(GOOD, max_size=4))
def test_a_bad_packet_costs_only_itself(before, broken, after):
    records = codec.parse_frame(frame_of(before + [broken] + after))
    assert len(records) == len(before) + 1 + len(after)
    assert records[:len(before)] == [codec.parse_packet(p) for p in before]
    assert records[len(before) + 1:] == [codec.parse_packet(p) for p in after]
    dropped = records[len(before)]
    assert dropped["type"] == "Invalid" and dropped["code"] == broken[0] and dropped["raw"] == broken
    with pytest.raises(ValueError, match="NaN or infinite"):
        codec.parse_packet(broken)
    assert finite(records)


@settings(max_examples=EXAMPLES)
@given(st.lists(bad(), min_size=1, max_size=3), st.sampled_from([805, 806, 807, 808, 810, 800]), st.lists(GOOD, max_size=3))
def test_a_disconnect_after_bad_packets_is_still_read(broken, code, after):
    frame = frame_of(broken + [disconnect(code)] + after)
    records = codec.parse_frame(frame)
    assert [r["type"] for r in records[:len(broken)]] == ["Invalid"] * len(broken)
    assert records[len(broken)]["type"] == "Disconnect" and records[len(broken)]["code"] == code
    assert codec.disconnects(frame) == [records[len(broken)]]


@settings(max_examples=EXAMPLES)
@given(st.lists(st.one_of(GOOD, bad(), st.builds(disconnect, st.integers(800, 814))), min_size=1, max_size=6),
       st.integers(0, 2 ** 32 - 1))
def test_payload_damage_never_moves_a_packet_boundary(packets, seed):
    """Edits inside packet bodies (never the 8-byte headers) leave every packet in place:
    each parses as its own type or is dropped as Invalid, and no float is non-finite."""
    rnd = random.Random(seed)
    damaged = []
    for p in packets:
        body = bytearray(p)
        for _ in range(rnd.randint(0, 3)):
            if len(body) > 8:
                body[rnd.randrange(8, len(body))] = rnd.randrange(256)
        damaged.append(bytes(body))
    records = codec.parse_frame(frame_of(damaged))
    assert len(records) == len(packets)
    for record, p in zip(records, damaged):
        assert record["type"] == "Invalid" or record == codec.parse_packet(p)
    assert [d["code"] for d in codec.disconnects(frame_of(damaged))] == [
        r["code"] for r in records if r["type"] == "Disconnect"]
    assert finite(records)


@settings(max_examples=EXAMPLES)
@given(st.one_of(st.binary(max_size=400), mutated(st.lists(st.one_of(GOOD, bad()), max_size=5).map(frame_of))))
def test_any_bytes_give_records_and_finite_floats(frame):
    records = codec.parse_frame(frame)
    assert finite(records)
    assert sum(len(r.get("raw") or b"") for r in records) <= len(frame)
    for d in codec.disconnects(frame):
        assert d in records
    try:
        assert finite(codec.parse_packet(frame))
    except ValueError:
        pass


def test_not_bytes():
    assert codec.parse_frame("text")[0]["type"] == "Truncated"  # type: ignore[arg-type]
    assert codec.disconnects(None) == []  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        codec.parse_packet("text")  # type: ignore[arg-type]


# -- order updates (JSON) -----------------------------------------------------------------------
ORDER = {"Type": "order_alert", "Data": {"OrderNo": "1", "Status": "Traded", "Price": 1500.5, "Quantity": 2,
                                         "TradedPrice": 1500.5, "CorrelationId": "x"}}


@settings(max_examples=EXAMPLES, deadline=None)
@given(hostile_json([ORDER, {"Type": "heartbeat"}]))
def test_order_updates_never_raise_and_never_carry_non_finite_numbers(text):
    for message in (text, text.encode()):
        parsed = codec.parse_order_update(message)
        assert parsed is None or (isinstance(parsed, dict) and finite(parsed))


def test_a_non_finite_order_price_is_kept_as_none():
    parsed = codec.parse_order_update('{"Type":"order_alert","Data":{"OrderNo":"1","Price":NaN,"Qty":1e999}}')
    assert parsed == {"Type": "order_alert", "Data": {"OrderNo": "1", "Price": None, "Qty": None}}
    assert codec.parse_order_update("[" * 50_000 + "]" * 50_000) is None


# -- the feeds' decode, offline --------------------------------------------------------------------
@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(st.binary(max_size=300), mutated(st.lists(st.one_of(GOOD, bad()), max_size=5).map(frame_of))),
       st.booleans())
def test_feed_decode_delivers_every_good_packet_and_reports_the_rest(frame, parse_data):
    feed = DhanFeed(CLIENT, "token", parse_data=parse_data)
    rec = FeedRecorder(feed, flatten=True)
    feed._decode(frame)  # never raises: bad packets go to on_error
    records = codec.parse_frame(frame)
    if parse_data:
        # a disconnect packet is a control message (acted on, reported), never a tick
        assert rec.ticks == [r for r in records if r["type"] not in ("Unknown", "Truncated", "Invalid", "Disconnect")]
        bad_packets = [e for e in rec.errors if isinstance(e, ValueError)]
        assert len(bad_packets) == sum(r["type"] in ("Truncated", "Invalid") for r in records)
        assert all(isinstance(e, (ValueError, errors.BrokerError)) for e in rec.errors)  # or a disconnect
    else:
        assert rec.raw in ([], [frame])


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(hostile_json([ORDER]))
def test_order_feed_decode_never_raises(text):
    feed = DhanOrder(CLIENT, "token")
    rec = FeedRecorder(feed)
    feed._decode(text)
    assert finite(rec.orders) and finite(rec.messages)


# -- over the sandbox's websocket -----------------------------------------------------------------
QUIET = dict(initial_delay=0.05, max_delay=0.2, watchdog=None, ping_interval=2.0, ping_timeout=1.0,
             stable_after=60.0)


def quiet_feed(sandbox: Sandbox, **kw: Any) -> DhanFeed:
    """A feed with no subscriptions: it sees only what the test pushes."""
    return DhanFeed(CLIENT, sandbox.dhan.issue_token(CLIENT), **sandbox.dhan_feed_urls(), **{**QUIET, **kw})


def oi_values(rec: FeedRecorder) -> List[int]:
    return [t["OI"] for t in rec.ticks if t["type"] == "OI Data"]


def test_good_bad_good_in_one_frame_and_in_three(sandbox):
    feed = quiet_feed(sandbox)
    rec = FeedRecorder(feed, flatten=True)
    feed.connect(threaded=True)
    try:
        # the client saw its open; wait for the server to hold the session before pushing to it
        assert rec.wait(lambda: rec.connects == 1 and len(sandbox.dhan_feed.sessions()) == 1)
        nan = ticker(1, 1333, float("nan"), 0)
        assert sandbox.dhan_feed.push(oi(2, 52175, 77) + nan + oi(2, 52175, 78)) == 1
        assert rec.wait(lambda: oi_values(rec) == [77, 78])
        for packet in (oi(2, 52175, 79), ticker(1, 1333, float("inf"), 0), oi(2, 52175, 80)):  # one per frame
            sandbox.dhan_feed.push(packet)
        assert rec.wait(lambda: oi_values(rec) == [77, 78, 79, 80] and len(rec.errors) == 2)
        assert all(isinstance(e, ValueError) and "NaN or infinite" in str(e) for e in rec.errors)
        assert feed.connected and rec.reconnects == []
    finally:
        feed.close()


@pytest.mark.parametrize("parse_data", [True, False])
@pytest.mark.parametrize("same_frame", [True, False])
def test_a_fatal_disconnect_after_a_bad_packet_stops_the_feed(sandbox, parse_data, same_frame):
    feed = quiet_feed(sandbox, parse_data=parse_data)
    rec = FeedRecorder(feed, flatten=True)
    feed.connect(threaded=True)
    try:
        # the client saw its open; wait for the server to hold the session before pushing to it
        assert rec.wait(lambda: rec.connects == 1 and len(sandbox.dhan_feed.sessions()) == 1)
        broken = quote(1, 1333, float("nan"), 5)
        if same_frame:
            sandbox.dhan_feed.push(broken + disconnect(807))
        else:
            sandbox.dhan_feed.push(broken)
            sandbox.dhan_feed.disconnect(807)
        assert rec.wait(lambda: rec.gave_up)
        assert wait_for(lambda: not feed.running)
        assert any(isinstance(e, errors.TokenExpired) and e.code == 807 for e in rec.errors)
        assert rec.reconnects == [] and sandbox.ws.connections_made == 1
    finally:
        feed.close()


def test_a_bad_frame_between_good_ones_with_ticks_flowing(sandbox):
    """The same with the sandbox streaming ticks for a subscription all along."""
    sandbox.dhan_feed.tick_interval = 0.05
    feed = quiet_feed(sandbox)
    feed.subscribe([("NSE_EQ", "1333")])
    rec = FeedRecorder(feed, flatten=True)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: any(t["type"] == "Ticker Data" for t in rec.ticks))
        rnd = random.Random(9)
        for _ in range(20):
            sandbox.dhan_feed.push(mutate(oi(2, 52175, 1) + ticker(1, 1333, 1.0, 1), rnd))
        sandbox.dhan_feed.push(oi(2, 52175, 4242))
        assert rec.wait(lambda: 4242 in oi_values(rec))
        since = len(rec.ticks)
        assert rec.wait(lambda: any(t["type"] == "Ticker Data" for t in rec.ticks[since:]))
        assert all(isinstance(e, ValueError) for e in rec.errors) and feed.connected
    finally:
        feed.close()
