"""Drop-in for ``kiteconnect`` 5.x: change ``from kiteconnect import ...`` to
``from brokers.compat.kiteconnect import ...``.

``KiteTicker`` runs on :class:`~brokers.kite.KiteFeed`; ``KiteConnect`` is
:class:`brokers.kite.KiteConnect` (kiteconnect's request chain on our transport);
``exceptions`` holds kiteconnect's names from :mod:`brokers.kite.exceptions`.
"""

from ...kite import KiteConnect
from . import exceptions
from .ticker import KiteTicker

__all__ = ["KiteConnect", "KiteTicker", "exceptions"]
