"""brokers: synchronous clients for Indian stockbroker APIs.

Zerodha Kite (KiteConnect and Kite Web), Dhan and Fyers, with daily logins
shared between processes through session stores, live feeds on threads that
reconnect by themselves, and a bundled sandbox broker for offline work.

Import what you need from the subpackages::

    from brokers.kite import Kite
    from brokers.stores import FileStore
    from brokers import errors
"""

import logging

from .__version__ import __version__

__all__ = ["__version__"]

# A library never configures logging; it only makes sure nothing is printed
# unless the application asks for it.
logging.getLogger("brokers").addHandler(logging.NullHandler())
