"""Every Dhan client method against the sandbox: what goes on the wire and what comes back."""

from __future__ import annotations

import datetime as dt
import inspect
import json
from typing import List

import pytest
import requests

from brokers import errors
from brokers.dhan import Dhan
from brokers.ist import IST

from .conftest import CLIENT


@pytest.fixture
def wire(sandbox, make_dhan):
    """A client whose prepared requests are recorded: (client, list of requests)."""
    sent: List[requests.PreparedRequest] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    client = make_dhan(CLIENT, sandbox.dhan.issue_token(CLIENT), session=session)
    yield client, sent
    session.close()


def test_headers_and_json_body_on_an_order(wire):
    dhan, sent = wire
    dhan.place_order("1333", "nse_eq", "buy", 5, "limit", "cnc", 1600.5, tag="hdr-1")
    req = sent[-1]
    assert req.method == "POST" and req.url.endswith("/dhan/v2/orders")
    assert "?" not in req.url  # Aio-Trader sent orders in the query string
    assert req.headers["access-token"] == dhan.access_token
    assert req.headers["client-id"] == CLIENT
    assert req.headers["Content-Type"] == "application/json"
    body = json.loads(req.body)
    assert body == {"dhanClientId": CLIENT, "transactionType": "BUY", "exchangeSegment": "NSE_EQ",
                    "productType": "CNC", "orderType": "LIMIT", "validity": "DAY", "securityId": "1333",
                    "quantity": 5, "disclosedQuantity": 0, "price": 1600.5, "triggerPrice": 0.0,
                    "afterMarketOrder": False, "correlationId": "hdr-1"}


def test_both_headers_on_every_call(wire):
    dhan, sent = wire
    dhan.get_holdings()
    dhan.ticker_data({"NSE_EQ": [1333]})
    dhan.get_fund_limits()
    assert len(sent) == 3
    for req in sent:
        assert req.headers["access-token"] == dhan.access_token and req.headers["client-id"] == CLIENT


def test_amo_and_bracket_fields(wire):
    dhan, sent = wire
    dhan.place_order(1333, "NSE_EQ", "SELL", 2, "LIMIT", "BO", 1700, after_market_order=True, amo_time="open_30",
                     bo_profit_value=10, bo_stop_loss_Value=5)
    body = json.loads(sent[-1].body)
    assert body["amoTime"] == "OPEN_30" and body["afterMarketOrder"] is True
    assert body["boProfitValue"] == 10.0 and body["boStopLossValue"] == 5.0
    assert "correlationId" not in body


def test_order_lifecycle(dhan, sandbox):
    placed = dhan.place_order("1333", "NSE_EQ", "BUY", 3, "LIMIT", "CNC", 1600, tag="life-1")
    oid = placed["orderId"]
    assert placed["orderStatus"] == "PENDING"
    assert dhan.get_order_by_id(oid)["quantity"] == 3
    assert dhan.get_order_by_correlationID("life-1")["orderId"] == oid
    modified = dhan.modify_order(oid, "LIMIT", None, 4, 1601, 0, 0, "DAY")
    assert modified["orderId"] == oid and sandbox.dhan.orders[oid]["quantity"] == 4
    assert [o["orderId"] for o in dhan.get_order_list()] == [oid]
    assert dhan.cancel_order(oid)["orderStatus"] == "CANCELLED"
    with pytest.raises(errors.OrderError) as e:
        dhan.cancel_order(oid)
    assert e.value.code == "DH-906" and e.value.status == 400


def test_market_order_trades_and_positions(dhan):
    placed = dhan.place_order("11536", "NSE_EQ", "BUY", 2, "MARKET", "INTRADAY", 0)
    assert placed["orderStatus"] == "TRADED"
    trades = dhan.get_trade_book()
    assert [t["orderId"] for t in trades] == [placed["orderId"]]
    assert dhan.get_trade_book(placed["orderId"])[0]["tradedQuantity"] == 2
    positions = dhan.get_positions()
    assert positions[0]["securityId"] == "11536" and positions[0]["netQty"] == 2
    assert dhan.get_trade_history("2026-11-01", dt.date(2026, 11, 30))[0]["orderId"] == placed["orderId"]
    assert dhan.get_trade_history("2026-11-01", "2026-11-30", page_number=1) == []
    assert dhan.convert_position("INTRADAY", "NSE_EQ", "LONG", "11536", 2, "CNC")["status"] == "success"


