"""The connection side of :class:`~brokers.core.feed.FeedThread`: one run's state,
the reader thread (websocket-client inside our reconnect loop), cuts, and the timer.

Threads (per ``FeedThread.connect()``, all daemons, all ended by ``close()``):

- **reader** runs websocket-client's ``WebSocketApp.run_forever(ping_interval,
  ping_timeout)`` inside our own reconnect loop (capped exponential backoff with
  jitter; the attempt counter resets once a connection has stayed up for
  ``stable_after`` seconds). Its ``on_data`` only stamps the time and enqueues the
  raw frame, so reading and pings never wait for user code. When a connection
  ends, the reader waits (up to 2 s) for the dispatcher to handle that
  connection's last frames before it decides whether to reconnect, so a fatal
  message read just before the close stops the feed without a reconnect.
- **dispatcher** (in :mod:`brokers.core.feed`) takes frames and events off the
  queue and calls the hooks and every user handler, in order.
- **timer** cuts the socket when no frame (data, heartbeat or server ping) has
  arrived for ``watchdog`` seconds, so a silent connection is replaced by a new one,
  and a handshake that takes longer than ``connect_timeout``; it also calls
  :meth:`~FeedThread._keepalive` every ``keepalive`` seconds.

Nothing here calls user code: the reader and the timer only put events on the
run's queue. :class:`SocketLoop` is a mixin; :class:`FeedThread` supplies
the hooks it declares (``_url``, ``_headers``, ``_on_open``, ``_keepalive``,
``_backoff``, ``_auth_error``).
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
from typing import Any, Dict, List, Optional, Tuple, Union

from ..errors import BrokerError, NetworkError
from .redact import scrub, strip_query

__all__ = ["Frame", "Q", "Run", "SocketLoop", "websocket_module"]

log = logging.getLogger(__name__)

Frame = Union[bytes, str]

class Q:
    """Kinds of queue items ``(kind, *args)``. Frames are by far the most common, so
    they are the cheapest to build and test for. DRAIN carries an Event the
    dispatcher sets once it has handled everything queued before it. LOST is the
    error of a connection that failed or ended; it is not reported when a fatal
    message (``_give_up``) already explains the end."""

    FRAME, OPEN, CLOSE, ERROR, RECONNECT, NORECONNECT, DRAIN, END, LOST = range(9)


Item = Tuple[Any, ...]

# How long the reader waits, after a connection ended, for the dispatcher to handle
# that connection's last frames before it decides whether to reconnect.
DRAIN_WAIT = 2.0


def websocket_module() -> Any:
    """websocket-client, or an ImportError that says how to install it."""
    try:
        import websocket
    except ImportError:
        raise ImportError("The live feeds need websocket-client: pip install brokers[feed]") from None
    return websocket


class Run:
    """State of one connect()..close() cycle; threads of an old run never touch a new one."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.finished = threading.Event()  # set by the dispatcher when it is done
        self.queue: "queue.SimpleQueue[Item]" = queue.SimpleQueue()
        self.app: Any = None
        self.opened_at: Optional[float] = None  # monotonic time of the current connection's open
        self.last_frame = 0.0
        self.fatal: Optional[Exception] = None  # reported once, then no more reconnects
        self.attempt_started: Optional[float] = None  # monotonic start of a handshake in progress
        self.quiet = False  # the timer cut this connection and said why: skip the echo of it
        self.reader: Optional[threading.Thread] = None
        self.overflowing = False  # the backlog is full and frames are being dropped
        self.threads: List[threading.Thread] = []


