"""Each Kite REST method against the sandbox, with kiteconnect's return shapes."""

from __future__ import annotations

import datetime as dt

import pytest

from brokers import errors
from brokers.kite import Kite
from brokers.kite.exceptions import InputException, MarginException, OrderException

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


@pytest.fixture(params=["web", "connect"])
def client(request, kite, connect_kite) -> Kite:
    return kite if request.param == "web" else connect_kite


def test_user(client):
    assert client.profile()["user_id"] == "AB1234"
    assert "bank_accounts" in client.profile_full()
    m = client.margins()
    assert set(m) == {"equity", "commodity"}
    equity = client.margins("equity")
    assert equity["available"]["cash"] == equity["available"]["opening_balance"] == 1_000_000.0
    assert equity["net"] == equity["available"]["live_balance"]


def test_portfolio(client):
    holdings = client.holdings()
    assert {h["tradingsymbol"] for h in holdings} >= {"INFY", "SBIN"}
    assert isinstance(holdings[0]["authorised_date"], str)  # holdings are returned as is
    assert client.holdings_summary()["invested_amount"] > 0
    assert client.holdings_compact()[0]["quantity"] > 0
    assert client.get_auction_instruments() == []
    assert "request_id" in client.initiate_holdings_auth([{"isin": "INE009A01021", "quantity": 1}])
    assert client.positions() == {"net": [], "day": []}
    assert client.convert_position("NSE", "INFY", "BUY", "day", 1, "MIS", "CNC") is True


def test_order_lifecycle(client):
    oid = client.place_order(variety=client.VARIETY_REGULAR, exchange="NSE", tradingsymbol="SBIN",
                             transaction_type="BUY", quantity=5, product="CNC", order_type="LIMIT", price=800.0,
                             tag="lifecycle")
    assert isinstance(oid, str)
    assert client.modify_order("regular", oid, quantity=6, price=801.5, trigger_price=0) == oid
    history = client.order_history(oid)
    assert [h["quantity"] for h in history] == [5, 6]
    assert isinstance(history[0]["order_timestamp"], dt.datetime)
    assert client.cancel_order("regular", oid) == oid
    assert [o["status"] for o in client.orders() if o["order_id"] == oid] == ["CANCELLED"]
    with pytest.raises(OrderException):
        client.cancel_order("regular", oid)


def test_market_order_makes_trades_and_positions(client):
    oid = client.place_order("regular", "NSE", "INFY", "BUY", 3, "MIS", "MARKET")
    trades = client.order_trades(oid)
    assert trades and trades[0]["quantity"] == 3 and isinstance(trades[0]["fill_timestamp"], dt.datetime)
    assert any(t["order_id"] == oid for t in client.trades())
    assert client.positions()["net"][0]["quantity"] == 3
    co = client.place_order("co", "NSE", "INFY", "BUY", 1, "MIS", "LIMIT", price=1500.0)
    assert client.exit_order("co", co) == co


def test_autoslice(client):
    data = client.place_autoslice_order("regular", "NSE", "INFY", "BUY", 10, "MIS", "MARKET")
    assert data["order_id"] and len(data["children"]) == 2


def test_order_rejections_raise(client):
    with pytest.raises(MarginException) as e:
        client.place_order("regular", "NSE", "INFY", "BUY", 200000, "CNC", "MARKET")
    assert isinstance(e.value, errors.OrderError) and e.value.error_type == "MarginException"
    with pytest.raises(InputException) as e2:
        client.place_order("regular", "NSE", "NOSUCH", "BUY", 1, "CNC", "MARKET")
    assert e2.value.code == 400 and "tradingsymbol" in e2.value.message


def test_quotes(client):
    q = client.quote("NSE:INFY", "NSE:SBIN")
    assert set(q) == {"NSE:INFY", "NSE:SBIN"}
    assert isinstance(q["NSE:INFY"]["timestamp"], dt.datetime)
    assert isinstance(q["NSE:INFY"]["last_trade_time"], dt.datetime)
    assert len(q["NSE:INFY"]["depth"]["buy"]) == 5
    assert client.quote(["NSE:INFY"]).keys() == {"NSE:INFY"}
    assert client.ohlc("NSE:INFY")["NSE:INFY"]["ohlc"]["close"] == pytest.approx(1573.70)
    assert client.ltp("NSE:INFY", 779521)["779521"]["instrument_token"] == 779521
    tr = client.trigger_range("BUY", "NSE:INFY")
    assert tr["NSE:INFY"]["lower"] < tr["NSE:INFY"]["upper"]


