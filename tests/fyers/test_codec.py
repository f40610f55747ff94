"""The HSM codec (property tests: encode and parse back, multi-record frames), the
order-socket mapping and the symbol master parser. Pure: no sockets."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.fyers import codec
from brokers.fyers.hsm_book import HsmBook
from brokers.sandbox.fyers import frames as hsm

# -- strategies ------------------------------------------------------------------------------------
i32 = st.one_of(st.none(), st.integers(min_value=-2147483647, max_value=2147483647))
topic_ids = st.integers(min_value=0, max_value=0xFFFF)
short_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
kinds = st.sampled_from(["sf", "if", "dp"])


@st.composite
def snapshots(draw):
    kind = draw(kinds)
    topic = f"{kind}|nse_cm|{draw(st.text(alphabet='0123456789ABCDEFGHIJ ', min_size=1, max_size=20))}"
    values = draw(st.lists(i32, max_size=40))
    return codec.Snapshot(draw(topic_ids), topic, values, draw(st.integers(0, 0xFFFF)), draw(st.integers(0, 8)),
                          draw(short_text), draw(short_text), draw(short_text))


updates = st.builds(codec.Update, topic_ids, st.lists(i32, max_size=40))
lites = st.builds(codec.Lite, topic_ids, i32)
records = st.one_of(snapshots(), updates, lites)


def _sandbox_bytes(r: codec.Record) -> bytes:
    if isinstance(r, codec.Snapshot):
        return hsm.snapshot(r.topic_id, r.topic, r.values, r.multiplier, r.precision, r.exchange,
                            r.exchange_token, r.symbol)
    if isinstance(r, codec.Update):
        return hsm.update(r.topic_id, r.values)
    return hsm.lite(r.topic_id, codec.SENTINEL if r.ltp is None else r.ltp)


def _datafeed(number, recs):
    """A datafeed frame built by the sandbox's encoder (never the client's own)."""
    return hsm.datafeed(number, [_sandbox_bytes(r) for r in recs])


# -- datafeed round trips ------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.integers(0, 0xFFFFFFFF), st.lists(records, max_size=12))
def test_datafeed_encodes_and_parses_back(number, recs):
    frame = _datafeed(number, recs)
    assert codec.frame_type(frame) == codec.DATAFEED
    assert codec.parse_datafeed(frame) == (number, recs)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 0xFFFFFFFF), st.lists(records, max_size=12))
def test_parser_reads_the_sandboxs_independent_encoding(number, recs):
    frame = hsm.datafeed(number, [_sandbox_bytes(r) for r in recs])
    assert codec.parse_datafeed(frame) == (number, recs)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 0xFFFFFFFF), st.lists(records, min_size=1, max_size=6), st.data())
def test_truncated_frames_raise_value_error_only(number, recs, data):
    frame = _datafeed(number, recs)
    cut = data.draw(st.integers(0, len(frame) - 1))
    with pytest.raises(ValueError):
        codec.parse_datafeed(frame[:cut])


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200))
def test_garbage_raises_only_value_error(blob):
    for parse in (codec.parse_datafeed, codec.parse_control):
        try:
            parse(blob)
        except ValueError:
            pass


def test_unknown_record_type_is_a_value_error():
    frame = struct.pack(">HBIH", 0, 6, 1, 1) + b"X\x00\x01"
    with pytest.raises(ValueError, match="unknown datafeed record type"):
        codec.parse_datafeed(frame)


# -- merging into ticks ------------------------------------------------------------------------------
SF = "sf|nse_cm|3045"
IF = "if|nse_cm|Nifty 50"
DP = "dp|nse_cm|1594"


def _sf_values(ltp=81245, close=81000):
    v = [None] * 21
    v[0], v[1], v[19], v[20], v[17], v[18] = ltp, 1000, 80900, close, 64800, 97200
    return v


def test_every_record_of_a_multi_record_frame_becomes_a_tick():
    book = HsmBook({SF: "NSE:SBIN-EQ", IF: "NSE:NIFTY50-INDEX", DP: "NSE:INFY-EQ"})
    depth = list(range(157000, 157010)) + [10, 20, 30, 40, 50] * 2 + [1, 2, 3, 4, 5] * 2
    frame = _datafeed(7, [
        codec.Snapshot(1, SF, _sf_values(), 1, 2, "NSE", "3045", "SBIN-EQ"),
        codec.Snapshot(2, IF, [2431055, 2430000, 1, 2440000, 2420000, 2425000, 9, 9], 1, 2, "NSE", "", "NIFTY50"),
        codec.Snapshot(3, DP, depth, 1, 2, "NSE", "1594", "INFY-EQ"),
        codec.Update(1, [81300] + [None] * 20),
        codec.Lite(2, 2432000),
    ])
    number, ticks = book.feed(frame)
    assert number == 7
    assert [(t["type"], t["symbol"]) for t in ticks] == [
        ("sf", "NSE:SBIN-EQ"), ("if", "NSE:NIFTY50-INDEX"), ("dp", "NSE:INFY-EQ"), ("sf", "NSE:SBIN-EQ"),
        ("if", "NSE:NIFTY50-INDEX")]
    sf0, idx, dp, sf1, idx2 = ticks
    assert sf0["ltp"] == 812.45 and sf0["prev_close_price"] == 810.0 and sf0["ch"] == 2.45
    assert sf0["lower_ckt"] == 648.0 and sf0["upper_ckt"] == 972.0  # scaled, not forced to 0
    assert "OI" not in sf0 and "Yhigh" not in sf0
    assert sf1["ltp"] == 813.0 and sf1["vol_traded_today"] == 1000  # merged: old values kept
    assert idx["ltp"] == 24310.55 and idx["type"] == "if"  # values 6 and 7 did not overwrite type/symbol
    assert idx2["ltp"] == 24320.0 and idx2["prev_close_price"] == 24300.0
    assert dp["bid_price1"] == 1570.0 and dp["ask_price5"] == 1570.09 and dp["bid_size1"] == 10


def test_sentinel_keeps_previous_values_and_no_change_gives_no_tick():
    book = HsmBook({SF: "NSE:SBIN-EQ"})
    book.apply(codec.Snapshot(5, SF, _sf_values(), 1, 2, "NSE", "3045", "SBIN-EQ"))
    assert book.apply(codec.Update(5, [None] * 21)) is None
    assert book.apply(codec.Update(5, [81245] + [None] * 20)) is None  # same ltp
    tick = book.apply(codec.Update(5, [None, 2000] + [None] * 19))
    assert tick is not None and tick["ltp"] == 812.45 and tick["vol_traded_today"] == 2000


def test_updates_before_a_snapshot_and_after_reset_are_ignored():
    book = HsmBook()
    assert book.apply(codec.Update(9, [1])) is None
    assert book.apply(codec.Lite(9, 1)) is None
    book.apply(codec.Snapshot(9, SF, _sf_values(), 1, 2, "NSE", "3045", "SBIN-EQ"))
    book.reset()
    assert book.apply(codec.Lite(9, 5)) is None


def test_lite_mode_ticks_and_scaling_with_multiplier():
    book = HsmBook({SF: "NSE:SBIN-EQ"}, lite=True)
    first = book.apply(codec.Snapshot(1, SF, _sf_values(ltp=162490), 2, 2, "NSE", "3045", "SBIN-EQ"))
    assert first == {"ltp": 812.45, "symbol": "NSE:SBIN-EQ", "type": "sf"}
    assert book.apply(codec.Lite(1, 162490)) is None
    assert book.apply(codec.Lite(1, 162500))["ltp"] == 812.5


def test_snapshot_symbol_falls_back_to_the_frame_and_zero_multiplier_is_safe():
    book = HsmBook()
    tick = book.apply(codec.Snapshot(1, SF, _sf_values(), 0, 2, "NSE", "3045", "SBIN-EQ"))
    assert tick["symbol"] == "SBIN-EQ" and tick["ltp"] == 812.45


# -- client messages ----------------------------------------------------------------------------------
def test_client_messages_have_the_documented_bytes():
    assert codec.ack_message(0x01020304) == bytes.fromhex("0009030101000401020304")
    auth = codec.auth_message("KEY1", "src")
    assert auth[:4] == bytes([0, len(auth) - 2, 1, 4])
    assert auth[4:] == b"\x01\x00\x04KEY1" + b"\x02\x00\x01P" + b"\x03\x00\x01\x01" + b"\x04\x00\x03src"
    mode = codec.mode_message(11, lite=False)
    assert len(mode) == 19 and mode[2:4] == b"\x0c\x02"
    assert mode[4:] == b"\x01\x00\x08" + (1 << 11).to_bytes(8, "big") + b"\x02\x00\x01F"
    assert codec.mode_message(11, lite=True)[-1:] == b"L"
    assert codec.pause_message([11])[2:] == b"\x07\x01\x01\x00\x08" + (1 << 11).to_bytes(8, "big")
    assert codec.resume_message([1, 2])[-8:] == (0b110).to_bytes(8, "big")
    assert codec.PING_FRAME == b"\x00\x01\x0b"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdefghij|_0123456789 ", min_size=1, max_size=40), max_size=30),
       st.integers(1, 63), st.booleans())
def test_subscribe_messages_parse_back_on_the_server_side(topics, channel, unsub):
    build = codec.unsubscribe_message if unsub else codec.subscribe_message
    frame = hsm.parse_client(build(topics, channel))
    assert frame.type == (5 if unsub else 4)
    assert frame.topics() == (topics, channel)


@pytest.mark.parametrize("bad", [0, 64, -1, True, 11.0])
def test_channel_must_be_1_to_63(bad):
    with pytest.raises(ValueError, match="channel"):
        codec.subscribe_message(["sf|nse_cm|1"], bad)


def test_control_responses_parse():
    auth = codec.parse_control(hsm.control(1, ok=True, ack_count=25))
    assert auth.type == 1 and auth.ok and auth.ack_count == 25
    assert not codec.parse_control(hsm.control(4, ok=False)).ok
    notice = codec.parse_control(hsm.custom(51001, "symbol limit", 4)).notice()
    assert notice == {"code": 51001, "message": "symbol limit", "ref_type": 4}


# -- topics ------------------------------------------------------------------------------------------
def test_topic_for():
    assert codec.topic_for("NSE:SBIN-EQ", "10100000003045") == "sf|nse_cm|3045"
    assert codec.topic_for("NSE:SBIN-EQ", "10100000003045", depth=True) == "dp|nse_cm|3045"
    assert codec.topic_for("MCX:GOLDM26DECFUT", "1120000000426308") == "sf|mcx_fo|426308"
    assert codec.topic_for("NSE:NIFTY50-INDEX", "101000000026000") == "if|nse_cm|Nifty 50"
    assert codec.topic_for("NSE:FOO-INDEX", "101000000026000") == "if|nse_cm|FOO"
    assert codec.topic_for("NSE:FOO-INDEX", "101000000026000", index_names={"NSE:FOO-INDEX": "Foo X"}) == \
        "if|nse_cm|Foo X"
    assert codec.topic_for("NSE:X-EQ", "99990000001") is None
    with pytest.raises(ValueError, match="depth"):
        codec.topic_for("NSE:NIFTY50-INDEX", "101000000026000", depth=True)


# -- order socket -------------------------------------------------------------------------------------
def test_order_socket_messages():
    assert codec.map_order_message("pong") is None
    kind, msg = codec.map_order_message('{"s":"ok","orders":{"id":"1","org_ord_status":90,"qty":5,'
                                        '"tran_side":1,"ordertag":"t","unknown":1}}')
    assert kind == "orders"
    assert msg == {"s": "ok", "orders": {"id": "1", "status": 2, "rawStatus": 90, "qty": 5, "side": 1,
                                         "orderTag": "t", "orderNumStatus": "1:2"}}
    for raw, status in ((11, 4), (22, 6), (63, 6), (91, 1), (73, 1), (93, 5), (999, 999)):
        _, m = codec.map_order_message('{"s":"ok","orders":{"id":"9","org_ord_status":%d}}' % raw)
        assert m["orders"]["status"] == status
    kind, msg = codec.map_order_message(b'{"s":"ok","trades":{"id_fill":"f1","id":"1","price_traded":10.5}}')
    assert (kind, msg["trades"]) == ("trades", {"tradeNumber": "f1", "orderNumber": "1", "tradePrice": 10.5})
    kind, msg = codec.map_order_message('{"s":"ok","positions":{"net_qty":3,"pl_total":1.5}}')
    assert (kind, msg["positions"]) == ("positions", {"netQty": 3, "pl": 1.5})
    kind, msg = codec.map_order_message('{"s":"ok","code":1605,"message":"Successfully subscribed"}')
    assert kind == "general" and msg["code"] == 1605
    with pytest.raises(ValueError):
        codec.map_order_message("not json")
    with pytest.raises(ValueError):
        codec.map_order_message("[1, 2]")


# -- symbol master ------------------------------------------------------------------------------------
def test_symbol_master_rows():
    text = ("10100000003045,STATE BANK OF INDIA,0,1,0.05,INE062A01020,0915-1530|1815-1915:,2026-11-27,,"
            "NSE:SBIN-EQ,10,10,3045,SBIN,3045,-1.0,XX,10100000003045,None,0\n\n"
            "101126122942650,NIFTY 26 Dec 24300 CE,14,75,0.05,,0915-1530|1815-1915:,2026-11-27,1798538400,"
            "NSE:NIFTY26DEC24300CE,10,11,42650,NIFTY,26000,24300.0,CE,101000000026000\n")
    rows = codec.parse_symbol_master(text)
    assert len(rows) == 2
    assert rows[0]["symbol_ticker"] == "NSE:SBIN-EQ" and rows[0]["lot_size"] == 1 and rows[0]["tick_size"] == 0.05
    assert rows[0]["extra"] == ["None", "0"]
    assert rows[1]["strike_price"] == 24300.0 and rows[1]["option_type"] == "CE" and "extra" not in rows[1]


# Bytes fyers_apiv3 3.2.0's FyersDataSocket builds for the same requests (captured in a scratch venv).
# Only the u16 length prefix differs: the SDK fills it inconsistently (0 for mode, pause and resume;
# a sum that counts the token for subscribe), so the server cannot be reading it; we send the real length.
SDK_BYTES = [
    (codec.auth_message("abcdef0123", "src-1"),
     "001f010401000a6162636465663031323302000150030001010400057372632d31"),
    (codec.mode_message(11, False), "00000c02010008000000000000080002000146"),
    (codec.mode_message(11, True), "00000c0201000800000000000008000200014c"),
    (codec.subscribe_message(["sf|nse_cm|3045", "if|nse_cm|Nifty 50"], 11),
     "003e040201002400020e73667c6e73655f636d7c333034351269667c6e73655f636d7c4e696674792035300200010b"),
    (codec.unsubscribe_message(["sf|nse_cm|3045"], 11), "002b050201001100010e73667c6e73655f636d7c333034350200010b"),
    (codec.pause_message([12]), "000007010100080000000000001000"),
    (codec.resume_message([12]), "000008010100080000000000001000"),
    (codec.ack_message(77), "000903010100040000004d"),
]


@pytest.mark.parametrize("ours, sdk_hex", SDK_BYTES)
def test_client_messages_match_fyers_apiv3_apart_from_the_length(ours, sdk_hex):
    sdk = bytes.fromhex(sdk_hex)
    assert ours[2:] == sdk[2:]
    assert int.from_bytes(ours[:2], "big") == len(ours) - 2
