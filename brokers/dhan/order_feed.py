"""Dhan's order-update websocket (JSON) on a background thread: :class:`DhanOrder`.

Built on :class:`brokers.core.feed.FeedThread` like :class:`~brokers.dhan.DhanFeed`
(with which it shares credentials, token refresh and the expiry check); messages
are read by :func:`brokers.dhan.codec.parse_order_update`.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional, Union

from . import codec, routes
from .feed import _DhanSocket

__all__ = ["DhanOrder"]


class DhanOrder(_DhanSocket["DhanOrder"]):
    """Dhan's order-update websocket (JSON) on a background thread.

    After each (re)connect it sends the login message
    ``{"LoginReq": {"MsgCode": 42, "ClientId", "Token"}, "UserType": "SELF"}``;
    every ``{"Type": "order_alert", "Data": {...}}`` message then calls
    ``on_order_update(feed, data)`` with the ``Data`` dict (fields as Dhan sends
    them: ``OrderNo``, ``Status``, ``TradedQty``, ``CorrelationId``, ...). Any other
    message goes to ``on_message(feed, message)`` (decoded JSON, or the text).
    ``on_connect``, ``on_close``, ``on_error``, ``on_reconnect``, ``on_noreconnect``
    as for every feed. (``dhanhq`` calls ``on_update(message)`` with one argument;
    Aio-Trader never called on_connect nor survived a non-JSON frame.)

    Args:
        client_id: the Dhan client id.
        access_token: the access token (an expired JWT is refused before connecting).
        url: replaces ``wss://api-order-update.dhan.co``.
        reconnect, max_retries, max_delay, **timings: see :class:`~brokers.core.feed.FeedThread`.

    Example::

        orders = DhanOrder("1100000001", token)
        orders.on_order_update = lambda feed, order: print(order["OrderNo"], order["Status"])
        orders.connect(threaded=True)
    """

    def __init__(self, client_id: str, access_token: str, *, url: str = routes.ORDER_FEED_URL,
                 reconnect: bool = True, max_retries: int = 50, max_delay: float = 60.0, **timings: Any) -> None:
        # No heartbeat comes on this socket between orders: websocket pings (and
        # their timeout) tell a dead link, not silence.
        timings.setdefault("watchdog", None)
        super().__init__(client_id, access_token, url, reconnect=reconnect, max_retries=max_retries,
                         max_delay=max_delay, **timings)
        self.on_order_update: Optional[Callable[[DhanOrder, Dict[str, Any]], object]] = None
        self.on_message: Optional[Callable[[DhanOrder, Any], object]] = None

    def _url(self) -> str:
        return self.root

    def _on_open(self) -> None:
        self._send(json.dumps({"LoginReq": {"MsgCode": 42, "ClientId": self.client_id, "Token": self._access_token},
                               "UserType": "SELF"}))

    def _decode(self, frame: Union[bytes, str]) -> None:
        message = codec.parse_order_update(frame)
        if message is None:
            self._emit("on_message", self, frame)
        elif message.get("Type") == "order_alert" and isinstance(message.get("Data"), dict):
            self._emit("on_order_update", self, message["Data"])
        else:
            self._emit("on_message", self, message)

    def __repr__(self) -> str:
        state = "connected" if self.connected else "running" if self.running else "stopped"
        return f"<DhanOrder client_id={self.client_id} {state}>"
