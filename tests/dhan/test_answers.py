"""The Dhan sandbox answers as Dhan documents: every route's raw JSON carries the
fields of DhanHQ v2's documentation, in their types; ``/v2/profile`` needs no
client-id header; the market feed sends one packet per websocket frame; candles sit
on whole minutes; RMS refuses a CNC sell beyond holdings and an order beyond the
margin with DH-906."""

from __future__ import annotations

import datetime as dt
import json
import struct
from typing import Any, Dict, Iterator

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.sandbox import Sandbox

from ..documented import BOOL, DICT, INT, LIST, NUM, STR, check, opt
from .conftest import CLIENT

ORDER = {"dhanClientId": STR, "orderId": STR, "correlationId": STR, "orderStatus": STR, "transactionType": STR,
         "exchangeSegment": STR, "productType": STR, "orderType": STR, "validity": STR, "tradingSymbol": STR,
         "securityId": STR, "quantity": INT, "disclosedQuantity": INT, "price": NUM, "triggerPrice": NUM,
         "afterMarketOrder": BOOL, "boProfitValue": opt(NUM), "boStopLossValue": opt(NUM), "legName": STR,
         "createTime": STR, "updateTime": STR, "exchangeTime": STR, "drvExpiryDate": opt(STR),
         "drvOptionType": opt(STR), "drvStrikePrice": NUM, "omsErrorCode": opt(STR),
         "omsErrorDescription": opt(STR), "algoId": STR, "remainingQuantity": INT, "averageTradedPrice": NUM,
         "filledQty": INT}
TRADE = {"dhanClientId": STR, "orderId": STR, "exchangeOrderId": STR, "exchangeTradeId": STR,
         "transactionType": STR, "exchangeSegment": STR, "productType": STR, "orderType": STR, "tradingSymbol": STR,
         "customSymbol": STR, "securityId": STR, "tradedQuantity": INT, "tradedPrice": NUM, "createTime": STR,
         "updateTime": STR, "exchangeTime": STR, "drvExpiryDate": opt(STR), "drvOptionType": opt(STR),
         "drvStrikePrice": NUM}
HOLDING = {"exchange": STR, "tradingSymbol": STR, "securityId": STR, "isin": STR, "totalQty": INT, "dpQty": INT,
           "t1Qty": INT, "availableQty": INT, "collateralQty": INT, "avgCostPrice": NUM}
POSITION = {"dhanClientId": STR, "tradingSymbol": STR, "securityId": STR, "positionType": STR,
            "exchangeSegment": STR, "productType": STR, "buyAvg": NUM, "costPrice": NUM, "buyQty": INT,
            "sellAvg": NUM, "sellQty": INT, "netQty": INT, "realizedProfit": NUM, "unrealizedProfit": NUM,
            "rbiReferenceRate": NUM, "multiplier": INT, "carryForwardBuyQty": INT, "carryForwardSellQty": INT,
            "carryForwardBuyValue": NUM, "carryForwardSellValue": NUM, "dayBuyQty": INT, "daySellQty": INT,
            "dayBuyValue": NUM, "daySellValue": NUM, "drvExpiryDate": opt(STR), "drvOptionType": opt(STR),
            "drvStrikePrice": NUM, "crossCurrency": BOOL}
FUNDS = {"dhanClientId": STR, "availabelBalance": NUM, "sodLimit": NUM, "collateralAmount": NUM,
         "receiveableAmount": NUM, "utilizedAmount": NUM, "blockedPayoutAmount": NUM, "withdrawableBalance": NUM}
PROFILE = {"dhanClientId": STR, "tokenValidity": STR, "activeSegment": STR, "ddpi": STR, "mtf": STR,
           "dataPlan": STR, "dataValidity": STR}
MARGIN = {"totalMargin": NUM, "spanMargin": NUM, "exposureMargin": NUM, "availableBalance": NUM,
          "variableMargin": NUM, "insufficientBalance": NUM, "brokerage": NUM, "leverage": STR}
