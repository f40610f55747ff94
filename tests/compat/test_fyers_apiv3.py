"""Migration suite for fyers_apiv3: scripts in fyers_apiv3's documented style, with only
the import lines changed, against the sandbox; every answer is Fyers' dict."""

from __future__ import annotations

import threading
from typing import Any, Dict, List

import pytest
import requests

# was: from fyers_apiv3 import fyersModel
# was: from fyers_apiv3.FyersWebsocket import data_ws, order_ws
from brokers.compat.fyers_apiv3 import fyersModel
from brokers.compat.fyers_apiv3.FyersWebsocket import data_ws, order_ws
from brokers.sandbox import Sandbox

from ..conftest import wait_for

SBIN, NIFTY = "NSE:SBIN-EQ", "NSE:NIFTY50-INDEX"


def test_readme_login_flow(sb: Sandbox) -> None:
    client_id, secret_key, redirect_uri = sb.fyers.client_id, sb.fyers.secret_key, sb.fyers.redirect_uri
    # ---- fyers_apiv3 README ----
    session = fyersModel.SessionModel(client_id=client_id, secret_key=secret_key, redirect_uri=redirect_uri,
                                      response_type="code", grant_type="authorization_code")
    url = session.generate_authcode()
    assert "/generate-authcode?" in url and "client_id=" in url
    auth_code = sb.fyers.issue_auth_code()
    session.set_token(auth_code)
    response = session.generate_token()
    assert response["s"] == "ok" and response["access_token"]
    # a refused code is Fyers' error dict, not an exception
    session.set_token("ac.not-a-code")
    refused = session.generate_token()
    assert refused["s"] == "error" and isinstance(refused["code"], int) and refused["message"]
    fyers = fyersModel.FyersModel(client_id=client_id, is_async=False, token=response["access_token"], log_path="")
    assert fyers.get_profile()["s"] == "ok"


