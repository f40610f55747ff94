"""broker.feed(): unified Ticks, and order updates as the same Orders order() returns."""

from __future__ import annotations

import threading
from typing import Callable, List

import pytest

from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore
from brokers.unified import Broker, Order, Status, Tick

from ..conftest import wait_for
from .conftest import BROKERS


@pytest.mark.parametrize("name", BROKERS + ("paper",))
def test_ticks_and_order_updates(sb: Sandbox, make_broker: Callable[..., Broker], name: str) -> None:
    import brokers

    broker = make_broker(name if name != "paper" else "kite")
    if name == "paper":
        broker = brokers.connect("paper", prices=broker, store=MemoryStore(), funds=50_000)
    ticks: List[Tick] = []
    orders: List[Order] = []
    lock = threading.Lock()

    def on_order(o: Order) -> None:
        with lock:
            orders.append(o)

    with broker.feed(["NSE:INFY", "NSE:SBIN"], "quote", on_tick=ticks.append, on_order=on_order) as feed:
        assert feed.wait_ready(10)
        if name == "dhan":  # Dhan does not acknowledge the order socket's login: ask the sandbox
            assert sb.dhan_feed.wait_order_login(broker.client.client_id, 5)
        assert wait_for(lambda: {t.symbol for t in ticks} >= {"NSE:INFY", "NSE:SBIN"}, 10)
        tick = feed.last("NSE:INFY")
        assert isinstance(tick, Tick) and tick.last_price > 0
        placed = broker.place_order("NSE:SBIN", "BUY", 2, order_type="LIMIT", price=500.0, tag="feed1")
        assert wait_for(lambda: any(o.order_id == placed.order_id for o in list(orders)), 10)
        broker.cancel_order(placed.order_id)
        assert wait_for(lambda: any(o.order_id == placed.order_id and o.status is Status.CANCELLED
                                    for o in list(orders)), 10)
    with lock:
        mine = [o for o in orders if o.order_id == placed.order_id]
    assert all(o.tag == "feed1" and o.symbol == "NSE:SBIN" and o.quantity == 2 for o in mine)
    assert mine[-1] == broker.order(placed.order_id)
    if name == "paper":
        broker.close()


def test_feed_checks_its_arguments(make_broker: Callable[..., Broker]) -> None:
    broker = make_broker("kite")
    with pytest.raises(ValueError, match="mode"):
        broker.feed(["NSE:INFY"], "depth")
    with pytest.raises(ValueError, match=r"symbols\[1\]"):
        broker.feed(["NSE:INFY", "NSE:NOPE"])