PLACED = {"orderId": STR, "orderStatus": STR}
QUOTE = {"average_price": NUM, "buy_quantity": INT, "depth": DICT, "last_price": NUM, "last_quantity": INT,
         "last_trade_time": STR, "lower_circuit_limit": NUM, "net_change": NUM, "ohlc": DICT, "oi": INT,
         "oi_day_high": INT, "oi_day_low": INT, "sell_quantity": INT, "upper_circuit_limit": NUM, "volume": INT}
OHLC = {"open": NUM, "close": NUM, "high": NUM, "low": NUM}
DEPTH_LEVEL = {"quantity": INT, "orders": INT, "price": NUM}
CHART = {"open": LIST, "high": LIST, "low": LIST, "close": LIST, "volume": LIST, "timestamp": LIST}


class Api:
    """Raw DhanHQ v2 calls on the sandbox (no client in between)."""

    def __init__(self, sb: Sandbox) -> None:
        self.root = sb.url + "/dhan/v2"
        self.http = requests.Session()
        self.http.headers.update({"access-token": sb.dhan.issue_token(CLIENT), "client-id": CLIENT,
                                  "Content-Type": "application/json"})

    def __call__(self, method: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        data = json.dumps(body) if body is not None else None
        return self.http.request(method, self.root + path, data=data, timeout=5, **kw)

    def data(self, method: str, path: str, body: Any = None) -> Any:
        r = self(method, path, body)
        assert r.status_code == 200, r.text
        return r.json()

    def order(self, **fields: Any) -> requests.Response:
        base: Dict[str, Any] = {"dhanClientId": CLIENT, "transactionType": "BUY", "exchangeSegment": "NSE_EQ",
                                "productType": "CNC", "orderType": "MARKET", "validity": "DAY",
                                "securityId": "1594", "quantity": 1, "price": 0}
        base.update(fields)
        return self("POST", "/orders", base)


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.http.close()


def test_order_routes_carry_the_documented_fields(api):
    check(api.order().json(), PLACED, "POST /orders")
    check(api.order(productType="INTRADAY", transactionType="SELL").json(), PLACED, "POST /orders")
    check(api.order(orderType="LIMIT", price=1500.0).json(), PLACED, "POST /orders")
    for row in api.data("GET", "/orders"):
        check(row, ORDER, "orders[]")
    for row in api.data("GET", "/trades"):
        check(row, TRADE, "trades[]")
    rows = api.data("GET", "/positions")
    assert rows
    for row in rows:
        check(row, POSITION, "positions[]")


def test_portfolio_and_funds_carry_the_documented_fields(api):
    rows = api.data("GET", "/holdings")
    assert rows
    for row in rows:
        check(row, HOLDING, "holdings[]")
    check(api.data("GET", "/fundlimit"), FUNDS, "fundlimit")
    check(api.data("POST", "/margincalculator", {"dhanClientId": CLIENT, "exchangeSegment": "NSE_EQ",
                                                 "transactionType": "BUY", "quantity": 5, "productType": "CNC",
                                                 "securityId": "1594", "price": 1500.0}), MARGIN, "margincalculator")


def test_profile_needs_no_client_id_header(api):
    del api.http.headers["client-id"]
    check(api.data("GET", "/profile"), PROFILE, "profile")
    assert api.data("GET", "/holdings")  # the token says who; Dhan asks the header only of its data APIs
    assert api("POST", "/marketfeed/ltp", {"NSE_EQ": [1594]}).status_code == 401


def test_a_client_id_header_for_another_client_is_refused(api):
    api.http.headers["client-id"] = "1100000002"
    assert api("GET", "/profile").json()["errorCode"] == "DH-901"


def test_market_quotes_carry_the_documented_fields(api):
    body = {"NSE_EQ": [1594, 3045], "NSE_FNO": [52175]}
    for seg, rows in api.data("POST", "/marketfeed/quote", body)["data"].items():
        for sid, q in rows.items():
            check(q, QUOTE, f"quote[{seg}][{sid}]")
            check(q["ohlc"], OHLC, "quote.ohlc")
            for side in ("buy", "sell"):
                for level in q["depth"][side]:
                    check(level, DEPTH_LEVEL, f"quote.depth.{side}[]")
    for rows in api.data("POST", "/marketfeed/ltp", body)["data"].values():
        for q in rows.values():
            check(q, {"last_price": NUM}, "ltp")
    for rows in api.data("POST", "/marketfeed/ohlc", body)["data"].values():
        for q in rows.values():
            check(q, {"last_price": NUM, "ohlc": DICT}, "ohlc")


@pytest.mark.parametrize("interval", [1, 5, 15, 25, 60])
@pytest.mark.parametrize("start", ["2026-11-23 09:15:37", "2026-11-23 10:02:59", "2026-11-23 07:00:01"])
def test_intraday_candles_sit_on_whole_minutes_of_the_session(api, interval, start):
    body = {"securityId": "1594", "exchangeSegment": "NSE_EQ", "instrument": "EQUITY", "interval": str(interval),
            "fromDate": start, "toDate": "2026-11-24 15:29:00"}
    chart = api.data("POST", "/charts/intraday", body)
    check(chart, CHART, "charts/intraday")
    assert chart["timestamp"]
    for ts in chart["timestamp"]:
        assert isinstance(ts, int) and ts % 60 == 0
        when = dt.datetime.fromtimestamp(ts, dt.timezone(dt.timedelta(hours=5, minutes=30)))
        assert ((when.hour * 60 + when.minute) - (9 * 60 + 15)) % interval == 0


def test_daily_candles_sit_at_midnight_ist(api):
    chart = api.data("POST", "/charts/historical", {"securityId": "1594", "exchangeSegment": "NSE_EQ",
                                                   "instrument": "EQUITY", "fromDate": "2026-11-02",
                                                   "toDate": "2026-11-27"})
    assert chart["timestamp"] and all((ts + 19800) % 86400 == 0 for ts in chart["timestamp"])


# -- the market feed frames packets as Dhan does ---------------------------------------------
SIZES = {1: 16, 2: 16, 4: 50, 5: 12, 6: 16, 7: 8, 8: 162, 50: 10}


def test_the_market_feed_sends_one_packet_per_frame(sandbox):
    from websocket import create_connection

    token = sandbox.dhan.issue_token(CLIENT)
    url = f"{sandbox.dhan_feed_urls()['url']}?version=2&token={token}&clientId={CLIENT}&authType=2"
    ws = create_connection(url, timeout=5)
    try:
        ws.send(json.dumps({"RequestCode": 17, "InstrumentCount": 3, "InstrumentList": [
            {"ExchangeSegment": "NSE_EQ", "SecurityId": "1594"}, {"ExchangeSegment": "NSE_FNO", "SecurityId": "52175"},
            {"ExchangeSegment": "IDX_I", "SecurityId": "13"}]}))
        ws.send(json.dumps({"RequestCode": 21, "InstrumentCount": 1, "InstrumentList": [
            {"ExchangeSegment": "NSE_EQ", "SecurityId": "3045"}]}))
        codes = set()
        for _ in range(30):
            frame = ws.recv()
            assert isinstance(frame, bytes)
            code, length = struct.unpack_from("<BH", frame)
            assert length == len(frame) == SIZES[code], (code, length, len(frame))
            codes.add(code)
        assert {1, 4, 5, 6, 8} <= codes  # index, quote, OI (NSE_FNO in quote mode), prev close, full
    finally:
        ws.close()


# -- RMS -------------------------------------------------------------------------------------
def test_cnc_sell_beyond_holdings_is_refused_with_dh_906(api, sandbox):
    r = api.order(transactionType="SELL", quantity=100_000)
    assert r.status_code == 400
    assert r.json()["errorCode"] == "DH-906" and r.json()["errorType"] == "Order_Error"
    assert sandbox.dhan.orders == {}
    assert api.order(transactionType="SELL", quantity=10).status_code == 200  # exactly the 10 INFY held
    assert api.order(transactionType="SELL", quantity=1).json()["errorCode"] == "DH-906"


def test_orders_beyond_the_margin_are_refused_with_dh_906(api, sandbox):
    sandbox.dhan.cash[CLIENT] = 5100.0
    r = api.order(quantity=4)
    assert r.status_code == 400 and r.json()["errorCode"] == "DH-906" and "margin" in r.json()["errorMessage"]
    assert api.order(quantity=3).status_code == 200
    funds = api.data("GET", "/fundlimit")
    assert funds["sodLimit"] == 5100.0 and funds["availabelBalance"] < 500
    assert api.order(quantity=1).json()["errorCode"] == "DH-906"


def test_intraday_short_needs_margin_not_holdings(api):
    assert api.order(securityId="1333", transactionType="SELL", productType="INTRADAY", quantity=5).status_code == 200


# -- the client's decoder reads the sandbox's own encoding ------------------------------------
f32 = st.floats(min_value=0.25, max_value=1e6, allow_nan=False, allow_infinity=False, width=32)
u32 = st.integers(0, 2 ** 31 - 1)
u16 = st.integers(0, 0xFFFF)
segs = st.sampled_from([1, 2, 3, 4, 5, 7, 8])
level = st.tuples(u32, u32, u16, u16, f32, f32)


@settings(max_examples=200, deadline=None)
@given(segs, u32, f32, u16, u32, f32, u32, u32, u32, st.tuples(f32, f32, f32, f32), st.tuples(u32, u32, u32),
       st.lists(level, min_size=5, max_size=5))
def test_the_clients_decoder_reads_the_sandboxs_full_and_quote_packets(seg, sid, ltp, ltq, ltt, avg, vol, sq, bq,
                                                                      day, ois, depth):
    from brokers.dhan import codec
    from brokers.sandbox.dhan import frames

    trade = dict(ltp=ltp, ltq=ltq, ltt=ltt, avg=avg, volume=vol, sell_qty=sq, buy_qty=bq, day=day)
    [quote] = codec.parse_frame(frames.quote(seg, sid, **trade))
    [full] = codec.parse_frame(frames.full(seg, sid, oi_now=ois, depth=depth, **trade))
    for tick in (quote, full):
        assert tick["security_id"] == sid
        assert tick["volume"] == vol and tick["total_buy_quantity"] == bq and tick["total_sell_quantity"] == sq
        assert tick["LTQ"] == ltq
        assert tick["LTP"] == pytest.approx(ltp, abs=0.01)  # the client rounds to the segment's tick digits
    assert full["OI"] == ois[0]
    assert [row["bid_quantity"] for row in full["depth"]] == [row[0] for row in depth]
    assert [row["ask_orders"] for row in full["depth"]] == [row[3] for row in depth]


@settings(max_examples=100, deadline=None)
@given(segs, u32, f32, u32, st.integers(805, 814))
def test_the_clients_decoder_reads_the_sandboxs_small_packets(seg, sid, ltp, n, reason):
    from brokers.dhan import codec
    from brokers.sandbox.dhan import frames

    ticks = [codec.parse_frame(p)[0] for p in (frames.ticker(seg, sid, ltp, n), frames.oi(seg, sid, n),
                                               frames.prev_close(seg, sid, ltp, n), frames.disconnect(reason))]
    assert ticks[0]["LTP"] == pytest.approx(ltp, abs=0.01) and ticks[0]["security_id"] == sid
    assert ticks[1]["OI"] == n
    assert ticks[2]["prev_close"] == pytest.approx(ltp, abs=0.01) and ticks[2]["prev_OI"] == n
    assert ticks[3]["code"] == reason
