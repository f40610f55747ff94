"""Kite's CSV and date parsing, the same whatever the machine's time zone."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from brokers.kite.codec import (
    format_historical,
    format_response,
    parse_instruments,
    parse_mf_instruments,
)

CSV = (b"instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,"
       b"instrument_type,segment,exchange\n"
       b"408065,1594,INFY,INFOSYS,0,,0,0.05,1,EQ,NSE,NSE\n"
       b"13238786,51714,NIFTY26DECFUT,NIFTY,0,2026-12-29,0,0.05,75,FUT,NFO-FUT,NFO\n")


def test_instruments_casts_as_kiteconnect():
    rows = parse_instruments(CSV)
    assert rows[0] == {"instrument_token": 408065, "exchange_token": "1594", "tradingsymbol": "INFY",
                       "name": "INFOSYS", "last_price": 0.0, "expiry": "", "strike": 0.0, "tick_size": 0.05,
                       "lot_size": 1, "instrument_type": "EQ", "segment": "NSE", "exchange": "NSE"}
    assert rows[1]["expiry"] == dt.date(2026, 12, 29)
    assert parse_instruments(b"\xef\xbb\xbf" + CSV)[0]["instrument_token"] == 408065  # a BOM is fine


def test_mf_instruments():
    head = ("tradingsymbol,amc,name,purchase_allowed,redemption_allowed,minimum_purchase_amount,"
            "purchase_amount_multiplier,minimum_additional_purchase_amount,minimum_redemption_quantity,"
            "redemption_quantity_multiplier,dividend_type,scheme_type,plan,settlement_type,last_price,"
            "last_price_date\n")
    row = parse_mf_instruments(head + "X,A,N,1,0,500,1,500,0.001,0.001,growth,debt,direct,T1,10.5,2026-11-27\n")[0]
    assert row["purchase_allowed"] is True and row["redemption_allowed"] is False
    assert row["last_price"] == 10.5 and row["last_price_date"] == dt.date(2026, 11, 27)


def test_format_response_converts_known_fields_only():
    item = {"order_timestamp": "2026-11-27 09:15:01", "exchange_update_timestamp": "2026-11-27 09:15:01",
            "fill_timestamp": "bad", "timestamp": None, "last_trade_time": "0001-01-01 00:00:00"}
    out = format_response([item])[0]
    assert out["order_timestamp"] == dt.datetime(2026, 11, 27, 9, 15, 1)
    assert out["exchange_update_timestamp"] == "2026-11-27 09:15:01"  # as kiteconnect: not converted
    assert out["fill_timestamp"] == "bad" and out["timestamp"] is None
    assert out["last_trade_time"] == dt.datetime(1, 1, 1)
    assert format_response(None) is None


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="needs time.tzset")
@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_candles_do_not_depend_on_the_machine_zone(zone, monkeypatch):
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        candles = format_historical({"candles": [["2026-11-27T09:15:00+0530", 1, 2, 0.5, 1.5, 100, 7]]})
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    c = candles[0]
    assert c["date"] == dt.datetime(2026, 11, 27, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert (c["open"], c["high"], c["low"], c["close"], c["volume"], c["oi"]) == (1, 2, 0.5, 1.5, 100, 7)
    assert os.environ.get("TZ") is None
