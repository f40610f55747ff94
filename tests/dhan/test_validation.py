"""Bad arguments are caught before any network call, with a message naming the argument."""

from __future__ import annotations

from typing import Iterator

import pytest

from brokers.dhan import Dhan
from brokers.sandbox import Sandbox

from .conftest import CLIENT

GOOD = ("1333", "NSE_EQ", "BUY", 1, "LIMIT", "CNC", 1600)  # a good place_order call



@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    # One sandbox for the module: these tests must never reach it anyway.
    with Sandbox() as sandbox:
        sandbox.dhan.rate_limits = {k: (10_000, 1.0) for k in sandbox.dhan.rate_limits}
        yield sandbox


@pytest.fixture(scope="module")
def dhan(sb: Sandbox) -> Iterator[Dhan]:
    with Dhan(CLIENT, sb.dhan.issue_token(CLIENT), rate_limits=False, cache_dir=False, **sb.dhan_urls()) as client:
        yield client


BAD = [
    # (argument named in the message, call)
    ("security_id", lambda d: d.place_order("INFY", *GOOD[1:])),
    ("security_id", lambda d: d.place_order(None, *GOOD[1:])),
    ("exchange_segment", lambda d: d.place_order(GOOD[0], "NSE", *GOOD[2:])),
    ("exchange_segment", lambda d: d.place_order(GOOD[0], "IDX_I", *GOOD[2:])),
    ("transaction_type", lambda d: d.place_order(*GOOD[:2], "HOLD", *GOOD[3:])),
    ("quantity", lambda d: d.place_order(*GOOD[:3], 0, *GOOD[4:])),
    ("quantity", lambda d: d.place_order(*GOOD[:3], -5, *GOOD[4:])),
    ("quantity", lambda d: d.place_order(*GOOD[:3], 1.5, *GOOD[4:])),
    ("quantity", lambda d: d.place_order(*GOOD[:3], True, *GOOD[4:])),
    ("order_type", lambda d: d.place_order(*GOOD[:4], "SL", *GOOD[5:])),
    ("product_type", lambda d: d.place_order(*GOOD[:5], "MIS", GOOD[6])),
    ("price", lambda d: d.place_order(*GOOD[:6], 0)),
    ("price", lambda d: d.place_order(*GOOD[:6], -1)),
    ("price", lambda d: d.place_order(*GOOD[:6], float("nan"))),
    ("trigger_price", lambda d: d.place_order(*GOOD[:4], "STOP_LOSS_MARKET", "CNC", 0)),
    ("trigger_price", lambda d: d.place_order(*GOOD[:4], "STOP_LOSS", "CNC", 1600, trigger_price=0)),
    ("disclosed_quantity", lambda d: d.place_order(*GOOD, disclosed_quantity=5)),
    ("validity", lambda d: d.place_order(*GOOD, validity="GTC")),
    ("amo_time", lambda d: d.place_order(*GOOD, after_market_order=True, amo_time="CLOSE")),
    ("after_market_order", lambda d: d.place_order(*GOOD, after_market_order="yes")),
    ("bo_profit_value", lambda d: d.place_order(*GOOD[:5], "BO", 1600)),
    ("tag", lambda d: d.place_order(*GOOD, tag="x" * 31)),
    ("tag", lambda d: d.place_order(*GOOD, tag="bad/tag")),
    ("order_id", lambda d: d.modify_order("", "LIMIT", None, 1, 1600, 0, 0, "DAY")),
    ("order_id", lambda d: d.cancel_order("../positions")),
    ("leg_name", lambda d: d.modify_order("123", "LIMIT", "MIDDLE_LEG", 1, 1600, 0, 0, "DAY")),
    ("quantity", lambda d: d.modify_order("123", "LIMIT", None, 0, 1600, 0, 0, "DAY")),
    ("correlation_id", lambda d: d.get_order_by_correlationID("")),
    ("targetPrice", lambda d: d.place_super_order(*GOOD, targetPrice=1500, stopLossPrice=1550)),
    ("stopLossPrice", lambda d: d.place_super_order(*GOOD[:2], "SELL", *GOOD[3:], stopLossPrice=1500)),
    ("targetPrice or stopLossPrice", lambda d: d.place_super_order(*GOOD)),
    ("leg_name", lambda d: d.modify_super_order("1", "LIMIT", "LEG")),
    ("order_leg", lambda d: d.cancel_super_order("1", "ALL")),
    ("order_flag", lambda d: d.place_forever("1333", "NSE_EQ", "BUY", "CNC", "LIMIT", 1, 1500, 1505,
                                             order_flag="TRIPLE")),
    ("trigger_Price", lambda d: d.place_forever("1333", "NSE_EQ", "BUY", "CNC", "LIMIT", 1, 1500, 0)),
    ("quantity1", lambda d: d.place_forever("1333", "NSE_EQ", "BUY", "CNC", "LIMIT", 1, 1500, 1505,
                                            order_flag="OCO", price1=1, trigger_Price1=1)),
    ("condition", lambda d: d.place_conditional_order({}, [{"a": 1}])),
    ("orders", lambda d: d.place_conditional_order({"a": 1}, [])),
    ("position_type", lambda d: d.convert_position("INTRADAY", "NSE_EQ", "FLAT", "1333", 1, "CNC")),
    ("to_product_type", lambda d: d.convert_position("CNC", "NSE_EQ", "LONG", "1333", 1, "CNC")),
    ("convert_qty", lambda d: d.convert_position("INTRADAY", "NSE_EQ", "LONG", "1333", 0, "CNC")),
    ("scrip_list", lambda d: d.margin_calculator_multi([])),
    ("scrip_list[0]", lambda d: d.margin_calculator_multi([{"securityId": "1"}])),
    ("from_date", lambda d: d.get_trade_history("01-11-2026", "2026-11-30")),
    ("to_date", lambda d: d.ledger_report("2026-11-01", "2026-02-30")),
    ("page_number", lambda d: d.get_trade_history("2026-11-01", "2026-11-30", -1)),
    ("action", lambda d: d.kill_switch("pause")),
    ("action", lambda d: d.kill_switch(None)),
    ("product_type", lambda d: d.set_pnl_exit(1, 1, [])),
    ("product_type item", lambda d: d.set_pnl_exit(1, 1, ["CNC"])),
    ("isin", lambda d: d.edis_inquiry("INFY")),
    ("qty", lambda d: d.edis_form("INE040A01034", 0, "NSE")),
    ("exchange", lambda d: d.edis_form("INE040A01034", 1, "MCX")),
    ("interval", lambda d: d.intraday_minute_data("1333", "NSE_EQ", "EQUITY", "2026-11-01", "2026-11-02", 3)),
    ("instrument_type", lambda d: d.intraday_minute_data("1333", "NSE_EQ", "STOCK", "2026-11-01", "2026-11-02")),
    ("from_date", lambda d: d.intraday_minute_data("1333", "NSE_EQ", "EQUITY", "yesterday", "2026-11-02")),
    ("expiry_code", lambda d: d.historical_daily_data("1333", "NSE_EQ", "EQUITY", "2026-11-01", "2026-11-02", 4)),
    ("expiry_flag", lambda d: d.expired_options_data("13", "NSE_FNO", "OPTIDX", "DAY", 1, "ATM", "CALL", ["open"],
                                                     "2026-10-01", "2026-10-20")),
    ("strike", lambda d: d.expired_options_data("13", "NSE_FNO", "OPTIDX", "WEEK", 1, "24000", "CALL", ["open"],
                                                "2026-10-01", "2026-10-20")),
    ("drv_option_type", lambda d: d.expired_options_data("13", "NSE_FNO", "OPTIDX", "WEEK", 1, "ATM", "CE",
                                                         ["open"], "2026-10-01", "2026-10-20")),
    ("required_data", lambda d: d.expired_options_data("13", "NSE_FNO", "OPTIDX", "WEEK", 1, "ATM", "PUT",
                                                       ["vwap"], "2026-10-01", "2026-10-20")),
    ("securities", lambda d: d.ticker_data({})),
    ("securities key", lambda d: d.ticker_data({"NSE": [1333]})),
    ("securities", lambda d: d.ohlc_data({"NSE_EQ": list(range(1, 1002))})),
    ("securities", lambda d: d.quote_data({"NSE_EQ": list(range(1, 600)), "NSE_FNO": list(range(1, 600))})),
    ("securities['NSE_EQ'] item", lambda d: d.quote_data({"NSE_EQ": ["INFY"]})),
    ("under_exchange_segment", lambda d: d.option_chain(13, "NSE", "2026-12-03")),
    ("expiry", lambda d: d.option_chain(13, "IDX_I", "03-12-2026")),
    ("under_security_id", lambda d: d.expiry_list("NIFTY", "IDX_I")),
    ("mode", lambda d: d.fetch_security_list("full")),
    ("ip", lambda d: d.set_ip("300.1.1.1", "PRIMARY")),
    ("ip_flag", lambda d: d.modify_ip("10.0.0.1", "TERTIARY")),
]


@pytest.mark.parametrize("name,call", BAD, ids=[f"{n}-{i}" for i, (n, _) in enumerate(BAD)])
def test_bad_argument_caught_before_the_network(sb, dhan, name, call):
    before = len(sb.requests())
    with pytest.raises((ValueError, TypeError)) as e:
        call(dhan)
    assert name in str(e.value)
    assert len(sb.requests()) == before


def test_exactly_1000_instruments_are_allowed(sb, dhan):
    ids = [1333] * 1000
    assert dhan.ticker_data({"NSE_EQ": ids})["status"] == "success"


def test_enum_strings_are_case_insensitive(sb, dhan):
    placed = dhan.place_order(1333, "nse_eq", "Buy", 2, "Market", "intraday", 0)
    assert placed["orderStatus"] == "TRADED"
    assert sb.dhan.orders[placed["orderId"]]["quantity"] == 2
