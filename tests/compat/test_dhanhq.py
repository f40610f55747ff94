"""Migration suite for dhanhq: scripts in dhanhq's README style, with only the import
lines changed, against the sandbox; every return value as dhanhq builds it."""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, List

import pytest
import requests

# was: from dhanhq import DhanContext, MarketFeed, OrderUpdate, dhanhq
from brokers.compat.dhanhq import DhanContext, MarketFeed, OrderUpdate, dhanhq
from brokers.sandbox import Sandbox

from ..conftest import wait_for

CLIENT = "1100000001"


def _recorded(dhan: Any) -> List[requests.PreparedRequest]:
    sent: List[requests.PreparedRequest] = []
    dhan.dhan.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    return sent


def test_readme_orders_script(sb: Sandbox) -> None:
    access_token = sb.dhan.issue_token(CLIENT)
    # ---- dhanhq README, unchanged below this line ----
    dhan_context = DhanContext(CLIENT, access_token)
    dhan = dhanhq(dhan_context)
    r = dhan.place_order(security_id="1333", exchange_segment=dhan.NSE, transaction_type=dhan.BUY,
                         quantity=10, order_type=dhan.LIMIT, product_type=dhan.INTRA, price=1400, tag="mig-1")
    assert r["status"] == "success" and r["remarks"] == ""
    order_id = r["data"]["orderId"]
    assert r["data"]["orderStatus"] in ("PENDING", "TRANSIT")
    book = dhan.get_order_list()
    assert book["status"] == "success" and any(o["orderId"] == order_id for o in book["data"])
    one = dhan.get_order_by_id(order_id)
    assert one["status"] == "success"
    by_tag = dhan.get_order_by_correlationID("mig-1")
    assert by_tag["status"] == "success"
    mod = dhan.modify_order(order_id, dhan.LIMIT, None, 10, 1401, 0, 0, dhan.DAY)
    assert mod["status"] == "success" and mod["data"]["orderId"] == order_id
    cancel = dhan.cancel_order(order_id)
    assert cancel == {"status": "success", "remarks": "", "data": cancel["data"]}
    for r in (dhan.get_positions(), dhan.get_holdings(), dhan.get_fund_limits(), dhan.get_trade_book()):
        assert r["status"] == "success" and r["remarks"] == ""
    assert isinstance(dhan.get_holdings()["data"], list)


def test_data_apis_send_dhan_client_id_as_dhanhq_does(sb: Sandbox) -> None:
    dhan = dhanhq(CLIENT, sb.dhan.issue_token(CLIENT))  # the 2.0/2.1 form
    sent = _recorded(dhan)
    calls = [
        lambda: dhan.intraday_minute_data("52175", "NSE_FNO", "FUTIDX", "2026-11-02 09:15:00", "2026-11-02 10:15:00"),
        lambda: dhan.historical_daily_data("1333", "NSE_EQ", "EQUITY", "2026-11-02", "2026-11-07"),
        lambda: dhan.ticker_data(securities={"NSE_EQ": [1333]}),
        lambda: dhan.ohlc_data(securities={"NSE_EQ": [1333]}),
        lambda: dhan.quote_data(securities={"NSE_EQ": [1333]}),
        lambda: dhan.expiry_list(under_security_id=13, under_exchange_segment="IDX_I"),
    ]
    for call in calls:
        r = call()
        assert r["status"] == "success", r
        assert json.loads(sent[-1].body)["dhanClientId"] == CLIENT
    expiry = dhan.expiry_list(13, "IDX_I")["data"]["data"][0]
    chain = dhan.option_chain(under_security_id=13, under_exchange_segment="IDX_I", expiry=expiry)
    assert chain["status"] == "success" and "oc" in chain["data"]["data"]
    assert json.loads(sent[-1].body)["dhanClientId"] == CLIENT
    # Dhan's own envelope of the quote routes stays inside dhanhq's, as in dhanhq
    ltp = dhan.ticker_data({"NSE_EQ": [1333]})
    assert ltp["data"]["status"] == "success" and "1333" in ltp["data"]["data"]["NSE_EQ"]


