"""The paper broker: ``brokers.connect("paper", prices=other_broker, store=..., funds=...)``.

:mod:`.account` holds the account document and its rules; :mod:`.engine` the
Broker that keeps it in a store and fills it at ``prices``' live prices.
"""

from __future__ import annotations

from typing import Any, Optional

from ...stores import SessionStore
from .engine import PaperBroker

__all__ = ["PaperBroker", "connect_paper"]


def connect_paper(*, prices: Any = None, store: Optional[SessionStore] = None, funds: float = 100_000.0,
                  account: str = "default", **options: Any) -> PaperBroker:
    """A :class:`PaperBroker` (what ``brokers.connect("paper", ...)`` returns).

    Args:
        prices: the Broker that gives live prices (required).
        store: where the account is kept (default :class:`~brokers.stores.FileStore`).
        funds: a new account's cash.
        account: the account's name in the store (several can share a store).
        **options: ``reconcile_timeout``, ``settle``.

    Raises:
        ValueError: no ``prices``, a bad ``funds``, or an unknown keyword.
    """
    if prices is None:
        raise ValueError("connect('paper'): prices is required (a kite, dhan or fyers Broker to take prices from)")
    if isinstance(funds, bool) or not isinstance(funds, (int, float)) or funds < 0:
        raise ValueError(f"funds must be a number >= 0; got {funds!r}")
    unknown = [k for k in options if k not in ("reconcile_timeout", "settle")]
    if unknown:
        raise ValueError(f"connect('paper'): unknown keyword {unknown[0]!r}; it takes prices, store, funds, account, "
                         "reconcile_timeout, settle")
    if store is None:
        from ...stores import FileStore
        store = FileStore()
    return PaperBroker(prices, store, key=account, funds=float(funds), **options)
