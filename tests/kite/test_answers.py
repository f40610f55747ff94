"""The Kite sandbox answers as Kite documents: every route's raw JSON carries the
fields of Kite Connect's documentation (and kiteconnect's), in their types; minute
candles sit on whole minutes; RMS refuses a CNC sell beyond holdings and an order
beyond the margin, with Kite's own error shape."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterator

import pytest
import requests

from brokers.sandbox import Sandbox

from ..documented import ANY, BOOL, DICT, INT, LIST, NUM, STR, check, opt

PROFILE = {"user_id": STR, "user_type": STR, "email": STR, "user_name": STR, "user_shortname": STR,
           "broker": STR, "exchanges": LIST, "products": LIST, "order_types": LIST, "avatar_url": opt(STR),
           "meta": DICT}
MARGIN_SEGMENT = {"enabled": BOOL, "net": NUM, "available": DICT, "utilised": DICT}
MARGIN_AVAILABLE = {k: NUM for k in ("adhoc_margin", "cash", "opening_balance", "live_balance", "collateral",
                                     "intraday_payin")}
MARGIN_UTILISED = {k: NUM for k in ("debits", "exposure", "m2m_realised", "m2m_unrealised", "option_premium",
                                    "payout", "span", "holding_sales", "turnover", "liquid_collateral",
                                    "stock_collateral", "delivery")}
ORDER = {"placed_by": STR, "order_id": STR, "exchange_order_id": opt(STR), "parent_order_id": opt(STR),
         "status": STR, "status_message": opt(STR), "status_message_raw": opt(STR), "order_timestamp": STR,
         "exchange_update_timestamp": opt(STR), "exchange_timestamp": opt(STR), "variety": STR, "modified": BOOL,
         "exchange": STR, "tradingsymbol": STR, "instrument_token": INT, "order_type": STR,
         "transaction_type": STR, "validity": STR, "validity_ttl": INT, "product": STR, "quantity": INT,
         "disclosed_quantity": INT, "price": NUM, "trigger_price": NUM, "average_price": NUM,
         "filled_quantity": INT, "pending_quantity": INT, "cancelled_quantity": INT, "market_protection": NUM,
         "meta": DICT, "tag": opt(STR), "guid": STR}
TRADE = {"trade_id": STR, "order_id": STR, "exchange": STR, "tradingsymbol": STR, "instrument_token": INT,
         "product": STR, "average_price": NUM, "quantity": INT, "exchange_order_id": STR, "transaction_type": STR,
         "fill_timestamp": STR, "order_timestamp": STR, "exchange_timestamp": STR}
HOLDING = {"tradingsymbol": STR, "exchange": STR, "instrument_token": INT, "isin": STR, "product": STR,
           "price": NUM, "quantity": INT, "used_quantity": INT, "t1_quantity": INT, "realised_quantity": INT,
           "authorised_quantity": INT, "authorised_date": STR, "authorisation": DICT, "opening_quantity": INT,
           "short_quantity": INT, "collateral_quantity": INT, "collateral_type": STR, "discrepancy": BOOL,
           "average_price": NUM, "last_price": NUM, "close_price": NUM, "pnl": NUM, "day_change": NUM,
           "day_change_percentage": NUM, "mtf": DICT}
HOLDING_MTF = {"quantity": INT, "used_quantity": INT, "average_price": NUM, "value": NUM, "initial_margin": NUM}
POSITION = {"tradingsymbol": STR, "exchange": STR, "instrument_token": INT, "product": STR, "quantity": INT,
            "overnight_quantity": INT, "multiplier": NUM, "average_price": NUM, "close_price": NUM,
            "last_price": NUM, "value": NUM, "pnl": NUM, "m2m": NUM, "unrealised": NUM, "realised": NUM,
            "buy_quantity": INT, "buy_price": NUM, "buy_value": NUM, "buy_m2m": NUM, "sell_quantity": INT,
            "sell_price": NUM, "sell_value": NUM, "sell_m2m": NUM, "day_buy_quantity": INT, "day_buy_price": NUM,
            "day_buy_value": NUM, "day_sell_quantity": INT, "day_sell_price": NUM, "day_sell_value": NUM}
QUOTE = {"instrument_token": INT, "timestamp": STR, "last_trade_time": STR, "last_price": NUM,
         "last_quantity": INT, "buy_quantity": INT, "sell_quantity": INT, "volume": INT, "average_price": NUM,
         "oi": NUM, "oi_day_high": NUM, "oi_day_low": NUM, "net_change": NUM, "lower_circuit_limit": NUM,
         "upper_circuit_limit": NUM, "ohlc": DICT, "depth": DICT}
OHLC = {"open": NUM, "high": NUM, "low": NUM, "close": NUM}
DEPTH_LEVEL = {"price": NUM, "quantity": INT, "orders": INT}
GTT = {"id": INT, "user_id": STR, "parent_trigger": ANY, "type": STR, "created_at": STR, "updated_at": STR,
       "expires_at": STR, "status": STR, "condition": DICT, "orders": LIST, "meta": ANY}


class Api:
    """Raw KiteConnect calls on the sandbox (no client in between)."""

    def __init__(self, sb: Sandbox) -> None:
        self.root = sb.url + "/kite/connect"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {sb.kite.api_key}:{sb.kite.issue_access_token('AB1234')}"

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.http.request(method, self.root + path, timeout=5, **kw)

    def data(self, method: str, path: str, **kw: Any) -> Any:
        r = self(method, path, **kw)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "success"
        return body["data"]

    def order(self, **form: Any) -> requests.Response:
        base: Dict[str, Any] = {"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY",
                                "quantity": 1, "product": "CNC", "order_type": "MARKET"}
        base.update(form)
        return self("POST", "/orders/regular", data=base)


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.http.close()


def test_user_routes_carry_the_documented_fields(api):
    check(api.data("GET", "/user/profile"), PROFILE, "profile")
    margins = api.data("GET", "/user/margins")
    for seg in ("equity", "commodity"):
        check(margins[seg], MARGIN_SEGMENT, f"margins.{seg}")
        check(margins[seg]["available"], MARGIN_AVAILABLE, f"margins.{seg}.available")
        check(margins[seg]["utilised"], MARGIN_UTILISED, f"margins.{seg}.utilised")
    check(api.data("GET", "/user/margins/equity")["utilised"], MARGIN_UTILISED, "margins/equity.utilised")


def test_orders_trades_and_positions_carry_the_documented_fields(api):
    assert api.order().status_code == 200
    assert api.order(transaction_type="SELL", product="MIS").status_code == 200
    assert api.order(order_type="LIMIT", price=1500).status_code == 200
    for row in api.data("GET", "/orders"):
        check(row, ORDER, "orders[]")
    for row in api.data("GET", "/trades"):
        check(row, TRADE, "trades[]")
    positions = api.data("GET", "/portfolio/positions")
    assert positions["net"] and positions["day"]
    for kind in ("net", "day"):
        for row in positions[kind]:
            check(row, POSITION, f"positions.{kind}[]")


def test_position_figures_add_up(api):
    api.order(product="MIS", quantity=3)
    api.order(product="MIS", quantity=1, transaction_type="SELL")
    [p] = api.data("GET", "/portfolio/positions")["net"]
    assert p["quantity"] == 2 and p["buy_quantity"] == 3 and p["sell_quantity"] == 1
    assert p["value"] == pytest.approx(p["sell_value"] - p["buy_value"])
    assert p["pnl"] == pytest.approx(p["value"] + p["quantity"] * p["last_price"] * p["multiplier"], abs=0.01)
    assert p["realised"] + p["unrealised"] == pytest.approx(p["pnl"], abs=0.02)


def test_holdings_and_market_data_carry_the_documented_fields(api):
    rows = api.data("GET", "/portfolio/holdings")
    assert rows
    for row in rows:
        check(row, HOLDING, "holdings[]")
        check(row["mtf"], HOLDING_MTF, "holdings[].mtf")
    quotes = api.data("GET", "/quote", params={"i": ["NSE:INFY", "NSE:NIFTY 50"]})
    for key, q in quotes.items():
        check(q, QUOTE, f"quote[{key}]")
        check(q["ohlc"], OHLC, f"quote[{key}].ohlc")
        for side in ("buy", "sell"):
            for level in q["depth"][side]:
                check(level, DEPTH_LEVEL, f"quote[{key}].depth.{side}[]")
    for q in api.data("GET", "/quote/ohlc", params={"i": "NSE:INFY"}).values():
        check(q, {"instrument_token": INT, "last_price": NUM, "ohlc": DICT}, "ohlc")
    for q in api.data("GET", "/quote/ltp", params={"i": "NSE:INFY"}).values():
        check(q, {"instrument_token": INT, "last_price": NUM}, "ltp")


def test_gtt_carries_the_documented_fields(api):
    condition = '{"exchange": "NSE", "tradingsymbol": "INFY", "trigger_values": [1400], "last_price": 1573}'
    orders = ('[{"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY", "quantity": 1, '
              '"order_type": "LIMIT", "product": "CNC", "price": 1400}]')
    api.data("POST", "/gtt/triggers", data={"type": "single", "condition": condition, "orders": orders})
    for row in api.data("GET", "/gtt/triggers"):
        check(row, GTT, "gtt[]")


@pytest.mark.parametrize("interval, minutes", [("minute", 1), ("3minute", 3), ("5minute", 5), ("15minute", 15),
                                               ("60minute", 60)])
@pytest.mark.parametrize("start", ["2026-11-23 09:15:37", "2026-11-23 10:02:59", "2026-11-23 08:00:01"])
def test_candles_sit_on_whole_minutes_of_the_session(api, interval, minutes, start):
    candles = api.data("GET", f"/instruments/historical/408065/{interval}",
                       params={"from": start, "to": "2026-11-24 15:29:00"})["candles"]
    assert candles
    for row in candles:
        assert len(row) == 6
        when = dt.datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%S%z")
        assert when.second == 0
        assert ((when.hour * 60 + when.minute) - (9 * 60 + 15)) % minutes == 0, row[0]
        assert all(isinstance(v, (int, float)) for v in row[1:])
    first = dt.datetime.strptime(candles[0][0], "%Y-%m-%dT%H:%M:%S%z").replace(tzinfo=None)
    asked = dt.datetime.strptime(start, "%Y-%m-%d %H:%M:%S")
    assert first >= asked and first - asked < dt.timedelta(minutes=minutes) + dt.timedelta(hours=1, minutes=16)


def test_daily_candles_sit_at_midnight(api):
    candles = api.data("GET", "/instruments/historical/408065/day",
                       params={"from": "2026-11-02 10:11:12", "to": "2026-11-27 10:11:12", "oi": 1})["candles"]
    assert candles and all(row[0].endswith("T00:00:00+0530") and len(row) == 7 for row in candles)


# -- RMS -------------------------------------------------------------------------------
def test_cnc_sell_beyond_holdings_is_a_holding_exception(api, sandbox):
    r = api.order(transaction_type="SELL", quantity=100_000)
    assert r.status_code == 400
    assert r.json()["status"] == "error" and r.json()["error_type"] == "HoldingException"
    assert sandbox.kite.order_count() == 0
    assert api.order(transaction_type="SELL", quantity=10).status_code == 200  # exactly the 10 held
    assert api.order(transaction_type="SELL", quantity=1).json()["error_type"] == "HoldingException"


def test_cnc_sell_of_what_was_bought_today_is_allowed(api):
    assert api.order(tradingsymbol="HDFCBANK", quantity=2).status_code == 200
    assert api.order(tradingsymbol="HDFCBANK", transaction_type="SELL", quantity=2).status_code == 200
    assert api.order(tradingsymbol="HDFCBANK", transaction_type="SELL", quantity=1).status_code == 400


def test_orders_beyond_the_margin_are_a_margin_exception(api, sandbox):
    sandbox.kite.cash["AB1234"] = 5100.0
    r = api.order(quantity=4)  # 4 x ~1575 CNC > 5100
    assert r.status_code == 400 and r.json()["error_type"] == "MarginException"
    assert "Required margin" in r.json()["message"]
    assert api.order(quantity=3).status_code == 200
    assert api.order(quantity=1, product="MIS").status_code == 200  # a fifth of 1573: what is left covers it
    assert api.order(quantity=1).json()["error_type"] == "MarginException"
    margins = api.data("GET", "/user/margins/equity")
    assert margins["utilised"]["debits"] > 5000 and margins["net"] == margins["available"]["live_balance"] < 100


def test_short_selling_intraday_needs_margin_not_holdings(api):
    assert api.order(tradingsymbol="TCS", transaction_type="SELL", product="MIS", quantity=5).status_code == 200
