"""Reconciling order calls whose answer was lost, by the order's tag.

:func:`reconcile` runs when a placement raised
:class:`~brokers.errors.OrderStateUnknown`: it reads the order book with a
bounded backoff and returns the order carrying the tag, or raises
:class:`~brokers.errors.OrderNotPlaced` once two reads of the book made at least
``broker.settle`` seconds after the call both lack it (the lost request would have
landed by then), or :class:`~brokers.errors.OrderStateUnknown` (with ``.tag``) when
the book could not be read within ``broker.reconcile_timeout``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Optional

from .. import errors
from .models import Order
from .orders import OrderRequest

if TYPE_CHECKING:
    from .base import Broker

__all__ = ["after_lost_change", "reconcile", "unknown"]

log = logging.getLogger(__name__)

# What a read of the book may meet while the broker is unwell: wait and read again.
TRANSIENT = (errors.NetworkError, errors.ServerError, errors.RateLimitError, errors.ResponseError)


def unknown(broker: str, tag: Optional[str], message: str, order_id: Optional[str] = None) -> errors.OrderStateUnknown:
    err = errors.OrderStateUnknown(message, broker=broker)
    err.tag, err.order_id = tag, order_id
    return err


def reconcile(broker: "Broker", tag: str, sent: float, req: Optional[OrderRequest]) -> Order:
    """The order placed with ``tag`` (sent at monotonic time ``sent``); see the module."""
    deadline = sent + broker.reconcile_timeout
    delay, absent, last_error = 0.25, 0, None
    while True:
        try:
            known = broker._known_ids(tag)
            found = [o for o in broker._find_tag(tag) if o.order_id not in known and _same(o, req)]
        except TRANSIENT as e:
            last_error = e
        else:
            if found:
                log.info("%s: order %s found by its tag %s", broker.name, found[0].order_id, tag)
                return found[0]
            absent = absent + 1 if time.monotonic() - sent >= broker.settle else 0
            if absent >= 2:
                raise errors.OrderNotPlaced(
                    f"the order with tag {tag!r} is not in the order book {broker.settle:g} s after the lost "
                    "answer: the broker never took it; it is safe to place again", broker=broker.name, tag=tag)
        now = time.monotonic()
        if now >= deadline:
            break
        broker._sleep(min(delay, max(0.0, deadline - now)))
        delay = min(delay * 2, 2.0)
    why = f" (last error: {last_error})" if last_error else ""
    raise unknown(broker.name, tag, f"the answer to the order with tag {tag!r} was lost and the order book could "
                                    f"not be read for {broker.reconcile_timeout:g} s{why}; look for the tag before "
                                    f"placing it again (broker.resolve({tag!r}))")


def _same(order: Order, req: Optional[OrderRequest]) -> bool:
    """Whether ``order`` is what ``req`` asked for (a tag reused for another order is not it)."""
    if req is None:
        return True
    return (order.symbol == req.symbol and order.side is req.side and order.quantity == req.quantity
            and order.order_type is req.order_type)


def after_lost_change(broker: "Broker", order_id: str) -> Order:
    """A modify/cancel whose answer was lost: wait up to ``settle`` for the order to show
    a change, then return it as it stands (the caller sees its status)."""
    end = time.monotonic() + min(broker.settle, broker.reconcile_timeout)
    delay = 0.25
    before: Optional[Order] = None
    while True:
        order: Optional[Order] = None
        try:
            order = broker._order(order_id)
            if order.status.final or (before is not None and order != before):
                return order
            before = order if before is None else before
        except TRANSIENT:
            pass
        if time.monotonic() >= end:
            if order is not None:
                return order
            raise unknown(broker.name, None, f"order {order_id}: the answer to the change was lost and the order "
                                             "could not be read; look it up before trying again", order_id)
        broker._sleep(delay)
        delay = min(delay * 2, 2.0)
