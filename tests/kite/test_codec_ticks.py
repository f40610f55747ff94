"""kite.codec ticker parsing: every packet kind, divisors, IST times, bounds, fuzzing."""

from __future__ import annotations

import datetime as dt
import struct
import time
from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.kite.codec import ist_datetime, parse_binary, parse_text
from brokers.sandbox.kite.frames import divisor, encode_frame, encode_packet

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
