"""Kite's ticker frames: every packet kind, divisors, IST times, bounds; and a bad
frame costs only itself: the parsers return records or raise only ValueError, a
damaged frame still delivers the packets before the damage, property tests over
random and mutated frames, and the feed over the sandbox's websocket."""

from __future__ import annotations

import datetime as dt
import random
import struct
import time
from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.kite import KiteFeed
from brokers.kite.codec import ist_datetime, parse_binary, parse_text
from brokers.sandbox import Sandbox
from brokers.sandbox.kite_packets import divisor, encode_frame, encode_packet

from ..hostile import EXAMPLES, finite, hostile_json, mutate, mutated
from ..recorder import FeedRecorder

U32 = st.integers(0, 2 ** 32 - 1)
# seconds from 1970 to 2100: what an exchange can send, and far past 2038
EPOCH = st.integers(0, 4_102_444_800)
SEGMENTS = st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 0, 200])


def token_of(exchange_token: int, segment: int) -> int:
    return (exchange_token << 8) | segment


def full_packet(token: int, ltp: int, close: int, ltt: int, ts: int, depth: List[int]) -> bytes:
    head = [token, ltp, 7, 157037, 1192471, 256443, 363009, 156915, 157500, 156105, close, ltt, 0, 0, 0, ts]
    return struct.pack(">16I" + "IIH2x" * 10, *head, *depth)


INFY_DEPTH = [n for i in range(10) for n in (100 * (i + 1), 157360 - 10 * i if i < 5 else 157380 + 10 * i, i + 1)]


def test_full_packet_matches_the_reference_values():
    frame = encode_frame([full_packet(408065, 157370, 156780, 1625461800, 1625461887, INFY_DEPTH)])
    (tick,) = parse_binary(frame)
    assert tick["tradable"] is True and tick["mode"] == "full" and tick["instrument_token"] == 408065
    assert tick["last_price"] == 1573.70 and tick["average_traded_price"] == 1570.37
    assert tick["ohlc"] == {"open": 1569.15, "high": 1575.0, "low": 1561.05, "close": 1567.8}
    assert tick["change"] == pytest.approx((1573.70 - 1567.80) * 100 / 1567.80)
    assert tick["volume_traded"] == 1192471 and tick["total_sell_quantity"] == 363009
    assert tick["last_trade_time"] == dt.datetime(2021, 7, 5, 10, 40)
    assert tick["exchange_timestamp"] == dt.datetime(2021, 7, 5, 10, 41, 27)
    assert tick["exchange_timestamp"].tzinfo is None
    assert tick["depth"]["buy"][0] == {"quantity": 100, "price": 1573.6, "orders": 1}
    assert tick["depth"]["sell"][0] == {"quantity": 600, "price": 1574.3, "orders": 6}
    assert len(tick["depth"]["buy"]) == len(tick["depth"]["sell"]) == 5
    assert list(tick) == ["tradable", "mode", "instrument_token", "last_price", "last_traded_quantity",
                          "average_traded_price", "volume_traded", "total_buy_quantity", "total_sell_quantity",
                          "ohlc", "change", "last_trade_time", "oi", "oi_day_high", "oi_day_low",
                          "exchange_timestamp", "depth"]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_times_are_ist_whatever_the_machine_zone(zone, monkeypatch):
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX only")
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert ist_datetime(1625461887) == dt.datetime(2021, 7, 5, 10, 41, 27)
        frame = encode_frame([full_packet(408065, 1, 1, 0, 1625461887, [0] * 30)])
        assert parse_binary(frame)[0]["exchange_timestamp"] == dt.datetime(2021, 7, 5, 10, 41, 27)
        assert parse_binary(frame)[0]["last_trade_time"] == dt.datetime(1970, 1, 1, 5, 30)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_ltp_and_index_packets():
    frame = encode_frame([
        struct.pack(">II", 408065, 157370),
        struct.pack(">6Ii", 256265, 2431055, 2440000, 2420000, 2425000, 2430000, 1055),
        struct.pack(">6IiI", 256265, 2431055, 2440000, 2420000, 2425000, 2430000, 1055, 1625461887),
    ])
    ltp, iquote, ifull = parse_binary(frame)
    assert ltp == {"tradable": True, "mode": "ltp", "instrument_token": 408065, "last_price": 1573.7}
    assert iquote["tradable"] is False and iquote["mode"] == "quote"
    assert iquote["ohlc"] == {"high": 24400.0, "low": 24200.0, "open": 24250.0, "close": 24300.0}
    assert iquote["change"] == pytest.approx((24310.55 - 24300.0) * 100 / 24300.0)
    assert "exchange_timestamp" not in iquote
    assert ifull["mode"] == "full" and ifull["exchange_timestamp"] == dt.datetime(2021, 7, 5, 10, 41, 27)


