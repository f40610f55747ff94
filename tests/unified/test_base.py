"""The Broker's own rules, on a fake broker: tags in flight, reconciliation bounds."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, Dict, List, Optional

import pytest

from brokers import errors
from brokers.symbols import Instrument, SymbolMaster
from brokers.unified import Broker, Candle, Funds, Order, OrderType, Product, Quote, Side, Status
from brokers.unified.feed import Feed
from brokers.unified.orders import OrderRequest

MASTER = SymbolMaster("kite", [Instrument("kite", "NSE:INFY", "NSE", "NSE", "INFY", 1)])


class FakeBroker(Broker):
    name = "fake"

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("settle", 0.05)
        kw.setdefault("reconcile_timeout", 0.5)
        super().__init__(master=MASTER, **kw)
        self.book: Dict[str, Order] = {}
        self.lose: Optional[str] = None  # "after": take the order, lose the answer; "before": lose both
        self.book_down = False
        self.gate: Optional[threading.Event] = None
        self.sent = 0

    def _place(self, req: OrderRequest) -> str:
        self.sent += 1
        if self.gate is not None:
            self.gate.wait(5)
        if self.lose == "before":
            raise errors.OrderStateUnknown("lost", broker="fake")
        oid = str(len(self.book) + 1)
        self.book[oid] = Order(oid, req.symbol, req.side, req.order_type, req.product, req.quantity, Status.OPEN,
                               "OPEN", price=req.price, tag=req.tag)
        if self.lose == "after":
            raise errors.OrderStateUnknown("lost", broker="fake")
        return oid

    def _orders(self) -> List[Order]:
        if self.book_down:
            raise errors.ServerError("down", broker="fake", status=503)
        return list(self.book.values())

    def _order(self, order_id: str) -> Order:
        return self.book[order_id]

    def _modify(self, order: Order, quantity: int, order_type: OrderType, price: Optional[float],
                trigger_price: Optional[float]) -> None: ...

    def _cancel(self, order: Order) -> None: ...

    def trades(self) -> List[Any]:
        return []

    def positions(self) -> List[Any]:
        return []

    def holdings(self) -> List[Any]:
        return []

    def funds(self) -> Funds:
        return Funds(0.0)

    def _quote(self, symbols: List[str]) -> Dict[str, Quote]:
        return {}

    def _history(self, symbol: str, start: dt.datetime, end: dt.datetime, interval: str) -> List[Candle]:
        return []

    def _open_feed(self, feed: Feed) -> None: ...


def test_a_lost_answer_is_found_by_its_tag() -> None:
    b = FakeBroker()
    b.lose = "after"
    order = b.place_order("NSE:INFY", "BUY", 1, tag="a1")
    assert order.tag == "a1" and len(b.book) == 1


def test_a_lost_request_is_not_placed_and_the_tag_is_free_again() -> None:
    b = FakeBroker()
    b.lose = "before"
    with pytest.raises(errors.OrderNotPlaced) as info:
        b.place_order("NSE:INFY", "BUY", 1, tag="b1")
    assert info.value.tag == "b1" and isinstance(info.value, errors.OrderError)
    b.lose = None
    assert b.place_order("NSE:INFY", "BUY", 1, tag="b1").tag == "b1"


def test_an_unreadable_book_gives_up_within_the_bound() -> None:
    b = FakeBroker()
    b.lose, b.book_down = "before", True
    with pytest.raises(errors.OrderStateUnknown) as info:
        b.place_order("NSE:INFY", "BUY", 1, tag="c1")
    assert info.value.tag == "c1" and "c1" in str(info.value) and "down" in str(info.value)
    with pytest.raises(errors.OrderStateUnknown, match="not resolved yet"):
        b.place_order("NSE:INFY", "BUY", 1, tag="c1")
    assert b.sent == 1
    b.book_down = False
    with pytest.raises(errors.OrderNotPlaced):
        b.resolve("c1")
    b.lose = None
    b.place_order("NSE:INFY", "BUY", 1, tag="c1")
    assert b.sent == 2


def test_the_same_tag_from_two_threads_sends_once() -> None:
    b = FakeBroker()
    b.gate = threading.Event()
    first: List[Order] = []
    t = threading.Thread(target=lambda: first.append(b.place_order("NSE:INFY", "BUY", 1, tag="d1")))
    t.start()
    try:
        while b.sent == 0:
            threading.Event().wait(0.01)
        with pytest.raises(errors.OrderStateUnknown, match="not resolved yet"):
            b.place_order("NSE:INFY", "BUY", 1, tag="d1")
    finally:
        b.gate.set()
        t.join(5)
    assert b.sent == 1 and first[0].tag == "d1"


def test_settle_must_be_shorter_than_the_bound() -> None:
    with pytest.raises(ValueError, match="settle"):
        FakeBroker(settle=5.0, reconcile_timeout=1.0)


def test_an_older_order_with_the_tag_but_other_terms_is_not_taken_for_it() -> None:
    b = FakeBroker()
    b.book["9"] = Order("9", "NSE:INFY", Side.BUY,
                        OrderType.MARKET, Product.INTRADAY, 7,
                        Status.COMPLETE, "COMPLETE", tag="e1")  # from an earlier run
    b.lose = "before"
    with pytest.raises(errors.OrderNotPlaced):
        b.place_order("NSE:INFY", "BUY", 1, tag="e1")
