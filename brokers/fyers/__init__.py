"""Fyers API v3: REST client, login, and the data and order sockets.

Example::

    from brokers.fyers import Fyers, FyersAuth

    with FyersAuth(client_id, redirect_uri, secret_key) as auth:
        print("open", auth.generate_authcode())
        tokens = auth.generate_token(auth_code=code)
    with Fyers(client_id=client_id, token=tokens["access_token"]) as fyers:
        fyers.get_profile()
"""

from __future__ import annotations

from .auth import FyersAuth
from .client import Fyers
from .feed import FyersFeed
from .order_feed import FyersOrder

__all__ = ["Fyers", "FyersAuth", "FyersFeed", "FyersOrder"]
