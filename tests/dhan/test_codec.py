"""The Dhan codec: every packet type encodes and parses back; any bytes parse without raising."""

from __future__ import annotations

import datetime as dt
import json
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.dhan import codec

SEGMENTS = st.sampled_from([0, 1, 2, 3, 4, 5, 7, 8])
SID = st.integers(0, 2 ** 32 - 1)
U16 = st.integers(0, 2 ** 16 - 1)
U32 = st.integers(0, 2 ** 32 - 1)
# Prices a float32 carries to the cent (below 2**17) and to 4 decimals for currency.
PRICE = st.integers(0, 100_000 * 100).map(lambda c: c / 100)
EPOCH = st.integers(1_600_000_000, 2_000_000_000)


def f32(x: float) -> float:
    return struct.unpack("<f", struct.pack("<f", x))[0]


def price_of(x: float, seg: int) -> float:
    k = 10000 if seg in (3, 7) else 100  # as the codec rounds: round(x * k) / k
    return round(f32(x) * k) / k


@given(SEGMENTS, SID, PRICE, EPOCH)
def test_ticker_roundtrip(seg, sid, ltp, ltt):
    [tick] = codec.parse_frame(codec.encode_ticker(seg, sid, ltp, ltt))
    assert tick == {"type": "Ticker Data", "exchange_segment": seg, "security_id": sid,
                    "LTP": price_of(ltp, seg), "LTT": dt.datetime(1970, 1, 1) + dt.timedelta(seconds=ltt)}
    if seg not in (3, 7) and ltp < 2 ** 16:
        assert tick["LTP"] == ltp  # float32 noise is rounded away


@given(SEGMENTS, SID, PRICE, EPOCH)
def test_index_packet(seg, sid, ltp, ltt):
    [tick] = codec.parse_frame(codec.encode_index(seg, sid, ltp, ltt))
    assert tick["type"] == "Index Data" and tick["LTP"] == price_of(ltp, seg)
    assert codec.ltt_epoch(tick["LTT"]) == ltt


QUOTE = st.fixed_dictionaries({
    "ltp": PRICE, "ltq": U16, "ltt": EPOCH, "avg_price": PRICE, "volume": U32, "total_sell_quantity": U32,
    "total_buy_quantity": U32, "open": PRICE, "close": PRICE, "high": PRICE, "low": PRICE})


@given(SEGMENTS, SID, QUOTE)
def test_quote_roundtrip(seg, sid, q):
    [tick] = codec.parse_frame(codec.encode_quote(seg, sid, **q))
    assert tick["type"] == "Quote Data" and tick["security_id"] == sid and tick["exchange_segment"] == seg
    assert tick["LTQ"] == q["ltq"] and tick["volume"] == q["volume"]
    assert tick["total_sell_quantity"] == q["total_sell_quantity"]
    assert tick["total_buy_quantity"] == q["total_buy_quantity"]
    for key, name in (("LTP", "ltp"), ("avg_price", "avg_price"), ("open", "open"), ("close", "close"),
                      ("high", "high"), ("low", "low")):
        assert tick[key] == price_of(q[name], seg)
    assert codec.ltt_epoch(tick["LTT"]) == q["ltt"]


DEPTH_ROW = st.tuples(U32, U32, U16, U16, PRICE, PRICE)
FULL = QUOTE.flatmap(lambda q: st.fixed_dictionaries({
    **{k: st.just(v) for k, v in q.items()}, "oi": U32, "oi_day_high": U32, "oi_day_low": U32,
    "depth": st.lists(DEPTH_ROW, min_size=5, max_size=5)}))


@given(SEGMENTS, SID, FULL)
def test_full_roundtrip(seg, sid, q):
    frame = codec.encode_full(seg, sid, **q)
    assert len(frame) == 162
    [tick] = codec.parse_frame(frame)
    assert tick["type"] == "Full Data"
    assert (tick["OI"], tick["oi_day_high"], tick["oi_day_low"]) == (q["oi"], q["oi_day_high"], q["oi_day_low"])
    assert tick["LTP"] == price_of(q["ltp"], seg) and tick["low"] == price_of(q["low"], seg)
    assert [(d["bid_quantity"], d["ask_quantity"], d["bid_orders"], d["ask_orders"]) for d in tick["depth"]] == \
        [row[:4] for row in q["depth"]]
    assert [(d["bid_price"], d["ask_price"]) for d in tick["depth"]] == \
        [(price_of(row[4], seg), price_of(row[5], seg)) for row in q["depth"]]


@given(SEGMENTS, SID, U32, PRICE, U32)
def test_oi_and_prev_close(seg, sid, oi, pclose, poi):
    ticks = codec.parse_frame(codec.encode_oi(seg, sid, oi) + codec.encode_prev_close(seg, sid, pclose, poi))
    assert ticks == [{"type": "OI Data", "exchange_segment": seg, "security_id": sid, "OI": oi},
                     {"type": "Previous Close", "exchange_segment": seg, "security_id": sid,
                      "prev_close": price_of(pclose, seg), "prev_OI": poi}]