def test_slice_order(dhan, sandbox):
    sandbox.dhan.cash[CLIENT] = 1e9  # 4000 NIFTY futures: more margin than the default account has
    children = dhan.place_slice_order("52175", "NSE_FNO", "BUY", 4000, "LIMIT", "MARGIN", 24300)
    assert [c["orderStatus"] for c in children] == ["PENDING"] * 3
    assert sorted(o["quantity"] for o in sandbox.dhan.orders.values()) == [400, 1800, 1800]


def test_exit_all_positions(dhan, sandbox):
    dhan.place_order("1333", "NSE_EQ", "BUY", 1, "LIMIT", "CNC", 1500)
    assert dhan.exit_all_positions()["status"] == "SUCCESS"
    assert [o["orderStatus"] for o in sandbox.dhan.orders.values()] == ["CANCELLED"]


def test_super_orders(dhan):
    placed = dhan.place_super_order("1333", "NSE_EQ", "BUY", 1, "LIMIT", "INTRADAY", 1600, targetPrice=1650,
                                    stopLossPrice=1580, trailingJump=2, tag="super-1")
    oid = placed["orderId"]
    assert dhan.get_super_order_list()[0]["correlationId"] == "super-1"
    dhan.modify_super_order(oid, "LIMIT", "TARGET_LEG", targetPrice=1660)
    assert dhan.get_super_order_list()[0]["targetPrice"] == 1660.0
    dhan.modify_super_order(oid, "LIMIT", "ENTRY_LEG", quantity=2, price=1601, targetPrice=1660, stopLossPrice=1590)
    assert dhan.get_super_order_list()[0]["quantity"] == 2
    assert dhan.cancel_super_order(oid, "STOP_LOSS_LEG")["orderStatus"] == "CANCELLED"
    legs = {leg["legName"]: leg["orderStatus"] for leg in dhan.get_super_order_list()[0]["legDetails"]}
    assert legs == {"TARGET_LEG": "PENDING", "STOP_LOSS_LEG": "CANCELLED"}


def test_forever_orders(dhan):
    placed = dhan.place_forever("1333", "NSE_EQ", "BUY", "CNC", "LIMIT", 1, 1500, 1505, tag="gtt-1")
    oid = placed["orderId"]
    oco = dhan.place_forever("1333", "NSE_EQ", "SELL", "CNC", "LIMIT", 1, 1800, 1795, order_flag="OCO",
                             price1=1400, trigger_Price1=1405, quantity1=1)
    assert {o["orderId"] for o in dhan.get_forever()} == {oid, oco["orderId"]}
    dhan.modify_forever(oid, "SINGLE", "LIMIT", "ENTRY_LEG", 2, 1490, 1495, 0, "DAY")
    assert [o["quantity"] for o in dhan.get_forever() if o["orderId"] == oid] == [2]
    assert dhan.cancel_forever(oid)["orderStatus"] == "CANCELLED"


def test_conditional_orders(dhan):
    cond = {"comparisonType": "PRICE_WITH_VALUE", "exchangeSegment": "NSE_EQ", "securityId": "1333",
            "operator": "GREATER_THAN", "comparingValue": 1700, "frequency": "ONCE"}
    order = {"transactionType": "BUY", "exchangeSegment": "NSE_EQ", "productType": "CNC", "orderType": "MARKET",
             "securityId": "1333", "quantity": 1, "validity": "DAY"}
    aid = dhan.place_conditional_order(cond, [order])["alertId"]
    assert dhan.get_conditional_order(aid)["condition"]["comparingValue"] == 1700
    dhan.modify_conditional_order(aid, dict(cond, comparingValue=1750))
    assert dhan.get_conditional_orders()[0]["condition"]["comparingValue"] == 1750
    assert dhan.cancel_conditional_order(aid)["alertStatus"] == "CANCELLED"


