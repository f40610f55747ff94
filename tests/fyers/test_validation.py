"""Bad arguments raise ValueError/TypeError naming the argument, before any network call."""

from __future__ import annotations

import pytest

from brokers.fyers import Fyers

GOOD = {"symbol": "NSE:SBIN-EQ", "qty": 1, "type": 1, "side": 1, "productType": "CNC", "limitPrice": 800.0}


def _no_calls(sandbox) -> None:
    assert sandbox.requests(path="/fyers") == [], "a bad argument reached the network"


@pytest.mark.parametrize("change, needle", [
    ({"symbol": "SBIN-EQ"}, "symbol"),
    ({"symbol": "nse:sbin"}, "symbol"),
    ({"qty": 0}, "qty"),
    ({"qty": -3}, "qty"),
    ({"qty": 1.5}, "qty"),
    ({"qty": True}, "qty"),
    ({"side": 0}, "side"),
    ({"side": "BUY"}, "side"),
    ({"type": 5}, "type"),
    ({"productType": "MIS"}, "productType"),
    ({"validity": "GTC"}, "validity"),
    ({"limitPrice": 0}, "limitPrice"),
    ({"limitPrice": -1.0}, "limitPrice"),
    ({"type": 4, "stopPrice": 0}, "stopPrice"),
    ({"type": 3}, "stopPrice"),
    ({"disclosedQty": -1}, "disclosedQty"),
    ({"offlineOrder": "yes"}, "offlineOrder"),
    ({"productType": "CO"}, "stopLoss"),
    ({"productType": "BO", "stopLoss": 5.0}, "takeProfit"),
    ({"orderTag": "has space"}, "orderTag"),
])
def test_place_order_rejects(sandbox, fyers, change, needle):
    with pytest.raises(ValueError, match=needle):
        fyers.place_order(dict(GOOD, **change))
    _no_calls(sandbox)


def test_place_order_needs_fields_and_a_dict(sandbox, fyers):
    d = dict(GOOD)
    del d["limitPrice"]
    with pytest.raises(ValueError, match="limitPrice"):
        fyers.place_order(d)
    with pytest.raises(ValueError, match="qty"):
        fyers.place_order({"symbol": "NSE:SBIN-EQ", "type": 2, "side": 1, "productType": "CNC"})
    with pytest.raises(TypeError, match="dict"):
        fyers.place_order([GOOD])  # type: ignore[arg-type]
    _no_calls(sandbox)


def test_market_order_needs_no_price(sandbox, fyers):
    assert fyers.place_order({"symbol": "NSE:SBIN-EQ", "qty": 1, "type": 2, "side": -1, "productType": "INTRADAY"})


@pytest.mark.parametrize("call, arg, needle", [
    ("modify_order", {"qty": 1}, "id"),
    ("modify_order", {"id": "1", "qty": 0}, "qty"),
    ("modify_order", {"id": "1", "type": 9}, "type"),
    ("cancel_order", {}, "id"),
    ("cancel_order", {"id": ""}, "id"),
    ("place_basket_orders", [], "empty"),
    ("place_basket_orders", [GOOD] * 11, "at most 10"),
    ("place_basket_orders", [GOOD, dict(GOOD, side=2)], r"data\[1\]\['side'\]"),
    ("cancel_basket_orders", [{"x": 1}], "id"),
    ("convert_position", {"symbol": "NSE:SBIN-EQ", "positionSide": 1, "convertQty": 1, "convertFrom": "CNC",
                          "convertTo": "CNC"}, "convertFrom"),
    ("convert_position", {"symbol": "NSE:SBIN-EQ", "positionSide": 2, "convertQty": 1, "convertFrom": "INTRADAY",
                          "convertTo": "CNC"}, "positionSide"),
    ("convert_position", {"symbol": "NSE:SBIN-EQ"}, "lacks"),
    ("exit_positions", {"id": "SBIN"}, "position ids"),
    ("place_multileg_order", {"productType": "CNC", "orderType": "2L", "validity": "IOC", "legs": {}},
     "productType"),
    ("place_multileg_order", {"productType": "INTRADAY", "orderType": "3L", "validity": "IOC",
                              "legs": {"leg1": {}}}, "3 legs"),
    ("place_gtt_order", {"side": 1, "symbol": "NSE:SBIN-EQ", "productType": "INTRADAY", "orderInfo": {}},
     "productType"),
    ("place_gtt_order", {"side": 1, "symbol": "NSE:SBIN-EQ", "productType": "CNC", "orderInfo": {}}, "leg1"),
    ("place_gtt_order", {"side": 1, "symbol": "NSE:SBIN-EQ", "productType": "CNC",
                         "orderInfo": {"leg1": {"price": 1, "triggerPrice": 1, "qty": 0}}}, "qty"),
    ("modify_gtt_order", {"id": "1"}, "orderInfo"),
    ("cancel_gtt_order", {"id": None}, "id"),
    ("history", {"symbol": "NSE:SBIN-EQ"}, "lacks"),
    ("history", {"symbol": "NSE:SBIN-EQ", "resolution": "7", "date_format": 1, "range_from": "2026-01-01",
                 "range_to": "2026-01-02"}, "resolution"),
    ("history", {"symbol": "NSE:SBIN-EQ", "resolution": "D", "date_format": 1, "range_from": "1700000000",
                 "range_to": "2026-01-02"}, "range_from"),
    ("history", {"symbol": "NSE:SBIN-EQ", "resolution": "D", "date_format": 2, "range_from": "1",
                 "range_to": "2"}, "date_format"),
    ("quotes", {"symbols": "SBIN"}, "symbols"),
    ("quotes", {"symbols": ",".join(f"NSE:S{i}-EQ" for i in range(51))}, "at most 50"),
    ("quotes", {}, "symbols"),
    ("quotes", None, "dict"),
    ("depth", {"symbol": "NSE SBIN"}, "symbol"),
    ("optionchain", {"symbol": "NSE:NIFTY50-INDEX", "strikecount": 0}, "strikecount"),
    ("get_orders", {"id": ""}, "id"),
    ("orderbook", "id=1", "dict"),
])
def test_other_methods_reject(sandbox, fyers, call, arg, needle):
    with pytest.raises((ValueError, TypeError), match=needle):
        getattr(fyers, call)(arg)
    _no_calls(sandbox)


def test_symbol_token_rejects_bad_symbols(sandbox, fyers):
    with pytest.raises(ValueError, match="symbols"):
        fyers.symbol_token(["SBIN"])
    _no_calls(sandbox)


@pytest.mark.parametrize("kwargs, needle", [
    ({"token": "t"}, "client_id"),
    ({"client_id": "A-100", "token": ""}, "token"),
    ({"client_id": "", "token": "t"}, "client_id"),
    ({"client_id": "A-100", "token": "t", "timeout": 0}, "timeout"),
    ({"client_id": "A-100", "token": "t", "rate_limits": {"default": [(0, 1.0)]}}, "rate_limits"),
])
def test_constructor_rejects(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        Fyers(**kwargs)
