"""The paper broker: fills at the touch and on crossing, margin and holdings checks,
and an account that lives in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict

import pytest

import brokers
from brokers.stores import FileStore, MemoryStore
from brokers.unified import Broker, Status
from brokers.unified.paper import account as acct

from ..conftest import wait_for


def _order(**kw: Any) -> Dict[str, Any]:
    base = {"symbol": "NSE:INFY", "side": "BUY", "quantity": 10, "order_type": "MARKET", "product": "INTRADAY",
            "validity": "DAY", "price": None, "trigger_price": None, "tag": "t", "option": False}
    base.update(kw)
    return base


def test_market_orders_fill_at_the_touch() -> None:
    doc = acct.new_account(100_000)
    buy = acct.place(doc, _order(), (99.9, 100.1, 100.0))
    sell = acct.place(doc, _order(side="SELL"), (99.9, 100.1, 100.0))
    assert doc["orders"][buy]["average_price"] == 100.1 and doc["orders"][sell]["average_price"] == 99.9
    assert acct.cash(doc) == pytest.approx(100_000 - 2.0)  # the spread, realised
    stale = acct.place(doc, _order(), (99.0, 113.0, 100.0))  # a 13 % spread is a stale quote: the last price
    assert doc["orders"][stale]["average_price"] == 100.0
    assert acct.used_margin(doc) == pytest.approx(10 * 100.05 * 0.2)  # the open 10, at their average, block 20 %


def test_limits_fill_when_the_price_crosses_and_stops_when_triggered() -> None:
    doc = acct.new_account(100_000)
    lim = acct.place(doc, _order(order_type="LIMIT", price=95.0), (99.0, 101.0, 100.0))
    stop = acct.place(doc, _order(side="SELL", order_type="STOP", trigger_price=90.0, quantity=10),
                      (99.0, 101.0, 100.0))
    assert doc["orders"][lim]["status"] == "OPEN" and doc["orders"][stop]["status"] == "OPEN"
    assert acct.match(doc, "NSE:INFY", (95.5, 96.0, 95.8)) == []
    assert acct.match(doc, "NSE:INFY", (94.1, 94.3, 94.2)) == [lim]
    assert doc["orders"][lim]["average_price"] == 94.2  # the last price, better than the limit
    assert acct.match(doc, "NSE:INFY", (89.85, 89.95, 89.9)) == [stop]
    assert doc["orders"][stop]["average_price"] == 89.85  # triggered: at the bid
    p = doc["positions"]["NSE:INFY|INTRADAY"]
    assert p["buy_qty"] == p["sell_qty"] == 10


def test_ioc_that_cannot_fill_is_cancelled() -> None:
    doc = acct.new_account(100_000)
    oid = acct.place(doc, _order(order_type="LIMIT", price=90.0, validity="IOC"), (99.0, 101.0, 100.0))
    assert doc["orders"][oid]["status"] == "CANCELLED"


def test_sells_without_holdings_or_margin_are_rejected() -> None:
    doc = acct.new_account(1_000)
    no_shares = acct.place(doc, _order(side="SELL", product="DELIVERY"), (99.0, 101.0, 100.0))
    assert doc["orders"][no_shares]["status"] == "REJECTED"
    assert "holdings" in doc["orders"][no_shares]["message"]
    short = acct.place(doc, _order(side="SELL", quantity=100), (99.0, 101.0, 100.0))  # 20% of 9900 > 1000
    assert doc["orders"][short]["status"] == "REJECTED" and "margin" in doc["orders"][short]["message"]
    ok = acct.place(doc, _order(side="SELL", quantity=10), (99.0, 101.0, 100.0))  # 20% of 990 fits
    assert doc["orders"][ok]["status"] == "COMPLETE"
    close = acct.place(doc, _order(side="BUY", quantity=10), (99.0, 101.0, 100.0))  # reduces: no margin needed
    assert doc["orders"][close]["status"] == "COMPLETE"


def test_delivery_builds_holdings_with_average_prices() -> None:
    doc = acct.new_account(10_000)
    acct.place(doc, _order(product="DELIVERY", quantity=10), (99.0, 100.0, 100.0))
    acct.place(doc, _order(product="DELIVERY", quantity=10), (109.0, 110.0, 110.0))
    assert doc["holdings"]["NSE:INFY"] == {"qty": 20, "avg": 105.0}
    assert acct.cash(doc) == pytest.approx(10_000 - 2100)
    acct.place(doc, _order(side="SELL", product="DELIVERY", quantity=5), (120.0, 121.0, 120.5))
    assert doc["holdings"]["NSE:INFY"]["qty"] == 15
    assert acct.cash(doc) == pytest.approx(10_000 - 2100 + 600)


def test_the_account_survives_a_restart_and_is_shared(make_broker: Callable[..., Broker], tmp_path: Any) -> None:
    live = make_broker("kite")
    store = FileStore(tmp_path)
    one = brokers.connect("paper", prices=live, store=store, funds=50_000)
    two = brokers.connect("paper", prices=live, store=FileStore(tmp_path), funds=1)  # the same account
    try:
        bought = one.place_order("NSE:INFY", "BUY", 2, tag="keep1")
        assert bought.status is Status.COMPLETE
        assert two.order(bought.order_id) == bought
        resting = two.place_order("NSE:INFY", "SELL", 2, order_type="LIMIT", price=99_999.0)
        assert {o.order_id for o in one.orders()} == {bought.order_id, resting.order_id}
        assert one.funds().total == two.funds().total and two.funds().total < 50_000 + 100
    finally:
        one.close()
        two.close()
    again = brokers.connect("paper", prices=live, store=FileStore(tmp_path))
    try:
        assert again.order(resting.order_id).status is Status.OPEN
        assert again.cancel_order(resting.order_id).status is Status.CANCELLED
        [pos] = again.positions()
        assert pos.quantity == 2 and pos.buy_quantity == 2
    finally:
        again.close()


@pytest.mark.parametrize("name", ["kite", "dhan", "fyers"])
def test_resting_orders_fill_on_live_prices(sb: Any, make_broker: Callable[..., Broker], name: str) -> None:
    live = make_broker(name)
    paper = brokers.connect("paper", prices=live, store=MemoryStore(), funds=1_000_000)
    updates: list = []
    symbols = ["NSE:SBIN", "NSE:TCS", "NSE:RELIANCE"]
    try:
        with paper.feed(symbols[:1], "quote", on_order=updates.append) as feed:
            assert feed.wait_ready(10)
            resting = {}
            for sym in symbols:  # each symbol's prices are watched, on one feed of prices
                last = live.quote(sym)[sym].last_price
                resting[sym] = (paper.place_order(sym, "BUY", 1, order_type="LIMIT", price=round(last - 10, 1)), last)
                assert resting[sym][0].status is Status.OPEN
            for sym, (_, last) in resting.items():
                inst = sb.market.find(sym)
                with sb.market.lock:
                    inst.last = round(last - 20, 2)  # the market falls through the limit
            for sym, (order, _) in resting.items():
                oid = order.order_id
                assert wait_for(lambda oid=oid: paper.order(oid).status is Status.COMPLETE, 15), sym
                assert paper.order(oid).average_price <= order.price
            first = resting["NSE:SBIN"][0]
            assert wait_for(lambda: any(u.order_id == first.order_id and u.status is Status.COMPLETE
                                        for u in list(updates)), 5)
    finally:
        paper.close()


_WORKER = """
import sys
import brokers
from brokers.stores import FileStore, MemoryStore
url, user, password, secret, path, n = sys.argv[1:7]
from brokers.sandbox import client_urls
live = brokers.connect("kite", store=MemoryStore(), rate_limits=False, user_id=user, password=password,
                       totp_secret=secret, **client_urls(url, "kite"))
paper = brokers.connect("paper", prices=live, store=FileStore(path), funds=1_000_000)
for i in range(int(n)):
    assert paper.place_order("NSE:INFY", "BUY", 1).status.value == "COMPLETE"
paper.close()
"""


def test_processes_share_one_account(sb: Any, tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    acct = sb.kite.accounts["AB1234"]
    args = [sb.url, "AB1234", acct.password, acct.totp_secret, str(tmp_path), "5"]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, *args], env=env) for _ in range(3)]
    assert [p.wait(120) for p in procs] == [0, 0, 0]
    from brokers.unified.paper import account as paper_account
    doc = FileStore(tmp_path).read_state("paper-default")
    assert doc is not None and len(doc["orders"]) == 15 and doc["next_id"] == 16
    assert doc["positions"]["NSE:INFY|INTRADAY"]["buy_qty"] == 15
    assert paper_account.available(doc) < 1_000_000
