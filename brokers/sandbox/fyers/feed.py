"""The sandbox playing Fyers' two websockets on the shared :class:`~brokers.sandbox.ws.WsServer`.

- ``/fyers/data``: the HSM binary data socket. It answers auth (checking the
  JWT's ``hsm_key``), mode, subscribe, unsubscribe, pause and resume frames;
  after a subscribe it sends one datafeed frame holding a snapshot record per
  new topic (several records per frame), then, every ``tick_interval``, one
  frame of update records (full mode) or lite records for every subscribed,
  unpaused topic. Binary and text pings are accepted silently.
- ``/fyers/orders``: the JSON order socket. It checks the ``authorization``
  header (``APPID:token``), acks ``SUB_ORD`` with code 1605, answers ``"ping"``
  with ``"pong"`` and pushes order, trade and position changes of the sandbox's
  order book to the user's subscribed connections.

Facts: ``reference/dhan-fyers.md`` B7 and B8.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Dict, List, Optional, Set, Tuple

from ..market import Instrument, Market
from ..ws import WsConnection, WsRoute
from . import frames as hsm
from .state import FyersState, fyers_symbol, hsm_topic

__all__ = ["FyersDataSocket", "FyersOrderSocket"]

PRECISION = 2
MULTIPLIER = 1
AUTH, ACK, SUBSCRIBE, UNSUBSCRIBE, PAUSE, RESUME, PING, MODE = 1, 3, 4, 5, 7, 8, 11, 12


class _DataSession:
    def __init__(self, conn: WsConnection) -> None:
        self.conn = conn
        self.fy_id: Optional[str] = None
        self.lite = False
        self.topics: Dict[str, Tuple[int, int]] = {}  # topic -> (topic_id, channel)
        self.paused: Set[int] = set()
        self.received: List[Tuple[int, Any]] = []  # (type, parsed) of every client frame, for tests
        self.acks: List[int] = []
        self.next_id = 1
        self.number = 0


def _scaled(v: float) -> int:
    return int(round(v * 10 ** PRECISION * MULTIPLIER))


class FyersDataSocket:
    """Fyers' HSM data socket on the sandbox's websocket server.

    Args:
        fyers: the Fyers sandbox (hsm keys of live tokens).
        market: the instruments and their prices.
        tick_interval: seconds between update frames.
        ack_count: sent in the auth answer (the client acks every that many frames; 0: never).
    """

    prefix = "/fyers/data"

    def __init__(self, fyers: FyersState, market: Market, *, tick_interval: float = 0.1,
                 ack_count: int = 0) -> None:
        self.fyers = fyers
        self.market = market
        self.tick_interval = tick_interval
        self.ack_count = ack_count
        self._lock = threading.Lock()
        self._sessions: Set[_DataSession] = set()
        self._last_step = 0.0
        self.refuse_auth = False

    def route(self) -> WsRoute:
        return WsRoute(self.prefix, self.serve)

    def sessions(self) -> List[_DataSession]:
        with self._lock:
            return [s for s in self._sessions if not s.conn.closed.is_set()]

    # -- topics -----------------------------------------------------------------------------
    def instrument(self, topic: str) -> Optional[Instrument]:
        """The instrument a topic names (``sf|nse_cm|3045``, ``if|nse_cm|Nifty 50``), or None."""
        if topic[:3] not in ("sf|", "dp|", "if|"):
            return None
        for i in self.market.instruments:
            if hsm_topic(i, depth=topic.startswith("dp|")) == topic:
                return i
        return None

    def _values(self, kind: str, i: Instrument) -> List[Optional[int]]:
        if kind == "if":
            return [_scaled(i.last), _scaled(i.close), int(i.last_trade), _scaled(i.high), _scaled(i.low),
                    _scaled(i.open), _scaled(i.high * 1.2), _scaled(i.low * 0.8)]
        if kind == "dp":
            book = self.market.depth(i)
            values: List[Optional[int]] = []
            values += ([_scaled(b["price"]) for b in book["buy"]] + [_scaled(a["price"]) for a in book["sell"]]
                    + [int(b["quantity"]) for b in book["buy"]] + [int(a["quantity"]) for a in book["sell"]]
                    + [int(b["orders"]) for b in book["buy"]] + [int(a["orders"]) for a in book["sell"]])
            return values
        book = self.market.depth(i)
        return [_scaled(i.last), i.volume, int(i.last_trade), int(i.last_trade), int(book["buy"][0]["quantity"]),
                int(book["sell"][0]["quantity"]), _scaled(book["buy"][0]["price"]), _scaled(book["sell"][0]["price"]),
                i.last_qty, i.buy_qty, i.sell_qty, _scaled((i.high + i.low) / 2), i.oi, _scaled(i.low),
                _scaled(i.high), _scaled(i.high * 1.3), _scaled(i.low * 0.7), _scaled(i.close * 0.8),
                _scaled(i.close * 1.2), _scaled(i.open), _scaled(i.close)]

    def _snapshot(self, topic: str, topic_id: int, i: Instrument) -> bytes:
        return hsm.snapshot(topic_id, topic, self._values(topic[:2], i), MULTIPLIER, PRECISION,
                            "NSE" if i.exchange in ("NSE", "NFO", "CDS") else i.exchange,
                            str(i.token >> 8), fyers_symbol(i).split(":", 1)[1])

    # -- the connection ---------------------------------------------------------------------
    def serve(self, conn: WsConnection) -> None:
        s = _DataSession(conn)
        with self._lock:
            self._sessions.add(s)
        try:
            next_tick = time.monotonic() + self.tick_interval
            while not conn.closed.is_set():
                message = conn.recv(timeout=max(0.0, next_tick - time.monotonic()))
                if message is not None and not self._handle(s, message):
                    _linger(conn)
                    return
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + self.tick_interval
                    if s.fy_id is not None and s.topics:
                        self._step()
                        frame = self.updates(s)
                        if frame is not None:
                            conn.send(frame)
        finally:
            with self._lock:
                self._sessions.discard(s)

    def _step(self) -> None:
        # Several connections share one market: move it at most once per interval.
        now = time.monotonic()
        with self._lock:
            if now - self._last_step < self.tick_interval * 0.9:
                return
            self._last_step = now
        self.market.step()

    def updates(self, s: _DataSession) -> Optional[bytes]:
        """One datafeed frame of update (or lite) records for the session's live topics."""
        records: List[bytes] = []
        for topic, (tid, channel) in list(s.topics.items()):
            if channel in s.paused:
                continue
            i = self.instrument(topic)
            if i is None:
                continue
            if s.lite:
                if topic[:2] != "dp":
                    records.append(hsm.lite(tid, _scaled(i.last)))
            else:
                values = self._values(topic[:2], i)
                # Unchanged-looking fields go out as the sentinel, as the real feed does.
                values = [v if n in (0, 1, 2) or n % 3 == 0 else None for n, v in enumerate(values)]
                records.append(hsm.update(tid, values))
        if not records:
            return None
        s.number += 1
        return hsm.datafeed(s.number, records)

    def _handle(self, s: _DataSession, message: Any) -> bool:
        """Answer one client frame; False to end the connection."""
        if isinstance(message, str):
            s.received.append((0, message))  # text "ping": accepted silently
            return True
        try:
            frame = hsm.parse_client(bytes(message))
        except ValueError:
            return False
        kind = frame.type
        s.received.append((kind, frame))
        if kind == PING:
            return True
        if kind == AUTH:
            key = frame.fields.get(1, b"").decode("utf-8", errors="replace")
            with self.fyers.lock:
                fy_id = self.fyers.hsm_keys.get(key)
            if fy_id is None or self.refuse_auth:
                s.conn.send(hsm.control(AUTH, ok=False, ack_count=0))
                return False
            s.fy_id = fy_id
            s.conn.send(hsm.control(AUTH, ok=True, ack_count=self.ack_count))
            return True
        if s.fy_id is None:
            return True  # nothing is served before a login
        if kind == ACK:
            raw = frame.fields.get(1, b"")
            if len(raw) == 4:
                s.acks.append(int.from_bytes(raw, "big"))
        elif kind == MODE:
            s.lite = frame.fields.get(2, b"F") == b"L"
            s.conn.send(hsm.control(MODE))
        elif kind in (SUBSCRIBE, UNSUBSCRIBE):
            topics, channel = frame.topics()
            if kind == SUBSCRIBE:
                self._subscribe(s, topics, channel)
            else:
                for t in topics:
                    s.topics.pop(t, None)
                s.conn.send(hsm.control(UNSUBSCRIBE))
        elif kind in (PAUSE, RESUME):
            channels = set(frame.channels())
            if kind == PAUSE:
                s.paused |= channels
                s.conn.send(hsm.control(kind))
            else:
                woken = s.paused & channels
                s.paused -= channels
                s.conn.send(hsm.control(kind))
                self._snapshots(s, [t for t, (_, c) in s.topics.items() if c in woken])
        return True

    def _subscribe(self, s: _DataSession, topics: List[str], channel: int) -> None:
        fresh = []
        for t in topics:
            i = self.instrument(t)
            if i is None:
                continue
            if t not in s.topics:
                s.topics[t] = (s.next_id, channel)
                s.next_id += 1
                fresh.append((t, i))
            else:
                s.topics[t] = (s.topics[t][0], channel)
        s.conn.send(hsm.control(SUBSCRIBE))
        self._snapshots(s, [t for t, _ in fresh])

    def _snapshots(self, s: _DataSession, topics: List[str]) -> None:
        """One frame with a snapshot record per topic (of unpaused channels)."""
        recs = []
        for t in topics:
            tid, channel = s.topics[t]
            i = self.instrument(t)
            if i is not None and channel not in s.paused:
                recs.append(self._snapshot(t, tid, i))
        if recs:
            s.number += 1
            s.conn.send(hsm.datafeed(s.number, recs))

    def push(self, frame: bytes) -> int:
        """Send a raw frame to every logged-in connection. Returns how many."""
        return sum(s.conn.send(frame) for s in self.sessions() if s.fy_id is not None)


