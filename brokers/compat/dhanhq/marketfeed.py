"""``dhanhq.MarketFeed`` on :class:`~brokers.dhan.DhanFeed`: the same constructor,
methods, callbacks and dicts, on the feed's own threads (no asyncio loop, so it works
inside Jupyter, Django or any running event loop)."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Callable, List, Optional, Sequence, Tuple

from ...dhan import DhanFeed
from .. import _targets
from . import shapes

__all__ = ["MarketFeed"]

log = logging.getLogger(__name__)

_BACKLOG = 100_000  # packets kept for get_data(); the oldest are dropped beyond it


class MarketFeed:
    """``dhanhq.MarketFeed`` (2.3: ``MarketFeed(dhan_context, instruments, version="v2", ...)``;
    2.1: ``MarketFeed(client_id, access_token, instruments, version)``).

    Use it as ``dhanhq``'s README does: call :meth:`run_forever` (connects once, then
    does nothing while connected) and :meth:`get_data` (the next packet as ``dhanhq``'s
    dict) in a loop; or set ``on_message`` / ``on_ticks`` and call :meth:`run` (blocking)
    or :meth:`start` (a thread). Underneath, :class:`~brokers.dhan.DhanFeed` reconnects
    and resubscribes by itself.

    Callbacks (all optional, as in ``dhanhq``): ``on_connect(feed)``, ``on_message(feed,
    data)`` (``on_ticks`` is its other name), ``on_close(feed)``, ``on_error(feed, exc)``.

    Example::

        from brokers.compat.dhanhq import DhanContext, MarketFeed

        feed = MarketFeed(DhanContext(client_id, token), [(MarketFeed.NSE, "1333", MarketFeed.Ticker)], "v2")
        while True:
            feed.run_forever()
            print(feed.get_data())
    """

    market_feed_wss = "wss://api-feed.dhan.co"
    IDX, NSE, NSE_FNO, NSE_CURR, BSE, MCX, BSE_CURR, BSE_FNO = 0, 1, 2, 3, 4, 5, 7, 8
    Ticker, Quote, Depth, Full = 15, 17, 19, 21

    def __init__(self, dhan_context: Any, instruments: Any = None, version: Any = "v2", *args: Any,
                 on_connect: Optional[Callable[..., Any]] = None, on_message: Optional[Callable[..., Any]] = None,
                 on_close: Optional[Callable[..., Any]] = None, on_error: Optional[Callable[..., Any]] = None,
                 on_ticks: Optional[Callable[..., Any]] = None) -> None:
        if hasattr(dhan_context, "get_client_id"):
            self.client_id = dhan_context.get_client_id()
            self.access_token = dhan_context.get_access_token()
            positional: Tuple[Any, ...] = args
        else:  # 2.1: (client_id, access_token, instruments, version)
            self.client_id, self.access_token = dhan_context, instruments
            instruments = version
            version = args[0] if args else "v2"
            positional = args[1:]
        names = ("on_connect", "on_message", "on_close", "on_error", "on_ticks")
        given = dict(zip(names, positional))
        on_connect = given.get("on_connect", on_connect)
        on_message = given.get("on_message", on_message)
        on_close = given.get("on_close", on_close)
        on_error = given.get("on_error", on_error)
        on_ticks = given.get("on_ticks", on_ticks)
        if version != "v2":
            raise ValueError(f"Unsupported version: {version!r} (Dhan retired v1; use 'v2')")
        self.instruments: List[Any] = list(instruments or [])
        self.version = version
        self.data: Any = ""
        self.on_connect = on_connect
        self.on_message = on_message if on_message or not on_ticks else on_ticks
        self.on_close = on_close
        self.on_error = on_error
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._ready = threading.Event()
        self._first_error: Optional[BaseException] = None
        self._closed_by_user = False
        self.feed = DhanFeed(self.client_id, self.access_token, self.instruments, "v2", **_targets.urls("dhan_feed"))
        self.feed.on_connect = self._connected
        self.feed.on_tick = self._ticks
        self.feed.on_error = self._error
        self.feed.on_noreconnect = self._gave_up

    # -- handlers of the DhanFeed (its dispatcher thread) ---------------------------------
    def _connected(self, _feed: Any) -> None:
        self._ready.set()
        if self.on_connect:
            self.on_connect(self)

    def _ticks(self, _feed: Any, ticks: Sequence[Any]) -> None:
        for tick in ticks:
            data = shapes.packet(tick)
            self.data = data
            if self.on_message:
                self.on_message(self, data)
            else:
                if self._queue.qsize() >= _BACKLOG:
                    log.warning("dhanhq MarketFeed: get_data() is not keeping up; dropping the oldest packet")
                    self._queue.get_nowait()
                self._queue.put(data)

    def _error(self, _feed: Any, exc: BaseException) -> None:
        if not self._ready.is_set() and self._first_error is None:
            self._first_error = exc
            self._ready.set()
        if self.on_error:
            self.on_error(self, exc)

    def _gave_up(self, _feed: Any) -> None:
        self._ready.set()
        self._queue.put(_STOPPED)
        if self.on_close:
            self.on_close(self)

    # -- dhanhq's methods ---------------------------------------------------------------
    def run_forever(self) -> None:
        """Connect if not connected (and subscribe ``instruments``); return once connected.
        While connected it returns at once (reconnects happen by themselves).

        Raises:
            Exception: the first connection failed (the error ``on_error`` got).
        """
        if self.feed.running:
            return
        self._ready.clear()
        self._queue = queue.Queue()
        self._first_error = None
        self._closed_by_user = False
        self.feed.connect(threaded=True)
        self._ready.wait(self.feed.connect_timeout + 5)
        if self._first_error is not None and not self.feed.connected:
            error = self._first_error
            self.feed.close()
            raise error

    connect = run_forever

    def get_data(self) -> Any:
        """The next packet, as ``dhanhq``'s dict; blocks until one arrives.

        Raises:
            ConnectionError: the feed was closed (or stopped for good) and nothing is left.
        """
        while True:
            try:
                item = self._queue.get(timeout=0.5)
            except queue.Empty:
                if not self.feed.running:
                    raise ConnectionError("the Dhan market feed is closed") from None
                continue
            if item is _STOPPED:
                raise ConnectionError("the Dhan market feed is closed")
            return item

    get_instrument_data = get_data

    def run(self) -> None:
        """Connect and deliver packets to ``on_message`` until closed (blocking);
        Ctrl-C closes the feed."""
        self.run_forever()
        try:
            while self.feed.running:
                threading.Event().wait(0.2)
        except KeyboardInterrupt:
            self.close_connection()

    def start(self) -> threading.Thread:
        """:meth:`run` on a daemon thread; returns the thread."""
        thread = threading.Thread(target=self.run, name="dhanhq-MarketFeed", daemon=True)
        thread.start()
        return thread

    def close_connection(self) -> None:
        """Tell Dhan we leave, close the feed, call ``on_close(feed)``."""
        self._closed_by_user = True
        was_running = self.feed.running
        self.feed.close()
        self._queue = queue.Queue()  # as in dhanhq, nothing is read after the close
        self._queue.put(_STOPPED)
        if was_running and self.on_close:
            self.on_close(self)

    disconnect = close_connection

    def subscribe_symbols(self, symbols: Sequence[Tuple[Any, ...]]) -> None:
        """Add instruments (sent now if connected; replayed after every reconnect)."""
        self._check_sizes(symbols)
        self.feed.subscribe(symbols)
        self.instruments = list(set(self.instruments) | {tuple(s) for s in symbols})

    def unsubscribe_symbols(self, symbols: Sequence[Tuple[Any, ...]]) -> None:
        """Remove instruments."""
        self._check_sizes(symbols)
        self.feed.unsubscribe(symbols)
        self.instruments = list(set(self.instruments) - {tuple(s) for s in symbols})

    @staticmethod
    def _check_sizes(symbols: Sequence[Tuple[Any, ...]]) -> None:
        if len({len(s) for s in symbols}) > 1:
            raise ValueError("All tuples must be of the same size, either all 2 or all 3.")

    def is_connected(self) -> bool:
        return self.feed.connected

    def __repr__(self) -> str:
        return f"<dhanhq MarketFeed on {self.feed!r}>"


class _Stopped:
    def __repr__(self) -> str:
        return "<stopped>"


_STOPPED = _Stopped()
