"""examples/strategy.py runs unchanged on every broker and gives the same models."""

from __future__ import annotations

from typing import List

import pytest

from brokers.sandbox import Sandbox
from brokers.stores import MemoryStore
from brokers.unified import Order, Position, Product, Status

from .conftest import load_strategy


@pytest.mark.parametrize("name", ["kite", "dhan", "fyers", "paper-kite", "paper-dhan", "paper-fyers"])
def test_the_strategy_runs_on(sb: Sandbox, name: str) -> None:
    strategy = load_strategy()
    lines: List[str] = []
    broker = strategy.sandbox_broker(sb, name, MemoryStore())
    try:
        result = strategy.run(broker, "NSE:INFY", 1, hold=0.5, timeout=30, out=lines.append)
    finally:
        broker.close()
        if getattr(broker, "prices", None) is not None:
            broker.prices.close()
    assert broker.name == name.split("-")[0]
    for order in (result.entry, result.target, result.stop, result.exit):
        assert isinstance(order, Order) and order.symbol == "NSE:INFY" and order.product is Product.INTRADAY
        assert order.status.final
    assert result.entry.status is Status.COMPLETE and result.exit.status is Status.COMPLETE
    assert result.target.status is Status.CANCELLED and result.stop.status is Status.CANCELLED
    assert result.target.price is not None and result.stop.trigger_price is not None
    [pos] = result.positions
    assert isinstance(pos, Position) and pos.quantity == 0 and pos.buy_quantity == pos.sell_quantity == 1
    expected = round(result.exit.average_price - result.entry.average_price, 2)
    assert result.pnl == pytest.approx(expected, abs=0.011)
    assert lines[-1] == f"{broker.name}: P&L {result.pnl}"
