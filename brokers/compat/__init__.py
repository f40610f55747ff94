"""Drop-ins for the official SDKs: code written for ``kiteconnect``, ``dhanhq`` or
``fyers_apiv3`` runs after changing its import lines only::

    from brokers.compat.kiteconnect import KiteConnect, KiteTicker
    from brokers.compat.dhanhq import dhanhq, DhanContext, MarketFeed, OrderUpdate
    from brokers.compat.fyers_apiv3 import fyersModel
    from brokers.compat.fyers_apiv3.FyersWebsocket import data_ws, order_ws

Each is a thin adapter onto our clients and feeds (names, signatures and return
shapes of the SDK); no endpoint or protocol is implemented twice. To rehearse such
code offline, run it inside :func:`use_sandbox`.
"""

from __future__ import annotations

from ._targets import redirect, use_sandbox

__all__ = ["redirect", "use_sandbox"]
