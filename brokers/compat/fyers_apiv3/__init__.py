"""Drop-in for ``fyers_apiv3``: change ``from fyers_apiv3 import fyersModel`` to
``from brokers.compat.fyers_apiv3 import fyersModel`` (and ``fyers_apiv3.FyersWebsocket``
to ``brokers.compat.fyers_apiv3.FyersWebsocket``).

Runs on :class:`~brokers.fyers.Fyers`, :class:`~brokers.fyers.FyersAuth`,
:class:`~brokers.fyers.FyersFeed` and :class:`~brokers.fyers.FyersOrder`; returns
Fyers' dicts as ``fyers_apiv3`` does.
"""

from . import fyersModel

__all__ = ["fyersModel"]