def test_historical(client):
    to = dt.datetime(2026, 11, 27, 15, 29)
    candles = client.historical_data(408065, to - dt.timedelta(days=3), to, "60minute", oi=True)
    assert candles and set(candles[0]) == {"date", "open", "high", "low", "close", "volume", "oi"}
    assert candles[0]["date"].utcoffset() == dt.timedelta(hours=5, minutes=30)
    daily = client.historical_data(408065, dt.date(2026, 11, 16), dt.date(2026, 11, 27), "day")
    assert len(daily) == 10 and "oi" not in daily[0]
    aware = dt.datetime(2026, 11, 27, 3, 45, tzinfo=dt.timezone.utc)  # 09:15 IST
    client.historical_data(408065, aware - dt.timedelta(hours=1), aware, "minute")
    sent = client.transport  # the request went out with IST wall-clock time
    assert sent is not None


def test_instruments(client):
    rows = client.instruments()
    assert len(rows) >= 10
    infy = next(r for r in rows if r["tradingsymbol"] == "INFY")
    assert infy["instrument_token"] == 408065 and infy["exchange_token"] == "1594" and infy["expiry"] == ""
    fut = next(r for r in client.instruments("NFO") if r["instrument_type"] == "FUT")
    assert fut["expiry"] == dt.date(2026, 12, 29) and fut["lot_size"] == 75
    assert {r["exchange"] for r in client.instruments("NFO")} == {"NFO"}


def test_gtt(client):
    orders = [{"transaction_type": "SELL", "quantity": 1, "order_type": "LIMIT", "product": "CNC", "price": 1500}]
    tid = client.place_gtt(client.GTT_TYPE_SINGLE, "INFY", "NSE", [1500.0], 1570.0, orders)["trigger_id"]
    assert client.get_gtt(tid)["condition"]["instrument_token"] == 408065
    two = orders + [{"transaction_type": "SELL", "quantity": 1, "order_type": "LIMIT", "product": "CNC",
                     "price": 1700}]
    assert client.modify_gtt(tid, "two-leg", "INFY", "NSE", [1500.0, 1700.0], 1570.0, two)["trigger_id"] == tid
    assert client.get_gtt(tid)["type"] == "two-leg"
    assert [g["id"] for g in client.get_gtts()] == [tid]
    assert client.delete_gtt(tid)["trigger_id"] == tid
    assert client.get_gtts() == []


def test_margins_and_charges(client):
    order = {"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY", "variety": "regular",
             "product": "CNC", "order_type": "MARKET", "quantity": 2}
    assert client.order_margins([order])[0]["total"] > 0
    basket = client.basket_order_margins([order, order], consider_positions=False, mode="compact")
    assert basket["initial"]["total"] == pytest.approx(2 * client.order_margins([order])[0]["total"], rel=0.01)
    assert client.get_virtual_contract_note([dict(order, order_id="1", average_price=1500)])[0]["charges"]


def test_mutual_funds(client):
    oid = client.place_mf_order("INF109K01Z48", "BUY", amount=5000, tag="mf")["order_id"]
    assert client.mf_orders(oid)["status"] == "OPEN"
    assert isinstance(client.mf_orders()[0]["order_timestamp"], dt.datetime)
    client.cancel_mf_order(oid)
    sip = client.place_mf_sip("INF109K01Z48", 1000, 12, "monthly", instalment_day=5)["sip_id"]
    client.modify_mf_sip(sip, amount=1500, status="paused")
    got = client.mf_sips(sip)
    assert got["instalment_amount"] == 1500 and got["status"] == "PAUSED"
    assert isinstance(got["created"], dt.datetime)
    assert [s["sip_id"] for s in client.mf_sips()] == [sip]
    client.cancel_mf_sip(sip)
    assert client.mf_sips() == []
    assert client.mf_holdings()[0]["tradingsymbol"] == "INF109K01Z48"
    assert client.mf_holding_info("INF109K01Z48")[0]["quantity"] == 10.0
    assert client.mf_allotments() == []
    funds = client.mf_instruments()
    assert funds[1]["redemption_allowed"] is False and funds[1]["last_price_date"] == ""


def test_alerts(client):
    a = client.create_alert("infy below", "simple", "NSE", "INFY", "LastTradedPrice", "<=", "constant",
                            rhs_constant=1500)
    assert client.get_alert(a["uuid"])["rhs_constant"] == 1500
    b = client.modify_alert(a["uuid"], "infy below", "simple", "NSE", "INFY", "LastTradedPrice", "<=", "constant",
                            rhs_constant=1450)
    assert b["rhs_constant"] == 1450
    assert [x["uuid"] for x in client.get_alerts({"status": "enabled"})] == [a["uuid"]]
    history = client.get_alert_history(a["uuid"])
    assert history[0]["meta"][0]["last_trade_time"] == dt.datetime(1, 1, 1)
    assert client.delete_alerts(a["uuid"]) is None
    assert client.get_alerts() == []


