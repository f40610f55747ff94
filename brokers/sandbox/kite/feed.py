"""The sandbox playing Kite's ticker websocket (``wss://ws.kite.trade`` / ``ws.zerodha.com``).

Served by :class:`~brokers.sandbox.ws.WsServer` under ``/kite/ws``. It checks
the query credentials at the handshake (403 when they are wrong), keeps a
``token -> mode`` map per connection from the client's ``subscribe`` /
``unsubscribe`` / ``mode`` messages (new tokens start in ``quote``), streams
binary frames of 8/28/32/44/184-byte packets for the subscribed tokens the
market knows, sends a 1-byte heartbeat every ``heartbeat_interval`` seconds and
pushes ``{"type": "order", "data": ...}`` to the user's connections whenever a
sandbox order changes. Facts: ``reference/kite.md`` section 5.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Dict, List, Optional, Set, Tuple

from ..market import Instrument, Market
from ..ws import WsConnection, WsRoute
from .frames import encode_frame, encode_packet
from .state import KiteState

__all__ = ["KiteTicker"]

MODES = ("ltp", "quote", "full")
HEARTBEAT = b"\x00"


class _Session:
    def __init__(self, conn: WsConnection, user_id: str) -> None:
        self.conn = conn
        self.user_id = user_id
        self.modes: Dict[int, str] = {}
        self.received: List[Any] = []  # every client message, decoded, for tests


class KiteTicker:
    """Kite's ticker on the sandbox's websocket server.

    Args:
        kite: the Kite sandbox (tokens, api key, order listeners).
        market: the instruments and their prices.
        tick_interval: seconds between tick frames on each connection.
        heartbeat_interval: seconds between 1-byte heartbeats.
        max_tokens: subscriptions allowed per connection (Kite: 3000).

    Example::

        with Sandbox() as sb:
            feed = KiteFeed(user_id="AB1234", enctoken=sb.kite.issue_enctoken(), **sb.kite_feed_urls())
    """

    prefix = "/kite/ws"

    def __init__(self, kite: KiteState, market: Market, *, tick_interval: float = 0.25,
                 heartbeat_interval: float = 1.0, max_tokens: int = 3000) -> None:
        self.kite = kite
        self.market = market
        self.tick_interval = tick_interval
        self.heartbeat_interval = heartbeat_interval
        self.max_tokens = max_tokens
        self._lock = threading.Lock()
        self._sessions: Set[_Session] = set()
        self._last_step = 0.0
        self._generation = 0
        self._packets: Dict[Tuple[int, str], Tuple[int, bytes]] = {}
        kite.order_listeners.append(self._order_changed)

    def route(self) -> WsRoute:
        return WsRoute(self.prefix, self.serve, self.authorize)

    # -- handshake ----------------------------------------------------------------------
    def user_of(self, query: Dict[str, List[str]]) -> Optional[str]:
        """The user the query's credentials belong to, or None."""
        def arg(k: str) -> str:
            return (query.get(k) or [""])[0]

        if arg("api_key") == "kitefront":
            user = self.kite.valid(arg("enctoken"), "enctoken")
            return user if user is not None and user == arg("user_id") else None
        if arg("api_key") == self.kite.api_key:
            return self.kite.valid(arg("access_token"), "access_token")
        return None

    def authorize(self, path: str, query: Dict[str, List[str]]) -> Optional[int]:
        return None if self.user_of(query) else 403

    # -- inspection and pushes for tests ------------------------------------------------
    def sessions(self, user_id: Optional[str] = None) -> List[_Session]:
        with self._lock:
            return [s for s in self._sessions if user_id in (None, s.user_id) and not s.conn.closed.is_set()]

    def push(self, message: Any, user_id: Optional[str] = None) -> int:
        """Send a raw text or binary frame to every (or one user's) connection. Returns how many."""
        return sum(s.conn.send(message) for s in self.sessions(user_id))

    def push_error(self, text: str, user_id: Optional[str] = None) -> int:
        return self.push(json.dumps({"type": "error", "data": text}), user_id)

    def _order_changed(self, user_id: str, order: Dict[str, Any]) -> None:
        self.push(json.dumps({"type": "order", "data": order}, default=str), user_id)

    # -- the connection -----------------------------------------------------------------
    def serve(self, conn: WsConnection) -> None:
        user = self.user_of(conn.query)
        if user is None:  # the token died between handshake and now
            return
        session = _Session(conn, user)
        with self._lock:
            self._sessions.add(session)
        try:
            now = time.monotonic()
            next_tick, next_beat = now + self.tick_interval, now
            while not conn.closed.is_set():
                message = conn.recv(timeout=max(0.0, min(next_tick, next_beat) - time.monotonic()))
                if message is not None:
                    self._handle(session, message)
                now = time.monotonic()
                if now >= next_tick:
                    next_tick = now + self.tick_interval
                    if session.modes:
                        conn.send(self.frame(dict(session.modes)))
                if now >= next_beat:
                    next_beat = now + self.heartbeat_interval
                    conn.send(HEARTBEAT)
        finally:
            with self._lock:
                self._sessions.discard(session)

    def _handle(self, session: _Session, message: Any) -> None:
        try:
            data = json.loads(message)
            action, value = data["a"], data["v"]
        except (ValueError, TypeError, KeyError):
            session.conn.send(json.dumps({"type": "error", "data": "Invalid message"}))
            return
        session.received.append(data)
        modes = session.modes
        if action == "subscribe" and _tokens(value):
            if len(set(modes) | set(value)) > self.max_tokens:
                session.conn.send(json.dumps({"type": "error", "data": f"Max {self.max_tokens} tokens"}))
                return
            for t in value:
                modes[t] = "quote"
        elif action == "unsubscribe" and _tokens(value):
            for t in value:
                modes.pop(t, None)
        elif (action == "mode" and isinstance(value, list) and len(value) == 2 and value[0] in MODES
              and _tokens(value[1])):
            for t in value[1]:
                if t in modes:
                    modes[t] = value[0]
        else:
            session.conn.send(json.dumps({"type": "error", "data": f"Invalid {action!r} message"}))

    # -- ticks --------------------------------------------------------------------------
    def frame(self, modes: Dict[int, str]) -> bytes:
        """One binary frame for ``token -> mode`` (unknown tokens are left out).

        Moves the market at most once per ``tick_interval`` and reuses a packet
        while its instrument has not moved, so many connections cost one encoding."""
        with self._lock:
            now = time.monotonic()
            if now - self._last_step >= self.tick_interval:
                self._last_step = now
                self.market.step()
                self._generation += 1
            generation = self._generation
        packets = []
        for token, mode in modes.items():
            cached = self._packets.get((token, mode))
            if cached is not None and cached[0] == generation:
                packets.append(cached[1])
                continue
            ins = self.market.get(token)
            if ins is None:
                continue
            packet = encode_packet(self.tick(ins, mode))
            self._packets[(token, mode)] = (generation, packet)
            packets.append(packet)
        return encode_frame(packets)

    def tick(self, i: Instrument, mode: str) -> Dict[str, Any]:
        """A kiteconnect-shaped tick of instrument ``i`` in ``mode``."""
        now = int(time.time())
        return {"instrument_token": i.token, "mode": mode, "last_price": i.last,
                "last_traded_quantity": i.last_qty, "average_traded_price": round((i.open + i.last) / 2, 2),
                "volume_traded": i.volume, "total_buy_quantity": i.buy_qty, "total_sell_quantity": i.sell_qty,
                "ohlc": {"open": i.open, "high": i.high, "low": i.low, "close": i.close},
                "last_trade_time": int(i.last_trade), "oi": i.oi, "oi_day_high": i.oi, "oi_day_low": i.oi,
                "exchange_timestamp": now, "depth": self.market.depth(i) if mode == "full" else None}


def _tokens(value: Any) -> bool:
    """Kite wants tokens as JSON numbers (strings are ignored by the real server)."""
    return isinstance(value, list) and all(isinstance(t, int) and not isinstance(t, bool) for t in value)
