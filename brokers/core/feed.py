"""FeedThread: a websocket feed on a background thread that reconnects by itself.

Every broker feed (Kite, Dhan, Fyers) subclasses :class:`FeedThread`, which owns
the whole lifecycle; the subclass fills in hooks: where to connect, what to send
once connected and how to decode a frame. Hooks are how feeds extend FeedThread
(as httpx transports implement ``handle_request``): a subclass never overrides
``_emit``, never touches the run queue and never calls :meth:`close` to stop itself.

Three daemon threads per :meth:`FeedThread.connect`, all ended by :meth:`close`:
the **reader** and the **timer** (in :mod:`brokers.core.feed_socket`, which says
what they do) only queue frames and events; the **dispatcher** (here) takes them
off the queue in order and calls the hooks and every user handler. A handler that
raises is logged and reported to ``on_error``; the feed goes on.

A handshake refused with 401/403 is an auth error: reported once to ``on_error``
as :class:`~brokers.errors.TokenExpired`, then ``on_noreconnect``; no retries.

Hooks (keep these names; the broker feeds rely on them)::

    class MyFeed(FeedThread["MyFeed"]):
        broker = "mybroker"                   # goes into the errors we raise

        def _url(self) -> str: ...            # REQUIRED. Called before every connect
                                              # (tokens may have changed); may carry secrets,
                                              # it is never logged with its query string.
        def _headers(self) -> dict: ...       # handshake headers, also rebuilt per connect
        def _on_open(self) -> None: ...       # reader thread, right after each (re)connect and
                                              # before any frame is read: send auth and replay
                                              # subscriptions here with self._send(...)
        def _on_connected(self) -> None: ...  # dispatcher thread, once per connection, after the
                                              # old connection's last frame and before the new
                                              # one's first (and before on_connect): reset
                                              # per-connection decoding state here
        def _decode(self, frame) -> None: ... # dispatcher thread: bytes (binary frame) or str
                                              # (text frame); parse it and call
                                              # self._emit("on_tick", self, ticks) etc.
                                              # A raised exception goes to on_error.
        def _keepalive(self) -> None: ...     # timer thread, every `keepalive` s while connected:
                                              # an app-level ping, e.g. self._send("ping")
        def _goodbye(self) -> None: ...       # the thread calling close(), while still connected:
                                              # a last message to the server (Dhan's "leaving")
        def _release(self) -> None: ...       # after close() stopped the feed: free what the
                                              # subclass holds (e.g. its own REST client)

A fatal message inside the connection (an auth failure the server reports, a
disconnect code that retrying cannot cure) is handled in :meth:`_decode` with
:meth:`~FeedThread._give_up`: the feed reports the error once to ``on_error``,
calls ``on_noreconnect`` and stops; ``on_reconnect`` is not called.

One FeedThread is one socket. A broker with a separate order socket (Dhan, Fyers)
runs one subclass per socket. Everything the dispatcher sees arrives in order:
``on_connect`` before the frames of that connection, ``on_close`` after them.

What ``on_error`` receives: :class:`~brokers.errors.NetworkError` for a failed or
lost connection and for a silence cut by the watchdog; ``TokenExpired`` (an
``AuthError``) for a 401/403 handshake; the exception itself when a handler or
a hook raises (e.g. the ``ValueError`` of a malformed frame or packet); a
:class:`~brokers.errors.BrokerError` when ``max_backlog`` starts dropping frames.

Helpers for subclasses: :meth:`~FeedThread._send` (thread-safe, False when not
connected), :meth:`~FeedThread._emit` (call a handler attribute by name, guarded),
:meth:`~FeedThread._report` (route an exception to ``on_error``),
:meth:`~FeedThread._give_up` (stop for good with an error),
:meth:`~FeedThread._auth_error` (the error for a refused handshake),
:attr:`~FeedThread.connected`. Subclasses add their own handler attributes
(``on_tick``, ``on_order_update``, ...), typed as websocket-client types its
callbacks, ``Optional[Callable[[TheFeed, ...], object]]`` (``object``: what a handler
returns is ignored, so ``lambda feed: feed.subscribe(...)`` type-checks), and set to
``None`` in ``__init__``; :meth:`~FeedThread._emit` skips a handler that is ``None``.

Handlers common to every feed, each called on the dispatcher thread with the feed
first: ``on_connect(feed)``, ``on_close(feed, code, reason)``, ``on_error(feed,
error)``, ``on_reconnect(feed, attempt)``, ``on_noreconnect(feed)``. ``on_close``
gets the server's close code and reason, or ``None, None`` when the connection
dropped without a close frame or was closed by us. ``on_reconnect(attempt)`` comes
before the backoff wait of that attempt; ``on_noreconnect`` once, when the feed stops
for good (retries used up, an auth refusal, a fatal message), never after a plain
:meth:`close`.

Needs the ``feed`` extra (websocket-client).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any, Callable, Dict, Generic, Optional, TypeVar

from ..errors import BrokerError, TokenExpired
from .feed_socket import Frame, Q, Run, SocketLoop
from .feed_socket import websocket_module as _websocket
from .redact import install as _install_redaction

__all__ = ["FeedThread", "Frame"]

log = logging.getLogger(__name__)

F = TypeVar("F", bound="FeedThread[Any]")
_S = TypeVar("_S", bound="FeedThread[Any]")


class FeedThread(SocketLoop, Generic[F]):
    """Base class of the broker feeds: lifecycle, reconnects, liveness, dispatch.

    Generic in the feed type that handlers receive first (``class KiteFeed(
    FeedThread["KiteFeed"])``), so ``feed.on_connect = lambda f: f.subscribe(...)``
    type-checks against the subclass.

    Args:
        reconnect: reconnect after a drop (True) or stop at the first one.
        max_retries: reconnect attempts in a row before giving up (``on_noreconnect``).
        max_delay: cap of the backoff between attempts, in seconds.
        initial_delay: the first backoff delay; it doubles per attempt, with jitter.
        stable_after: a connection that lasted this many seconds resets the attempt counter.
        ping_interval: seconds between websocket pings we send (0 disables them).
        ping_timeout: seconds to wait for the pong before the connection counts as dead.
        watchdog: reconnect after this many seconds without any frame (None disables it).
        max_backlog: frames allowed to wait for the dispatcher. Beyond it, new *binary*
            frames (market data) are dropped and counted in :attr:`dropped_frames`, and
            ``on_error`` hears of it once per overflow; text frames (order updates) are
            never dropped. None (the default) never drops: memory grows while handlers lag.
        connect_timeout: give up on a handshake (and retry) after this many seconds.
        keepalive: call :meth:`_keepalive` every this many seconds while connected, for
            brokers that want an app-level ping (Fyers: the text ``"ping"``). None: never.

    Raises:
        ValueError: inconsistent timings (e.g. ``ping_timeout >= ping_interval``).
        ImportError: websocket-client is not installed (``pip install brokers[feed]``).

    Example::

        class EchoFeed(FeedThread["EchoFeed"]):
            def __init__(self) -> None:
                super().__init__()
                self.on_message: Optional[Callable[[EchoFeed, str], object]] = None
            def _url(self): return "wss://example.com/feed"
            def _decode(self, frame): self._emit("on_message", self, frame)

        feed = EchoFeed()
        feed.on_message = lambda feed, m: print(m)
        feed.connect(threaded=True)
        ...
        feed.close()
    """

    broker: Optional[str] = None

    def __init__(
        self,
        *,
        reconnect: bool = True,
        max_retries: int = 50,
        max_delay: float = 60.0,
        initial_delay: float = 1.0,
        stable_after: float = 10.0,
        ping_interval: float = 10.0,
        ping_timeout: float = 5.0,
        watchdog: Optional[float] = 10.0,
        max_backlog: Optional[int] = None,
        keepalive: Optional[float] = None,
        connect_timeout: float = 30.0,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if initial_delay <= 0 or max_delay < initial_delay:
            raise ValueError("need 0 < initial_delay <= max_delay")
        if ping_interval and not 0 < ping_timeout < ping_interval:
            raise ValueError("need 0 < ping_timeout < ping_interval (or ping_interval=0 to disable pings)")
        if watchdog is not None and watchdog <= 0:
            raise ValueError("watchdog must be > 0 seconds, or None")
        if connect_timeout <= 0:
            raise ValueError("connect_timeout must be > 0 seconds")
        if keepalive is not None and keepalive <= 0:
            raise ValueError("keepalive must be > 0 seconds, or None")
        if max_backlog is not None and max_backlog < 1:
            raise ValueError("max_backlog must be >= 1, or None")
        self._ws = _websocket()
        _install_redaction()
        self.reconnect = reconnect
        self.max_retries = max_retries
        self.max_delay = max_delay
        self.initial_delay = initial_delay
        self.stable_after = stable_after
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.watchdog = watchdog
        self.max_backlog = max_backlog
        self.keepalive = keepalive
        self.connect_timeout = connect_timeout
        self.dropped_frames = 0
        self.on_connect: Optional[Callable[[F], object]] = None
        self.on_close: Optional[Callable[[F, Optional[int], Optional[str]], object]] = None
        self.on_error: Optional[Callable[[F, Exception], object]] = None
        self.on_reconnect: Optional[Callable[[F, int], object]] = None
        self.on_noreconnect: Optional[Callable[[F], object]] = None
        self._lock = threading.Lock()
        self._run: Optional[Run] = None

    # -- hooks (see the module docstring) ------------------------------------------------
    def _url(self) -> str:
        """The websocket URL for the next connection (may carry tokens; never logged whole)."""
        raise NotImplementedError

    def _headers(self) -> Dict[str, str]:
        """Handshake headers for the next connection."""
        return {}

    def _on_open(self) -> None:
        """Reader thread, after each (re)connect: send auth and subscription frames."""

    def _on_connected(self) -> None:
        """Dispatcher thread, once per connection, before its first frame and before
        ``on_connect``: reset per-connection decoding state."""

    def _decode(self, frame: Frame) -> None:
        """Dispatcher thread: turn one frame into handler calls (via :meth:`_emit`)."""

    def _keepalive(self) -> None:
        """Timer thread, every ``keepalive`` seconds while connected: send an app-level ping."""

    def _goodbye(self) -> None:
        """The thread calling :meth:`close`, while still connected: a last message."""

    def _release(self) -> None:
        """After :meth:`close` stopped the feed: free what the subclass holds."""

    # -- public lifecycle ---------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """True while a connection is open."""
        run = self._run
        return run is not None and run.opened_at is not None and not run.stop.is_set()

    @property
    def running(self) -> bool:
        """True from :meth:`connect` until the feed has stopped (closed or given up)."""
        run = self._run
        return run is not None and not run.finished.is_set()

    def is_connected(self) -> bool:
        """True while connected (the official SDKs' spelling of :attr:`connected`)."""
        return self.connected

    def connect(self, threaded: bool = False) -> None:
        """Start the feed.

        Args:
            threaded: return at once (True) or block until the feed is closed or gives up.

        Raises:
            RuntimeError: the feed is already running.
        """
        with self._lock:
            if self._run is not None and not self._run.stop.is_set():
                raise RuntimeError("the feed is already running; close() it first")
            run = self._run = Run()
            run.last_frame = time.monotonic()
            name = type(self).__name__
            run.reader = threading.Thread(target=self._read_loop, args=(run,), name=f"{name}-reader", daemon=True)
            run.threads = [
                threading.Thread(target=self._dispatch_loop, args=(run,), name=f"{name}-dispatch", daemon=True),
                run.reader,
                threading.Thread(target=self._watch_loop, args=(run,), name=f"{name}-timer", daemon=True),
            ]
            for t in run.threads:
                t.start()
        if threaded:
            return
        try:
            run.finished.wait()
        except BaseException:  # Ctrl-C in a blocking connect(): stop the threads, then re-raise
            self.close()
            raise
        self._join(run, 2.0)

    def close(self) -> None:
        """Stop the feed: close the connection and end its threads. Idempotent.

        Safe from any thread, including from inside a handler (the handler's own
        thread is not waited for). Returns within about 2 seconds; a handler still
        busy after that is left to finish on its daemon thread, with a warning.
        """
        if self.connected:
            try:
                self._goodbye()
            except Exception:  # a farewell that fails must not keep the feed open
                log.exception("%s._goodbye failed", type(self).__name__)
        with self._lock:
            run = self._run
            if run is not None:
                run.stop.set()
        if run is not None:
            self._stop(run)
        try:
            self._release()
        except Exception:
            log.exception("%s._release failed", type(self).__name__)

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers for subclasses ---------------------------------------------------------
    def _emit(self, name: str, *args: Any) -> None:
        """Call the handler attribute ``name`` with ``args``, if set. An exception in it
        is logged and passed to ``on_error`` (an ``on_error`` that raises is only logged)."""
        handler = getattr(self, name, None)
        if handler is None:
            return
        try:
            handler(*args)
        except Exception as e:
            log.exception("%s handler %s raised", type(self).__name__, name)
            if name != "on_error":
                self._report(e)

    def _report(self, error: Exception) -> None:
        """Pass ``error`` to ``on_error`` (guarded)."""
        self._emit("on_error", self, error)

    def _give_up(self, error: Exception) -> None:
        """Stop for good, from any thread: cut the connection, report ``error`` once to
        ``on_error``, then ``on_noreconnect``; no more reconnects.

        For refusals the server sends inside the connection (Dhan's disconnect code
        807 "token expired", Fyers' auth failure), where retrying with the same token
        cannot help. Call it from :meth:`_decode`; it holds even when the server
        closed the connection right after the fatal message.
        """
        run = self._run
        if run is None or run.stop.is_set() or run.fatal is not None:
            return
        run.fatal = error
        run.quiet = True
        self._cut(run, send_close=True)

    def _auth_error(self, status: int) -> BrokerError:
        """The error reported when the handshake is refused with 401/403."""
        return TokenExpired(f"websocket handshake refused with HTTP {status}: the token is invalid or "
                            "expired; log in again and reconnect", broker=self.broker, status=status)

    def _backoff(self, attempt: int) -> float:
        """Seconds to wait before reconnect ``attempt`` (1-based): doubling, capped, jittered."""
        delay = min(self.max_delay, self.initial_delay * 2 ** min(attempt - 1, 30))
        return float(delay * (0.5 + random.random() / 2))  # equal jitter: spread clients, keep a floor

    # -- dispatcher ---------------------------------------------------------------------
    def _dispatch_loop(self, run: Run) -> None:
        get = run.queue.get
        frame_kind = Q.FRAME
        clean = False
        try:
            while True:
                item = get()
                kind = item[0]
                if kind == frame_kind:
                    if run.stop.is_set():
                        continue  # closing: drop the backlog, keep the lifecycle events
                    try:
                        self._decode(item[1])
                    except Exception as e:
                        log.warning("%s could not decode a frame: %s", type(self).__name__, e)
                        self._report(e)
                elif kind == Q.OPEN:
                    try:
                        self._on_connected()
                    except Exception as e:
                        log.exception("%s._on_connected failed", type(self).__name__)
                        self._report(e)
                    self._emit("on_connect", self)
                elif kind == Q.CLOSE:
                    self._emit("on_close", self, item[1], item[2])
                elif kind == Q.ERROR:
                    self._report(item[1])
                elif kind == Q.LOST:
                    if run.fatal is None:  # else the fatal message already says why it ended
                        self._report(item[1])
                elif kind == Q.RECONNECT:
                    self._emit("on_reconnect", self, item[1])
                elif kind == Q.NORECONNECT:
                    self._emit("on_noreconnect", self)
                elif kind == Q.DRAIN:
                    item[1].set()
                elif kind == Q.END:
                    clean = True
                    break
        finally:
            if not clean:  # a handler raised SystemExit or the like: nobody is reading, so stop
                run.stop.set()
                self._cut(run)
            run.finished.set()

    def __repr__(self) -> str:
        state = "connected" if self.connected else "running" if self.running else "stopped"
        return f"<{type(self).__name__} {state}>"
