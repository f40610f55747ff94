"""Fyers' order websocket (JSON) on a background thread: :class:`FyersOrder`.

A :class:`~brokers.core.feed.FeedThread` subclass (reconnect with backoff, the
channel list replayed after every reconnect, handlers off the socket thread,
bounded :meth:`close`); messages are mapped by
:func:`brokers.fyers.codec.map_order_message`.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Dict, List, Optional, Set, Tuple, Union

from .. import errors
from ..__version__ import __version__
from ..core.redact import register
from . import codec, routes
from .feed import _FyersSocket, _split

__all__ = ["FyersOrder"]

# Order socket channel names (fyers_apiv3) -> the server's SLIST tokens.
ORDER_CHANNELS: Dict[str, Tuple[str, ...]] = {
    "OnOrders": ("orders",), "OnTrades": ("trades",), "OnPositions": ("positions",),
    "OnGeneral": ("edis", "pricealerts", "login"),
}
_SOCKET_AUTH_CODES = {-8, -15, -16, -17, -209}

class FyersOrder(_FyersSocket["FyersOrder"]):
    """Fyers' order socket: order, trade and position updates as JSON.

    Handlers (attributes, called with the feed first):

    - ``on_order_update(feed, message)``: ``{"s": "ok", "orders": {...}}`` with
      fyers_apiv3's field names; ``status`` is Fyers' order status (1 cancelled,
      2 traded, 4 transit, 5 rejected, 6 pending), the OMS code is in ``rawStatus``.
    - ``on_trade(feed, message)``: ``{"s": "ok", "trades": {...}}``
    - ``on_position(feed, message)``: ``{"s": "ok", "positions": {...}}``
    - ``on_general(feed, message)``: anything else (eDIS, price alerts, login, acks)
    - ``on_connect``, ``on_close``, ``on_error``, ``on_reconnect``, ``on_noreconnect``.

    Args:
        access_token: ``"APPID:token"`` or the bare token with ``client_id``.
        client_id: the app id, when the token has no prefix.
        url: the socket URL (default ``wss://socket.fyers.in/trade/v3``).
        ping_every: seconds between the text pings Fyers expects (0 disables them).
        reconnect, max_retries, max_delay, **timings: see :class:`~brokers.core.feed.FeedThread`
            (the watchdog defaults to 3 ping periods: the server answers each ping).

    Example::

        feed = FyersOrder(f"{client_id}:{token}")
        feed.on_order_update = lambda feed, msg: print(msg["orders"]["status"])
        feed.on_connect = lambda feed: feed.subscribe("OnOrders,OnTrades,OnPositions")
        feed.connect(threaded=True)
    """

    broker = "fyers"

    def __init__(
        self,
        access_token: str,
        *,
        client_id: Optional[str] = None,
        url: str = routes.ORDER_WS,
        ping_every: float = 10.0,
        reconnect: bool = True,
        max_retries: int = 50,
        max_delay: float = 60.0,
        **timings: Any,
    ) -> None:
        app, token = _split(access_token, client_id)
        if not app:
            raise ValueError("client_id is required: pass access_token='APPID:token' or client_id=...")
        if ping_every > 0:
            timings.setdefault("watchdog", 3 * ping_every)
        timings.setdefault("keepalive", ping_every if ping_every > 0 else None)
        super().__init__(reconnect=reconnect, max_retries=max_retries, max_delay=max_delay, **timings)
        register(token)
        self.client_id = app
        self._token = token
        self.url = url
        self.on_order_update: Optional[Callable[[FyersOrder, Dict[str, Any]], object]] = None
        self.on_trade: Optional[Callable[[FyersOrder, Dict[str, Any]], object]] = None
        self.on_position: Optional[Callable[[FyersOrder, Dict[str, Any]], object]] = None
        self.on_general: Optional[Callable[[FyersOrder, Dict[str, Any]], object]] = None
        self._lists: Set[str] = set()
        self._lists_lock = threading.Lock()

    def _url(self) -> str:
        return self.url

    def _headers(self) -> Dict[str, str]:
        return {"authorization": f"{self.client_id}:{self._token}", "User-Agent": f"brokers-python/{__version__}"}

    def _on_open(self) -> None:
        with self._lists_lock:
            lists = sorted(self._lists)
        if lists:
            self._send(json.dumps({"T": "SUB_ORD", "SLIST": lists, "SUB_T": 1}))

    def _keepalive(self) -> None:
        self._send("ping")  # Fyers answers "pong", which also feeds the watchdog

    def _decode(self, frame: Union[bytes, str]) -> None:
        mapped = codec.map_order_message(frame)
        if mapped is None:
            return  # "pong"
        kind, message = mapped
        if kind == "general" and message.get("s") == "error":
            code = message.get("code")
            if code in _SOCKET_AUTH_CODES:
                self._give_up(errors.TokenExpired(str(message.get("message") or "the order socket refused the "
                                                      "token"), broker=self.broker, code=code))
                return
        handler = {"orders": "on_order_update", "trades": "on_trade", "positions": "on_position"}.get(kind, "on_general")
        self._emit(handler, self, message)

    @staticmethod
    def _slist(data_type: str) -> List[str]:
        if not isinstance(data_type, str) or not data_type.strip():
            raise ValueError("data_type must name channels: 'OnOrders,OnTrades,OnPositions,OnGeneral'")
        out: List[str] = []
        for name in (n.strip() for n in data_type.split(",")):
            if name not in ORDER_CHANNELS:
                raise ValueError(f"data_type: unknown channel {name!r}; use {', '.join(ORDER_CHANNELS)}")
            out.extend(ORDER_CHANNELS[name])
        return out

    def subscribe(self, data_type: str) -> bool:
        """Subscribe to ``"OnOrders"``, ``"OnTrades"``, ``"OnPositions"``, ``"OnGeneral"``
        (comma-separated); remembered and replayed after reconnects. True if sent now."""
        slist = self._slist(data_type)
        with self._lists_lock:
            self._lists.update(slist)
        return self._send(json.dumps({"T": "SUB_ORD", "SLIST": slist, "SUB_T": 1}))

    def unsubscribe(self, data_type: str) -> bool:
        """Stop updates of the named channels. True if sent now."""
        slist = self._slist(data_type)
        with self._lists_lock:
            self._lists.difference_update(slist)
        return self._send(json.dumps({"T": "SUB_ORD", "SLIST": slist, "SUB_T": -1}))

    def set_access_token(self, access_token: str) -> None:
        """Use a new token (``"APPID:token"`` or bare) from the next (re)connect on."""
        app, token = _split(access_token, self.client_id)
        if app != self.client_id:
            raise ValueError("access_token belongs to another app")
        register(token)
        self._token = token

    @property
    def subscriptions(self) -> List[str]:
        with self._lists_lock:
            return sorted(self._lists)

    def __repr__(self) -> str:
        state = "connected" if self.connected else "running" if self.running else "stopped"
        return f"<FyersOrder client_id={self.client_id} {state} lists={sorted(self._lists)}>"