class SocketLoop:
    """Mixin: the reader and timer threads of a feed, and how a connection is cut."""

    broker: Optional[str] = None
    _ws: Any
    _run: Optional[Run]
    reconnect: bool
    max_retries: int
    stable_after: float
    ping_interval: float
    ping_timeout: float
    watchdog: Optional[float]
    max_backlog: Optional[int]
    keepalive: Optional[float]
    connect_timeout: float
    dropped_frames: int

    # Supplied by FeedThread (documented there).
    def _url(self) -> str:
        raise NotImplementedError

    def _headers(self) -> Dict[str, str]:
        raise NotImplementedError

    def _on_open(self) -> None:
        raise NotImplementedError

    def _keepalive(self) -> None:
        raise NotImplementedError

    def _backoff(self, attempt: int) -> float:
        raise NotImplementedError

    def _auth_error(self, status: int) -> BrokerError:
        raise NotImplementedError

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

    # -- reader -------------------------------------------------------------------------
    def _read_loop(self, run: Run) -> None:
        attempt = 0
        try:
            while not run.stop.is_set():
                # _give_up() may land from the dispatcher at any time, also during the
                # backoff wait: check before connecting as well as after.
                opened = None if run.fatal is not None else self._connect_once(run)
                if opened is not None:
                    self._drain(run)
                if run.stop.is_set():
                    break
                if run.fatal is not None:
                    run.queue.put((Q.ERROR, run.fatal))
                    run.queue.put((Q.NORECONNECT,))
                    break
                if not self.reconnect:
                    break
                if opened is not None and time.monotonic() - opened >= self.stable_after:
                    attempt = 0
                attempt += 1
                if attempt > self.max_retries:
                    log.warning("%s: giving up after %d reconnect attempts", type(self).__name__, self.max_retries)
                    run.queue.put((Q.NORECONNECT,))
                    break
                delay = self._backoff(attempt)
                log.info("%s: reconnect attempt %d in %.2fs", type(self).__name__, attempt, delay)
                run.queue.put((Q.RECONNECT, attempt))
                if run.stop.wait(delay):
                    break
        except Exception as e:  # a bug of ours or of a hook: report it rather than die silently
            log.exception("%s reader failed", type(self).__name__)
            run.queue.put((Q.ERROR, e))
        finally:
            run.stop.set()
            run.queue.put((Q.END,))

    @staticmethod
    def _drain(run: Run) -> None:
        """Wait (bounded) until the dispatcher has handled the ended connection's frames.

        A server often sends its reason and closes at once (Dhan's disconnect
        packet), so the reader sees the close before the dispatcher has read the
        reason. Deciding to reconnect only after the drain lets a ``_give_up()``
        from those last frames stop the feed before any reconnect is announced.
        """
        done = threading.Event()
        run.queue.put((Q.DRAIN, done))
        deadline = time.monotonic() + DRAIN_WAIT
        while not done.wait(0.05):
            if run.stop.is_set() or time.monotonic() > deadline:
                break

    def _connect_once(self, run: Run) -> Optional[float]:
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
                queue_put((Q.ERROR, e))
            queue_put((Q.OPEN,))

        limit = self.max_backlog
        qsize = run.queue.qsize
        frame_kind = Q.FRAME

        def on_data(app: Any, data: Any, opcode: int, fin: bool) -> None:
            run.last_frame = time.monotonic()
            if limit is not None and isinstance(data, bytes):
                size = qsize()
                if size >= limit:
                    if not run.overflowing:  # tell once per overflow, not once per dropped frame
                        run.overflowing = True
                        queue_put((Q.ERROR, BrokerError(f"handlers are {limit} frames behind: dropping market "
                                                      "data frames until they catch up", broker=self.broker)))
                    self.dropped_frames += 1
                    return
                if run.overflowing and size < limit // 2:
                    run.overflowing = False
            queue_put((frame_kind, data))

        def on_ping(app: Any, data: Any) -> None:
            run.last_frame = time.monotonic()  # a server that pings us is alive (Dhan does)

        def on_error(app: Any, error: BaseException) -> None:
            if run.stop.is_set() or run.quiet:
                return  # errors caused by our own close() or timer cut, already explained
            # Only a refused handshake has an HTTP status; websocket-client also puts
            # the close code of a server's close frame in status_code.
            handshake = isinstance(error, self._ws.WebSocketBadStatusException)
            status = getattr(error, "status_code", None) if handshake else None
            if status in (401, 403):
                run.fatal = self._auth_error(status)
                return
            log.warning("%s connection error: %s", type(self).__name__, scrub(str(error)))
            wrapped = NetworkError(f"feed connection failed: {scrub(str(error)) or type(error).__name__}",
                                   broker=self.broker, status=status)
            wrapped.__cause__ = error
            queue_put((Q.LOST, wrapped))

        def on_close(app: Any, code: Optional[int], reason: Optional[str]) -> None:
            if run.opened_at is not None:
                queue_put((Q.CLOSE, code, reason))

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

    @staticmethod
    def _cut(run: Run, send_close: bool = False) -> None:
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

    def _stop(self, run: Run) -> None:
        """Cut the connection and wait (about 2 s at most) for the run's threads."""
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

    def _join(self, run: Run, budget: float) -> None:
        deadline = time.monotonic() + budget
        me = threading.current_thread()
        for t in run.threads:
            if t is me:
                continue
            t.join(max(0.0, deadline - time.monotonic()))
            if t.is_alive():
                log.warning("%s: thread %s still busy after close(); left to finish as a daemon",
                            type(self).__name__, t.name)

    # -- timer --------------------------------------------------------------------------
    def _watch_loop(self, run: Run) -> None:
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
                        run.queue.put((Q.ERROR, e))

    def _timer_cut(self, run: Run, why: str) -> None:
        log.warning("%s: %s", type(self).__name__, why)
        run.queue.put((Q.ERROR, NetworkError(why, broker=self.broker)))
        run.quiet = True
        self._cut(run)
