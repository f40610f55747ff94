"""Every Fyers client method against the sandbox, and the error mapping."""

from __future__ import annotations

from dataclasses import replace

import pytest

from brokers import errors
from brokers.fyers import Fyers

BUY_MKT = {"symbol": "NSE:SBIN-EQ", "qty": 2, "type": 2, "side": 1, "productType": "INTRADAY"}
BUY_LMT = {"symbol": "NSE:INFY-EQ", "qty": 1, "type": 1, "side": 1, "productType": "CNC", "limitPrice": 1500.0,
           "validity": "DAY", "orderTag": "tag1"}


def test_construction_makes_no_network_call_and_repr_hides_token(sb, token):
    f = Fyers(client_id=sb.fyers.client_id, token=token, **sb.fyers_urls())
    try:
        assert sb.requests() == []
        assert token not in repr(f) and "<set>" in repr(f)
    finally:
        f.close()


def test_headers_are_appid_token_and_version_3(sb, fyers, token):
    fyers.get_profile()
    h = sb.fyers.last_headers
    assert h["authorization"] == f"{sb.fyers.client_id}:{token}"
    assert h["version"] == "3"


def test_appid_prefixed_token_is_accepted(sb, token):
    with Fyers(token=f"{sb.fyers.client_id}:{token}", **sb.fyers_urls()) as f:
        assert f.client_id == sb.fyers.client_id
        assert f.get_profile()["s"] == "ok"


def test_account_methods(fyers):
    assert fyers.get_profile()["data"]["fy_id"] == "XS00001"
    assert fyers.funds()["fund_limit"][0]["title"] == "Total Balance"
    h = fyers.holdings()
    assert {x["symbol"] for x in h["holdings"]} == {"NSE:INFY-EQ", "NSE:SBIN-EQ"}
    assert h["overall"]["count_total"] == 2
    assert fyers.positions()["netPositions"] == []
    assert fyers.tradebook()["tradeBook"] == []
    assert fyers.orderbook()["orderBook"] == []
    assert fyers.market_status()["marketStatus"][0]["status"] == "OPEN"


def test_place_modify_cancel_and_order_book(sb, fyers):
    placed = fyers.place_order(BUY_LMT)
    assert placed["code"] == 1101 and placed["id"]
    oid = placed["id"]
    book = fyers.orderbook({"id": oid})["orderBook"]
    assert len(book) == 1 and book[0]["status"] == 6 and book[0]["orderTag"] == "tag1"
    assert fyers.modify_order({"id": oid, "limitPrice": 1490.5, "qty": 3})["code"] == 1102
    assert fyers.get_orders({"id": oid})["orderBook"][0]["qty"] == 3
    assert fyers.cancel_order({"id": oid})["code"] == 1103
    assert fyers.orderbook({"id": oid})["orderBook"][0]["status"] == 1
    with pytest.raises(errors.OrderError) as e:
        fyers.cancel_order({"id": oid})
    assert e.value.code == -161


def test_market_order_fills_into_trades_and_positions(fyers):
    oid = fyers.place_order(BUY_MKT)["id"]
    assert fyers.tradebook()["tradeBook"][0]["orderNumber"] == oid
    pos = fyers.positions()["netPositions"]
    assert pos[0]["id"] == "NSE:SBIN-EQ-INTRADAY" and pos[0]["netQty"] == 2


def test_get_orders_with_several_ids(fyers):
    a = fyers.place_order(BUY_LMT)["id"]
    b = fyers.place_order(dict(BUY_LMT, limitPrice=1400.0))["id"]
    fyers.place_order(dict(BUY_LMT, limitPrice=1300.0))
    got = fyers.get_orders({"id": f"{a},{b}"})["orderBook"]
    assert sorted(o["id"] for o in got) == sorted([a, b])


def test_basket_orders(fyers):
    res = fyers.place_basket_orders([BUY_LMT, dict(BUY_LMT, limitPrice=1400.0)])
    ids = [r["body"]["id"] for r in res["data"]]
    assert len(ids) == 2 and all(r["statusCode"] == 200 for r in res["data"])
    mod = fyers.modify_basket_orders([{"id": ids[0], "limitPrice": 1450.0}, {"id": ids[1], "qty": 5}])
    assert [r["body"]["code"] for r in mod["data"]] == [1102, 1102]
    can = fyers.cancel_basket_orders([{"id": ids[0]}, ids[1]])  # bare ids are accepted too
    assert [r["body"]["code"] for r in can["data"]] == [1103, 1103]