@pytest.mark.parametrize("segment,div", [(1, 100.0), (3, 1e7), (6, 1e4), (12, 1e4), (7, 100.0), (9, 100.0)])
def test_divisor_by_segment(segment, div):
    token = token_of(1234, segment)
    (tick,) = parse_binary(encode_frame([struct.pack(">II", token, 841225000)]))
    assert tick["last_price"] == 841225000 / div
    assert tick["tradable"] is (segment != 9)


def test_change_is_int_zero_without_close():
    quote = struct.pack(">11I", 408065, 157370, 1, 1, 1, 1, 1, 1, 1, 1, 0)
    (tick,) = parse_binary(encode_frame([quote]))
    assert tick["change"] == 0 and type(tick["change"]) is int


@pytest.mark.parametrize("frame", [b"", b"\x00", b"\x00\x00", b"\x00\x00\x01\x02"])
def test_heartbeats_and_empty_frames(frame):
    assert parse_binary(frame) == []


def test_unknown_packet_lengths_are_skipped_never_none():
    frame = encode_frame([b"\x00\x06\x3a\x01\x00\x00", struct.pack(">II", 408065, 100), b""])
    assert parse_binary(frame) == [{"tradable": True, "mode": "ltp", "instrument_token": 408065,
                                    "last_price": 1.0}]


@pytest.mark.parametrize("frame", [
    b"\x00\x01",                                  # one packet announced, none there
    b"\x00\x01\x00",                              # half a length
    b"\x00\x01\x00\x08" + b"\x00" * 7,            # packet shorter than its length
    encode_frame([struct.pack(">II", 408065, 1)])[:-1],
    b"\x00\x02" + encode_frame([struct.pack(">II", 408065, 1)])[2:],  # two announced, one sent
])
def test_truncated_frames_raise_value_error(frame):
    with pytest.raises(ValueError, match="truncated"):
        parse_binary(frame)


def test_bytes_after_the_last_packet_are_ignored():
    frame = encode_frame([struct.pack(">II", 408065, 1)]) + b"\x00\x07"
    assert [t["last_price"] for t in parse_binary(frame)] == [0.01]


def test_not_bytes_is_value_error():
    with pytest.raises(ValueError):
        parse_binary("text")  # type: ignore[arg-type]


def test_accepts_bytearray_and_memoryview():
    frame = encode_frame([struct.pack(">II", 408065, 100)])
    assert parse_binary(bytearray(frame)) == parse_binary(memoryview(frame)) == parse_binary(frame)


def test_parse_text():
    assert parse_text('{"type": "order", "data": {"order_id": "1"}}') == ("order", {"order_id": "1"})
    assert parse_text('{"type": "order", "data": null}') == ("message", {"type": "order", "data": None})
    assert parse_text('{"type": "error", "data": "bad token"}') == ("error", "bad token")
    assert parse_text('{"type": "message", "data": "hi"}') == ("message", {"type": "message", "data": "hi"})
    assert parse_text("not json") == ("message", "not json")
    assert parse_text(b'[1, 2]') == ("message", [1, 2])
    with pytest.raises(ValueError):
        parse_text(b"\xff\xfe")


