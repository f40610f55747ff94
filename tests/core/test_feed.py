"""FeedThread over loopback: lifecycle, dispatch, reconnects, watchdog, auth refusal."""

from __future__ import annotations

import contextlib
import threading
from typing import Any, Dict, List, Optional

import pytest

from brokers.core.feed import FeedThread
from brokers.errors import AuthError, NetworkError, TokenExpired
from brokers.sandbox.ws import WsConnection, WsRoute, WsServer

from ..recorder import WAIT, FeedRecorder, wait_for


class Server:
    """A websocket route that says hello, echoes text and sends a heartbeat every 50 ms."""

    def __init__(self) -> None:
        self.ws = WsServer()
        self.refuse: Optional[int] = None
        self.handshakes = 0
        self.received: List[Any] = []
        self.ping_ok = threading.Event()
        self.ping_now = threading.Event()
        self.burst = threading.Event()
        self.burst_read = threading.Event()
        self.fatal_then_close = False  # say "fatal" and close at once, as Dhan does with code 807
        self.ws.add(WsRoute("/t", self.serve, self.authorize))
        self.ws.start()

    @property
    def url(self) -> str:
        return self.ws.url + "/t?token=secret-token-123"

    def authorize(self, path: str, query: Dict[str, List[str]]) -> Optional[int]:
        self.handshakes += 1
        return self.refuse

    def serve(self, conn: WsConnection) -> None:
        conn.send("hello")
        if self.fatal_then_close:
            conn.send("fatal")
            conn.raw.close()
            return
        while not conn.closed.is_set():
            msg = conn.recv(timeout=0.05)
            if msg is not None:
                self.received.append(msg)
                conn.send(msg)
            conn.send(b"\x00")
            if self.burst.is_set():  # 20 binary frames, a text one, then a ping: its pong
                self.burst.clear()  # comes back once the client has read them all
                for _ in range(20):
                    conn.send(b"\x01\x02")
                conn.send("after-burst")
                if conn.raw.ping().wait(WAIT):
                    self.burst_read.set()
            if self.ping_now.is_set():
                self.ping_now.clear()
                if conn.raw.ping().wait(WAIT):
                    self.ping_ok.set()
        # a message that came with the close (a feed's goodbye) is still read
        with contextlib.suppress(EOFError):
            while (msg := conn.recv(timeout=0)) is not None:
                self.received.append(msg)

    def stop(self) -> None:
        self.ws.stop()


class Echo(FeedThread):
    broker = "test"

    def __init__(self, url: str, **kw: Any) -> None:
        kw.setdefault("initial_delay", 0.05)
        kw.setdefault("max_delay", 0.2)
        kw.setdefault("watchdog", 1.0)
        kw.setdefault("ping_interval", 2.0)
        kw.setdefault("ping_timeout", 1.0)
        super().__init__(**kw)
        self.url = url
        self.on_message: Any = None
        self.opens = 0

    def _url(self) -> str:
        return self.url

    def _on_open(self) -> None:
        self.opens += 1
        self._send("replay")

    def _decode(self, frame: Any) -> None:
        if isinstance(frame, str):
            self._emit("on_message", self, frame)


class Recorder(FeedRecorder):
    """The shared recorder, plus a way to wake its waiters from a replaced handler."""

    def notify(self) -> None:
        with self.cond:
            self.cond.notify_all()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.stop()


def no_feed_threads(feed: FeedThread) -> bool:
    run = feed._run
    return run is None or not any(t.is_alive() for t in run.threads)


def test_connect_dispatch_and_close(server):
    feed = Echo(server.url)
    rec = Recorder(feed)
    feed.connect(threaded=True)
    assert rec.wait(lambda: "hello" in rec.messages and "replay" in rec.messages)
    assert rec.connects == 1 and feed.connected
    assert feed._send("ping-text")
    assert rec.wait(lambda: "ping-text" in rec.messages)
    feed.close()
    feed.close()  # idempotent
    assert no_feed_threads(feed)
    assert not feed.connected and not feed.running
    assert not feed._send("late")
    assert rec.errors == []


def test_connect_again_after_close(server):
    feed = Echo(server.url)
    rec = Recorder(feed)
    for n in (1, 2):
        feed.connect(threaded=True)
        assert rec.wait(lambda n=n: rec.connects == n)
        feed.close()
        assert no_feed_threads(feed)
    assert feed.opens == 2


def test_connect_twice_is_an_error(server):
    with Echo(server.url) as feed:
        feed.connect(threaded=True)
        with pytest.raises(RuntimeError):
            feed.connect(threaded=True)
    assert no_feed_threads(feed)


