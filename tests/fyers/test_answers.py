"""The Fyers sandbox answers as Fyers documents: every route's raw JSON carries the
fields of Fyers API v3's documentation, in their types; candles sit on whole minutes
(daily ones at midnight IST, whatever the seconds of ``range_from``); RMS refuses a CNC
sell beyond holdings and an order beyond the margin with Fyers' error envelope."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterator

import pytest
import requests

from brokers.sandbox import Sandbox

from ..documented import BOOL, INT, LIST, NUM, STR, check, opt

PROFILE = {"name": STR, "image": opt(STR), "display_name": STR, "email_id": STR, "PAN": STR, "fy_id": STR,
           "pin_change_date": STR, "mobile_number": STR, "totp": BOOL, "pwd_change_date": STR,
           "pwd_to_expire": INT, "ddpi_enabled": BOOL, "mtf_enabled": BOOL}
FUND_ROW = {"id": INT, "title": STR, "equityAmount": NUM, "commodityAmount": NUM}
FUND_TITLES = ["Total Balance", "Utilized Amount", "Clear Balance", "Realized Profit and Loss", "Collaterals",
               "Fund Transfer", "Receivables", "Adhoc Limit", "Limit at start of the day", "Available Balance"]
HOLDING = {"costPrice": NUM, "id": INT, "fyToken": STR, "symbol": STR, "isin": STR, "qty_t1": INT,
           "remainingQuantity": INT, "quantity": INT, "remainingPledgeQuantity": INT, "collateralQuantity": INT,
           "marketVal": NUM, "ltp": NUM, "pl": NUM, "holdingType": STR, "exchange": INT, "segment": INT}
HOLDINGS_OVERALL = {"count_total": INT, "pnl_perc": NUM, "total_current_value": NUM, "total_investment": NUM,
                    "total_pl": NUM}
POSITION = {"netQty": INT, "qty": INT, "avgPrice": NUM, "netAvg": NUM, "side": INT, "productType": STR,
            "realized_profit": NUM, "unrealized_profit": NUM, "pl": NUM, "ltp": NUM, "buyQty": INT, "buyAvg": NUM,
            "buyVal": NUM, "sellQty": INT, "sellAvg": NUM, "sellVal": NUM, "slNo": INT, "fyToken": STR,
            "crossCurrency": STR, "rbiRefRate": NUM, "qtyMulti_com": NUM, "segment": INT, "symbol": STR, "id": STR,
            "cfBuyQty": INT, "cfSellQty": INT, "dayBuyQty": INT, "daySellQty": INT, "exchange": INT}
POSITIONS_OVERALL = {"count_total": INT, "count_open": INT, "pl_total": NUM, "pl_realized": NUM,
                     "pl_unrealized": NUM}
ORDER = {"clientId": STR, "id": STR, "exchOrdId": STR, "qty": INT, "remainingQuantity": INT, "filledQty": INT,
         "discloseQty": INT, "limitPrice": NUM, "stopPrice": NUM, "tradedPrice": NUM, "type": INT, "fyToken": STR,
         "exchange": INT, "segment": INT, "symbol": STR, "instrument": INT, "message": STR, "offlineOrder": BOOL,
         "orderDateTime": STR, "orderValidity": STR, "pan": STR, "productType": STR, "side": INT, "status": INT,
         "source": STR, "ex_sym": STR, "description": STR, "ch": NUM, "chp": NUM, "lp": NUM, "slNo": INT,
         "dqQtyRem": INT, "orderNumStatus": STR, "disclosedQty": INT, "orderTag": STR}
TRADE = {"clientId": STR, "orderDateTime": STR, "orderNumber": STR, "exchangeOrderNo": STR, "exchange": INT,
         "side": INT, "segment": INT, "orderType": INT, "fyToken": STR, "productType": STR, "tradedQty": INT,
         "tradePrice": NUM, "tradeValue": NUM, "tradeNumber": STR, "row": INT, "symbol": STR, "orderTag": STR}
QUOTE = {"ch": NUM, "chp": NUM, "lp": NUM, "spread": NUM, "ask": NUM, "bid": NUM, "open_price": NUM,
         "high_price": NUM, "low_price": NUM, "prev_close_price": NUM, "atp": NUM, "volume": INT, "short_name": STR,
         "exchange": STR, "description": STR, "original_name": STR, "symbol": STR, "fyToken": STR, "tt": STR}
DEPTH = {"totalbuyqty": INT, "totalsellqty": INT, "bids": LIST, "ask": LIST, "o": NUM, "h": NUM, "l": NUM, "c": NUM,
         "chp": NUM, "tick_Size": NUM, "ch": NUM, "ltq": INT, "ltt": INT, "ltp": NUM, "v": INT, "atp": NUM,
         "lower_ckt": NUM, "upper_ckt": NUM, "expiry": STR, "oi": INT, "oiflag": BOOL, "pdoi": INT, "oipercent": NUM}
DEPTH_LEVEL = {"price": NUM, "volume": INT, "ord": INT}


class Api:
    """Raw Fyers API v3 calls on the sandbox (no client in between)."""

    def __init__(self, sb: Sandbox) -> None:
        self.url = sb.url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"{sb.fyers.client_id}:{sb.fyers.issue_access_token()}"

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        return self.http.request(method, self.url + path, timeout=5, **kw)

    def ok(self, method: str, path: str, **kw: Any) -> Dict[str, Any]:
        r = self(method, path, **kw)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["s"] == "ok", body
        return body

    def order(self, **fields: Any) -> requests.Response:
        base: Dict[str, Any] = {"symbol": "NSE:INFY-EQ", "qty": 1, "type": 2, "side": 1, "productType": "CNC",
                                "limitPrice": 0, "stopPrice": 0, "validity": "DAY", "disclosedQty": 0,
                                "offlineOrder": False}
        base.update(fields)
        return self("POST", "/fyers/api/v3/orders/sync", json=base)


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.http.close()


def test_account_routes_carry_the_documented_fields(api):
    check(api.ok("GET", "/fyers/api/v3/profile")["data"], PROFILE, "profile")
    rows = api.ok("GET", "/fyers/api/v3/funds")["fund_limit"]
    assert [r["title"] for r in rows] == FUND_TITLES
    for row in rows:
        check(row, FUND_ROW, "fund_limit[]")
    body = api.ok("GET", "/fyers/api/v3/holdings")
    assert body["holdings"]
    for row in body["holdings"]:
        check(row, HOLDING, "holdings[]")
    check(body["overall"], HOLDINGS_OVERALL, "holdings.overall")


def test_order_routes_carry_the_documented_fields(api):
    assert api.order().status_code == 200
    assert api.order(side=-1, productType="INTRADAY").status_code == 200
    assert api.order(type=1, limitPrice=1500.0).status_code == 200
    book = api.ok("GET", "/fyers/api/v3/orders")["orderBook"]
    assert len(book) == 3
    for row in book:
        check(row, ORDER, "orderBook[]")
    for row in api.ok("GET", "/fyers/api/v3/tradebook")["tradeBook"]:
        check(row, TRADE, "tradeBook[]")
    body = api.ok("GET", "/fyers/api/v3/positions")
    assert body["netPositions"]
    for row in body["netPositions"]:
        check(row, POSITION, "netPositions[]")
    check(body["overall"], POSITIONS_OVERALL, "positions.overall")


def test_market_data_carries_the_documented_fields(api):
    for row in api.ok("GET", "/fyers/data/quotes", params={"symbols": "NSE:INFY-EQ,NSE:NIFTY50-INDEX"})["d"]:
        check(row["v"], QUOTE, f"quotes[{row['n']}]")
    for sym, d in api.ok("GET", "/fyers/data/depth", params={"symbol": "NSE:SBIN-EQ", "ohlcv_flag": 1})["d"].items():
        check(d, DEPTH, f"depth[{sym}]")
        for level in d["bids"] + d["ask"]:
            check(level, DEPTH_LEVEL, "depth.bids/ask[]")


@pytest.mark.parametrize("resolution", ["1", "5", "15", "60"])
@pytest.mark.parametrize("start", ["2026-11-23 09:15:37", "2026-11-23 10:02:59", "2026-11-23 06:00:01"])
def test_intraday_candles_sit_on_whole_minutes_of_the_session(api, resolution, start):
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    frm = int(dt.datetime.strptime(start, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ist).timestamp())
    body = api.ok("GET", "/fyers/data/history", params={"symbol": "NSE:SBIN-EQ", "resolution": resolution,
                                                        "date_format": "0", "range_from": frm,
                                                        "range_to": frm + 86400})
    assert body["candles"]
    for row in body["candles"]:
        ts = row[0]
        assert isinstance(ts, int) and ts % 60 == 0 and ts >= frm
        when = dt.datetime.fromtimestamp(ts, ist)
        assert ((when.hour * 60 + when.minute) - (9 * 60 + 15)) % int(resolution) == 0


def test_daily_candles_sit_at_midnight_ist_whatever_the_seconds_of_range_from(api):
    frm = 1_763_964_000 + 37  # a Monday 11:30:37 IST
    body = api.ok("GET", "/fyers/data/history", params={"symbol": "NSE:SBIN-EQ", "resolution": "D",
                                                        "date_format": "0", "range_from": frm,
                                                        "range_to": frm + 10 * 86400})
    assert body["candles"] and all((row[0] + 19800) % 86400 == 0 for row in body["candles"])


# -- RMS -------------------------------------------------------------------------------------
def test_cnc_sell_beyond_holdings_is_refused(api, sandbox):
    r = api.order(side=-1, qty=100_000)
    assert r.status_code == 400 and r.json()["s"] == "error" and r.json()["code"] == -99
    assert "RMS" in r.json()["message"] and sandbox.fyers.orders == {}
    assert api.order(side=-1, qty=10).status_code == 200  # exactly the 10 INFY held
    assert api.order(side=-1, qty=1).json()["code"] == -99


def test_orders_beyond_the_margin_are_refused(api, sandbox):
    sandbox.fyers.cash["XS00001"] = 5100.0
    r = api.order(qty=4)
    assert r.status_code == 400 and r.json()["code"] == -99 and "Margin" in r.json()["message"]
    assert api.order(qty=3).status_code == 200
    funds = {row["title"]: row["equityAmount"] for row in api.ok("GET", "/fyers/api/v3/funds")["fund_limit"]}
    assert funds["Total Balance"] == 5100.0 and funds["Available Balance"] < 500
    assert api.order(qty=1).json()["code"] == -99


def test_intraday_short_needs_margin_not_holdings(api):
    assert api.order(symbol="NSE:TCS-EQ", side=-1, productType="INTRADAY", qty=5).status_code == 200