@pytest.mark.parametrize("reason", [800, 804, 805, 806, 807, 808, 809, 810, 811, 812, 813, 814, 999])
def test_disconnect_codes_have_a_meaning(reason):
    [msg] = codec.parse_frame(codec.encode_disconnect(reason))
    assert msg["type"] == "Disconnect" and msg["code"] == reason
    assert msg["reason"] and (reason == 999) == (msg["reason"] == "unknown disconnect code")


def test_market_status():
    assert codec.parse_frame(codec.encode_status(1, 0)) == [
        {"type": "Market Status", "exchange_segment": 1, "security_id": 0}]


PACKETS = st.one_of(
    st.builds(codec.encode_ticker, SEGMENTS, SID, PRICE, EPOCH),
    st.builds(codec.encode_index, SEGMENTS, SID, PRICE, EPOCH),
    st.builds(codec.encode_oi, SEGMENTS, SID, U32),
    st.builds(codec.encode_prev_close, SEGMENTS, SID, PRICE, U32),
    st.builds(codec.encode_status, SEGMENTS, SID),
    st.builds(lambda seg, sid, q: codec.encode_quote(seg, sid, **q), SEGMENTS, SID, QUOTE),
    st.builds(lambda seg, sid, q: codec.encode_full(seg, sid, **q), SEGMENTS, SID, FULL),
    st.builds(codec.encode_disconnect, st.integers(800, 814)),
)


@given(st.lists(PACKETS, min_size=1, max_size=8))
def test_every_packet_in_a_frame_is_parsed(packets):
    frame = b"".join(packets)
    parsed = codec.parse_frame(frame)
    assert len(parsed) == len(packets)
    assert parsed == [codec.parse_packet(p) for p in packets]
    assert all(p["type"] not in ("Unknown", "Truncated") for p in parsed)


@given(st.lists(PACKETS, min_size=1, max_size=4), st.data())
def test_a_cut_frame_keeps_the_whole_packets(packets, data):
    frame = b"".join(packets)
    cut = data.draw(st.integers(1, len(frame) - 1))
    parsed = codec.parse_frame(frame[:cut])
    whole = 0
    size = 0
    for p in packets:
        if size + len(p) > cut:
            break
        size += len(p)
        whole += 1
    assert parsed[:whole] == [codec.parse_packet(p) for p in packets[:whole]]
    if size < cut:
        assert parsed[-1]["type"] == "Truncated" and len(parsed) == whole + 1


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_any_bytes_parse_without_raising(frame):
    parsed = codec.parse_frame(frame)
    assert isinstance(parsed, list)
    assert sum(len(p["raw"]) for p in parsed if "raw" in p) <= len(frame)


def test_unknown_packet_is_skipped_by_its_length():
    unknown = struct.pack("<BHBI", 99, 12, 1, 42) + b"\x01\x02\x03\x04"
    ticks = codec.parse_frame(unknown + codec.encode_oi(2, 7, 100))
    assert ticks[0]["type"] == "Unknown" and ticks[0]["code"] == 99 and ticks[0]["security_id"] == 42
    assert ticks[1] == {"type": "OI Data", "exchange_segment": 2, "security_id": 7, "OI": 100}


def test_short_packet_of_a_known_type():
    assert codec.parse_frame(codec.encode_quote(1, 1, ltp=1, ltq=1, ltt=1, avg_price=1, volume=1,
                                                total_sell_quantity=1, total_buy_quantity=1, open=1, close=1,
                                                high=1, low=1)[:30])[0]["type"] == "Truncated"
    assert codec.parse_frame(b"\x02\x10")[0] == {"type": "Truncated", "code": 2, "size": 2, "raw": b"\x02\x10"}
    with pytest.raises(ValueError):
        codec.parse_packet(b"\x04" + b"\x00" * 20)


def test_currency_prices_keep_four_decimals():
    [tick] = codec.parse_frame(codec.encode_ticker(3, 10093, 84.1225, 0))
    assert tick["LTP"] == 84.1225 and tick["LTT"] is None
    [tick] = codec.parse_frame(codec.encode_ticker(1, 1333, 24310.55, 0))
    assert tick["LTP"] == 24310.55


def test_subscribe_messages_batch_by_100():
    instruments = [("NSE_EQ", str(n)) for n in range(250)]
    messages = [json.loads(m) for m in codec.subscribe_messages(codec.QUOTE, instruments)]
    assert [m["InstrumentCount"] for m in messages] == [100, 100, 50]
    assert all(m["RequestCode"] == 17 for m in messages)
    assert messages[2]["InstrumentList"][-1] == {"ExchangeSegment": "NSE_EQ", "SecurityId": "249"}
    assert codec.subscribe_messages(codec.TICKER + 1, [("IDX_I", 13)]) == [
        '{"RequestCode":16,"InstrumentCount":1,"InstrumentList":[{"ExchangeSegment":"IDX_I","SecurityId":"13"}]}']