# -- property tests -----------------------------------------------------------------------
@st.composite
def ticks(draw: Any) -> Dict[str, Any]:
    """A random tick of any kind, as kiteconnect would build it from its packet."""
    segment = draw(SEGMENTS)
    token = token_of(draw(st.integers(0, 2 ** 24 - 1)), segment)
    mode = draw(st.sampled_from(["ltp", "quote", "full"]))
    div = divisor(token)
    price = lambda: draw(U32) / div  # noqa: E731
    tick: Dict[str, Any] = {"tradable": segment != 9, "mode": mode, "instrument_token": token,
                            "last_price": price()}
    if mode == "ltp":
        return tick
    last = tick["last_price"]
    if segment == 9:
        tick["ohlc"] = {"high": price(), "low": price(), "open": price(), "close": price()}
    else:
        tick.update(last_traded_quantity=draw(U32), average_traded_price=price(), volume_traded=draw(U32),
                    total_buy_quantity=draw(U32), total_sell_quantity=draw(U32))
        tick["ohlc"] = {"open": price(), "high": price(), "low": price(), "close": price()}
    close = tick["ohlc"]["close"]
    tick["change"] = (last - close) * 100 / close if close != 0 else 0
    if mode == "full" and segment == 9:
        tick["exchange_timestamp"] = ist_datetime(draw(EPOCH))
    elif mode == "full":
        tick.update(last_trade_time=ist_datetime(draw(EPOCH)), oi=draw(U32), oi_day_high=draw(U32),
                    oi_day_low=draw(U32), exchange_timestamp=ist_datetime(draw(EPOCH)))
        level = lambda: {"quantity": draw(U32), "price": price(), "orders": draw(st.integers(0, 0xFFFF))}  # noqa
        tick["depth"] = {"buy": [level() for _ in range(5)], "sell": [level() for _ in range(5)]}
    return tick


@settings(max_examples=300, deadline=None)
@given(st.lists(ticks(), max_size=8))
def test_encoded_ticks_parse_back_identically(sample):
    frame = encode_frame(encode_packet(t) for t in sample)
    parsed = parse_binary(frame)
    assert parsed == sample
    assert [list(t) for t in parsed] == [list(t) for t in sample]  # same key order too


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_garbage_raises_only_value_error(data):
    try:
        result = parse_binary(data)
    except ValueError:
        return
    assert all(isinstance(t, dict) for t in result)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=6))
def test_well_framed_garbage_packets_never_raise(packets):
    result = parse_binary(encode_frame(packets))
    assert all(isinstance(t, dict) and "instrument_token" in t for t in result)
    assert len(result) <= len(packets)


# -- a bad frame costs only itself -------------------------------------------------------------
def frame(packets: List[bytes]) -> bytes:
    """Built here, not with the sandbox's encoder: ``>H`` count, then ``>H`` length + packet."""
    return struct.pack(">H", len(packets)) + b"".join(struct.pack(">H", len(p)) + p for p in packets)


LTP = st.builds(lambda t, p: struct.pack(">II", t, p), U32, U32)
QUOTE = st.builds(lambda v: struct.pack(">11I", *v), st.lists(U32, min_size=11, max_size=11))
FULL = st.builds(lambda v, d: struct.pack(">16I" + "IIH2x" * 10, *v, *d), st.lists(U32, min_size=16, max_size=16),
                 st.lists(st.integers(0, 0xFFFF), min_size=30, max_size=30))
GOOD = st.one_of(LTP, QUOTE, FULL)
# Lengths that are no packet kind (8, 28, 32, 44, 184 are): skipped, as kiteconnect does.
ODD = st.binary(max_size=120).filter(lambda b: len(b) not in (8, 28, 32, 44, 184))


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(GOOD, max_size=4), ODD, st.lists(GOOD, max_size=4))
def test_a_packet_of_no_known_kind_costs_only_itself(before, odd, after):
    ticks = parse_binary(frame(before + [odd] + after))
    assert ticks == [parse_binary(frame([p]))[0] for p in before + after]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(GOOD, min_size=1, max_size=4), GOOD, st.data())
def test_a_cut_frame_still_gives_the_packets_before_the_cut(before, last, data):
    whole = frame(before + [last])
    cut = whole[:data.draw(st.integers(len(whole) - len(last) - 1, len(whole) - 1))]
    damage: List[ValueError] = []
    assert parse_binary(cut, damage) == parse_binary(frame(before))
    assert len(damage) == 1 and "truncated" in str(damage[0])
    with pytest.raises(ValueError, match="truncated"):
        parse_binary(cut)


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(st.binary(max_size=400), mutated(st.lists(st.one_of(GOOD, ODD), max_size=5).map(frame))))
def test_random_and_mutated_frames(data):
    damage: List[ValueError] = []
    ticks = parse_binary(data, damage)  # with a damage list: never raises for bytes
    assert len(damage) <= 1 and finite(ticks)
    try:
        assert parse_binary(data) == ticks and not damage
    except ValueError as e:
        assert damage and str(e) == str(damage[0])