def test_readme_rest_script(sb: Sandbox, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    client_id, access_token = sb.fyers.client_id, sb.fyers.issue_access_token()
    # ---- fyers_apiv3 README ----
    fyers = fyersModel.FyersModel(client_id=client_id, is_async=False, token=access_token, log_path=str(tmp_path))
    profile = fyers.get_profile()
    assert profile["s"] == "ok" and profile["code"] == 200 and "data" in profile
    for r in (fyers.funds(), fyers.holdings(), fyers.positions(), fyers.tradebook(), fyers.orderbook(),
              fyers.market_status()):
        assert r["s"] == "ok", r
    data = {"symbol": SBIN, "qty": 1, "type": 2, "side": 1, "productType": "INTRADAY", "limitPrice": 0,
            "stopPrice": 0, "validity": "DAY", "disclosedQty": 0, "offlineOrder": False, "orderTag": "tag1"}
    placed = fyers.place_order(data=data)
    assert placed["s"] == "ok" and placed["id"]
    assert fyers.orderbook(data={"id": placed["id"]})["s"] == "ok"
    history = fyers.history(data={"symbol": SBIN, "resolution": "D", "date_format": "1",
                                  "range_from": "2026-11-02", "range_to": "2026-11-06", "cont_flag": "1"})
    assert history["s"] == "ok" and history["candles"]
    quotes = fyers.quotes(data={"symbols": f"{SBIN},{NIFTY}"})
    assert quotes["s"] == "ok" and len(quotes["d"]) == 2
    assert fyers.depth(data={"symbol": SBIN, "ohlcv_flag": "1"})["s"] == "ok"
    assert list(tmp_path.iterdir()) == []  # no fyersApi.log / fyersRequests.log


def test_errors_are_fyers_dicts(sb: Sandbox) -> None:
    fyers = fyersModel.FyersModel(client_id=sb.fyers.client_id, token=sb.fyers.issue_access_token())
    r = fyers.cancel_order(data={"id": "99999999999999"})
    assert r["s"] == "error" and isinstance(r["code"], int) and r["message"]
    bad = fyers.place_order(data={"symbol": SBIN})  # our check: Fyers would refuse it too
    assert bad["s"] == "error" and bad["code"] == -99 and "qty" in bad["message"]


def test_network_failure_is_fyers_bad_request() -> None:
    fyers = fyersModel.FyersModel(client_id="XB12345-100", token="fake-fyers-token-0123456789")
    fyers.fyers.root = "http://127.0.0.1:9"
    fyers.fyers.transport.retries = 0
    assert fyers.get_profile() == {"s": "error", "code": -99, "message": "Bad request"}


def test_is_async_is_refused() -> None:
    with pytest.raises(ValueError, match="is_async"):
        fyersModel.FyersModel(client_id="XB12345-100", token="fake-fyers-token-0123456789", is_async=True)


def test_generate_data_token_posts_to_data_token(sb: Sandbox) -> None:
    fyers = fyersModel.FyersModel(client_id=sb.fyers.client_id, token=sb.fyers.issue_access_token())
    sent: List[requests.PreparedRequest] = []
    fyers.fyers.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    r = fyers.generate_data_token({"vendorApp": "VENDOR-100"})
    assert isinstance(r, dict)  # the sandbox has no such route: its 404 body, as fyers_apiv3 returns it
    assert sent[-1].method == "POST" and sent[-1].url.endswith("/data-token")
    assert sent[-1].body and b"VENDOR-100" in sent[-1].body
    assert sent[-1].headers["Authorization"].startswith(sb.fyers.client_id + ":")


# -- data socket ------------------------------------------------------------------------------
def test_readme_data_socket(sb: Sandbox) -> None:
    access_token = f"{sb.fyers.client_id}:{sb.fyers.issue_access_token()}"
    messages: List[Dict[str, Any]] = []
    closed: List[Any] = []
    errors_seen: List[Any] = []
    connected = threading.Event()

    # ---- fyers_apiv3 README ----
    def onmessage(message: Dict[str, Any]) -> None:
        messages.append(message)

    def onerror(message: Any) -> None:
        errors_seen.append(message)

    def onclose(message: Any) -> None:
        closed.append(message)

    def onopen() -> None:
        data_type = "SymbolUpdate"
        symbols = [SBIN, NIFTY]
        fyers.subscribe(symbols=symbols, data_type=data_type)
        fyers.keep_running()
        connected.set()

    fyers = data_ws.FyersDataSocket(access_token=access_token, log_path="", litemode=False, write_to_file=False,
                                    reconnect=True, on_connect=onopen, on_close=onclose, on_error=onerror,
                                    on_message=onmessage)
    fyers.connect()
    try:
        assert connected.wait(5) and fyers.is_connected()
        assert wait_for(lambda: any(m.get("symbol") == SBIN and "ltp" in m for m in messages))
        assert wait_for(lambda: any(m.get("symbol") == NIFTY for m in messages))
        assert {"type": "sub", "code": 200, "message": "Subscribed", "s": "ok"} in messages
        tick = next(m for m in messages if m.get("symbol") == SBIN and m.get("type") == "sf")
        assert {"ltp", "vol_traded_today", "last_traded_time", "bid_price", "ask_price"} <= set(tick)
        fyers.unsubscribe(symbols=[NIFTY], data_type="SymbolUpdate")
    finally:
        fyers.close_connection()
    assert closed == [{"code": 200, "message": "Connection Closed", "s": "ok"}]
    assert not errors_seen and not fyers.is_connected()


def test_data_socket_unreadable_token_goes_to_on_error() -> None:
    seen: List[Any] = []
    fyers = data_ws.FyersDataSocket(access_token="APP-100:not-a-jwt", on_error=seen.append)
    fyers.connect()
    assert seen == [{"type": "cn", "code": -300, "message": "Please provide valid token", "s": "error"}]


# -- order socket -----------------------------------------------------------------------------
def test_readme_order_socket(sb: Sandbox) -> None:
    token = sb.fyers.issue_access_token()
    access_token = f"{sb.fyers.client_id}:{token}"
    orders: List[Any] = []
    trades: List[Any] = []
    positions: List[Any] = []
    general: List[Any] = []
    connected = threading.Event()

    def onopen() -> None:
        data_type = "OnOrders,OnTrades,OnPositions,OnGeneral"
        fyers.subscribe(data_type=data_type)
        fyers.keep_running()
        connected.set()

    fyers = order_ws.FyersOrderSocket(access_token=access_token, write_to_file=False, log_path="",
                                      on_connect=onopen, on_close=lambda m: None, on_error=print,
                                      on_general=general.append, on_orders=orders.append,
                                      on_positions=positions.append, on_trades=trades.append)
    fyers.connect()
    try:
        assert connected.wait(5)
        assert wait_for(lambda: any(m.get("code") == 1605 for m in general))  # subscribed
        rest = fyersModel.FyersModel(client_id=sb.fyers.client_id, token=token)
        placed = rest.place_order({"symbol": SBIN, "qty": 1, "type": 2, "side": 1, "productType": "INTRADAY"})
        assert wait_for(lambda: bool(orders and trades and positions))
    finally:
        fyers.close_connection()
    assert orders[0]["s"] == "ok" and orders[0]["orders"]["id"] == placed["id"]
    assert trades[0]["trades"]["orderNumber"] == placed["id"]


def test_order_socket_prints_without_callbacks(capsys: pytest.CaptureFixture[str]) -> None:
    sock = order_ws.FyersOrderSocket(access_token="XB12345-100:fake-fyers-token-0123456789")
    sock.on_order({"s": "ok", "orders": {"id": "1"}})
    sock.On_error("boom")
    out = capsys.readouterr().out
    assert "Order : {'s': 'ok', 'orders': {'id': '1'}}" in out and "Error: boom" in out


def test_keeps_no_session_on_disk() -> None:
    from brokers.stores import MemoryStore

    model = fyersModel.FyersModel(client_id="XB12345-100", token="fake-fyers-token-0123456789")
    store = model.fyers.store
    assert isinstance(getattr(store, "inner", store), MemoryStore)  # as fyers_apiv3, nothing persists
