"""The records :mod:`brokers.unified` returns, the same for every broker.

Small frozen dataclasses with plain values: prices as ``float``, quantities as
``int``, times as aware IST datetimes (or ``None`` where the broker gives none),
symbols in the unified notation (:mod:`brokers.unified.symbols`). Each record
keeps the broker's own row in ``raw`` (not compared, not in the repr), so nothing
the broker said is lost.

Example::

    order = broker.order("250101000000001")
    if order.status is Status.COMPLETE:
        print(order.symbol, order.filled_quantity, order.average_price)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from ..history import Candle
from .enums import OrderType, Product, Side, Status, Validity

__all__ = ["Candle", "Funds", "Holding", "Order", "Position", "Quote", "Tick", "Trade"]

_RAW = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Order:
    """One order, as the order book shows it now.

    Attributes:
        order_id: the broker's order id.
        symbol: unified symbol (``NSE:INFY``).
        side, order_type, product, validity: the unified enums.
        quantity: ordered quantity; ``filled_quantity`` of it traded so far.
        price: the limit price (``None`` for market and stop orders).
        trigger_price: the stop's trigger (``None`` unless a stop order).
        average_price: average fill price (0.0 before any fill).
        status: the unified lifecycle; ``raw_status`` the broker's own word.
        tag: the tag sent with the order (the broker's tag / correlation id).
        message: the broker's status message (rejection reason, ...).
        time: when the broker last changed it, if it says.
        raw: the broker's own record.
    """

    order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    product: Product
    quantity: int
    status: Status
    raw_status: str
    filled_quantity: int = 0
    price: Optional[float] = None
    trigger_price: Optional[float] = None
    average_price: float = 0.0
    validity: Validity = Validity.DAY
    tag: Optional[str] = None
    message: Optional[str] = None
    time: Optional[dt.datetime] = None
    raw: Optional[Mapping[str, Any]] = _RAW

    @property
    def pending_quantity(self) -> int:
        """What is still working (0 once the order is final)."""
        return 0 if self.status.final else self.quantity - self.filled_quantity


@dataclass(frozen=True)
class Trade:
    """One fill of an order."""

    trade_id: str
    order_id: str
    symbol: str
    side: Side
    product: Product
    quantity: int
    price: float
    time: Optional[dt.datetime] = None
    raw: Optional[Mapping[str, Any]] = _RAW


@dataclass(frozen=True)
class Position:
    """Today's net position in one symbol and product.

    ``quantity`` is signed (negative: short). ``pnl`` is realised plus
    unrealised at ``last_price`` (as the broker computes it, or, where the broker
    gives none, ``sell_value - buy_value + quantity * last_price``).
    """

    symbol: str
    product: Product
    quantity: int
    average_price: float
    buy_quantity: int = 0
    buy_price: float = 0.0
    sell_quantity: int = 0
    sell_price: float = 0.0
    last_price: Optional[float] = None
    pnl: Optional[float] = None
    raw: Optional[Mapping[str, Any]] = _RAW


@dataclass(frozen=True)
class Holding:
    """Shares held in the demat account."""

    symbol: str
    quantity: int
    average_price: float
    last_price: Optional[float] = None
    pnl: Optional[float] = None
    raw: Optional[Mapping[str, Any]] = _RAW


@dataclass(frozen=True)
class Funds:
    """Cash: ``available`` to trade with now, ``used`` by open positions and orders."""

    available: float
    used: float = 0.0
    total: Optional[float] = None
    raw: Optional[Mapping[str, Any]] = _RAW


@dataclass(frozen=True)
class Quote:
    """A snapshot of one symbol's market."""

    symbol: str
    last_price: float
    bid: Optional[float] = None
    ask: Optional[float] = None
    open: Optional[float] = None
    high: Optional[float] = None
    low: Optional[float] = None
    close: Optional[float] = None  # the previous session's close
    volume: Optional[int] = None
    oi: Optional[int] = None
    time: Optional[dt.datetime] = None
    raw: Optional[Mapping[str, Any]] = _RAW


@dataclass(frozen=True)
class Tick:
    """One live update of one symbol from a feed (fields the mode does not carry are ``None``)."""

    symbol: str
    last_price: float
    time: Optional[dt.datetime] = None
    volume: Optional[int] = None
    bid: Optional[float] = None
    ask: Optional[float] = None
    open: Optional[float] = None
    high: Optional[float] = None
    low: Optional[float] = None
    close: Optional[float] = None
    oi: Optional[int] = None
    raw: Optional[Mapping[str, Any]] = _RAW
