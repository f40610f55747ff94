"""``fyers_apiv3.FyersWebsocket``: ``data_ws.FyersDataSocket`` and ``order_ws.FyersOrderSocket``."""

from . import data_ws, order_ws

__all__ = ["data_ws", "order_ws"]