def test_failures_are_dhanhq_failure_dicts(sb: Sandbox) -> None:
    dhan = dhanhq(DhanContext(CLIENT, sb.dhan.issue_token(CLIENT)))
    r = dhan.get_order_by_id("999999999")
    assert r["status"] == "failure" and r["data"] == ""
    assert set(r["remarks"]) == {"error_code", "error_type", "error_message"}
    assert r["remarks"]["error_code"].startswith("DH-") and r["remarks"]["error_message"]
    # dhanhq's own argument checks answer with a failure dict, so do ours
    bad = dhan.historical_daily_data("1333", "NSE_EQ", "EQUITY", "2026-11-02", "2026-11-07", expiry_code=7)
    assert bad["status"] == "failure" and "expiry_code" in bad["remarks"] and bad["data"] == ""
    assert dhan.kill_switch("maybe")["status"] == "failure"
    # ... and where dhanhq raises, so do we
    with pytest.raises(ValueError):
        dhan.cancel_super_order("1", "NO_SUCH_LEG")
    with pytest.raises(Exception, match="amo_time"):
        dhan.place_order("1333", "NSE_EQ", "BUY", 1, "MARKET", "CNC", 0, after_market_order=True, amo_time="LATE")


def test_expired_token_is_a_failure_dict(sb: Sandbox) -> None:
    token = sb.dhan.issue_token(CLIENT)
    dhan = dhanhq(CLIENT, token)
    sb.dhan.expire_sessions(CLIENT)
    r = dhan.get_holdings()
    assert r["status"] == "failure" and r["remarks"]["error_code"] == "DH-901"


def test_network_failure_is_a_failure_dict() -> None:
    dhan = dhanhq(CLIENT, "fake-dhan-token-0123456789")
    dhan.dhan.root = "http://127.0.0.1:9"  # nothing listens there
    dhan.dhan.transport.retries = 0
    r = dhan.get_holdings()
    assert r["status"] == "failure" and isinstance(r["remarks"], str) and r["data"] == ""


def test_generate_tpin_and_time_converter(sb: Sandbox) -> None:
    dhan = dhanhq(DhanContext(CLIENT, sb.dhan.issue_token(CLIENT)))
    assert dhan.generate_tpin() == {"status": "success", "remarks": "OTP sent", "data": ""}
    assert str(dhan.convert_to_date_time(1730485800)) == "2024-11-02"


