"""Orders never end in "unknown": under each fault of the sandbox, exactly one order
exists at the broker and the caller gets it, or OrderNotPlaced (then a retry places it)."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from brokers import errors
from brokers.sandbox import Sandbox
from brokers.unified import Broker, Status

from .conftest import BROKERS, ORDER_PATHS, order_count

FAST = {"timeout": (2.0, 0.5)}  # read timeout 0.5 s: settle = 3 s


def _place(broker: Broker, tag: str) -> Any:
    return broker.place_order("NSE:SBIN", "BUY", 3, order_type="LIMIT", price=700.0, tag=tag)


@pytest.mark.parametrize("name", BROKERS)
def test_answer_dropped_after_the_broker_took_the_order(sb: Sandbox, make_broker: Callable[..., Broker],
                                                        name: str) -> None:
    broker = make_broker(name, **FAST)
    sb.drop_next(1, path=ORDER_PATHS[name], after=True)
    order = _place(broker, "dropafter1")
    assert order_count(sb, name, "dropafter1") == 1
    assert order.tag == "dropafter1" and order.symbol == "NSE:SBIN" and order.quantity == 3
    assert order.status is Status.OPEN and order.price == 700.0
    assert sb.faults.take(ORDER_PATHS[name]) is None  # the fault was used up by the placement


@pytest.mark.parametrize("name", BROKERS)
@pytest.mark.parametrize("fault", ["drop-before", "502"])
def test_request_lost_before_the_broker_took_it(sb: Sandbox, make_broker: Callable[..., Broker], name: str,
                                                fault: str) -> None:
    broker = make_broker(name, **FAST)
    if fault == "502":
        sb.fail_next(1, 502, path=ORDER_PATHS[name])
    else:
        sb.drop_next(1, path=ORDER_PATHS[name])
    with pytest.raises(errors.OrderNotPlaced) as info:
        _place(broker, "lost1")
    assert info.value.tag == "lost1" and info.value.broker == name
    assert sb.faults.take(ORDER_PATHS[name]) is None
    assert order_count(sb, name, "lost1") == 0
    order = _place(broker, "lost1")  # safe to retry: now exactly one
    assert order_count(sb, name, "lost1") == 1
    assert order.tag == "lost1"


@pytest.mark.parametrize("name", BROKERS)
def test_stall_past_the_timeout(sb: Sandbox, make_broker: Callable[..., Broker], name: str) -> None:
    broker = make_broker(name, **FAST)
    sb.stall_next(1, seconds=1.5, path=ORDER_PATHS[name])
    order = _place(broker, "stalled1")
    assert order_count(sb, name, "stalled1") == 1
    assert order.tag == "stalled1" and order.status is Status.OPEN
    assert sb.faults.take(ORDER_PATHS[name]) is None


@pytest.mark.parametrize("name", BROKERS)
def test_unreachable_broker_leaves_the_tag_unresolved(sb: Sandbox, make_broker: Callable[..., Broker],
                                                      name: str) -> None:
    broker = make_broker(name, timeout=(2.0, 0.5), settle=1.0, reconcile_timeout=2.0, retries=0) \
        if name == "kite" else make_broker(name, timeout=(2.0, 0.5), settle=1.0, reconcile_timeout=2.0)
    assert broker.symbols  # load the master before the broker goes away
    sb.drop_next(1, path=ORDER_PATHS[name])
    sb.fail_next(10_000, 503)
    with pytest.raises(errors.OrderStateUnknown) as info:
        _place(broker, "gone1")
    assert info.value.tag == "gone1"
    posts = len(sb.requests("POST")) + len(sb.requests("PUT"))
    with pytest.raises(errors.OrderStateUnknown, match="not resolved yet"):
        _place(broker, "gone1")  # no duplicate is sent while the first is unresolved
    assert len(sb.requests("POST")) + len(sb.requests("PUT")) == posts
    sb.faults.clear()
    with pytest.raises(errors.OrderNotPlaced):
        broker.resolve("gone1")
    assert _place(broker, "gone1").tag == "gone1"
    assert order_count(sb, name, "gone1") == 1


@pytest.mark.parametrize("name", BROKERS)
def test_a_reused_tag_does_not_find_the_earlier_order(sb: Sandbox, make_broker: Callable[..., Broker],
                                                      name: str) -> None:
    broker = make_broker(name, **FAST)
    first = _place(broker, "again1")
    sb.drop_next(1, path=ORDER_PATHS[name])
    with pytest.raises(errors.OrderNotPlaced):
        _place(broker, "again1")
    assert order_count(sb, name, "again1") == 1
    assert broker.order(first.order_id).tag == "again1"


@pytest.mark.parametrize("name", BROKERS)
def test_a_cancel_whose_answer_is_lost_returns_the_order_as_it_stands(
        sb: Sandbox, make_broker: Callable[..., Broker], name: str) -> None:
    broker = make_broker(name, **FAST)
    order = _place(broker, "cancel1")
    paths = {"kite": f"/kite/web/oms/orders/regular/{order.order_id}", "dhan": f"/dhan/v2/orders/{order.order_id}",
             "fyers": "/fyers/api/v3/orders/sync"}
    sb.drop_next(1, path=paths[name], after=True)
    cancelled = broker.cancel_order(order.order_id)
    assert sb.faults.take(paths[name]) is None
    assert cancelled.status is Status.CANCELLED and cancelled.order_id == order.order_id