def test_portfolio_and_funds(dhan):
    holdings = dhan.get_holdings()
    assert {h["tradingSymbol"] for h in holdings} == {"INFY", "SBIN", "RELIANCE", "TCS"}
    funds = dhan.get_fund_limits()
    assert funds["dhanClientId"] == CLIENT and "availabelBalance" in funds
    margin = dhan.margin_calculator("1333", "NSE_EQ", "BUY", 10, "CNC", 1600)
    assert margin["totalMargin"] == 16000.0
    multi = dhan.margin_calculator_multi([
        {"exchangeSegment": "NSE_EQ", "transactionType": "BUY", "quantity": 10, "productType": "CNC",
         "securityId": "1333", "price": 1600, "triggerPrice": 0},
        {"exchangeSegment": "NSE_EQ", "transactionType": "SELL", "quantity": 5, "productType": "INTRADAY",
         "securityId": "3045", "price": 800, "triggerPrice": 0}], include_position=True)
    assert float(multi["total_margin"]) < float(multi["equity_margin"])
    assert dhan.ledger_report("2026-11-01", "2026-11-30")[0]["credit"] == "100000.00"


def test_trader_controls(dhan):
    assert "activated" in dhan.kill_switch("ACTIVATE")["killSwitchStatus"]
    assert dhan.status_kill_switch()["killSwitchStatus"] == "ACTIVATE"
    with pytest.raises(errors.OrderError):  # the sandbox refuses orders while the switch is on
        dhan.place_order("1333", "NSE_EQ", "BUY", 1, "MARKET", "CNC", 0)
    dhan.kill_switch("deactivate")
    assert dhan.status_kill_switch()["killSwitchStatus"] == "DEACTIVATE"
    dhan.set_pnl_exit(5000, 2000, ["INTRADAY"], enable_kill_switch=True)
    rule = dhan.get_pnl_exit()
    assert rule["profitValue"] == 5000.0 and rule["enableKillSwitch"] is True
    dhan.stop_pnl_exit()
    assert dhan.get_pnl_exit()["pnlExitStatus"] == "INACTIVE"


def test_edis(dhan, monkeypatch):
    assert dhan.generate_tpin() is None  # Dhan answers 202 with no body
    opened = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    data = dhan.open_browser_for_tpin("INE040A01034", 1, "NSE")
    assert "edisFormHtml" in data and opened and opened[0].startswith("file://")
    with open(opened[0][len("file://"):], encoding="utf-8") as f:
        html = f.read()
    assert "INE040A01034" in html and "\\" not in html
    assert dhan.edis_inquiry("INE040A01034")["status"] == "NOT_APPROVED"
    assert dhan.edis_inquiry("all")["isin"] == "ALL"


def test_charts(dhan):
    daily = dhan.historical_daily_data("1333", "NSE_EQ", "EQUITY", "2026-11-02", "2026-11-07")
    assert len(daily["timestamp"]) == 5 and len(daily["open"]) == 5  # to_date not included
    minute = dhan.intraday_minute_data("52175", "NSE_FNO", "FUTIDX", dt.datetime(2026, 11, 2, 9, 15),
                                       "2026-11-02 10:15:00", interval=15, oi=True)
    assert len(minute["close"]) == 5 and minute["open_interest"][0] == 50000
    expired = dhan.expired_options_data("13", "NSE_FNO", "OPTIDX", "WEEK", 1, "atm+1", "CALL", ["open", "iv"],
                                        "2026-10-01", "2026-10-20", interval=5)
    assert set(expired["data"]["ce"]) == {"open", "iv", "timestamp"} and expired["data"]["pe"] is None


