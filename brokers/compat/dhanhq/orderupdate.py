"""``dhanhq.OrderUpdate`` on :class:`~brokers.dhan.DhanOrder` (no asyncio loop of its own)."""

from __future__ import annotations

import asyncio
from typing import Any, Callable, Dict, Optional

from ...dhan import DhanOrder
from .. import _targets

__all__ = ["OrderUpdate"]


class OrderUpdate:
    """``dhanhq.OrderUpdate(dhan_context)`` (also ``OrderUpdate(client_id, access_token)``).

    Set ``on_update`` to a function of one argument: it gets each order update as
    Dhan sends it, ``{"Type": "order_alert", "Data": {...}}``. Without it the update
    is printed, as ``dhanhq`` does. :meth:`connect_to_dhan_websocket_sync` blocks
    while the socket runs (it reconnects by itself; Ctrl-C or :meth:`disconnect`
    from another thread ends it).

    Example::

        from brokers.compat.dhanhq import DhanContext, OrderUpdate

        orders = OrderUpdate(DhanContext(client_id, token))
        orders.on_update = lambda message: print(message["Data"]["OrderNo"], message["Data"]["Status"])
        orders.connect_to_dhan_websocket_sync()
    """

    on_update: Optional[Callable[[Dict[str, Any]], Any]] = None

    def __init__(self, dhan_context: Any, access_token: Optional[str] = None) -> None:
        if hasattr(dhan_context, "get_client_id"):
            self.client_id = dhan_context.get_client_id()
            self.access_token = dhan_context.get_access_token()
        else:
            self.client_id, self.access_token = dhan_context, access_token
        self.order_feed_wss = "wss://api-order-update.dhan.co"
        self.feed = DhanOrder(str(self.client_id), str(self.access_token), **_targets.urls("dhan_order"))
        self.feed.on_order_update = self._update
        self.feed.on_message = self._message

    def _update(self, _feed: Any, data: Dict[str, Any]) -> None:
        self.handle_order_update({"Data": data, "Type": "order_alert"})

    def _message(self, _feed: Any, message: Any) -> None:
        self.handle_order_update(message if isinstance(message, dict) else {"message": message})

    def handle_order_update(self, order_update: Dict[str, Any]) -> Any:
        """What ``dhanhq`` does with each message: ``on_update(message)`` for an order
        alert, else a printed line."""
        if order_update.get("Type") == "order_alert":
            if self.on_update and callable(self.on_update):
                return self.on_update(order_update)
            data = order_update.get("Data", {})
            if "orderNo" in data:
                print(f"Status: {data.get('status', 'Unknown status')}, Order ID: {data['orderNo']}, Data: {data}")
            else:
                print(f"Order Update received: {data}")
        else:
            print(f"Unknown message received: {order_update}")
        return None

    def connect_to_dhan_websocket_sync(self) -> None:
        """Run the order socket until :meth:`disconnect` (or Ctrl-C): blocking."""
        self.feed.connect(threaded=False)

    def connect(self, threaded: bool = True) -> None:
        """Start the socket on its threads and return (``threaded=False`` blocks)."""
        self.feed.connect(threaded=threaded)

    async def connect_order_update(self) -> None:
        """``dhanhq``'s coroutine: runs the blocking socket in the loop's executor, so
        awaiting it does not block the loop."""
        await asyncio.get_running_loop().run_in_executor(None, self.connect_to_dhan_websocket_sync)

    def disconnect(self) -> None:
        """Close the socket (idempotent)."""
        self.feed.close()

    close = disconnect

    def __repr__(self) -> str:
        return f"<dhanhq OrderUpdate on {self.feed!r}>"
