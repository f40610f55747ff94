"""The :class:`Broker` interface, and what every broker shares: argument checks
and the reconciliation of orders whose answer was lost.

An adapter (``kite.py``, ``dhan.py``, ``fyers.py``, ``paper/``) implements the
``_``-prefixed hooks in its broker's words; everything public is here, once.

Orders never end in "unknown": every placement carries a tag. When the client
raises :class:`~brokers.errors.OrderStateUnknown` (no answer, a 5xx from a
gateway, a read timeout), the Broker looks the tag up in the order book with a
bounded backoff: it returns the order if it finds it, raises
:class:`~brokers.errors.OrderNotPlaced` (safe to retry) once the book has been
read without it after ``settle`` seconds (later than any answer to the lost
request could still land), and raises ``OrderStateUnknown`` with ``.tag`` only if
the book could not be read within ``reconcile_timeout``.
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Set

from .. import errors
from ..ist import IST
from ..symbols import SymbolMaster
from .enums import OrderType, Product, Status, Validity, coerce
from .feed import MODES, Feed
from .models import Candle, Funds, Holding, Order, Position, Quote, Trade
from .orders import OrderRequest, check_order, check_price
from .reconcile import after_lost_change, reconcile, unknown
from .symbols import SymbolMap

__all__ = ["Broker"]

log = logging.getLogger(__name__)


class Broker(abc.ABC):
    """One interface to Kite, Dhan, Fyers and the paper broker (``brokers.connect``).

    Attributes:
        name: ``"kite"``, ``"dhan"``, ``"fyers"`` or ``"paper"``.
        client: the underlying :class:`~brokers.kite.Kite` / :class:`~brokers.dhan.Dhan`
            / :class:`~brokers.fyers.Fyers` for anything broker-specific (``None``
            for paper).
        symbols: the :class:`~brokers.unified.symbols.SymbolMap` (unified symbol <->
            the broker's instruments), built from the broker's master on first use.
        reconcile_timeout: how long (s) a lost order answer is reconciled for.
        settle: how long (s) after a lost order call its absence from the book is
            taken as proof that the broker never took it.

    Example::

        broker = brokers.connect("kite", store=store)
        order = broker.place_order("NSE:INFY", "BUY", 1, order_type="LIMIT", price=1500)
        broker.cancel_order(order.order_id)
    """

    name: str = ""
    client: Any = None

    def __init__(self, *, master: Optional[SymbolMaster] = None, reconcile_timeout: float = 60.0,
                 settle: float = 20.0, sleep: Callable[[float], None] = time.sleep) -> None:
        if settle >= reconcile_timeout:
            raise ValueError(f"settle ({settle}) must be shorter than reconcile_timeout ({reconcile_timeout})")
        self._master = master
        self._symbols: Optional[SymbolMap] = None
        self.reconcile_timeout = reconcile_timeout
        self.settle = settle
        self._sleep = sleep
        self._lock = threading.Lock()
        self._in_flight: Set[str] = set()  # tags sent and not resolved (placing, or lost)
        self._tag_ids: Dict[str, Set[str]] = {}  # tag -> order ids we already returned for it

    # -- symbols -------------------------------------------------------------------------
    @property
    def symbols(self) -> SymbolMap:
        if self._symbols is None:
            self._symbols = SymbolMap(self._master if self._master is not None else self._load_master())
        return self._symbols

    def _load_master(self) -> SymbolMaster:
        raise NotImplementedError

    # -- orders --------------------------------------------------------------------------
    def place_order(self, symbol: str, side: Any, quantity: int, *, order_type: Any = "MARKET",
                    price: Optional[float] = None, trigger_price: Optional[float] = None,
                    product: Any = Product.INTRADAY, validity: Any = Validity.DAY,
                    tag: Optional[str] = None) -> Order:
        """Place an order and return it as the order book shows it.

        Args:
            symbol: unified symbol (``"NSE:INFY"``, ``"NFO:NIFTY-2026-12-29-24300-CE"``).
            side: ``"BUY"``/``"SELL"`` or :class:`~brokers.unified.enums.Side`.
            quantity: units (a multiple of the lot size for derivatives).
            order_type: ``MARKET``, ``LIMIT`` (needs ``price``), ``STOP`` (needs
                ``trigger_price``) or ``STOP_LIMIT`` (needs both).
            product: ``INTRADAY`` (default), ``DELIVERY`` or ``MARGIN``.
            validity: ``DAY`` or ``IOC``.
            tag: 1-20 letters/digits sent as the broker's tag / correlation id;
                generated when omitted.

        Returns:
            The :class:`Order` (its ``tag`` is the one sent).

        Raises:
            ValueError: a bad argument, naming it (nothing is sent).
            brokers.errors.OrderNotPlaced: the answer was lost and the broker
                provably never took the order; safe to place again.
            brokers.errors.OrderStateUnknown: the answer was lost and the order book
                could not be read within ``reconcile_timeout`` (``.tag`` says what
                to look for), or an earlier call with this tag is still unresolved
                (nothing was sent).
            brokers.errors.BrokerError: the broker refused it (OrderError, ...).
        """
        req = check_order(self.symbols, symbol, side, quantity, order_type=order_type, price=price,
                          trigger_price=trigger_price, product=product, validity=validity, tag=tag)
        with self._lock:
            if req.tag in self._in_flight:
                raise self._unknown(req.tag, f"an earlier order with tag {req.tag!r} is not resolved yet; nothing "
                                             f"was sent (call resolve({req.tag!r}) or look it up in orders())")
            self._in_flight.add(req.tag)
        keep = False
        try:
            sent = time.monotonic()
            try:
                order_id = self._place(req)
            except errors.OrderStateUnknown as lost:
                log.info("%s: the answer to order %s was lost (%s); reconciling", self.name, req.tag, lost)
                try:
                    order = self._reconcile(req.tag, sent, req)
                except errors.OrderStateUnknown:
                    keep = True
                    raise
            else:
                order = self._placed(order_id, req)
            self._remember(req.tag, order.order_id)
            return order
        finally:
            if not keep:
                with self._lock:
                    self._in_flight.discard(req.tag)

    def resolve(self, tag: str) -> Order:
        """Reconcile an order whose placement ended in OrderStateUnknown, by its tag.

        Returns the order, or raises :class:`~brokers.errors.OrderNotPlaced` /
        :class:`~brokers.errors.OrderStateUnknown` as :meth:`place_order` does.
        """
        try:
            order = self._reconcile(tag, time.monotonic() - self.settle, None)
        except errors.OrderNotPlaced:
            with self._lock:
                self._in_flight.discard(tag)
            raise
        self._remember(tag, order.order_id)
        with self._lock:
            self._in_flight.discard(tag)
        return order

    def modify_order(self, order_id: str, *, quantity: Optional[int] = None, price: Optional[float] = None,
                     trigger_price: Optional[float] = None, order_type: Any = None) -> Order:
        """Change an open order; returns it as the book shows it afterwards.

        Raises:
            ValueError: a bad argument, or nothing to change.
            brokers.errors.BrokerError: the broker refused (e.g. the order is complete).
        """
        if quantity is None and price is None and trigger_price is None and order_type is None:
            raise ValueError("modify_order: pass quantity, price, trigger_price or order_type")
        current = self.order(order_id)
        kind = current.order_type if order_type is None else _order_type(order_type)
        qty = current.quantity if quantity is None else quantity
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise ValueError(f"quantity must be a positive integer; got {quantity!r}")
        lot = self.symbols.instrument(current.symbol).lot_size
        if qty % lot:
            raise ValueError(f"quantity must be a multiple of the lot size {lot}; got {qty}")
        needs_price = kind in (OrderType.LIMIT, OrderType.STOP_LIMIT)
        needs_trigger = kind in (OrderType.STOP, OrderType.STOP_LIMIT)
        price_ = check_price("price", price if price is not None else (current.price if needs_price else None),
                             needs_price)
        trig = check_price("trigger_price", trigger_price if trigger_price is not None
                           else (current.trigger_price if needs_trigger else None), needs_trigger)
        try:
            self._modify(current, qty, kind, price_ if needs_price else None, trig if needs_trigger else None)
        except errors.OrderStateUnknown:
            return self._after_lost_change(order_id)
        return self.order(order_id)

    def cancel_order(self, order_id: str) -> Order:
        """Cancel an open order; returns it as the book shows it afterwards."""
        if not isinstance(order_id, str) or not order_id:
            raise ValueError(f"order_id must be a non-empty string; got {order_id!r}")
        current = self.order(order_id)
        try:
            self._cancel(current)
        except errors.OrderStateUnknown:
            return self._after_lost_change(order_id)
        return self.order(order_id)

    def order(self, order_id: str) -> Order:
        """One order by id.

        Raises:
            ValueError: a malformed id. brokers.errors.BrokerError: unknown to the broker.
        """
        if not isinstance(order_id, str) or not order_id:
            raise ValueError(f"order_id must be a non-empty string; got {order_id!r}")
        return self._order(order_id)

    def orders(self) -> List[Order]:
        """Today's orders."""
        return self._orders()

    # -- portfolio, market ---------------------------------------------------------------
    @abc.abstractmethod
    def trades(self) -> List[Trade]:
        """Today's fills."""

    @abc.abstractmethod
    def positions(self) -> List[Position]:
        """Today's net positions."""

    @abc.abstractmethod
    def holdings(self) -> List[Holding]:
        """Demat holdings."""

    @abc.abstractmethod
    def funds(self) -> Funds:
        """Cash available and used (equity segment)."""

    def quote(self, *symbols: str) -> Dict[str, Quote]:
        """Quotes by unified symbol.

        Raises:
            ValueError: no symbol, or one the broker does not list.
        """
        if not symbols:
            raise ValueError("quote: pass one or more symbols")
        for i, s in enumerate(symbols):
            self.symbols.instrument(s, f"symbols[{i}]")
        return self._quote([s.strip().upper() for s in symbols])

    def history(self, symbol: str, start: Any, end: Any, interval: str = "day") -> List[Candle]:
        """Candles of ``symbol`` from ``start`` to ``end``, oldest first.

        Args:
            start, end: dates, datetimes (naive ones are IST) or ISO strings; a date
                ``end`` includes that day.
            interval: ``minute``, ``3minute``, ``5minute``, ``10minute``, ``15minute``,
                ``30minute``, ``60minute`` or ``day``.

        Where the client has ``history()`` over any range (with ``master()``), that is
        used: the range is split into requests the broker allows.
        """
        inst = self.symbols.instrument(symbol)
        if interval not in INTERVALS:
            raise ValueError(f"interval must be one of {', '.join(INTERVALS)}; got {interval!r}")
        begin, stop = _when("start", start), _when("end", end, end=True)
        if stop < begin:
            raise ValueError(f"end ({end!r}) is before start ({start!r})")
        ranged = getattr(self.client, "history", None)
        if callable(ranged) and callable(getattr(self.client, "master", None)):
            candles: List[Candle] = ranged(inst.key, start, end, interval)
            return candles
        return self._history(symbol.strip().upper(), begin, stop, interval)

    def feed(self, symbols: Sequence[str], mode: str = "quote", *, on_tick: Any = None,
             on_order: Any = None, orders: bool = True) -> Feed:
        """Start live ticks for ``symbols`` and order updates; returns the :class:`Feed`.

        Args:
            symbols: unified symbols.
            mode: ``ltp``, ``quote`` or ``full``.
            on_tick: ``on_tick(tick)``; on_order: ``on_order(order)`` (both may be set later
                on the returned feed).
            orders: also open the order-update socket (Dhan and Fyers have a separate
                one; brokers limit how many sockets an account may hold).
        """
        if isinstance(symbols, str):
            symbols = [symbols]
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
        names = [s.strip().upper() for s in symbols]
        for i, s in enumerate(names):
            self.symbols.instrument(s, f"symbols[{i}]")
        feed = Feed(names, mode, on_tick, on_order, orders=orders)
        self._open_feed(feed)
        return feed.start()

    def close(self) -> None:
        """Close the client's HTTP session."""
        closer = getattr(self.client, "close", None)
        if callable(closer):
            closer()

    def __enter__(self) -> "Broker":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Broker {self.name} {self.client!r}>"

    # -- reconciliation (brokers.unified.reconcile) ---------------------------------------
    def _unknown(self, tag: str, message: str) -> errors.OrderStateUnknown:
        return unknown(self.name, tag, message)

    def _remember(self, tag: str, order_id: str) -> None:
        with self._lock:
            self._tag_ids.setdefault(tag, set()).add(order_id)

    def _known_ids(self, tag: str) -> Set[str]:
        with self._lock:
            return set(self._tag_ids.get(tag, ()))

    def _find_tag(self, tag: str) -> List[Order]:
        """Orders carrying ``tag`` in the book (adapters may ask the broker more directly)."""
        return [o for o in self._orders() if o.tag == tag]

    def _reconcile(self, tag: str, sent: float, req: Optional[OrderRequest]) -> Order:
        return reconcile(self, tag, sent, req)

    def _after_lost_change(self, order_id: str) -> Order:
        return after_lost_change(self, order_id)

    def _placed(self, order_id: str, req: OrderRequest) -> Order:
        try:
            return self._order(order_id)
        except errors.BrokerError as e:  # the order is placed; only the read-back failed
            log.info("%s: order %s placed, reading it back failed (%s)", self.name, order_id, e)
            return Order(order_id=order_id, symbol=req.symbol, side=req.side, order_type=req.order_type,
                         product=req.product, quantity=req.quantity, status=Status.PENDING, raw_status="",
                         price=req.price, trigger_price=req.trigger_price, validity=req.validity, tag=req.tag)

    # -- hooks ---------------------------------------------------------------------------
    @abc.abstractmethod
    def _place(self, req: OrderRequest) -> str:
        """Send the order; return the broker's order id."""

    @abc.abstractmethod
    def _modify(self, order: Order, quantity: int, order_type: OrderType, price: Optional[float],
                trigger_price: Optional[float]) -> None: ...

    @abc.abstractmethod
    def _cancel(self, order: Order) -> None: ...

    @abc.abstractmethod
    def _order(self, order_id: str) -> Order: ...

    @abc.abstractmethod
    def _orders(self) -> List[Order]: ...

    @abc.abstractmethod
    def _quote(self, symbols: List[str]) -> Dict[str, Quote]: ...

    @abc.abstractmethod
    def _history(self, symbol: str, start: dt.datetime, end: dt.datetime, interval: str) -> List[Candle]: ...

    @abc.abstractmethod
    def _open_feed(self, feed: Feed) -> None:
        """Add the broker's sockets to ``feed`` (not started) with handlers that emit
        unified ticks and orders."""


INTERVALS = ("minute", "3minute", "5minute", "10minute", "15minute", "30minute", "60minute", "day")


def _order_type(value: Any) -> OrderType:
    return coerce(OrderType, "order_type", value)


def _when(name: str, value: Any, end: bool = False) -> dt.datetime:
    """An aware datetime; a date ``end`` means the end of that day."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=IST)
    if isinstance(value, dt.date):
        day = dt.datetime(value.year, value.month, value.day, tzinfo=IST)
        return day + dt.timedelta(days=1, seconds=-1) if end else day
    if isinstance(value, str):
        text = value.strip()
        try:
            return _when(name, dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text),
                         end)
        except ValueError:
            pass
    raise ValueError(f"{name} must be a date, a datetime or an ISO string; got {value!r}")
