"""Migration suite for kiteconnect's KiteTicker: its README script with only the import
line changed, against the sandbox; callbacks get the ticker and kiteconnect's arguments."""

from __future__ import annotations

import json
import threading
from typing import Any, Dict, List

import pytest
import requests

# was: from kiteconnect import KiteTicker
from brokers.compat.kiteconnect import KiteTicker
from brokers.kite import KiteFeed
from brokers.sandbox import Sandbox

from ..conftest import wait_for

INFY, SBIN = 408065, 779521


def _ticker(sb: Sandbox, **kw: Any) -> KiteTicker:
    return KiteTicker(sb.kite.api_key, sb.kite.issue_access_token("AB1234"), **kw)


def test_readme_script_threaded(sb: Sandbox) -> None:
    api_key, access_token = sb.kite.api_key, sb.kite.issue_access_token("AB1234")
    seen: Dict[str, List[Any]] = {"ticks": [], "connect": [], "close": []}
    # ---- kiteconnect README ----
    kws = KiteTicker(api_key, access_token)

    def on_ticks(ws: Any, ticks: Any) -> None:
        seen["ticks"].append((ws, ticks))

    def on_connect(ws: Any, response: Any) -> None:
        seen["connect"].append((ws, response))
        ws.subscribe([INFY, SBIN])
        ws.set_mode(ws.MODE_FULL, [INFY])

    def on_close(ws: Any, code: Any, reason: Any) -> None:
        seen["close"].append((ws, code, reason))

    kws.on_ticks = on_ticks
    kws.on_connect = on_connect
    kws.on_close = on_close
    kws.connect(threaded=True)
    try:
        assert wait_for(lambda: any(t["instrument_token"] == INFY and t["mode"] == "full"
                                    for _, ticks in seen["ticks"] for t in ticks))
        assert wait_for(lambda: any(t["instrument_token"] == SBIN for _, ticks in seen["ticks"] for t in ticks))
        assert kws.is_connected()
        assert kws.subscribed_tokens == {INFY: "full", SBIN: "quote"}
    finally:
        kws.close()
    assert all(ws is kws for ws, _ in seen["ticks"]) and seen["connect"][0][0] is kws
    assert wait_for(lambda: bool(seen["close"])) and seen["close"][0][0] is kws
    tick = next(t for _, ticks in seen["ticks"] for t in ticks if t["mode"] == "full")
    assert {"last_price", "ohlc", "depth", "exchange_timestamp", "tradable"} <= set(tick)
    assert not kws.is_connected()


def test_blocking_connect_returns_when_stopped_and_restarts(sb: Sandbox) -> None:
    kws = _ticker(sb)
    ticks: List[Any] = []
    kws.on_connect = lambda ws, response: ws.subscribe([INFY])

    def on_ticks(ws: Any, batch: Any) -> None:
        ticks.extend(batch)
        if len(ticks) >= 2:
            ws.stop()

    kws.on_ticks = on_ticks
    runner = threading.Thread(target=kws.connect)  # blocking, as kiteconnect's default
    runner.start()
    runner.join(10)
    assert not runner.is_alive() and len(ticks) >= 2
    ticks.clear()
    kws.connect(threaded=True)  # kiteconnect's reactor cannot be restarted; ours can
    try:
        assert wait_for(lambda: len(ticks) >= 1)
    finally:
        kws.close()


