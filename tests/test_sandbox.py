"""The sandbox as a whole: ``broker_urls``, per-account request counts, fixed ports,
the ``brokers sandbox`` command, and candles on the exchange's grid for any start."""

from __future__ import annotations

import datetime as dt
import io
import socket
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokers.__main__ import main
from brokers.dhan import Dhan
from brokers.fyers import Fyers
from brokers.ist import IST
from brokers.kite import Kite
from brokers.sandbox import Sandbox
from brokers.sandbox.market import Market
from brokers.stores import MemoryStore

FEEDS = {"kite": {"feed_url"}, "dhan": {"feed_url", "order_feed_url"}, "fyers": {"feed_url", "order_feed_url"}}


# -- broker_urls -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["kite", "dhan", "fyers"])
def test_broker_urls_point_rest_and_every_feed_at_the_sandbox(sandbox, name):
    urls = sandbox.broker_urls(name)
    rest = {"kite": sandbox.kite_urls(), "dhan": sandbox.dhan_urls(), "fyers": sandbox.fyers_urls()}[name]
    assert set(urls) == set(rest) | FEEDS[name]
    for key, value in urls.items():
        assert value.startswith(sandbox.ws_url if key in FEEDS[name] else sandbox.url), (key, value)
    paths = {k: urls[k][len(sandbox.ws_url):] for k in FEEDS[name]}
    served = [r.prefix for r in sandbox.ws_routes]
    assert all(any(p.startswith(prefix) for prefix in served) for p in paths.values())


def test_broker_urls_drive_each_client(sandbox):
    def rest(name):
        return {k: v for k, v in sandbox.broker_urls(name).items() if k not in FEEDS[name]}

    with Kite(access_token=sandbox.kite.issue_access_token(), api_key=sandbox.kite.api_key, store=MemoryStore(),
              **rest("kite")) as kite:
        kite.authorize()
        assert kite.profile()["user_id"] == "AB1234"
    with Dhan("1100000001", sandbox.dhan.issue_token(), cache_dir=False, **rest("dhan")) as dhan:
        assert dhan.get_fund_limits()["dhanClientId"] == "1100000001"
    with Fyers(client_id=sandbox.fyers.client_id, token=sandbox.fyers.issue_access_token(), **rest("fyers")) as fy:
        assert fy.get_profile()["data"]["fy_id"] == "XS00001"


def test_broker_urls_of_an_unknown_broker_is_a_value_error(sandbox):
    with pytest.raises(ValueError, match="upstox"):
        sandbox.broker_urls("upstox")


def test_the_old_url_helpers_still_answer(sandbox):
    assert sandbox.kite_urls()["root"].endswith("/kite/connect")
    assert sandbox.dhan_feed_urls()["url"].endswith("/dhan/feed")
    assert sandbox.dhan_order_urls()["url"].endswith("/dhan/orders")
    assert sandbox.fyers_order_url().endswith("/fyers/orders")
    assert sandbox.kite_feed_urls()["url"].endswith("/kite/ws")


# -- request counts -------------------------------------------------------------------------
def test_requests_are_counted_per_account_across_clients(make_sandbox):
    sb = make_sandbox(limits=True)
    sb.kite.rate_limits["default"] = (3, 1.0)
    tokens = [sb.kite.issue_access_token("AB1234") for _ in range(2)] + [sb.kite.issue_access_token("CD5678")]
    clients = [Kite(access_token=t, api_key=sb.kite.api_key, store=MemoryStore(), retries=0, rate_limits=False,
                    **sb.kite_urls()) for t in tokens]
    try:
        for c in clients:
            c.authorize()
        for c in clients:
            c.profile()
        clients[0].profile()
        clients[1].profile()  # AB1234's fourth call within the second: the sandbox answers 429
    except Exception as e:  # the 429 itself is counted too
        assert getattr(e, "status", None) == 429
    finally:
        for c in clients:
            c.close()
    assert sb.request_counts("kite") == {"AB1234": 4, "CD5678": 1}
    assert sb.busiest_window("kite", "AB1234", 60.0) == 4
    with pytest.raises(ValueError, match="seconds"):
        sb.busiest_window("kite", "AB1234", 0.0)
    assert sb.request_counts("dhan") == {} and sb.request_counts("fyers") == {}
    assert [r.account for r in sb.requests(path="/kite/connect/user/profile")].count("CD5678") == 1


