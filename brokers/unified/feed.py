"""The unified feed handle: ticks as :class:`~brokers.unified.models.Tick` and order
updates as :class:`~brokers.unified.models.Order`, from any broker's sockets.

``broker.feed(symbols, mode)`` returns a :class:`Feed` that is already starting:
the broker's own feed threads (``KiteFeed``; ``DhanFeed`` + ``DhanOrder``;
``FyersFeed`` + ``FyersOrder``) run underneath, and the handlers are called on
their dispatcher threads, one call per tick / per order update.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable, Dict, List, Optional

from .models import Order, Tick

__all__ = ["Feed", "MODES"]

log = logging.getLogger(__name__)

MODES = ("ltp", "quote", "full")

TickHandler = Callable[[Tick], Any]
OrderHandler = Callable[[Order], Any]


class Feed:
    """Live ticks and order updates of one :class:`~brokers.unified.base.Broker`.

    Attributes:
        on_tick: ``on_tick(tick)``, per :class:`Tick`, on the feed's thread.
        on_order: ``on_order(order)``, per order change, on the feed's thread.
        on_error: ``on_error(error)`` for what the underlying feeds report.
        symbols: the subscribed unified symbols; ``mode`` their mode.

    Use it as a context manager, or call :meth:`close`.

    Example::

        with broker.feed(["NSE:INFY"], "quote", on_tick=print, on_order=print) as feed:
            feed.wait_ready(10)
            tick = feed.wait_tick("NSE:INFY", 10)
    """

    def __init__(self, symbols: List[str], mode: str, on_tick: Optional[TickHandler] = None,
                 on_order: Optional[OrderHandler] = None, *, orders: bool = True) -> None:
        self.symbols = list(symbols)
        self.mode = mode
        self.orders = orders
        self.on_tick = on_tick
        self.on_order = on_order
        self.on_error: Optional[Callable[[BaseException], Any]] = None
        self._sockets: List[Any] = []
        self._to_start: List[Any] = []
        self._ready: List[Callable[[], bool]] = []
        self._last: Dict[str, Tick] = {}
        self._cond = threading.Condition()
        self._closed = False

    # -- for the adapters ----------------------------------------------------------------
    def add_socket(self, sock: Any, ready: Optional[Callable[[], bool]] = None) -> None:
        """Run ``sock`` (a FeedThread, not started) as part of this feed; ``ready()`` says
        when it can be relied on (default: connected)."""
        self._sockets.append(sock)
        self._ready.append(ready or (lambda: bool(sock.connected)))
        self._to_start.append(sock)
        sock.on_error = lambda _feed, err: self._error(err)

    def add_child(self, child: "Feed") -> None:
        """Close ``child`` (another broker's running Feed) with this one; ready when it is."""
        self._sockets.append(child)
        self._ready.append(lambda: child.wait_ready(0))
        child.on_error = self._error

    def start(self) -> "Feed":
        for sock in self._to_start:
            sock.connect(threaded=True)
        self._to_start = []
        return self

    def emit_tick(self, tick: Tick) -> None:
        with self._cond:
            self._last[tick.symbol] = tick
            self._cond.notify_all()
        if self.on_tick is not None:
            self.on_tick(tick)

    def emit_order(self, order: Order) -> None:
        if self.on_order is not None:
            self.on_order(order)

    def _error(self, err: BaseException) -> None:
        log.debug("feed error: %r", err)
        if self.on_error is not None:
            self.on_error(err)

    # -- for users -----------------------------------------------------------------------
    def last(self, symbol: str) -> Optional[Tick]:
        """The latest tick of ``symbol``, or ``None`` before the first one."""
        with self._cond:
            return self._last.get(symbol.strip().upper())

    def wait_tick(self, symbol: str, timeout: float) -> Optional[Tick]:
        """The latest tick of ``symbol``, waiting up to ``timeout`` s for the first."""
        key = symbol.strip().upper()
        with self._cond:
            self._cond.wait_for(lambda: key in self._last, timeout)
            return self._last.get(key)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until every socket (ticks and order updates) is up; True if they are.

        Fyers acknowledges the order subscription, and counts as ready on that; Dhan's
        order socket acknowledges nothing, so an update for an order placed the moment
        it connects can be missed. Take the order book (``broker.order(id)``) as the
        truth and the updates as the signal to look, as ``examples/strategy.py`` does.
        """
        end = time.monotonic() + timeout
        while not all(r() for r in self._ready):
            if time.monotonic() >= end or self._closed:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        """Stop every socket. Idempotent."""
        self._closed = True
        for sock in self._sockets:
            try:
                sock.close()
            except Exception:  # closing one must not keep the others open
                log.debug("closing %r failed", sock, exc_info=True)

    def __enter__(self) -> "Feed":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Feed {self.mode} {len(self.symbols)} symbols>"