def test_blocking_connect_ctrl_c_returns_cleanly(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    kws = _ticker(sb)
    calls: List[bool] = []

    def interrupted(threaded: bool = False) -> None:
        calls.append(threaded)
        raise KeyboardInterrupt

    monkeypatch.setattr(kws.feed, "connect", interrupted)
    kws.connect()  # returns, as Twisted's reactor does on SIGINT
    assert calls == [False]


def test_order_updates_on_message_and_errors(sb: Sandbox) -> None:
    kws = _ticker(sb)
    orders: List[Any] = []
    messages: List[Any] = []
    errors: List[Any] = []
    kws.on_order_update = lambda ws, data: orders.append((ws, data))
    kws.on_message = lambda ws, payload, is_binary: messages.append((ws, payload, is_binary))
    kws.on_error = lambda ws, code, reason: errors.append((ws, code, reason))
    kws.on_connect = lambda ws, response: ws.subscribe([INFY])
    kws.on_ticks = lambda ws, ticks: None
    kws.connect(threaded=True)
    try:
        assert wait_for(lambda: any(binary for _, _, binary in messages))
        token = sb.kite.issue_access_token("AB1234")
        r = requests.post(sb.url + "/kite/connect/orders/regular", timeout=5,
                          headers={"Authorization": f"token {sb.kite.api_key}:{token}"},
                          data={"exchange": "NSE", "tradingsymbol": "INFY", "transaction_type": "BUY",
                                "quantity": "1", "product": "CNC", "order_type": "LIMIT", "price": "1500"})
        order_id = r.json()["data"]["order_id"]
        assert wait_for(lambda: any(d["order_id"] == order_id for _, d in orders))
        assert sb.kite_ticker.push_error("Something broke", "AB1234") >= 1
        assert wait_for(lambda: bool(errors))
    finally:
        kws.close()
    assert orders[0][0] is kws
    text = [json.loads(p) for _, p, binary in messages if not binary]
    assert any(m.get("type") == "order" and m["data"]["order_id"] == order_id for m in text)
    assert errors[0][0] is kws and errors[0][1] == 0 and "Something broke" in errors[0][2]


def test_reconnect_callbacks_and_resubscribe(sb: Sandbox) -> None:
    kws = _ticker(sb, reconnect_max_delay=5)
    kws.feed.initial_delay = 0.05
    reconnects: List[Any] = []
    connects: List[Any] = []
    ticks: List[Any] = []
    kws.on_reconnect = lambda ws, attempts_count: reconnects.append((ws, attempts_count))
    kws.on_connect = lambda ws, response: connects.append(ws)
    kws.on_ticks = lambda ws, batch: ticks.extend(batch)
    kws.subscribe([SBIN])
    kws.connect(threaded=True)
    try:
        assert wait_for(lambda: len(connects) == 1 and bool(ticks))
        sb.drop_feeds("/kite")
        assert wait_for(lambda: len(connects) == 2)
        ticks.clear()
        assert wait_for(lambda: any(t["instrument_token"] == SBIN for t in ticks))
    finally:
        kws.close()
    assert reconnects and reconnects[0][0] is kws and reconnects[0][1] == 1


def test_constants_and_constructor_limits() -> None:
    kws = KiteTicker("fake_api_key", "fake-kite-token-0123456789", reconnect_max_tries=1000, reconnect_max_delay=1)
    assert kws.reconnect_max_tries == 300 and kws.reconnect_max_delay == 5
    assert (KiteTicker.MODE_FULL, KiteTicker.MODE_QUOTE, KiteTicker.MODE_LTP) == ("full", "quote", "ltp")
    assert KiteTicker.EXCHANGE_MAP["nse"] == 1 and KiteTicker.EXCHANGE_MAP["indices"] == 9
    assert kws.root == "wss://ws.kite.trade"


def test_kitefeed_takes_kitetickers_positional_order() -> None:
    feed = KiteFeed("my_api_key", "my_access_token")
    assert not feed.web and feed.api_key == "my_api_key" and feed.user_id is None


def test_ssl_and_proxy_options_reach_the_socket(sb: Sandbox) -> None:
    kws = _ticker(sb)
    connected = threading.Event()
    kws.on_connect = lambda ws, response: connected.set()
    kws.connect(threaded=True, disable_ssl_verification=True)
    try:
        assert connected.wait(5)
    finally:
        kws.close()
    assert kws.feed._ws._options["sslopt"]["check_hostname"] is False
    kws.connect(threaded=True, proxy={"host": "127.0.0.1", "port": 9})
    try:  # (the tests' NO_PROXY covers 127.0.0.1, so websocket-client may bypass it)
        assert kws.feed._ws._options["http_proxy_host"] == "127.0.0.1"
        assert kws.feed._ws._options["http_proxy_port"] == 9
    finally:
        kws.close()
