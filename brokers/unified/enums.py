"""The one vocabulary of :mod:`brokers.unified`: sides, order types, products,
validities and the order-status lifecycle, the same words for every broker.

Each enum is a ``str`` subclass, so ``Side.BUY == "BUY"`` and a plain string is
accepted wherever an enum is (``place_order(..., "BUY", ...)``).

The lifecycle::

    PENDING ──> OPEN ──> PARTIAL ──> COMPLETE
       │          │         │
       └──────────┴─────────┴──> CANCELLED | REJECTED

``PENDING``: sent, not yet accepted by the exchange (Kite ``PUT ORDER REQ
RECEIVED``/``VALIDATION PENDING``, Dhan ``TRANSIT``, Fyers 4). ``OPEN``: working
at the exchange (a stop order waiting for its trigger too: Kite ``TRIGGER
PENDING``). ``PARTIAL``: some quantity filled, the rest working. ``COMPLETE``:
fully filled. ``CANCELLED`` and ``REJECTED`` are final, like ``COMPLETE``.
"""

from __future__ import annotations

import enum
from typing import Any, Type, TypeVar

__all__ = ["OrderType", "Product", "Side", "Status", "Validity", "coerce"]

E = TypeVar("E", bound=enum.Enum)


class Side(str, enum.Enum):
    BUY = "BUY"
    SELL = "SELL"

    @property
    def sign(self) -> int:
        """+1 for BUY, -1 for SELL."""
        return 1 if self is Side.BUY else -1


class OrderType(str, enum.Enum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP = "STOP"  # stop-loss market: a market order once trigger_price trades
    STOP_LIMIT = "STOP_LIMIT"  # stop-loss limit: a limit order at price once trigger_price trades


class Product(str, enum.Enum):
    DELIVERY = "DELIVERY"  # Kite CNC (equity) / NRML (F&O), Dhan CNC / MARGIN, Fyers CNC / MARGIN
    INTRADAY = "INTRADAY"  # Kite MIS, Dhan INTRADAY, Fyers INTRADAY
    MARGIN = "MARGIN"  # carry-forward F&O: Kite NRML, Dhan MARGIN, Fyers MARGIN


class Validity(str, enum.Enum):
    DAY = "DAY"
    IOC = "IOC"


class Status(str, enum.Enum):
    PENDING = "PENDING"
    OPEN = "OPEN"
    PARTIAL = "PARTIAL"
    COMPLETE = "COMPLETE"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"

    @property
    def final(self) -> bool:
        """True once the order can change no more (COMPLETE, CANCELLED, REJECTED)."""
        return self in (Status.COMPLETE, Status.CANCELLED, Status.REJECTED)


def coerce(cls: Type[E], name: str, value: Any) -> E:
    """``value`` as a member of ``cls`` (a member, or its name in any case).

    Raises:
        ValueError: naming the argument ``name`` and the value.
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        try:
            return cls[value.strip().upper()]
        except KeyError:
            pass
    choices = ", ".join(m.name for m in cls)
    raise ValueError(f"{name} must be one of {choices}; got {value!r}")