def test_blocking_connect_returns_on_close_from_handler(server):
    feed = Echo(server.url)
    rec = Recorder(feed)
    feed.on_message = lambda f, m: f.close()
    result: List[str] = []
    t = threading.Thread(target=lambda: (feed.connect(), result.append("returned")))
    t.start()
    t.join(WAIT)
    assert result == ["returned"]
    assert rec.connects == 1
    assert no_feed_threads(feed)


def test_close_from_another_thread_while_blocking(server):
    feed = Echo(server.url)
    rec = Recorder(feed)
    done = threading.Event()
    t = threading.Thread(target=lambda: (feed.connect(), done.set()))
    t.start()
    assert rec.wait(lambda: rec.connects == 1)
    threading.Thread(target=feed.close).start()
    assert done.wait(WAIT)
    t.join(WAIT)
    assert no_feed_threads(feed)


def test_raising_handler_is_reported_and_feed_goes_on(server):
    feed = Echo(server.url)
    rec = Recorder(feed)
    seen: List[str] = []

    def bad(f: Any, m: str) -> None:
        seen.append(m)
        if m == "hello":
            raise KeyError("boom")
        rec.notify()

    feed.on_message = bad
    with feed:
        feed.connect(threaded=True)
        assert rec.wait(lambda: "replay" in seen)
    assert any(isinstance(e, KeyError) for e in rec.errors)
    assert seen[:2] == ["hello", "replay"]


def test_raising_on_error_does_not_loop(server):
    feed = Echo(server.url)
    calls: List[BaseException] = []
    got = threading.Event()

    def on_error(f: Any, e: BaseException) -> None:
        calls.append(e)
        got.set()
        raise RuntimeError("on_error itself fails")

    feed.on_error = on_error
    feed.on_message = lambda f, m: (_ for _ in ()).throw(ValueError("x"))
    with feed:
        feed.connect(threaded=True)
        assert got.wait(WAIT)
    assert all(isinstance(e, ValueError) for e in calls)


def test_handshake_403_is_reported_once_and_not_retried(server):
    server.refuse = 403
    feed = Echo(server.url, max_retries=50)
    rec = Recorder(feed)
    feed.connect(threaded=True)
    assert rec.wait(lambda: rec.gave_up)
    feed.close()
    assert server.handshakes == 1
    assert len(rec.errors) == 1 and isinstance(rec.errors[0], TokenExpired)
    assert isinstance(rec.errors[0], AuthError) and rec.errors[0].status == 403
    assert rec.reconnects == [] and rec.connects == 0
    assert "secret-token-123" not in str(rec.errors[0])


def test_give_up_from_decode_stops_for_good(server):
    class Refused(Echo):
        def _decode(self, frame: Any) -> None:
            if frame == "hello":  # as if the server said "token expired" inside the connection
                self._give_up(AuthError("token expired (807)", broker="test"))

    feed = Refused(server.url)
    rec = Recorder(feed)
    feed.connect(threaded=True)
    assert rec.wait(lambda: rec.gave_up)
    feed.close()
    assert [str(e) for e in rec.errors] == ["[test] token expired (807)"]
    assert rec.reconnects == [] and server.handshakes == 1
    assert no_feed_threads(feed)


def test_reconnect_after_drop_replays_on_open(server):
    feed = Echo(server.url, stable_after=60)
    rec = Recorder(feed)
    with feed:
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 1 and "replay" in rec.messages)
        assert server.ws.drop_all() == 1
        assert rec.wait(lambda: rec.connects == 2)
        assert rec.reconnects == [1]
        assert feed.opens == 2
        assert rec.wait(lambda: rec.messages.count("replay") == 2)  # sent again, echoed back
        assert rec.closes >= 1


def test_counter_resets_after_stable_connection(server):
    feed = Echo(server.url, stable_after=0)
    rec = Recorder(feed)
    with feed:
        feed.connect(threaded=True)
        for n in (2, 3):
            assert rec.wait(lambda n=n: rec.connects == n - 1)
            server.ws.drop_all()
            assert rec.wait(lambda n=n: rec.connects == n)
    assert rec.reconnects == [1, 1]


def test_watchdog_reconnects_a_silent_connection(server):
    feed = Echo(server.url, watchdog=0.5, stable_after=60)
    rec = Recorder(feed)
    with feed:
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 1)
        server.ws.go_silent("/t")
        assert rec.wait(lambda: rec.reconnects == [1])
        server.ws.go_silent("/t", silent=False)
        assert rec.wait(lambda: rec.connects == 2)
    assert any(isinstance(e, NetworkError) and "no frame" in str(e) for e in rec.errors)


