"""The paper broker: the :class:`~brokers.unified.base.Broker` interface over an
account kept in a store, filled against another Broker's live prices."""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from typing import Any, Callable, Dict, List, Optional, Set

from ... import errors
from ...history import Candle
from ...stores import SessionStore
from ..base import Broker
from ..convert import when
from ..enums import OrderType, Product, Side, Status, Validity
from ..feed import Feed
from ..models import Funds, Holding, Order, Position, Quote, Tick, Trade
from ..orders import OrderRequest
from ..symbols import SymbolMap
from . import account as acct

__all__ = ["PaperBroker"]

log = logging.getLogger(__name__)


class PaperBroker(Broker):
    """A broker that trades on paper at live prices (``brokers.connect("paper", ...)``).

    Args:
        prices: the Broker whose feed and quotes give the prices (any of kite, dhan,
            fyers; pointed at the sandbox or at the real broker).
        store: where the account lives (``store.update_state``), so it survives
            restarts and is shared by every process that uses the same store and key.
        key: the account's name in the store.
        funds: the cash a new account starts with (ignored once the account exists).

    The rules (fills, margin, holdings) are in :mod:`brokers.unified.paper.account`.
    Resting orders are watched on a feed of ``prices`` (one per symbol) opened when
    the first order on that symbol rests; :meth:`close` stops them.

    Example::

        live = brokers.connect("kite", ...)
        paper = brokers.connect("paper", prices=live, store=FileStore(), funds=100_000)
        paper.place_order("NSE:INFY", "BUY", 1)
    """

    name = "paper"

    def __init__(self, prices: Broker, store: SessionStore, *, key: str = "default", funds: float = 100_000.0,
                 **options: Any) -> None:
        options.setdefault("settle", 1.0)
        options.setdefault("reconcile_timeout", 5.0)
        super().__init__(**options)
        if not isinstance(prices, Broker) or isinstance(prices, PaperBroker):
            raise ValueError(f"prices must be a kite, dhan or fyers Broker; got {prices!r}")
        self.prices = prices
        self.client = None
        self.store = store
        self.key = f"paper-{key}"
        self._touch: Dict[str, acct.Touch] = {}
        self._watched: Set[str] = set()
        self._watcher: Optional[Feed] = None
        self._watch_lock = threading.Lock()
        self._listeners: List[Feed] = []
        self._updates: "queue.Queue[Optional[Order]]" = queue.Queue()
        self._pusher: Optional[threading.Thread] = None
        self._closed = False
        self.store.update_state(self.key, lambda doc: doc if doc is not None else acct.new_account(funds))
        for symbol in {o["symbol"] for o in self._doc()["orders"].values() if o["status"] in acct.OPEN}:
            self._watch(symbol)  # orders left open by an earlier run go on matching

    @property
    def symbols(self) -> SymbolMap:
        return self.prices.symbols

    def _doc(self) -> Dict[str, Any]:
        return self.store.read_state(self.key) or acct.new_account(0.0)

    def _change(self, fn: Callable[[Dict[str, Any]], Any]) -> Any:
        result: List[Any] = []

        def apply(doc: Optional[Dict[str, Any]]) -> Dict[str, Any]:
            doc = doc if doc is not None else acct.new_account(0.0)
            result.append(fn(doc))
            return doc

        doc = self.store.update_state(self.key, apply)
        return result[0], doc

    # -- prices ----------------------------------------------------------------------------
    def _current(self, symbol: str) -> acct.Touch:
        touch = self._touch.get(symbol)
        if touch is None:
            q = self.prices.quote(symbol)[symbol]
            touch = (q.bid, q.ask, q.last_price)
            self._touch[symbol] = touch
        return touch

    def _on_tick(self, tick: Tick) -> None:
        touch = (tick.bid, tick.ask, tick.last_price)
        self._touch[tick.symbol] = touch
        if not any(o["symbol"] == tick.symbol and o["status"] in acct.OPEN for o in self._doc()["orders"].values()):
            return
        changed, doc = self._change(lambda d: acct.match(d, tick.symbol, touch))
        for oid in changed:
            self._push(self._order_of(doc["orders"][oid]))

    def _watch(self, symbol: str) -> None:
        """Keep ``symbol``'s prices coming: one feed of ``prices`` for every watched symbol
        (reopened with the new set; brokers limit sockets per account), no order socket."""
        with self._watch_lock:
            if symbol in self._watched or self._closed:
                return
            self._watched.add(symbol)
            old, self._watcher = self._watcher, self.prices.feed(sorted(self._watched), "quote",
                                                                 on_tick=self._on_tick, orders=False)
        if old is not None:  # closing takes a moment: not on the caller's thread
            threading.Thread(target=old.close, name="paper-watch-close", daemon=True).start()

    # -- pushing order updates ---------------------------------------------------------------
    def _push(self, order: Order) -> None:
        if self._pusher is None:
            self._pusher = threading.Thread(target=self._push_loop, name="paper-orders", daemon=True)
            self._pusher.start()
        self._updates.put(order)

    def _push_loop(self) -> None:
        while True:
            order = self._updates.get()
            if order is None:
                return
            for feed in list(self._listeners):
                try:
                    feed.emit_order(order)
                except Exception:  # a handler's bug must not stop the updates
                    log.exception("paper: an on_order handler raised")

    # -- orders ----------------------------------------------------------------------------
    def _place(self, req: OrderRequest) -> str:
        touch = self._current(req.symbol)
        fields = {"symbol": req.symbol, "side": req.side.value, "quantity": req.quantity,
                  "order_type": req.order_type.value, "product": req.product.value, "validity": req.validity.value,
                  "price": req.price, "trigger_price": req.trigger_price, "tag": req.tag,
                  "option": req.instrument.instrument_type in ("CE", "PE")}
        oid, doc = self._change(lambda d: acct.place(d, fields, touch))
        order = doc["orders"][oid]
        self._push(self._order_of(order))
        if order["status"] in acct.OPEN:
            self._watch(req.symbol)
        return str(oid)

    def _modify(self, order: Order, quantity: int, order_type: OrderType, price: Optional[float],
                trigger_price: Optional[float]) -> None:
        changes = {"quantity": quantity, "order_type": order_type.value, "price": price, "trigger_price": trigger_price}
        touch = self._current(order.symbol)
        why, doc = self._change(lambda d: acct.modify(d, order.order_id, changes, touch))
        if why:
            raise errors.OrderError(why, broker="paper")
        self._push(self._order_of(doc["orders"][order.order_id]))

    def _cancel(self, order: Order) -> None:
        why, doc = self._change(lambda d: acct.cancel(d, order.order_id))
        if why:
            raise errors.OrderError(why, broker="paper")
        self._push(self._order_of(doc["orders"][order.order_id]))

    def _order_of(self, o: Dict[str, Any]) -> Order:
        return Order(order_id=o["order_id"], symbol=o["symbol"], side=Side(o["side"]),
                     order_type=OrderType(o["order_type"]), product=Product(o["product"]), quantity=o["quantity"],
                     status=Status(o["status"]), raw_status=o["status"], filled_quantity=o["filled"],
                     price=o.get("price"), trigger_price=o.get("trigger_price"), average_price=o["average_price"],
                     validity=Validity(o["validity"]), tag=o.get("tag"), message=o.get("message"),
                     time=when(o.get("time")), raw=dict(o))

    def _order(self, order_id: str) -> Order:
        o = self._doc()["orders"].get(order_id)
        if o is None:
            raise errors.InputError(f"no order {order_id}", broker="paper")
        return self._order_of(o)

    def _orders(self) -> List[Order]:
        return [self._order_of(o) for o in self._doc()["orders"].values()]

    # -- portfolio -------------------------------------------------------------------------
    def trades(self) -> List[Trade]:
        return [Trade(trade_id=t["trade_id"], order_id=t["order_id"], symbol=t["symbol"], side=Side(t["side"]),
                      product=Product(t["product"]), quantity=t["quantity"], price=t["price"], time=when(t["time"]),
                      raw=dict(t)) for t in self._doc()["trades"]]

    def positions(self) -> List[Position]:
        out = []
        for p in self._doc()["positions"].values():
            net = p["buy_qty"] - p["sell_qty"]
            buy = p["buy_value"] / p["buy_qty"] if p["buy_qty"] else 0.0
            sell = p["sell_value"] / p["sell_qty"] if p["sell_qty"] else 0.0
            touch = self._touch.get(p["symbol"])
            last = touch[2] if touch else None
            pnl = round(p["sell_value"] - p["buy_value"] + net * last, 2) if last is not None else (
                round(p["sell_value"] - p["buy_value"], 2) if net == 0 else None)
            out.append(Position(symbol=p["symbol"], product=Product(p["product"]), quantity=net,
                                average_price=round(buy if net > 0 else sell if net < 0 else 0.0, 4),
                                buy_quantity=p["buy_qty"], buy_price=round(buy, 4), sell_quantity=p["sell_qty"],
                                sell_price=round(sell, 4), last_price=last, pnl=pnl, raw=dict(p)))
        return out

    def holdings(self) -> List[Holding]:
        out = []
        for sym, h in self._doc()["holdings"].items():
            touch = self._touch.get(sym)
            last = touch[2] if touch else None
            out.append(Holding(symbol=sym, quantity=h["qty"], average_price=h["avg"], last_price=last,
                               pnl=round((last - h["avg"]) * h["qty"], 2) if last is not None else None, raw=dict(h)))
        return out

    def funds(self) -> Funds:
        doc = self._doc()
        return Funds(available=acct.available(doc), used=acct.used_margin(doc), total=acct.cash(doc),
                     raw={"funds": doc["funds"], "delivery_flow": doc["delivery_flow"]})

    # -- market: from prices -----------------------------------------------------------------
    def _quote(self, symbols: List[str]) -> Dict[str, Quote]:
        quotes = self.prices.quote(*symbols)
        for s, q in quotes.items():
            self._touch[s] = (q.bid, q.ask, q.last_price)
        return quotes

    def _history(self, symbol: str, start: dt.datetime, end: dt.datetime, interval: str) -> List[Candle]:
        return self.prices.history(symbol, start, end, interval)

    def _open_feed(self, feed: Feed) -> None:
        def on_tick(tick: Tick) -> None:
            self._on_tick(tick)
            feed.emit_tick(tick)

        feed.add_child(self.prices.feed(feed.symbols, feed.mode, on_tick=on_tick, orders=False))
        self._listeners.append(feed)

    def close(self) -> None:
        """Stop watching prices and pushing updates (the prices Broker stays open)."""
        self._closed = True
        with self._watch_lock:
            watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.close()
        if self._pusher is not None:
            self._updates.put(None)
            self._pusher.join(timeout=2)
            self._pusher = None

    def __repr__(self) -> str:
        return f"<Broker paper {self.key} prices={self.prices.name}>"