@pytest.mark.parametrize("message,expected", [
    ('{"Type":"order_alert","Data":{"OrderNo":"1"}}', {"Type": "order_alert", "Data": {"OrderNo": "1"}}),
    (b'{"Type":"x"}', {"Type": "x"}),
    ("not json", None), ("[1, 2]", None), (b"\xff\xfe", None),
])
def test_parse_order_update(message, expected):
    assert codec.parse_order_update(message) == expected


def test_parse_scrip_master_infers_column_types():
    text = ("\ufeffA,B,C,D\n"
            "NSE,1333,1.5,\n"
            "BSE,500325,2,x\n"
            "\n")
    assert codec.parse_scrip_master(text) == [
        {"A": "NSE", "B": 1333, "C": 1.5, "D": None},
        {"A": "BSE", "B": 500325, "C": 2.0, "D": "x"}]
    assert codec.parse_scrip_master("") == []
    assert codec.parse_scrip_master("A,B\n") == []


# -- golden vectors: built with struct.pack straight from the documented layouts,
# so that an encoder and a parser sharing one mistake cannot agree with each other.
def test_golden_ticker_and_full_layouts():
    ticker = struct.pack("<BHBIfI", 2, 16, 1, 1333, 1573.5, 1_764_320_000)
    assert codec.parse_frame(ticker)[0]["LTP"] == 1573.5
    head = struct.pack("<BHBIfHIfIIIIIIffff", 8, 162, 2, 52175, 24310.5, 75, 1_764_320_000, 24300.25, 1_000_000,
                       20_000, 30_000, 50_000, 51_000, 49_000, 24200.0, 24100.0, 24400.0, 24150.0)
    rows = b"".join(struct.pack("<IIHHff", 10 * n, 20 * n, n, n + 1, 24310.0 - n, 24311.0 + n) for n in range(1, 6))
    [full] = codec.parse_frame(head + rows)
    assert (full["LTQ"], full["volume"], full["total_sell_quantity"], full["total_buy_quantity"]) == \
        (75, 1_000_000, 20_000, 30_000)
    assert (full["OI"], full["oi_day_high"], full["oi_day_low"]) == (50_000, 51_000, 49_000)
    assert (full["open"], full["close"], full["high"], full["low"]) == (24200.0, 24100.0, 24400.0, 24150.0)
    assert full["avg_price"] == 24300.25
    assert full["depth"][4] == {"bid_quantity": 50, "ask_quantity": 100, "bid_orders": 5, "ask_orders": 6,
                                "bid_price": 24305.0, "ask_price": 24316.0}
    assert full["LTT"] == dt.datetime(2025, 11, 28, 8, 53, 20)


def test_golden_quote_layout():
    quote = struct.pack("<BHBIfHIfIIIffff", 4, 50, 4, 500325, 2925.4, 3, 0, 2920.0, 12345, 10, 20, 2900.0,
                        2890.0, 2930.0, 2880.0)
    [q] = codec.parse_frame(quote)
    assert q == {"type": "Quote Data", "exchange_segment": 4, "security_id": 500325, "LTP": 2925.4, "LTQ": 3,
                 "LTT": None, "avg_price": 2920.0, "volume": 12345, "total_sell_quantity": 10,
                 "total_buy_quantity": 20, "open": 2900.0, "close": 2890.0, "high": 2930.0, "low": 2880.0}


def test_same_numbers_as_dhanhq():
    marketfeed = pytest.importorskip("dhanhq.marketfeed")
    theirs = object.__new__(marketfeed.MarketFeed)
    depth = [(1, 2, 3, 4, 100.5, 100.55)] * 5
    frames = [codec.encode_ticker(1, 1333, 1573.55, 1_764_320_000),
              codec.encode_quote(2, 52175, ltp=24310.55, ltq=5, ltt=1_764_320_000, avg_price=24300.1, volume=9,
                                 total_sell_quantity=8, total_buy_quantity=7, open=1.5, close=2.5, high=3.5,
                                 low=0.5),
              codec.encode_full(2, 52176, ltp=182.35, ltq=75, ltt=1_764_320_000, avg_price=180.0, volume=1,
                                total_sell_quantity=2, total_buy_quantity=3, oi=4, oi_day_high=5, oi_day_low=6,
                                open=170.0, close=175.0, high=190.0, low=160.0, depth=depth),
              codec.encode_oi(2, 52175, 123), codec.encode_prev_close(1, 1333, 1560.1, 0)]
    for frame in frames:
        ours, them = codec.parse_frame(frame)[0], theirs.process_data(frame)
        for key, value in them.items():
            if key in ("type", "LTT"):
                continue
            if key == "depth":
                for a, b in zip(ours["depth"], value):
                    assert {k: float(v) for k, v in b.items()} == {k: float(v) for k, v in a.items()}
            else:
                assert float(ours[key]) == float(value), key
        assert ours["type"] == them["type"]
        if "LTT" in them:
            assert ours["LTT"].strftime("%H:%M:%S") == them["LTT"]
