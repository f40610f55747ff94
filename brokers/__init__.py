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
from typing import Any

from .__version__ import __version__

__all__ = ["__version__", "connect"]


def connect(broker: str, **how: Any) -> Any:
    """One interface to any broker: a :class:`brokers.unified.Broker` for ``"kite"``,
    ``"dhan"``, ``"fyers"`` or ``"paper"`` (see :func:`brokers.unified.connect`).
    Imported on first use, so ``import brokers`` stays light."""
    from .unified import connect as _connect

    return _connect(broker, **how)


# A library never configures logging; it only makes sure nothing is printed
# unless the application asks for it.
logging.getLogger("brokers").addHandler(logging.NullHandler())