ORDER = {"type": "order", "data": {"order_id": "1", "status": "COMPLETE", "price": 1500.5, "quantity": 1,
                                   "average_price": 1500.5}}


@settings(max_examples=EXAMPLES, deadline=None)
@given(hostile_json([ORDER, {"type": "error", "data": "x"}, {"type": "message", "data": "hi"}]))
def test_text_frames_never_raise_and_never_carry_non_finite_numbers(text):
    for message in (text, text.encode()):
        kind, data = parse_text(message)
        assert kind in ("order", "error", "message") and finite(data)


def test_non_finite_numbers_and_deep_nesting_in_text_frames():
    assert parse_text('{"type":"order","data":{"order_id":"1","price":NaN,"qty":1e999}}') == (
        "order", {"order_id": "1", "price": None, "qty": None})
    deep = "[" * 100_000 + "]" * 100_000
    assert parse_text(deep) == ("message", deep)  # unreadable JSON is passed on as text
    with pytest.raises(ValueError):
        parse_text(12)  # type: ignore[arg-type]


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.one_of(mutated(st.lists(GOOD, max_size=5).map(frame)), hostile_json([ORDER])))
def test_feed_decode_reports_damage_and_delivers_the_rest(data):
    feed = KiteFeed(user_id="AB1234", enctoken="fuzz-enctoken")
    rec = FeedRecorder(feed, flatten=True)
    feed._decode(data)  # never raises
    assert finite(rec.ticks) and finite(rec.orders) and finite(rec.messages)
    if isinstance(data, bytes) and len(data) > 4:
        damage: List[ValueError] = []
        assert rec.ticks == parse_binary(data, damage)
        assert [str(e) for e in rec.errors] == [str(e) for e in damage]


@pytest.fixture
def sb():
    with Sandbox() as sandbox:
        sandbox.kite_ticker.heartbeat_interval = 0.2
        yield sandbox


def test_over_the_socket_a_bad_frame_costs_only_itself(sb):
    feed = KiteFeed(user_id="AB1234", enctoken=sb.kite.issue_enctoken("AB1234"), **sb.kite_feed_urls(),
                    initial_delay=0.05, max_delay=0.2, watchdog=2.0, stable_after=60.0)
    rec = FeedRecorder(feed, flatten=True)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: rec.connects == 1)
        ltp = lambda token, paise: struct.pack(">II", token, paise)  # noqa: E731
        sb.kite_ticker.push(frame([ltp(111, 100), b"\x00" * 13, ltp(222, 200)]))  # good, bad, good
        assert rec.wait(lambda: [t["instrument_token"] for t in rec.ticks] == [111, 222])
        sb.kite_ticker.push(frame([ltp(333, 300), ltp(444, 400)])[:-3])  # good, then a cut packet
        sb.kite_ticker.push(frame([ltp(555, 500)]))
        assert rec.wait(lambda: [t["instrument_token"] for t in rec.ticks] == [111, 222, 333, 555])
        assert len(rec.errors) == 1 and isinstance(rec.errors[0], ValueError)
        # the text frames after a bad one are still acted on
        sb.kite_ticker.push('{"type": "order", "data": {"order_id": "9", "price": NaN}}')
        sb.kite_ticker.push("[" * 5000 + "]" * 5000)
        sb.kite_ticker.push_error("Something broke")
        assert rec.wait(lambda: rec.orders == [{"order_id": "9", "price": None}] and len(rec.errors) == 2)
        assert rec.messages == ["[" * 5000 + "]" * 5000] and feed.connected and rec.reconnects == []
        rnd = random.Random(3)
        for _ in range(20):
            sb.kite_ticker.push(mutate(frame([ltp(666, 1), ltp(666, 2)]), rnd))
        sb.kite_ticker.push(frame([ltp(777, 700)]))
        assert rec.wait(lambda: any(t["instrument_token"] == 777 for t in rec.ticks))
        assert feed.connected and rec.reconnects == []
    finally:
        feed.close()
