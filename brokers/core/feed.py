"""FeedThread: a websocket feed on a background thread that reconnects by itself.

Every broker feed (Kite, Dhan, Fyers) subclasses :class:`FeedThread`, which owns
the whole lifecycle; the subclass only says where to connect, what to send once
connected and how to decode a frame.

Threads (per :meth:`FeedThread.connect`, all daemons, all ended by :meth:`close`):

- **reader** runs websocket-client's ``WebSocketApp.run_forever(ping_interval,
  ping_timeout)`` inside our own reconnect loop (capped exponential backoff with
  jitter; the attempt counter resets once a connection has stayed up for
  ``stable_after`` seconds). Its ``on_data`` only stamps the time and enqueues the
  raw frame, so reading and pings never wait for user code.
- **dispatcher** takes frames and events off the queue, calls the subclass's
  :meth:`~FeedThread._decode` and every user handler, in order. A handler that
  raises is logged and reported to ``on_error``; the feed goes on.
- **timer** cuts the socket when no frame (data, heartbeat or server ping) has
  arrived for ``watchdog`` seconds, so a silent connection is replaced by a new one,
  and a handshake that takes longer than ``connect_timeout``; it also calls
  :meth:`~FeedThread._keepalive` every ``keepalive`` seconds.

A handshake refused with 401/403 is an auth error: reported once to ``on_error``
as :class:`~brokers.errors.TokenExpired`, then ``on_noreconnect``; no retries.

Subclass API (keep these names; the broker feeds rely on them)::

    class MyFeed(FeedThread):
        broker = "mybroker"                   # goes into the errors we raise

        def _url(self) -> str: ...            # REQUIRED. Called before every connect
                                              # (tokens may have changed); may carry secrets,
                                              # it is never logged with its query string.
        def _headers(self) -> dict: ...       # handshake headers, also rebuilt per connect
        def _on_open(self) -> None: ...       # reader thread, right after each (re)connect and
                                              # before any frame is read: send auth and replay
                                              # subscriptions here with self._send(...), and
                                              # reset any per-connection decoding state
        def _decode(self, frame) -> None: ... # dispatcher thread: bytes (binary frame) or str
                                              # (text frame); parse it and call
                                              # self._emit("on_tick", self, ticks) etc.
                                              # A raised exception goes to on_error.
        def _keepalive(self) -> None: ...     # timer thread, every `keepalive` s while connected:
                                              # an app-level ping, e.g. self._send("ping")

One FeedThread is one socket. A broker with a separate order socket (Dhan, Fyers)
runs one subclass per socket. Everything the dispatcher sees arrives in order:
``on_connect`` before the frames of that connection, ``on_close`` after them.

What ``on_error`` receives: :class:`~brokers.errors.NetworkError` for a failed or
lost connection and for a silence cut by the watchdog; ``TokenExpired`` (an
``AuthError``) for a 401/403 handshake; the exception itself when a handler or
``_decode`` raises (e.g. the ``ValueError`` of a malformed frame); a
:class:`~brokers.errors.BrokerError` when ``max_backlog`` starts dropping frames.

Helpers for subclasses: :meth:`~FeedThread._send` (thread-safe, False when not
connected), :meth:`~FeedThread._emit` (call a handler attribute by name, guarded),
:meth:`~FeedThread._report` (route an exception to ``on_error``),
:meth:`~FeedThread._give_up` (stop for good with an error, e.g. an auth failure the
server reports inside the connection),
:meth:`~FeedThread._auth_error` (the error for a refused handshake),
:attr:`~FeedThread.connected`. Subclasses add their own handler attributes
(``on_tick``, ``on_order_update``, ...), set to ``None`` in ``__init__``;
:meth:`~FeedThread._emit` skips a handler that is ``None``.

Handlers common to every feed, each called on the dispatcher thread with the feed
first: ``on_connect(feed)``, ``on_close(feed, code, reason)``, ``on_error(feed,
error)``, ``on_reconnect(feed, attempt)``, ``on_noreconnect(feed)``. ``on_close``
gets the server's close code and reason, or ``None, None`` when the connection
dropped without a close frame or was closed by us. ``on_reconnect(attempt)`` comes
before the backoff wait of that attempt; ``on_noreconnect`` once, when the feed stops
for good (retries used up, or an auth refusal), never after a plain :meth:`close`.

Needs the ``feed`` extra (websocket-client).
"""