def test_dhan_and_fyers_requests_carry_their_account(sandbox):
    with Dhan("1100000001", sandbox.dhan.issue_token(), cache_dir=False, **sandbox.dhan_urls()) as dhan:
        dhan.get_holdings()
        dhan.get_positions()
    with Fyers(client_id=sandbox.fyers.client_id, token=sandbox.fyers.issue_access_token(),
               **sandbox.fyers_urls()) as fy:
        fy.holdings()
    assert sandbox.request_counts("dhan") == {"1100000001": 2}
    assert sandbox.request_counts("fyers") == {"XS00001": 1}
    with pytest.raises(ValueError, match="broker"):
        sandbox.request_counts("zerodha")


def test_busiest_window_counts_the_densest_stretch():
    sb = Sandbox()
    for t in (0.0, 0.5, 0.9, 2.0, 2.1, 2.2, 2.3):
        sb.http.log.append(_logged(t))
    assert sb.busiest_window("kite", "AB1234", 1.0) == 4
    assert sb.busiest_window("kite", "AB1234", 0.15) == 2
    assert sb.busiest_window("kite", "AB1234", 10.0) == 7


def _logged(t: float):
    from brokers.sandbox.server import Logged

    return Logged("GET", "/kite/connect/user/profile", 200, t, "AB1234")


# -- ports and the command ------------------------------------------------------------------
def _free_pair() -> int:
    """A port P with P and P + 1 both free right now."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    pytest.skip("no two adjacent free ports")


def test_a_fixed_port_fixes_the_websocket_port_too():
    port = _free_pair()
    with Sandbox(port=port) as sb:
        assert sb.url.endswith(f":{port}") and sb.ws_url.endswith(f":{port + 1}")
    with Sandbox(port=port) as sb:  # the same two addresses on every run
        assert sb.ws_url.endswith(f":{port + 1}")


def test_ws_port_can_be_chosen():
    port = _free_pair()
    with Sandbox(ws_port=port) as sb:
        assert sb.ws_url.endswith(f":{port}")


def test_sandbox_command_with_for_prints_no_ctrl_c(capsys, monkeypatch):
    port = _free_pair()
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["sandbox", "--port", str(port), "--for", "0.05"]) == 0
    out = capsys.readouterr().out
    assert f"127.0.0.1:{port}" in out and f"ws://127.0.0.1:{port + 1}" in out
    assert "Ctrl-C" not in out


def test_sandbox_command_without_for_says_how_to_stop(capsys, monkeypatch):
    import types

    import brokers.commands

    stop = threading.Event()
    stop.set()  # the command's wait returns at once instead of waiting for Ctrl-C
    monkeypatch.setattr(brokers.commands, "threading", types.SimpleNamespace(Event=lambda: stop))
    assert main(["sandbox"]) == 0
    assert "press Ctrl-C to stop" in capsys.readouterr().out


# -- candles ---------------------------------------------------------------------------------
starts = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 12, 31)).map(
    lambda d: d.replace(tzinfo=IST))


@settings(max_examples=200, deadline=None)
@given(starts, st.sampled_from([1, 3, 5, 10, 15, 25, 30, 60, 1440]))
def test_candles_sit_on_the_exchanges_grid_for_any_start(start, minutes):
    market = Market()
    i = market.by_key["NSE:INFY"]
    rows = market.candles(i, start, start + dt.timedelta(days=4), minutes)
    for ts, *_ in rows:
        when = dt.datetime.fromtimestamp(ts, IST)
        assert when.second == 0 and when.microsecond == 0
        if minutes >= 1440:
            assert when.time() == dt.time(0, 0) and when.date() >= start.date()
        else:
            assert dt.time(9, 15) <= when.time() < dt.time(15, 30)
            assert ((when.hour * 60 + when.minute) - (9 * 60 + 15)) % minutes == 0
            assert when >= start