def test_market_quotes(dhan):
    ltp = dhan.ticker_data({"NSE_EQ": [1333, "11536"], "IDX_I": [13]})
    assert ltp["status"] == "success"
    assert set(ltp["data"]["NSE_EQ"]) == {"1333", "11536"} and "last_price" in ltp["data"]["IDX_I"]["13"]
    ohlc = dhan.ohlc_data({"NSE_EQ": [1333]})
    assert set(ohlc["data"]["NSE_EQ"]["1333"]["ohlc"]) == {"open", "close", "high", "low"}
    quote = dhan.quote_data({"NSE_FNO": [52175]})
    row = quote["data"]["NSE_FNO"]["52175"]
    assert len(row["depth"]["buy"]) == 5 and row["oi"] == 50000


def test_option_chain(dhan):
    expiries = dhan.expiry_list(13, "IDX_I")["data"]
    assert len(expiries) == 4
    chain = dhan.option_chain("13", "IDX_I", expiries[0])["data"]
    assert len(chain["oc"]) == 5
    strike = next(iter(chain["oc"].values()))
    assert set(strike) == {"ce", "pe"} and "greeks" in strike["ce"]
    with pytest.raises(errors.InputError) as e:
        dhan.option_chain(13, "IDX_I", "2001-01-04")
    assert e.value.code == "811"


def test_profile_and_ip(dhan):
    assert dhan.user_profile()["dhanClientId"] == CLIENT
    assert dhan.get_profile()["dataPlan"] == "Active"
    dhan.set_ip("203.0.113.7", "primary")
    dhan.modify_ip("2001:db8::1", "SECONDARY")
    assert dhan.get_ip() == {"primaryIP": "203.0.113.7", "secondaryIP": "2001:db8::1",
                             "modifyDatePrimary": "2026-12-05", "modifyDateSecondary": "2026-12-05"}


def test_security_list_parsed_and_cached_per_day(dhan, sandbox, tmp_path):
    rows = dhan.fetch_security_list()
    assert sandbox.dhan.scrip_downloads == 1
    infy = next(r for r in rows if r["SEM_TRADING_SYMBOL"] == "INFY")
    assert infy["SEM_SMST_SECURITY_ID"] == 1594 and infy["SEM_LOT_UNITS"] == 1.0 and infy["SEM_EXPIRY_DATE"] is None
    assert dhan.fetch_security_list() == rows
    assert sandbox.dhan.scrip_downloads == 1  # today's file was read, not downloaded again
    day = dt.datetime.now(IST).strftime("%Y-%m-%d")
    cached = tmp_path / "cache" / f"scrip-master-compact-{day}.csv"
    assert cached.is_file()
    (tmp_path / "cache" / "scrip-master-compact-2001-01-01.csv").write_text("old")
    dhan.fetch_security_list(cache=False)
    assert sandbox.dhan.scrip_downloads == 2
    assert not (tmp_path / "cache" / "scrip-master-compact-2001-01-01.csv").exists()
    out = tmp_path / "copy.csv"
    detailed = dhan.fetch_security_list("detailed", filename=str(out))
    assert out.read_text().startswith("EXCH_ID,") and detailed[0]["SECURITY_ID"] == 1594


def test_security_list_sends_no_token(sandbox, make_dhan):
    sent: List[requests.PreparedRequest] = []
    session = requests.Session()
    session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    client = make_dhan(CLIENT, sandbox.dhan.issue_token(CLIENT), session=session, cache_dir=False)
    client.fetch_security_list()
    assert "access-token" not in sent[0].headers and "client-id" not in sent[0].headers
    session.close()


