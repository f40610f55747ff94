"""``fyers_apiv3.FyersWebsocket.order_ws.FyersOrderSocket`` on :class:`~brokers.fyers.FyersOrder`."""

from __future__ import annotations

from typing import Any, Callable, Optional

from ....fyers import FyersOrder
from ... import _targets
from ._socket import SocketAdapter

__all__ = ["FyersOrderSocket"]


class FyersOrderSocket(SocketAdapter):
    """Fyers' order socket with ``fyers_apiv3``'s constructor and callbacks:
    ``on_orders(message)``, ``on_trades(message)``, ``on_positions(message)``,
    ``on_general(message)`` (the messages as fyers parses them, e.g.
    ``{"s": "ok", "orders": {...}}``), ``on_error``, ``on_connect()``, ``on_close``.

    Differences: not a singleton; no log file; subscriptions made before the
    connection are kept and sent once connected (fyers drops them).

    Example::

        from brokers.compat.fyers_apiv3.FyersWebsocket import order_ws

        def onopen():
            fyers.subscribe(data_type="OnOrders,OnTrades,OnPositions")
            fyers.keep_running()

        fyers = order_ws.FyersOrderSocket(access_token=f"{client_id}:{token}", on_connect=onopen,
                                          on_orders=print)
        fyers.connect()
    """

    def __init__(self, access_token: str, write_to_file: Optional[bool] = False, log_path: Optional[str] = None,
                 on_trades: Optional[Callable[..., Any]] = None, on_positions: Optional[Callable[..., Any]] = None,
                 on_orders: Optional[Callable[..., Any]] = None, on_general: Optional[Callable[..., Any]] = None,
                 on_error: Optional[Callable[..., Any]] = None, on_connect: Optional[Callable[..., Any]] = None,
                 on_close: Optional[Callable[..., Any]] = None, reconnect: Any = True,
                 reconnect_retry: int = 5) -> None:
        super().__init__(write_to_file, on_error, on_connect, on_close)
        self.log_path = log_path
        self.ontrades, self.onposition, self.onorder, self.ongeneral = on_trades, on_positions, on_orders, on_general
        self.max_reconnect_attempts = min(int(reconnect_retry), 50)
        self.feed = FyersOrder(access_token, reconnect=bool(reconnect), max_retries=self.max_reconnect_attempts,
                               **_targets.urls("fyers_order"))
        self._wire_common()
        self.feed.on_order_update = lambda feed, m: self.on_order(m)
        self.feed.on_trade = lambda feed, m: self.on_trades(m)
        self.feed.on_position = lambda feed, m: self.on_positions(m)
        self.feed.on_general = lambda feed, m: self.on_general(m)

    def on_trades(self, message: Any) -> None:
        self.ontrades(message) if self.ontrades is not None else self._say("Trade : ", message)

    def on_positions(self, message: Any) -> None:
        self.onposition(message) if self.onposition is not None else self._say("Position : ", message)

    def on_order(self, message: Any) -> None:
        self.onorder(message) if self.onorder is not None else self._say("Order : ", message)

    def on_general(self, message: Any) -> None:
        self.ongeneral(message) if self.ongeneral is not None else self._say("General : ", message)

    def subscribe(self, data_type: str) -> None:
        """``"OnOrders"``, ``"OnTrades"``, ``"OnPositions"``, ``"OnGeneral"``, comma-separated."""
        try:
            self.feed.subscribe(data_type)
        except ValueError as e:
            self.On_error({"code": -300, "message": str(e), "s": "error"})

    def unsubscribe(self, data_type: str) -> None:
        try:
            self.feed.unsubscribe(data_type)
        except ValueError as e:
            self.On_error({"code": -300, "message": str(e), "s": "error"})

    def __repr__(self) -> str:
        return f"<fyers_apiv3 FyersOrderSocket on {self.feed!r}>"