def test_security_list(sb: Sandbox, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dhan = dhanhq(DhanContext(CLIENT, sb.dhan.issue_token(CLIENT)))
    rows = dhan.fetch_security_list("compact")
    assert (tmp_path / "security_id_list.csv").is_file()
    assert len(rows) > 0
    assert dhanhq.fetch_security_list("nonsense") is None  # dhanhq logs and returns None


# -- MarketFeed -------------------------------------------------------------------------------
def test_readme_market_feed_loop(sb: Sandbox) -> None:
    dhan_context = DhanContext(CLIENT, sb.dhan.issue_token(CLIENT))
    # ---- dhanhq README ----
    instruments = [(MarketFeed.NSE, "1333", MarketFeed.Ticker), (MarketFeed.NSE_FNO, "52175", MarketFeed.Quote),
                   (MarketFeed.NSE_FNO, "52176", MarketFeed.Full)]
    version = "v2"
    data = MarketFeed(dhan_context, instruments, version)
    seen: Dict[str, Any] = {}
    try:
        while not {"Ticker Data", "Quote Data", "Full Data"} <= set(seen):
            data.run_forever()
            response = data.get_data()
            if isinstance(response, dict):
                seen.setdefault(response["type"], response)
        data.subscribe_symbols([(MarketFeed.NSE, "11536", MarketFeed.Ticker)])
        while True:
            data.run_forever()
            response = data.get_data()
            if isinstance(response, dict) and response["security_id"] == 11536:
                break
    finally:
        data.disconnect()
    ticker = seen["Ticker Data"]
    assert set(ticker) == {"type", "exchange_segment", "security_id", "LTP", "LTT"}
    assert ticker["exchange_segment"] == 1 and ticker["security_id"] == 1333
    assert isinstance(ticker["LTP"], str) and len(ticker["LTP"].split(".")[1]) == 2
    assert len(ticker["LTT"]) == 8 and ticker["LTT"][2] == ":"
    quote = seen["Quote Data"]
    assert set(quote) == {"type", "exchange_segment", "security_id", "LTP", "LTQ", "LTT", "avg_price", "volume",
                          "total_sell_quantity", "total_buy_quantity", "open", "close", "high", "low"}
    full = seen["Full Data"]
    assert isinstance(full["depth"][0]["bid_price"], str) and isinstance(full["OI"], int)
    assert set(full["depth"][0]) == {"bid_quantity", "ask_quantity", "bid_orders", "ask_orders", "bid_price",
                                     "ask_price"}
    with pytest.raises(ConnectionError):
        data.get_data()


def test_market_feed_callbacks_with_start(sb: Sandbox) -> None:
    got: List[Any] = []
    events: List[str] = []
    feed = MarketFeed(CLIENT, sb.dhan.issue_token(CLIENT), [(MarketFeed.NSE, "1333")], "v2",  # 2.1 form
                      on_connect=lambda f: events.append("connect"),
                      on_close=lambda f: events.append("close"))
    feed.on_message = lambda f, d: got.append((f, d))
    thread = feed.start()
    try:
        assert wait_for(lambda: any(d["type"] == "Ticker Data" for _, d in got))
        assert all(f is feed for f, _ in got)
    finally:
        feed.close_connection()
    thread.join(5)
    assert not thread.is_alive() and events == ["connect", "close"]


def test_market_feed_refused_token(sb: Sandbox) -> None:
    # Dhan accepts the socket, then sends disconnect code 808: as in dhanhq, on_close
    # is called and reading again fails; ours also says why on on_error, and does not
    # reconnect with a token that cannot work.
    feed = MarketFeed(DhanContext(CLIENT, "not-a-token"), [(MarketFeed.NSE, "1333")], "v2")
    seen: List[Any] = []
    feed.on_error = lambda f, e: seen.append(e)
    feed.on_close = lambda f: seen.append("closed")
    try:
        feed.run_forever()
    except Exception:
        pass
    with pytest.raises(ConnectionError):
        feed.get_data()
    assert wait_for(lambda: "closed" in seen)
    assert any(getattr(e, "code", None) == 808 for e in seen)


def test_market_feed_refuses_v1() -> None:
    with pytest.raises(ValueError, match="v1"):
        MarketFeed(DhanContext(CLIENT, "fake-dhan-token-0123456789"), [], "v1")


# -- OrderUpdate ------------------------------------------------------------------------------
def test_readme_order_update(sb: Sandbox) -> None:
    token = sb.dhan.issue_token(CLIENT)
    dhan_context = DhanContext(CLIENT, token)
    messages: List[Dict[str, Any]] = []
    # ---- dhanhq README ----
    order_client = OrderUpdate(dhan_context)
    order_client.on_update = messages.append
    runner = threading.Thread(target=order_client.connect_to_dhan_websocket_sync, daemon=True)
    runner.start()
    try:
        assert sb.dhan_feed.wait(lambda: sb.dhan_feed._order_count(CLIENT) == 1)
        dhan = dhanhq(dhan_context)
        placed = dhan.place_order("1333", dhan.NSE, dhan.BUY, 2, dhan.LIMIT, dhan.CNC, 1500, tag="ou-compat")
        assert wait_for(lambda: len(messages) >= 1)
    finally:
        order_client.disconnect()
    runner.join(5)
    assert not runner.is_alive()
    assert messages[0]["Type"] == "order_alert"
    assert messages[0]["Data"]["OrderNo"] == placed["data"]["orderId"]


def test_order_update_prints_without_handler(capsys: pytest.CaptureFixture[str]) -> None:
    client = OrderUpdate(CLIENT, "fake-dhan-token-0123456789")
    client.handle_order_update({"Type": "order_alert", "Data": {"OrderNo": "1"}})
    client.handle_order_update({"Type": "other"})
    out = capsys.readouterr().out
    assert "Order Update received: {'OrderNo': '1'}" in out and "Unknown message received" in out


def test_keeps_no_session_on_disk() -> None:
    from brokers.stores import MemoryStore

    store = dhanhq(CLIENT, "fake-dhan-token-0123456789").dhan.store
    assert isinstance(getattr(store, "inner", store), MemoryStore)  # as dhanhq, nothing persists


def test_market_feed_works_inside_a_running_event_loop(sb: Sandbox) -> None:
    # Jupyter runs cells inside an asyncio loop; dhanhq's own MarketFeed fails there
    # ("This event loop is already running"). Ours has no loop of its own.
    import asyncio

    context = DhanContext(CLIENT, sb.dhan.issue_token(CLIENT))

    async def cell() -> Any:
        feed = MarketFeed(context, [(MarketFeed.NSE, "1333", MarketFeed.Ticker)], "v2")
        try:
            feed.run_forever()
            return feed.get_data()
        finally:
            feed.disconnect()

    data = asyncio.run(cell())
    assert isinstance(data, dict) and data["security_id"] == 1333