def test_multileg_order(sb, fyers):
    data = {"productType": "INTRADAY", "offlineOrder": False, "orderType": "2L", "validity": "IOC",
            "legs": {"leg1": {"symbol": "NSE:NIFTY26DECFUT", "qty": 75, "side": 1, "type": 1, "limitPrice": 24300.0},
                     "leg2": {"symbol": "NSE:NIFTY26DEC24300CE", "qty": 75, "side": -1, "type": 1,
                              "limitPrice": 180.0}}}
    assert fyers.place_multileg_order(data)["code"] == 1101
    assert sb.fyers.order_count() == 2


def test_convert_and_exit_positions(fyers):
    fyers.place_order(BUY_MKT)
    res = fyers.convert_position({"symbol": "NSE:SBIN-EQ", "positionSide": 1, "convertQty": 2,
                                  "convertFrom": "INTRADAY", "convertTo": "CNC"})
    assert res["s"] == "ok"
    assert fyers.positions()["netPositions"][0]["id"] == "NSE:SBIN-EQ-CNC"
    assert "closed" in fyers.exit_positions()["message"]
    assert all(p["netQty"] == 0 for p in fyers.positions()["netPositions"])
    with pytest.raises(errors.OrderError) as e:
        fyers.exit_positions({"id": "NSE:SBIN-EQ-CNC"})
    assert e.value.code == -398


def test_convert_position_is_a_post_with_json_body(sb, fyers):
    fyers.place_order(BUY_MKT)
    fyers.convert_position({"symbol": "NSE:SBIN-EQ", "positionSide": 1, "convertQty": 1,
                            "convertFrom": "INTRADAY", "convertTo": "MARGIN"})
    assert [r.method for r in sb.requests(path="/fyers/api/v3/positions")] == ["POST"]


def test_gtt_orders(fyers):
    placed = fyers.place_gtt_order({"side": 1, "symbol": "NSE:SBIN-EQ", "productType": "CNC",
                                    "orderInfo": {"leg1": {"price": 800.0, "triggerPrice": 801.0, "qty": 1}}})
    gid = placed["id"]
    assert fyers.gtt_orderbook()["orderBook"][0]["id"] == gid
    assert fyers.modify_gtt_order({"id": gid, "orderInfo": {"leg1": {"price": 790.0, "triggerPrice": 791.0,
                                                                       "qty": 2}}})["code"] == 1102
    assert fyers.cancel_gtt_order({"id": gid})["code"] == 1103
    assert fyers.gtt_orderbook()["orderBook"] == []


def test_market_data(fyers):
    q = fyers.quotes({"symbols": "NSE:SBIN-EQ,NSE:INFY-EQ"})
    assert [x["n"] for x in q["d"]] == ["NSE:SBIN-EQ", "NSE:INFY-EQ"] and q["d"][0]["v"]["lp"] > 0
    assert len(fyers.quotes({"symbols": ["NSE:TCS-EQ"]})["d"]) == 1  # a list works too
    d = fyers.depth({"symbol": "NSE:SBIN-EQ", "ohlcv_flag": 1})["d"]["NSE:SBIN-EQ"]
    assert len(d["bids"]) == 5 and d["bids"][0]["price"] < d["ask"][0]["price"]
    h = fyers.history({"symbol": "NSE:SBIN-EQ", "resolution": "D", "date_format": 1,
                       "range_from": "2026-11-02", "range_to": "2026-11-06", "cont_flag": 1})
    assert len(h["candles"]) == 5 and len(h["candles"][0]) == 6
    h5 = fyers.history({"symbol": "NSE:SBIN-EQ", "resolution": "5", "date_format": "0",
                        "range_from": "1793590200", "range_to": "1793612700"})
    assert all(c[0] % 300 == 0 for c in h5["candles"]) and h5["candles"]
    oc = fyers.optionchain({"symbol": "NSE:NIFTY50-INDEX", "strikecount": 1, "timestamp": ""})
    assert any(c["option_type"] == "CE" for c in oc["data"]["optionsChain"])


def test_symbol_token_uses_bare_token(sb, fyers, token):
    res = fyers.symbol_token(["NSE:SBIN-EQ", "NSE:NOPE-EQ"])
    assert res["validSymbol"] == {"NSE:SBIN-EQ": "10100000003045"}
    assert res["invalidSymbol"] == ["NSE:NOPE-EQ"]


