"""Dhan (DhanHQ v2): the REST client, the binary market feed and the order-update feed.

Example::

    from brokers.dhan import Dhan

    with Dhan(client_id="1100000001", access_token=token) as dhan:
        dhan.get_holdings()
"""

from __future__ import annotations

from .client import Dhan
from .feed import DhanFeed
from .order_feed import DhanOrder

__all__ = ["Dhan", "DhanFeed", "DhanOrder"]