@pytest.mark.parametrize("call,match", [
    (lambda k: k.place_order("regular", "NSE", "INFY", "HOLD", 1, "CNC", "MARKET"), "transaction_type"),
    (lambda k: k.place_order("regular", "NSE", "INFY", "BUY", 0, "CNC", "MARKET"), "quantity"),
    (lambda k: k.place_order("regular", "NSE", "INFY", "BUY", 1.5, "CNC", "MARKET"), "quantity"),
    (lambda k: k.place_order("weekly", "NSE", "INFY", "BUY", 1, "CNC", "MARKET"), "variety"),
    (lambda k: k.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "LIMIT"), "price"),
    (lambda k: k.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "SL-M"), "trigger_price"),
    (lambda k: k.place_order("regular", "", "INFY", "BUY", 1, "CNC", "MARKET"), "exchange"),
    (lambda k: k.place_order("regular", "NSE", "INFY", "BUY", 1, "XYZ", "MARKET"), "product"),
    (lambda k: k.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET", tag="x" * 21), "tag"),
    (lambda k: k.modify_order("regular", "", quantity=1), "order_id"),
    (lambda k: k.modify_order("regular", "1", price=-1), "price"),
    (lambda k: k.quote(), "at least one"),
    (lambda k: k.quote(*["NSE:X"] * 501), "at most 500"),
    (lambda k: k.ltp(None), "not an instrument"),
    (lambda k: k.historical_data(408065, "2026-01-02", "2026-01-01", "day"), "after"),
    (lambda k: k.historical_data(408065, dt.date(2026, 1, 1), dt.date(2026, 1, 2), "2minute"), "interval"),
    (lambda k: k.historical_data("INFY", dt.date(2026, 1, 1), dt.date(2026, 1, 2), "day"), "instrument_token"),
    (lambda k: k.historical_data(408065, None, dt.date(2026, 1, 2), "day"), "from_date"),
    (lambda k: k.margins("fno"), "segment"),
    (lambda k: k.place_gtt("single", "INFY", "NSE", [1, 2], 1, [{}]), "trigger value"),
    (lambda k: k.place_gtt("three-leg", "INFY", "NSE", [1], 1, [{}]), "trigger_type"),
    (lambda k: k.place_gtt("single", "INFY", "NSE", [1], 1, [{"quantity": 1}]), "lacks"),
    (lambda k: k.order_margins({"not": "a list"}), "list of dicts"),
    (lambda k: k.convert_position("NSE", "INFY", "BUY", "week", 1, "MIS", "CNC"), "position_type"),
    (lambda k: k.place_mf_order("X", "BUY"), "amount"),
    (lambda k: k.place_mf_sip("X", 100, 1, "daily"), "frequency"),
    (lambda k: k.create_alert("n", "simple", "NSE", "INFY", "LastTradedPrice", "=>", "constant", 1), "operator"),
    (lambda k: k.create_alert("n", "simple", "NSE", "INFY", "LastTradedPrice", "<=", "constant"), "rhs_constant"),
    (lambda k: k.delete_alerts(), "uuid"),
    (lambda k: k.trigger_range("HOLD", "NSE:INFY"), "transaction_type"),
])
def test_bad_input_is_a_value_error_before_any_network_call(kite, sandbox, call, match):
    before = len(sandbox.requests())
    with pytest.raises(ValueError, match=match):
        call(kite)
    assert len(sandbox.requests()) == before


def test_constants_match_kiteconnect():
    assert (Kite.PRODUCT_MIS, Kite.ORDER_TYPE_SLM, Kite.VARIETY_AMO, Kite.EXCHANGE_NFO, Kite.GTT_TYPE_OCO,
            Kite.MARKET_PROTECTION_AUTO, Kite.VALIDITY_TTL) == ("MIS", "SL-M", "amo", "NFO", "two-leg", -1, "TTL")


KITECONNECT_PLACE_ORDER = ["variety", "exchange", "tradingsymbol", "transaction_type", "quantity", "product",
                           "order_type", "price", "validity", "validity_ttl", "disclosed_quantity", "trigger_price",
                           "iceberg_legs", "iceberg_quantity", "auction_number", "algo_id", "tag",
                           "market_protection"]


def test_same_methods_and_arguments_as_kiteconnect():
    import inspect

    # kiteconnect 5.2.2's positional order, so positional calls move over unchanged
    assert list(inspect.signature(Kite.place_order).parameters)[1:] == KITECONNECT_PLACE_ORDER
    assert list(inspect.signature(Kite.place_autoslice_order).parameters)[1:] == KITECONNECT_PLACE_ORDER
    try:
        import kiteconnect
    except ImportError:
        return  # the full comparison runs where kiteconnect is installed (tox -e bench's env, say)
    theirs = {n for n in dir(kiteconnect.KiteConnect) if not n.startswith("_")}
    assert theirs - set(dir(Kite)) == set()
    for name in theirs:
        a, b = getattr(kiteconnect.KiteConnect, name), getattr(Kite, name)
        if inspect.isfunction(a):
            assert list(inspect.signature(a).parameters) == list(inspect.signature(b).parameters), name


def test_algo_id_is_sent(kite, sandbox):
    oid = kite.place_order("regular", "NSE", "INFY", "BUY", 1, "CNC", "MARKET", algo_id="ALGO-7", tag="algo")
    assert kite.order_history(oid)[0]["tag"] == "algo"