def test_gives_up_after_max_retries(server):
    feed = Echo(server.url, max_retries=3)
    rec = Recorder(feed)
    server.refuse = 503
    feed.connect(threaded=True)
    assert rec.wait(lambda: rec.gave_up)
    feed.close()
    assert rec.reconnects == [1, 2, 3]
    assert server.handshakes == 4
    assert all(isinstance(e, NetworkError) for e in rec.errors) and len(rec.errors) == 4
    assert no_feed_threads(feed)


def test_no_reconnect_when_disabled(server):
    feed = Echo(server.url, reconnect=False)
    rec = Recorder(feed)
    done = threading.Event()
    t = threading.Thread(target=lambda: (feed.connect(), done.set()))
    t.start()
    assert rec.wait(lambda: rec.connects == 1)
    server.ws.drop_all()
    assert done.wait(WAIT)
    t.join(WAIT)
    assert rec.reconnects == []


def test_slow_handler_does_not_stall_reading_or_pongs(server):
    feed = Echo(server.url, watchdog=None)
    release = threading.Event()
    blocked = threading.Event()

    def slow(f: Any, m: str) -> None:
        blocked.set()
        release.wait(WAIT)

    feed.on_message = slow
    with feed:
        feed.connect(threaded=True)
        assert blocked.wait(WAIT)
        server.ping_now.set()  # the server pings while our only handler thread is stuck
        assert server.ping_ok.wait(WAIT)
        release.set()


def test_backlog_limit_drops_binary_frames_only(server):
    feed = Echo(server.url, watchdog=None, max_backlog=2)
    rec = Recorder(feed)
    release = threading.Event()
    record = feed.on_message
    feed.on_message = lambda f, m: (release.wait(WAIT) if m == "hello" else None, record(f, m))
    with feed:
        feed.connect(threaded=True)
        server.burst.set()
        assert server.burst_read.wait(WAIT)
        release.set()
        assert rec.wait(lambda: "after-burst" in rec.messages)
    assert feed.dropped_frames >= 15
    assert len(rec.errors) == 1 and "dropping market data" in str(rec.errors[0])


def test_keepalive_hook_runs_while_connected(server):
    class Pinging(Echo):
        def _keepalive(self) -> None:
            self._send("keepalive")

    feed = Pinging(server.url, watchdog=None, keepalive=0.05)
    rec = Recorder(feed)
    with feed:
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.messages.count("keepalive") >= 2)  # echoed by the server
    assert server.received.count("keepalive") >= 2


@pytest.fixture
def mute():
    """A TCP port that accepts connections but never answers the websocket handshake."""
    import socket

    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        srv.settimeout(WAIT)
        yield srv


def test_stalled_handshake_times_out_and_retries(mute):
    port = mute.getsockname()[1]
    feed = Echo(f"ws://127.0.0.1:{port}/t", connect_timeout=0.3)
    rec = Recorder(feed)
    with feed:
        feed.connect(threaded=True)
        assert rec.wait(lambda: len(rec.reconnects) >= 2)
    assert no_feed_threads(feed)
    assert rec.connects == 0
    assert all(isinstance(e, NetworkError) and "no handshake" in str(e) for e in rec.errors)


def test_close_during_a_stalled_handshake(mute):
    port = mute.getsockname()[1]
    feed = Echo(f"ws://127.0.0.1:{port}/t", connect_timeout=30)
    rec = Recorder(feed)
    feed.connect(threaded=True)
    conn, _ = mute.accept()  # the client is in its handshake now
    with conn:
        feed.close()
        assert no_feed_threads(feed)
    assert rec.errors == [] and rec.connects == 0


def test_validation_and_repr_hide_url():
    with pytest.raises(ValueError):
        Echo("ws://x", ping_interval=1.0, ping_timeout=2.0)
    with pytest.raises(ValueError):
        Echo("ws://x", initial_delay=2.0, max_delay=1.0)
    with pytest.raises(ValueError):
        Echo("ws://x", max_backlog=0)
    with pytest.raises(ValueError):
        Echo("ws://x", keepalive=0)
    feed = Echo("ws://127.0.0.1:1/t?token=secret-token-123")
    assert "secret" not in repr(feed)
    assert repr(feed) == "<Echo stopped>"


def test_backoff_is_capped_and_jittered():
    feed = Echo("ws://x", initial_delay=1.0, max_delay=8.0)
    delays = [feed._backoff(n) for n in range(1, 12)]
    assert all(0 < d <= 8.0 for d in delays)
    assert delays[0] <= 1.0 and delays[-1] >= 4.0


def test_missing_websocket_client_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "websocket", None)
    with pytest.raises(ImportError, match=r"brokers\[feed\]"):
        Echo("ws://x")