def test_every_dhanhq_method_exists_with_the_same_arguments():
    """The method names and parameter names of dhanhq 2.x (recorded from dhanhq 2.3.0)."""
    expected = {
        "place_order": "security_id exchange_segment transaction_type quantity order_type product_type price "
                       "trigger_price disclosed_quantity after_market_order validity amo_time bo_profit_value "
                       "bo_stop_loss_Value tag should_slice",
        "place_slice_order": "security_id exchange_segment transaction_type quantity order_type product_type price "
                             "trigger_price disclosed_quantity after_market_order validity amo_time bo_profit_value "
                             "bo_stop_loss_Value tag",
        "modify_order": "order_id order_type leg_name quantity price trigger_price disclosed_quantity validity",
        "cancel_order": "order_id", "get_order_list": "", "get_order_by_id": "order_id",
        "get_order_by_correlationID": "correlation_id",
        "place_super_order": "security_id exchange_segment transaction_type quantity order_type product_type price "
                             "targetPrice stopLossPrice trailingJump tag",
        "modify_super_order": "order_id order_type leg_name quantity price targetPrice stopLossPrice trailingJump",
        "cancel_super_order": "order_id order_leg", "get_super_order_list": "",
        "place_forever": "security_id exchange_segment transaction_type product_type order_type quantity price "
                         "trigger_Price order_flag disclosed_quantity validity price1 trigger_Price1 quantity1 tag",
        "modify_forever": "order_id order_flag order_type leg_name quantity price trigger_price disclosed_quantity "
                          "validity",
        "cancel_forever": "order_id", "get_forever": "",
        "get_holdings": "", "get_positions": "", "exit_all_positions": "",
        "convert_position": "from_product_type exchange_segment position_type security_id convert_qty "
                            "to_product_type",
        "get_fund_limits": "",
        "margin_calculator": "security_id exchange_segment transaction_type quantity product_type price "
                             "trigger_price",
        "margin_calculator_multi": "scrip_list include_position include_order",
        "get_trade_book": "order_id", "get_trade_history": "from_date to_date page_number",
        "ledger_report": "from_date to_date",
        "kill_switch": "action", "status_kill_switch": "",
        "set_pnl_exit": "profit_value loss_value product_type enable_kill_switch", "get_pnl_exit": "",
        "stop_pnl_exit": "",
        "generate_tpin": "", "open_browser_for_tpin": "isin qty exchange segment bulk", "edis_inquiry": "isin",
        "intraday_minute_data": "security_id exchange_segment instrument_type from_date to_date interval oi",
        "historical_daily_data": "security_id exchange_segment instrument_type from_date to_date expiry_code oi",
        "expired_options_data": "security_id exchange_segment instrument_type expiry_flag expiry_code strike "
                                "drv_option_type required_data from_date to_date interval",
        "ticker_data": "securities", "ohlc_data": "securities", "quote_data": "securities",
        "option_chain": "under_security_id under_exchange_segment expiry",
        "expiry_list": "under_security_id under_exchange_segment",
        "place_conditional_order": "condition orders", "get_conditional_orders": "",
        "get_conditional_order": "alert_id", "modify_conditional_order": "alert_id condition orders",
        "cancel_conditional_order": "alert_id",
        # DhanLogin's token routes, on the client (the token argument is the client's own)
        "generate_login_session": "app_id app_secret", "consume_token_id": "token_id app_id app_secret",
        "generate_token": "pin totp", "renew_token": "", "user_profile": "",
        "set_ip": "ip ip_flag", "modify_ip": "ip ip_flag", "get_ip": "",
        "place_global_order": "security_id transaction_type order_type quantity price trigger_price "
                              "stop_loss_price target_price amount after_market_order tag",
        "get_global_order_list": "", "get_global_order_by_id": "order_id",
        "modify_global_order": "order_id order_type transaction_type security_id quantity price leg_name",
        "cancel_global_order": "order_id", "get_global_trades": "", "get_global_trades_by_security": "security_id",
        "get_global_holdings": "", "global_trans_estimate": "security_id price quantity transaction_type",
        "global_margin_calculator": "security_id price quantity transaction_type",
        "get_global_market_status": "", "get_global_fund_limit": "", "convert_to_date_time": "epoch",
        "fetch_global_security_list": "filename",
    }
    for name, args in expected.items():
        params = [p for p in inspect.signature(getattr(Dhan, name)).parameters if p != "self"]
        assert params[:len(args.split())] == args.split(), name
    sig = inspect.signature(Dhan.fetch_security_list)
    assert list(sig.parameters)[1:3] == ["mode", "filename"]


