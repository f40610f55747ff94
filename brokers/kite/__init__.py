"""Zerodha Kite: KiteConnect (api_key + access_token) and Kite Web (enctoken).

Example::

    from brokers.kite import Kite, KiteFeed
    with Kite(access_token=tok, api_key=key) as kite:
        kite.authorize()
        kite.quote("NSE:INFY", "NSE:SBIN")
"""

from .client import Kite, KiteConnect
from .feed import KiteFeed

__all__ = ["Kite", "KiteConnect", "KiteFeed"]