def test_symbol_master_and_index_names(fyers):
    rows = fyers.symbol_master("NSE_CM")
    by = {r["symbol_ticker"]: r for r in rows}
    assert by["NSE:SBIN-EQ"]["fytoken"] == "10100000003045" and by["NSE:SBIN-EQ"]["lot_size"] == 1
    fo = fyers.symbol_master("NSE_FO")
    assert {r["symbol_ticker"] for r in fo} == {"NSE:NIFTY26DECFUT", "NSE:NIFTY26DEC24300CE"}
    assert fyers.index_names()["NSE:NIFTY50-INDEX"] == "Nifty 50"
    with pytest.raises(ValueError, match="exchange_segment"):
        fyers.symbol_master("NSE")


def test_logout_kills_the_token_and_clears_the_store(sb, mstore):
    from brokers.fyers.auth import make_session, session_key

    tok = sb.fyers.issue_access_token()
    mstore.save(session_key(sb.fyers.client_id), replace(make_session(sb.fyers.client_id, tok), root=sb.fyers_urls()["root"]))
    with Fyers(client_id=sb.fyers.client_id, store=mstore, **sb.fyers_urls()) as f:
        assert f.logout()["s"] == "ok"
        assert mstore.load(session_key(sb.fyers.client_id)) is None
        with pytest.raises(errors.TokenExpired):
            f.get_profile()


# -- error mapping -------------------------------------------------------------------------------
def test_bad_token_is_token_expired(sb):
    with Fyers(client_id=sb.fyers.client_id, token="eyJ.bad.token", **sb.fyers_urls()) as f:
        with pytest.raises(errors.TokenExpired) as e:
            f.funds()
    assert e.value.code == -16 and e.value.status == 401


def test_error_envelope_on_http_200_raises(sb, fyers):
    sb.fail_next(1, 200, path="/fyers/data/quotes", body={"s": "error", "code": -300, "message": "Invalid symbol"},
                 content_type="application/json")
    with pytest.raises(errors.InputError) as e:
        fyers.quotes({"symbols": "NSE:SBIN-EQ"})
    assert e.value.code == -300 and e.value.status == 200


def test_unknown_code_on_an_order_call_is_an_order_error(sb, fyers):
    sb.fail_next(1, 400, path="/fyers/api/v3/orders/sync", body={"s": "error", "code": -9999, "message": "odd"},
                 content_type="application/json")
    with pytest.raises(errors.OrderError):
        fyers.place_order(BUY_LMT)


def test_errors_are_fresh_objects_not_a_shared_dict(sb, fyers):
    caught = []
    for code in (-310, -313):
        sb.fail_next(1, 400, path="/fyers/api/v3/funds", body={"s": "error", "code": code, "message": "x"},
                     content_type="application/json")
        with pytest.raises(errors.InputError) as e:
            fyers.funds()
        caught.append(e.value)
    assert caught[0] is not caught[1] and [c.code for c in caught] == [-310, -313]


def test_sandbox_rejection_codes(fyers):
    with pytest.raises(errors.InputError) as e:
        fyers.place_order(dict(BUY_MKT, symbol="NSE:NOPE-EQ"))
    assert e.value.code == -300
    with pytest.raises(errors.OrderError) as e2:
        fyers.place_order(dict(BUY_MKT, qty=200000))
    assert e2.value.code == -99 and "Margin" in e2.value.message
    with pytest.raises(errors.InputError):
        fyers.modify_order({"id": "nope", "qty": 1})


def test_html_502_is_a_server_error_with_status(sb, fyers):
    fyers.transport._sleep = lambda s: None  # the retries' backoff is not what is tested here
    sb.fail_next(4, 502, path="/fyers/api/v3/profile")
    with pytest.raises(errors.ServerError) as e:
        fyers.get_profile()
    assert e.value.status == 502


def test_fyers_model_constructor_arguments_are_accepted(sb, token):
    with Fyers(client_id=sb.fyers.client_id, token=token, is_async=False, log_path="/nonexistent",
               log_level="DEBUG", **sb.fyers_urls()) as f:
        assert f.funds()["s"] == "ok"
    with pytest.raises(ValueError, match="is_async"):
        Fyers(client_id=sb.fyers.client_id, token=token, is_async=True)