from __future__ import annotations

import logging
import queue
import random
import socket
import threading
import time
from typing import Any, Dict, Optional, Union

from ..errors import BrokerError, NetworkError, TokenExpired
from .redact import install as _install_redaction
from .redact import scrub, strip_query

__all__ = ["FeedThread"]

log = logging.getLogger("brokers.feed")

Frame = Union[bytes, str]

# Queue items: (kind, *args). Frames are by far the most common, so they are the
# cheapest to build and test for.
_FRAME, _OPEN, _CLOSE, _ERROR, _RECONNECT, _NORECONNECT, _END = range(7)


def _websocket() -> Any:
    try:
        import websocket
    except ImportError:
        raise ImportError("The live feeds need websocket-client: pip install brokers[feed]") from None
    return websocket


class _Run:
    """State of one connect()..close() cycle; threads of an old run never touch a new one."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.finished = threading.Event()  # set by the dispatcher when it is done
        self.queue: "queue.SimpleQueue[tuple]" = queue.SimpleQueue()
        self.app: Any = None
        self.opened_at: Optional[float] = None  # monotonic time of the current connection's open
        self.last_frame = 0.0
        self.fatal: Optional[BaseException] = None  # reported once, then no more reconnects
        self.attempt_started: Optional[float] = None  # monotonic start of a handshake in progress
        self.quiet = False  # the timer cut this connection and said why: skip the echo of it
        self.reader: Optional[threading.Thread] = None
        self.overflowing = False  # the backlog is full and frames are being dropped
        self.threads: list = []


class FeedThread:
    """Base class of the broker feeds: lifecycle, reconnects, liveness, dispatch.

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

        class EchoFeed(FeedThread):
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
        self.on_connect: Any = None
        self.on_close: Any = None
        self.on_error: Any = None
        self.on_reconnect: Any = None
        self.on_noreconnect: Any = None
        self._lock = threading.Lock()
        self._run: Optional[_Run] = None

    # -- subclass hooks -----------------------------------------------------------------
    def _url(self) -> str:
        """The websocket URL for the next connection (may carry tokens; never logged whole)."""
        raise NotImplementedError

    def _headers(self) -> Dict[str, str]:
        """Handshake headers for the next connection."""
        return {}

    def _on_open(self) -> None:
        """Reader thread, after each (re)connect: send auth and subscription frames."""

    def _decode(self, frame: Frame) -> None:
        """Dispatcher thread: turn one frame into handler calls (via :meth:`_emit`)."""

    def _keepalive(self) -> None:
        """Timer thread, every ``keepalive`` seconds while connected: send an app-level ping."""

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
            run = self._run = _Run()
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
        with self._lock:
            run = self._run
            if run is None:
                return
            run.stop.set()
        deadline = time.monotonic() + 1.8
        self._cut(run, send_close=True)
        reader = run.reader
        # Cut again while waiting: a handshake that had no socket yet at the first cut
        # has one now, and only a shutdown wakes a blocked handshake.
        while reader is not None and reader is not threading.current_thread() and time.monotonic() < deadline:
            reader.join(0.1)
            if not reader.is_alive():
                break
            self._cut(run)
        self._join(run, max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> "FeedThread":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- helpers for subclasses ---------------------------------------------------------
    def _send(self, data: Frame) -> bool:
        """Send a text (str) or binary (bytes) frame; False when not connected.

        Thread-safe (websocket-client locks its sends); may be called from handlers.
        """
        run = self._run
        app = run.app if run is not None else None
        if app is None or run is None or run.stop.is_set():
            return False
        try:
            if isinstance(data, str):
                app.send(data)
            else:
                app.send(data, self._ws.ABNF.OPCODE_BINARY)
            return True
        except Exception as e:  # the socket just went away; the reader reconnects and replays
            log.debug("send failed: %s", scrub(str(e)))
            return False

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

    def _report(self, error: BaseException) -> None:
        """Pass ``error`` to ``on_error`` (guarded)."""
        self._emit("on_error", self, error)

    def _give_up(self, error: BaseException) -> None:
        """Stop for good, from any thread: cut the connection, report ``error`` once to
        ``on_error``, then ``on_noreconnect``; no more reconnects.

        For refusals the server sends inside the connection (Dhan's disconnect code
        807 "token expired", Fyers' auth failure), where retrying with the same token
        cannot help. Call it from :meth:`_decode`.
        """
        run = self._run
        if run is None or run.stop.is_set():
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
        return delay * (0.5 + random.random() / 2)  # equal jitter: spread clients, keep a floor

    # -- reader -------------------------------------------------------------------------
    def _read_loop(self, run: _Run) -> None:
        attempt = 0
        try:
            while not run.stop.is_set():
                # _give_up() may land from the dispatcher at any time, also during the
                # backoff wait: check before connecting as well as after.
                opened = None if run.fatal is not None else self._connect_once(run)
                if run.stop.is_set():
                    break
                if run.fatal is not None:
                    run.queue.put((_ERROR, run.fatal))
                    run.queue.put((_NORECONNECT,))
                    break
                if not self.reconnect:
                    break
                if opened is not None and time.monotonic() - opened >= self.stable_after:
                    attempt = 0
                attempt += 1
                if attempt > self.max_retries:
                    log.warning("%s: giving up after %d reconnect attempts", type(self).__name__, self.max_retries)
                    run.queue.put((_NORECONNECT,))
                    break
                delay = self._backoff(attempt)
                log.info("%s: reconnect attempt %d in %.2fs", type(self).__name__, attempt, delay)
                run.queue.put((_RECONNECT, attempt))
                if run.stop.wait(delay):
                    break
        except Exception as e:  # a bug of ours or of a hook: report it rather than die silently
            log.exception("%s reader failed", type(self).__name__)
            run.queue.put((_ERROR, e))
        finally:
            run.stop.set()
            run.queue.put((_END,))

    def _connect_once(self, run: _Run) -> Optional[float]:
        """One connection, from handshake to close. Returns when it opened, or None."""
        url = self._url()
        log.info("%s connecting to %s", type(self).__name__, strip_query(url))
        queue_put = run.queue.put

        def on_open(app: Any) -> None:
            run.opened_at = run.last_frame = time.monotonic()
            run.attempt_started = None
            if run.stop.is_set():  # close() raced the handshake
                self._cut(run, send_close=True)
                return
            try:
                self._on_open()
            except Exception as e:  # a failing hook must not look like a network error
                log.exception("%s._on_open failed", type(self).__name__)
                queue_put((_ERROR, e))
            queue_put((_OPEN,))

        limit = self.max_backlog
        qsize = run.queue.qsize

        def on_data(app: Any, data: Any, opcode: int, fin: bool) -> None:
            run.last_frame = time.monotonic()
            if limit is not None and isinstance(data, bytes):
                size = qsize()
                if size >= limit:
                    if not run.overflowing:  # tell once per overflow, not once per dropped frame
                        run.overflowing = True
                        queue_put((_ERROR, BrokerError(f"handlers are {limit} frames behind: dropping market "
                                                       "data frames until they catch up", broker=self.broker)))
                    self.dropped_frames += 1
                    return
                if run.overflowing and size < limit // 2:
                    run.overflowing = False
            queue_put((_FRAME, data))

        def on_ping(app: Any, data: Any) -> None:
            run.last_frame = time.monotonic()  # a server that pings us is alive (Dhan does)

        def on_error(app: Any, error: BaseException) -> None:
            if run.stop.is_set() or run.quiet:
                return  # errors caused by our own close() or timer cut, already explained
            status = getattr(error, "status_code", None)
            if isinstance(error, self._ws.WebSocketBadStatusException) and status in (401, 403):
                run.fatal = self._auth_error(status)
                return
            log.warning("%s connection error: %s", type(self).__name__, scrub(str(error)))
            wrapped = NetworkError(f"feed connection failed: {scrub(str(error)) or type(error).__name__}",
                                   broker=self.broker, status=status)
            wrapped.__cause__ = error
            queue_put((_ERROR, wrapped))

        def on_close(app: Any, code: Optional[int], reason: Optional[str]) -> None:
            if run.opened_at is not None:
                queue_put((_CLOSE, code, reason))

        app = self._ws.WebSocketApp(url, header=self._headers(), on_open=on_open, on_data=on_data,
                                    on_ping=on_ping, on_error=on_error, on_close=on_close)
        run.opened_at = None
        run.app = app
        if run.stop.is_set() or run.fatal is not None:  # close() or _give_up() came first
            return None
        run.quiet = False
        run.attempt_started = time.monotonic()
        try:
            app.run_forever(ping_interval=self.ping_interval, ping_timeout=self.ping_timeout or None,
                            skip_utf8_validation=False)
        finally:
            opened, run.opened_at = run.opened_at, None
            run.attempt_started = None
        return opened

    def _cut(self, run: _Run, send_close: bool = False) -> None:
        """Drop the current connection now: optionally a close frame, then a socket
        shutdown, which wakes the reader at once (a plain close() would wait for the
        server's reply, forever if the server is silent)."""
        app = run.app
        if app is None:
            return
        app.keep_running = False
        ws = app.sock
        raw = getattr(ws, "sock", None)
        if ws is None or raw is None:
            return
        if send_close:
            try:
                raw.settimeout(0.5)
                ws.send_close()
            except Exception:  # the socket may already be gone; the shutdown below is what matters
                pass
        try:
            raw.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- watchdog -----------------------------------------------------------------------
    def _watch_loop(self, run: _Run) -> None:
        # One timer thread for the handshake timeout, the silence watchdog and the keepalive.
        limit = self.watchdog
        every = self.keepalive
        period = min(1.0, self.connect_timeout / 4, limit / 4 if limit else 1.0, every or 1.0)
        next_keepalive = 0.0
        while not run.stop.wait(period):
            now = time.monotonic()
            opened = run.opened_at
            if opened is None:
                next_keepalive = 0.0
                started = run.attempt_started
                if started is not None and now - started > self.connect_timeout:
                    run.attempt_started = None  # one cut per attempt
                    self._timer_cut(run, f"no handshake after {self.connect_timeout:g}s; retrying")
                continue
            if limit is not None and now - run.last_frame > limit:
                run.last_frame = now  # one cut per silence, not one per period
                self._timer_cut(run, f"no frame for {limit:g}s; reconnecting")
                continue
            if every is not None:
                if not next_keepalive:
                    next_keepalive = opened + every
                if now >= next_keepalive:
                    next_keepalive = now + every
                    try:
                        self._keepalive()
                    except Exception as e:  # a failing hook is a bug to report, not a reason to stop
                        log.exception("%s._keepalive failed", type(self).__name__)
                        run.queue.put((_ERROR, e))

    def _timer_cut(self, run: _Run, why: str) -> None:
        log.warning("%s: %s", type(self).__name__, why)
        run.queue.put((_ERROR, NetworkError(why, broker=self.broker)))
        run.quiet = True
        self._cut(run)

    # -- dispatcher ---------------------------------------------------------------------
    def _dispatch_loop(self, run: _Run) -> None:
        get = run.queue.get
        clean = False
        try:
            while True:
                item = get()
                kind = item[0]
                if kind == _FRAME:
                    if run.stop.is_set():
                        continue  # closing: drop the backlog, keep the lifecycle events
                    try:
                        self._decode(item[1])
                    except Exception as e:
                        log.warning("%s could not decode a frame: %s", type(self).__name__, e)
                        self._report(e)
                elif kind == _OPEN:
                    self._emit("on_connect", self)
                elif kind == _CLOSE:
                    self._emit("on_close", self, item[1], item[2])
                elif kind == _ERROR:
                    self._report(item[1])
                elif kind == _RECONNECT:
                    self._emit("on_reconnect", self, item[1])
                elif kind == _NORECONNECT:
                    self._emit("on_noreconnect", self)
                elif kind == _END:
                    clean = True
                    break
        finally:
            if not clean:  # a handler raised SystemExit or the like: nobody is reading, so stop
                run.stop.set()
                self._cut(run)
            run.finished.set()

    def _join(self, run: _Run, budget: float) -> None:
        deadline = time.monotonic() + budget
        me = threading.current_thread()
        for t in run.threads:
            if t is me:
                continue
            t.join(max(0.0, deadline - time.monotonic()))
            if t.is_alive():
                log.warning("%s: thread %s still busy after close(); left to finish as a daemon",
                            type(self).__name__, t.name)

    def __repr__(self) -> str:
        state = "connected" if self.connected else "running" if self.running else "stopped"
        return f"<{type(self).__name__} {state}>"
