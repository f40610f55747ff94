"""One strategy, every broker: subscribe, wait for a condition, place a bracket of
orders, track them to completion, print positions and P&L.

``run(broker)`` is the strategy. It only speaks :mod:`brokers.unified`, so it runs
unchanged on Kite, Dhan, Fyers and the paper broker::

    python examples/strategy.py kite          # against the bundled sandbox
    python examples/strategy.py paper-dhan    # paper trading on the sandbox's Dhan prices

With a real account, connect as you would and call ``run(broker)``::

    broker = brokers.connect("kite", user_id="AB1234", password=..., totp_secret=...)
    run(broker, "NSE:INFY", 1)
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

import brokers
from brokers.unified import Broker, Order, Position, Status


@dataclass
class Result:
    entry: Order
    target: Order
    stop: Order
    exit: Optional[Order]
    positions: List[Position]
    pnl: float


def _tick_round(price: float, tick: float) -> float:
    tick = tick or 0.05
    return round(round(price / tick) * tick, 4)


def run(broker: Broker, symbol: str = "NSE:INFY", quantity: int = 1, *, ticks: int = 3, hold: float = 3.0,
        target_pct: float = 1.0, stop_pct: float = 1.0, timeout: float = 30.0,
        out: Callable[[str], Any] = print) -> Result:
    """Buy ``quantity`` of ``symbol`` once ``ticks`` ticks have come in, bracket it with
    a target (LIMIT) and a stop (STOP) ``target_pct``/``stop_pct`` % away, and exit at
    market after ``hold`` seconds if neither has filled; every order ends final."""
    latest: Dict[str, Order] = {}
    seen: List[float] = []
    changed = threading.Condition()

    def on_tick(tick: Any) -> None:
        with changed:
            seen.append(tick.last_price)
            changed.notify_all()

    def on_order(order: Order) -> None:
        with changed:
            latest[order.order_id] = order
            changed.notify_all()

    def wait_final(order: Order, until: float) -> Order:
        while not order.status.final and time.monotonic() < until:
            with changed:
                changed.wait(0.5)  # an update wakes us early; the order book is the truth
            order = broker.order(order.order_id)
        return order

    tick_size = broker.symbols.instrument(symbol).tick_size
    with broker.feed([symbol], "quote", on_tick=on_tick, on_order=on_order) as feed:
        if not feed.wait_ready(timeout):
            raise TimeoutError(f"{broker.name}: the feed did not come up in {timeout} s")
        with changed:  # the condition: enough ticks to trust the price
            if not changed.wait_for(lambda: len(seen) >= ticks, timeout):
                raise TimeoutError(f"{broker.name}: fewer than {ticks} ticks in {timeout} s")
        out(f"{broker.name}: {symbol} at {seen[-1]}, buying {quantity}")
        deadline = time.monotonic() + timeout
        entry = wait_final(broker.place_order(symbol, "BUY", quantity), deadline)
        if entry.status is not Status.COMPLETE:
            raise RuntimeError(f"{broker.name}: the entry ended {entry.status.value}: {entry.message}")
        price = entry.average_price
        target = broker.place_order(symbol, "SELL", quantity, order_type="LIMIT",
                                    price=_tick_round(price * (1 + target_pct / 100), tick_size))
        stop = broker.place_order(symbol, "SELL", quantity, order_type="STOP",
                                  trigger_price=_tick_round(price * (1 - stop_pct / 100), tick_size))
        out(f"{broker.name}: bought at {price}; target {target.price}, stop {stop.trigger_price}")
        hold_until = time.monotonic() + hold
        while time.monotonic() < hold_until:
            target, stop = broker.order(target.order_id), broker.order(stop.order_id)
            if target.status.final or stop.status.final:
                break
            with changed:
                changed.wait(min(0.5, max(0.0, hold_until - time.monotonic())))
        exit_order = None
        for leg in (target, stop):  # one leg done (or time up): cancel what is still working
            if not leg.status.final:
                broker.cancel_order(leg.order_id)
        target = wait_final(broker.order(target.order_id), deadline)
        stop = wait_final(broker.order(stop.order_id), deadline)
        if Status.COMPLETE not in (target.status, stop.status):
            exit_order = wait_final(broker.place_order(symbol, "SELL", quantity), deadline)
            out(f"{broker.name}: neither leg filled in {hold} s; sold at {exit_order.average_price}")
    positions = [p for p in broker.positions() if p.symbol == symbol]
    pnl = round(sum(p.sell_quantity * p.sell_price - p.buy_quantity * p.buy_price for p in positions
                    if p.quantity == 0), 2)
    for p in positions:
        out(f"{broker.name}: {p.symbol} {p.product.value} net {p.quantity} bought {p.buy_quantity}@{p.buy_price} "
            f"sold {p.sell_quantity}@{p.sell_price}")
    out(f"{broker.name}: P&L {pnl}")
    return Result(entry, target, stop, exit_order, positions, pnl)


def sandbox_how(sb: Any, name: str) -> Dict[str, Any]:
    """Every keyword that points ``brokers.connect(name, ...)`` at the sandbox (REST and
    feeds, from ``sb.broker_urls``) and logs in to its first account."""
    how = dict(sb.broker_urls(name))
    if name == "kite":
        acct = sb.kite.accounts["AB1234"]
        how.update(user_id="AB1234", password=acct.password, totp_secret=acct.totp_secret)
    elif name == "dhan":
        cid = next(iter(sb.dhan.accounts))
        how.update(client_id=cid, access_token=sb.dhan.issue_token(cid))
    else:
        how.update(client_id=sb.fyers.client_id, token=sb.fyers.issue_access_token())
    return how


def sandbox_broker(sb: Any, name: str, store: Any) -> Broker:
    """A Broker on the bundled sandbox: ``kite``, ``dhan``, ``fyers`` or ``paper-<one of them>``."""
    if name.startswith("paper-"):
        return brokers.connect("paper", prices=sandbox_broker(sb, name[6:], store), store=store, funds=100_000)
    return brokers.connect(name, store=store, **sandbox_how(sb, name))


def main(argv: Optional[List[str]] = None) -> int:
    from brokers.sandbox import Sandbox
    from brokers.stores import MemoryStore

    names = (argv if argv is not None else sys.argv[1:]) or ["kite"]
    with Sandbox() as sb:
        for name in names:
            broker = sandbox_broker(sb, name, MemoryStore())
            try:
                run(broker)
            finally:
                broker.close()
                prices = getattr(broker, "prices", None)
                if prices is not None:
                    prices.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
