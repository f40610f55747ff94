"""Zerodha Kite: KiteConnect (api_key + access_token) and Kite Web (enctoken).

Example::

    from brokers.kite import Kite
    with Kite(access_token=tok, api_key=key) as kite:
        kite.authorize()
        kite.quote("NSE:INFY", "NSE:SBIN")
"""

from .client import Kite, KiteConnect

__all__ = ["Kite", "KiteConnect"]
