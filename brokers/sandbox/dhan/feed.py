"""The sandbox playing Dhan's websockets: the v2 binary market feed under
``/dhan/feed`` and the order-update feed under ``/dhan/orders``.

Market feed: the handshake carries ``version=2&token=..&clientId=..&authType=2``;
a bad or expired token is accepted and then told so with a disconnect packet
(808 / 807) and closed, as the fake-server recipe in the reference notes
describes. JSON requests 15/17/21 subscribe (16/18/22 unsubscribe, at most 100
instruments a message, else 814), 12 closes. Every ``tick_interval`` each subscribed
instrument gets its packets, one packet per binary frame as Dhan sends them;
a new subscription first gets a previous-close packet; NSE_FNO in quote mode
also gets an OI packet; indices (IDX_I) get index packets (code 1). A sixth
connection of a client pushes the oldest out with 805.

Order updates: the client sends the login message (MsgCode 42); a bad one is
closed with code 1008 (Dhan's reply to a bad login is not documented). Each
order change in the sandbox's book is pushed as ``{"Type": "order_alert", "Data": {...}}``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any, Dict, List, Optional, Set, Tuple

from ..market import Instrument, Market
from ..ws import WsConnection, WsRoute
from . import frames
from .frames import SEGMENTS as SEGMENT_CODES
from .state import DHAN_IDS, DhanState

__all__ = ["DhanFeedServer"]

MAX_CONNECTIONS = 5
MAX_PER_MESSAGE = 100
TICKER, QUOTE, FULL = 15, 17, 21  # subscription request codes (unsubscribe: + 1)
DISCONNECT_REQUEST = 12


def _jwt_exp(token: str) -> Optional[float]:
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        return float(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None


class _FeedSession:
    def __init__(self, conn: WsConnection, client: str) -> None:
        self.conn = conn
        self.client = client
        self.subs: Dict[Tuple[int, int], int] = {}  # (segment code, security id) -> request code
        self.fresh: Set[Tuple[int, int]] = set()  # waiting for their previous-close packet
        self.received: List[Any] = []  # every request, decoded, for tests
        self.opened = time.monotonic()


class DhanFeedServer:
    """Dhan's market feed and order-update feed on the sandbox's websocket server.

    Attributes:
        tick_interval: seconds between tick frames on each connection.
        handshake_status: answer every market-feed handshake with this HTTP status
            (e.g. 403) instead of accepting it; None accepts.

    Example::

        with Sandbox() as sb:
            feed = DhanFeed("1100000001", sb.dhan.issue_token(), [("NSE_EQ", "1333", "full")],
                            **sb.dhan_feed_urls())
            feed.on_tick = lambda feed, ticks: print(ticks)
            feed.connect(threaded=True)
            sb.dhan_feed.disconnect(807)      # the feed reports TokenExpired and stops
    """

    feed_prefix = "/dhan/feed"
    orders_prefix = "/dhan/orders"

    def __init__(self, dhan: DhanState, market: Market, *, tick_interval: float = 0.25) -> None:
        self.dhan = dhan
        self.market = market
        self.tick_interval = tick_interval
        self.handshake_status: Optional[int] = None
        self._lock = threading.Lock()
        self.changed = threading.Condition(self._lock)  # notified on every request and login
        self._feeds: List[_FeedSession] = []
        self._order_conns: Dict[WsConnection, str] = {}
        self._by_id: Dict[Tuple[int, int], Instrument] = {}
        for token, (seg, sid, _) in DHAN_IDS.items():
            ins = market.get(token)
            if ins is not None:
                self._by_id[(SEGMENT_CODES[seg], sid)] = ins
        dhan.order_listeners.append(self._order_changed)

    def routes(self) -> List[WsRoute]:
        return [WsRoute(self.feed_prefix, self.serve_feed, self._authorize_feed),
                WsRoute(self.orders_prefix, self.serve_orders)]

    # -- inspection and pushes for tests ------------------------------------------------
    def sessions(self, client: Optional[str] = None) -> List[_FeedSession]:
        with self._lock:
            return self._sessions(client)

    def _sessions(self, client: Optional[str] = None) -> List[_FeedSession]:
        return [s for s in self._feeds if client in (None, s.client) and not s.conn.closed.is_set()]

    def push(self, frame: Any, client: Optional[str] = None) -> int:
        """Send a raw frame to every (or one client's) market-feed connection. Returns how many."""
        return sum(s.conn.send(frame) for s in self.sessions(client))

    def disconnect(self, reason: int, client: Optional[str] = None) -> int:
        """Send a disconnect packet with ``reason`` (805-814) and close. Returns how many."""
        count = 0
        for s in self.sessions(client):
            s.conn.send(frames.disconnect(reason))
            self._close(s.conn)
            count += 1
        return count

    def wait(self, predicate: Any, timeout: float = 5.0) -> bool:
        """Block until ``predicate()`` holds (checked after every request and login)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.1))
            return True

    def wait_order_login(self, client: str, timeout: float = 5.0) -> bool:
        """Block until ``client`` has a logged-in order-update socket (so an order placed
        now reaches it as an update). False on timeout."""
        return self.wait(lambda: self._order_count(client) >= 1, timeout)

    def order_connections(self, client: Optional[str] = None) -> int:
        with self._lock:
            return self._order_count(client)

    def _order_count(self, client: Optional[str] = None) -> int:
        return sum(1 for c, who in self._order_conns.items() if client in (None, who) and not c.closed.is_set())

    @staticmethod
    def _close(conn: WsConnection, code: int = 1000, reason: str = "") -> None:
        try:
            # A client that cuts its socket never answers the close frame: do not
            # wait websockets' default 10 s for it.
            conn.raw.close_timeout = 0.5
            conn.raw.close(code, reason)
        except Exception:  # already gone
            pass
        conn.closed.set()

    # -- market feed --------------------------------------------------------------------
    def _authorize_feed(self, path: str, query: Dict[str, List[str]]) -> Optional[int]:
        return self.handshake_status

    def serve_feed(self, conn: WsConnection) -> None:
        token, client = conn.arg("token") or "", conn.arg("clientId") or ""
        if conn.arg("version") != "2" or conn.arg("authType") != "2":
            conn.send(frames.disconnect(814))
            return self._close(conn)
        owner = self.dhan.valid(token)
        if owner is None or owner != client:
            exp = _jwt_exp(token)
            conn.send(frames.disconnect(807 if exp is not None and exp <= time.time() else 808))
            return self._close(conn)
        session = _FeedSession(conn, client)
        with self._lock:
            mine = [s for s in self._feeds if s.client == client and not s.conn.closed.is_set()]
            self._feeds.append(session)
            self.changed.notify_all()
        if len(mine) >= MAX_CONNECTIONS:
            oldest = min(mine, key=lambda s: s.opened)
            oldest.conn.send(frames.disconnect(805))
            self._close(oldest.conn)
        try:
            next_tick = time.monotonic() + self.tick_interval
            while not conn.closed.is_set():
                message = conn.recv(timeout=max(0.0, next_tick - time.monotonic()))
                if message is not None and not self._handle(session, message):
                    break
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + self.tick_interval
                    if session.subs:
                        self.market.step()
                        for packet in self.frame(session):  # Dhan sends one packet per frame
                            conn.send(packet)
        finally:
            with self._lock:
                if session in self._feeds:
                    self._feeds.remove(session)

    def _handle(self, session: _FeedSession, message: Any) -> bool:
        """Apply one request; False when the connection should end."""
        try:
            data = json.loads(message)
            code = int(data["RequestCode"])
        except (ValueError, TypeError, KeyError):
            session.conn.send(frames.disconnect(814))
            self._close(session.conn)
            return False
        with self.changed:
            session.received.append(data)
            self.changed.notify_all()
        if code == DISCONNECT_REQUEST:
            self._close(session.conn)
            return False
        if code not in (15, 16, 17, 18, 21, 22):
            session.conn.send(frames.disconnect(814))
            self._close(session.conn)
            return False
        items = data.get("InstrumentList") or []
        if len(items) > MAX_PER_MESSAGE or data.get("InstrumentCount") != len(items):
            session.conn.send(frames.disconnect(814))
            self._close(session.conn)
            return False
        for item in items:
            try:
                key = (SEGMENT_CODES[item["ExchangeSegment"]], int(item["SecurityId"]))
            except (KeyError, ValueError, TypeError):
                continue
            if code % 2:  # 15/17/21 subscribe
                session.subs[key] = code
                session.fresh.add(key)
            elif session.subs.get(key) == code - 1:
                del session.subs[key]
        return True

    def frame(self, session: _FeedSession) -> List[bytes]:
        """The packets of one tick for a session: a packet (or two) per subscribed
        instrument, each to be sent as its own websocket frame."""
        packets = []
        for (seg, sid), mode in list(session.subs.items()):
            ins = self._by_id.get((seg, sid))
            if ins is None:
                continue
            if (seg, sid) in session.fresh:
                session.fresh.discard((seg, sid))
                packets.append(frames.prev_close(seg, sid, ins.close, ins.oi))
            packets.extend(self.packets(ins, seg, sid, mode))
        return packets

    @staticmethod
    def packets(i: Instrument, seg: int, sid: int, mode: int) -> List[bytes]:
        """The packets Dhan sends for instrument ``i`` in ``mode``."""
        # The feed's LTT is IST wall-clock time counted as if it were UTC.
        ltt = int(i.last_trade + 19800)
        if seg == SEGMENT_CODES["IDX_I"]:
            return [frames.index(seg, sid, i.last, ltt)]
        if mode == TICKER:
            return [frames.ticker(seg, sid, i.last, ltt)]
        trade: Dict[str, Any] = dict(ltp=i.last, ltq=i.last_qty, ltt=ltt, avg=round((i.open + i.last) / 2, 2),
                                     volume=i.volume, sell_qty=i.sell_qty, buy_qty=i.buy_qty,
                                     day=(i.open, i.close, i.high, i.low))
        if mode == QUOTE:
            out = [frames.quote(seg, sid, **trade)]
            if seg == SEGMENT_CODES["NSE_FNO"]:
                out.append(frames.oi(seg, sid, i.oi))
            return out
        tick = i.tick_size or 0.05
        depth = [(100 * (n + 1), 120 * (n + 1), n + 1, n + 2, round(i.last - tick * (n + 1), 4),
                  round(i.last + tick * (n + 1), 4)) for n in range(5)]
        return [frames.full(seg, sid, oi_now=(i.oi, i.oi, i.oi), depth=depth, **trade)]

    # -- order updates ------------------------------------------------------------------
    def serve_orders(self, conn: WsConnection) -> None:
        message = conn.recv(timeout=5.0)
        try:
            login = json.loads(message or "")["LoginReq"]
            client, token = str(login["ClientId"]), str(login["Token"])
            ok = int(login["MsgCode"]) == 42 and self.dhan.valid(token) == client
        except (ValueError, TypeError, KeyError):
            ok = False
        if not ok:
            return self._close(conn, 1008, "invalid login")
        with self._lock:
            self._order_conns[conn] = client
            self.changed.notify_all()
        try:
            while not conn.closed.is_set():
                conn.recv(timeout=1.0)  # nothing is expected; keeps the read side alive
        finally:
            with self._lock:
                self._order_conns.pop(conn, None)

    def _order_changed(self, client: str, order: Dict[str, Any]) -> None:
        message = json.dumps({"Type": "order_alert", "Data": self.order_alert(order)})
        with self._lock:
            conns = [c for c, who in self._order_conns.items() if who == client]
        for conn in conns:
            conn.send(message)

    @staticmethod
    def order_alert(o: Dict[str, Any]) -> Dict[str, Any]:
        """A sandbox order in the order-update feed's field names."""
        seg = o["exchangeSegment"]
        return {
            "Exchange": seg.split("_")[0], "Segment": {"EQ": "E", "FNO": "D", "CURRENCY": "C", "COMM": "M"}.get(
                seg.split("_")[1], "E"), "Source": "P", "SecurityId": o["securityId"], "ClientId": o["dhanClientId"],
            "ExchOrderNo": o["exchangeOrderId"], "OrderNo": o["orderId"],
            "Product": {"CNC": "C", "INTRADAY": "I", "MARGIN": "M", "MTF": "F", "CO": "V", "BO": "B"}.get(
                o["productType"], "C"),
            "TxnType": "B" if o["transactionType"] == "BUY" else "S",
            "OrderType": {"LIMIT": "LMT", "MARKET": "MKT", "STOP_LOSS": "SL", "STOP_LOSS_MARKET": "SLM"}[o["orderType"]],
            "Validity": o["validity"], "Quantity": o["quantity"], "TradedQty": o["filledQty"],
            "RemainingQuantity": o["remainingQuantity"], "Price": o["price"], "TriggerPrice": o["triggerPrice"],
            "TradedPrice": o["averageTradedPrice"], "AvgTradedPrice": o["averageTradedPrice"],
            "Status": o["orderStatus"].title().replace("_", " "), "Symbol": o["tradingSymbol"],
            "DisplayName": o["tradingSymbol"], "CorrelationId": o["correlationId"], "OffMktFlag": "0",
            "OrderDateTime": o["createTime"], "LastUpdatedTime": o["updateTime"], "LegNo": 1, "Remarks": "",
        }
