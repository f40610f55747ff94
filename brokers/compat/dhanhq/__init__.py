"""Drop-in for ``dhanhq`` (2.3, and 2.0/2.1's ``dhanhq(client_id, access_token)``):
change ``from dhanhq import ...`` to ``from brokers.compat.dhanhq import ...``.

Runs on :class:`~brokers.dhan.Dhan`, :class:`~brokers.dhan.DhanFeed` and
:class:`~brokers.dhan.DhanOrder`; returns ``dhanhq``'s envelopes and dicts.
"""

from __future__ import annotations

from .client import DhanContext, dhanhq
from .login import DhanLogin
from .marketfeed import MarketFeed
from .orderupdate import OrderUpdate

__all__ = ["DhanContext", "DhanLogin", "MarketFeed", "OrderUpdate", "dhanhq"]