def test_no_network_on_construction_and_context_manager(sandbox, make_dhan):
    before = len(sandbox.requests())
    with make_dhan(CLIENT, sandbox.dhan.issue_token(CLIENT)) as client:
        assert isinstance(client, Dhan)
    assert len(sandbox.requests()) == before


def test_returns_json_not_a_failure_dict(dhan):
    with pytest.raises(errors.InputError):
        dhan.get_order_by_id("999")


def test_bad_client_id_and_token_types():
    with pytest.raises(ValueError, match="client_id"):
        Dhan(client_id="   ")
    with pytest.raises(ValueError, match="access_token"):
        Dhan(CLIENT, "")


def test_repr_hides_token(dhan):
    assert dhan.access_token not in repr(dhan) and CLIENT in repr(dhan)
    assert dhan.access_token not in repr(dhan.session)




def test_global_stocks(dhan):
    placed = dhan.place_global_order("100001", "buy", "limit", quantity=0.5, price=230.0, tag="us-1")
    oid = placed["orderId"]
    assert placed["orderStatus"] == "PENDING"
    assert dhan.get_global_order_by_id(oid)["correlationId"] == "us-1"
    dhan.modify_global_order(oid, "LIMIT", "BUY", "100001", quantity=1, price=229.5, leg_name="na")
    assert dhan.get_global_order_list()[0]["price"] == 229.5
    assert dhan.cancel_global_order(oid)["orderStatus"] == "CANCELLED"
    amount = dhan.place_global_order("100002", "BUY", "AMOUNT", amount=100)
    assert amount["orderStatus"] == "TRADED"
    assert dhan.get_global_trades()[0]["orderId"] == amount["orderId"]
    assert dhan.get_global_trades_by_security("100002")[0]["tradedPrice"] == 418.25
    assert dhan.get_global_trades_by_security("100001") == []
    assert dhan.get_global_holdings()[0]["symbol"] == "AAPL"
    assert dhan.global_trans_estimate("100001", 230, 2, "BUY")["orderValue"] == 460.0
    assert dhan.global_margin_calculator("100001", 0, 1, "SELL")["requiredMargin"] == 231.4
    assert dhan.get_global_market_status()["timeZone"] == "America/New_York"
    assert dhan.get_global_fund_limit()["availableBalanceUsd"] == 1250.0
    rows = dhan.fetch_global_security_list()
    assert [r["SYMBOL"] for r in rows] == ["AAPL", "MSFT", "NVDA"] and rows[0]["SCRIP_CODE"] == 100001
    with pytest.raises(ValueError, match="quantity"):
        dhan.place_global_order("100001", "BUY", "LIMIT", quantity=0, price=230)
    with pytest.raises(ValueError, match="amount"):
        dhan.place_global_order("100001", "BUY", "AMOUNT")
    with pytest.raises(ValueError, match="trigger_price"):
        dhan.place_global_order("100001", "SELL", "STOP_LOSS_MARKET", quantity=1)


def test_convert_to_date_time():
    assert Dhan.convert_to_date_time(1_764_268_200) == dt.date(2025, 11, 28)  # IST midnight
    when = Dhan.convert_to_date_time(1_764_300_600)
    assert when == dt.datetime(2025, 11, 28, 9, 0, tzinfo=IST) and when.tzinfo is not None


def test_dhanhq_constants(dhan):
    placed = dhan.place_order("1333", dhan.NSE, dhan.BUY, 1, dhan.MARKET, dhan.INTRA, 0, validity=dhan.DAY)
    assert placed["orderStatus"] == "TRADED"
    assert (Dhan.FNO, Dhan.CUR, Dhan.INDEX, Dhan.SL, Dhan.SLM, Dhan.IOC, Dhan.MTF) == (
        "NSE_FNO", "NSE_CURRENCY", "IDX_I", "STOP_LOSS", "STOP_LOSS_MARKET", "IOC", "MTF")