def _linger(conn: WsConnection, seconds: float = 2.0) -> None:
    """After a refusal, let the client read it and hang up first (as a server would):
    returning at once starts a close handshake that can wait 10 s for a busy client."""
    deadline = time.monotonic() + seconds
    try:
        while not conn.closed.is_set() and time.monotonic() < deadline:
            conn.recv(timeout=0.1)
    except EOFError:
        pass


class _OrderSession:
    def __init__(self, conn: WsConnection, fy_id: str) -> None:
        self.conn = conn
        self.fy_id = fy_id
        self.lists: Set[str] = set()
        self.received: List[Any] = []


class FyersOrderSocket:
    """Fyers' JSON order socket on the sandbox's websocket server."""

    prefix = "/fyers/orders"

    def __init__(self, fyers: FyersState) -> None:
        self.fyers = fyers
        self._lock = threading.Lock()
        self._sessions: Set[_OrderSession] = set()
        fyers.order_listeners.append(self._changed)

    def route(self) -> WsRoute:
        return WsRoute(self.prefix, self.serve)

    def sessions(self, fy_id: Optional[str] = None) -> List[_OrderSession]:
        with self._lock:
            return [s for s in self._sessions if fy_id in (None, s.fy_id) and not s.conn.closed.is_set()]

    def push(self, message: Any, fy_id: Optional[str] = None) -> int:
        return sum(s.conn.send(message) for s in self.sessions(fy_id))

    def _changed(self, fy_id: str, kind: str, raw: Dict[str, Any]) -> None:
        text = json.dumps({"s": "ok", kind: raw}, default=str)
        for s in self.sessions(fy_id):
            if kind in s.lists:
                s.conn.send(text)

    def _user(self, conn: WsConnection) -> Optional[str]:
        headers = getattr(getattr(conn.raw, "request", None), "headers", None)
        auth = (headers.get("authorization") if headers is not None else None) or ""
        app, _, token = auth.partition(":")
        return self.fyers.valid(token) if app == self.fyers.client_id else None

    def serve(self, conn: WsConnection) -> None:
        fy_id = self._user(conn)
        if fy_id is None:
            # The handshake cannot see headers here; refuse in-band, as Fyers answers a
            # socket opened without a valid "APPID:token".
            conn.send(json.dumps({"s": "error", "code": -16, "message": "Could not authenticate the user"}))
            _linger(conn)
            return
        s = _OrderSession(conn, fy_id)
        with self._lock:
            self._sessions.add(s)
        try:
            while not conn.closed.is_set():
                message = conn.recv(timeout=0.5)
                if message is None:
                    continue
                s.received.append(message)
                if message == "ping":
                    conn.send("pong")
                    continue
                try:
                    data = json.loads(message)
                except ValueError:
                    conn.send(json.dumps({"s": "error", "code": -50, "message": "Invalid message"}))
                    continue
                if not isinstance(data, dict) or data.get("T") != "SUB_ORD" or not isinstance(data.get("SLIST"), list):
                    conn.send(json.dumps({"s": "error", "code": -50, "message": "Invalid message"}))
                    continue
                lists = {str(x) for x in data["SLIST"]}
                if data.get("SUB_T") == -1:
                    s.lists -= lists
                    conn.send(json.dumps({"s": "ok", "code": 1606, "message": "Successfully unsubscribed"}))
                else:
                    s.lists |= lists
                    conn.send(json.dumps({"s": "ok", "code": 1605, "message": "Successfully subscribed"}))
        finally:
            with self._lock:
                self._sessions.discard(s)