# -- hooks --------------------------------------------------------------------------------
def test_fatal_message_right_before_the_close_stops_without_a_reconnect(server):
    """The reader sees the close before the dispatcher reads the fatal message: it
    must wait for the dispatcher before deciding to reconnect."""
    server.fatal_then_close = True

    class Fatal(Echo):
        def _decode(self, frame: Any) -> None:
            if frame == "fatal":
                run = self._run
                assert run is not None
                # Make the race certain: read the message only once the connection is over.
                assert wait_for(lambda: run.opened_at is None)
                self._give_up(AuthError("token expired (807)", broker="test"))

    feed = Fatal(server.url)
    rec = Recorder(feed)
    feed.connect(threaded=True)
    try:
        assert rec.wait(lambda: rec.gave_up)
        assert rec.wait(lambda: not feed.running)
        assert [str(e) for e in rec.errors] == ["[test] token expired (807)"]
        assert rec.reconnects == [] and server.handshakes == 1
    finally:
        feed.close()


def test_on_connected_runs_on_the_dispatcher_between_connections(server):
    events: List[Any] = []

    class Hooked(Echo):
        def _on_connected(self) -> None:
            events.append(("connected", threading.current_thread().name))

        def _decode(self, frame: Any) -> None:
            if frame == "hello":
                events.append(("hello", threading.current_thread().name))
            super()._decode(frame)

    feed = Hooked(server.url, stable_after=60)
    rec = Recorder(feed)
    record = feed.on_connect
    feed.on_connect = lambda f: (events.append(("on_connect", threading.current_thread().name)), record(f))
    with feed:
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 1 and "hello" in rec.messages)
        assert server.ws.drop_all() == 1
        assert rec.wait(lambda: rec.connects == 2 and rec.messages.count("hello") == 2)
    assert [name for name, _ in events] == ["connected", "on_connect", "hello"] * 2
    assert {thread for _, thread in events} == {"Hooked-dispatch"}


def test_a_failing_on_connected_is_reported_and_the_feed_goes_on(server):
    class Broken(Echo):
        def _on_connected(self) -> None:
            raise KeyError("hook bug")

    feed = Broken(server.url)
    rec = Recorder(feed)
    with feed:
        feed.connect(threaded=True)
        assert rec.wait(lambda: rec.connects == 1 and "hello" in rec.messages)
    assert [type(e) for e in rec.errors] == [KeyError]


def test_goodbye_is_sent_before_the_close_and_release_runs_after(server):
    released: List[bool] = []

    class Polite(Echo):
        def _goodbye(self) -> None:
            self._send("bye")

        def _release(self) -> None:
            released.append(self.running)

    feed = Polite(server.url)
    rec = Recorder(feed)
    feed.connect(threaded=True)
    assert rec.wait(lambda: rec.connects == 1)
    feed.close()
    assert wait_for(lambda: "bye" in server.received)
    assert released == [False]
    feed.close()  # idempotent; a feed that is not connected says no goodbye
    assert server.received.count("bye") == 1


TYPED = """
from typing import Any, Dict, List
from brokers.kite import KiteFeed
from brokers.dhan import DhanFeed, DhanOrder
from brokers.fyers import FyersFeed, FyersOrder

def ticks(feed: KiteFeed, ticks: List[Dict[str, Any]]) -> None: ...
k = KiteFeed(user_id="AB1234", enctoken="x")
k.on_connect = lambda f: print(f.subscribe([1]))
k.on_tick = ticks
k.on_error = lambda f, e: print(f.subscribed_tokens, e.args)
d = DhanFeed("1", "t")
d.on_connect = lambda f: print(f.subscribe([("NSE_EQ", "1")]))
o = DhanOrder("1", "t")
o.on_order_update = lambda f, order: print(order["OrderNo"])
y = FyersFeed("A-100:t")
y.on_tick = lambda f, t: print(t[0]["ltp"], f.subscriptions)
z = FyersOrder("A-100:t")
z.on_trade = lambda f, m: print(m["s"], f.subscriptions)
y.on_connect = lambda f: f.subscribe(["NSE:SBIN-EQ"])  # what a handler returns is ignored
k.on_connect = lambda f, extra: None
d.on_close = lambda f: None
k.on_connect = lambda f: f.no_such_method()
"""


def test_handlers_are_typed_with_the_feed_subclass(tmp_path):
    """mypy --strict sees each handler's feed as the broker's class, and wrong arities."""
    api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "typed.py"
    snippet.write_text(TYPED)
    out, _, status = api.run(["--strict", "--no-incremental", "--no-error-summary", str(snippet)])
    lines = [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in out.splitlines() if ": error:" in line]
    assert lines == ["21", "22", "23"], out
