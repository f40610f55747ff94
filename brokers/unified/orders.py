"""Checking an order before it is sent: the request every adapter translates.

:func:`check_order` turns ``place_order``'s arguments into an :class:`OrderRequest`
or raises ``ValueError`` naming the argument, before anything goes on the wire.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from typing import Any, Optional

from ..symbols import Instrument
from .enums import OrderType, Product, Side, Validity, coerce
from .symbols import SymbolMap

__all__ = ["OrderRequest", "check_order", "check_price", "new_tag"]

TAG = re.compile(r"^[A-Za-z0-9]{1,20}$")  # what all three brokers accept (Kite <= 20, Fyers letters/digits)


def new_tag() -> str:
    """A fresh tag: 16 letters and digits, unique enough to find one order by."""
    return "u" + secrets.token_hex(7)


@dataclass(frozen=True)
class OrderRequest:
    """A checked order: what the adapters turn into the broker's own call."""

    symbol: str
    instrument: Instrument
    side: Side
    quantity: int
    order_type: OrderType
    product: Product
    validity: Validity
    tag: str
    price: Optional[float] = None
    trigger_price: Optional[float] = None


def check_price(name: str, value: Any, required: bool) -> Optional[float]:
    """A price: ``None`` when not required and not given, else a finite number > 0."""
    if value is None:
        if required:
            raise ValueError(f"{name} is required for this order type")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return float(value)


def check_order(symbols: SymbolMap, symbol: Any, side: Any, quantity: Any, *, order_type: Any = "MARKET",
                price: Any = None, trigger_price: Any = None, product: Any = Product.INTRADAY,
                validity: Any = Validity.DAY, tag: Any = None) -> OrderRequest:
    """Check ``place_order``'s arguments.

    Raises:
        ValueError: naming the argument: an unknown symbol, a bad side/type/product/
            validity, a quantity that is not a positive multiple of the lot size, a
            LIMIT without price, a stop without trigger_price, a price where the type
            takes none, a malformed tag.
    """
    inst = symbols.instrument(symbol, "symbol")
    side_ = coerce(Side, "side", side)
    kind = coerce(OrderType, "order_type", order_type)
    product_ = coerce(Product, "product", product)
    validity_ = coerce(Validity, "validity", validity)
    if inst.instrument_type in ("FUT", "CE", "PE") and product_ is Product.DELIVERY:
        product_ = Product.MARGIN  # carrying a derivative overnight is the MARGIN product everywhere
    elif inst.instrument_type not in ("FUT", "CE", "PE") and product_ is Product.MARGIN:
        raise ValueError(f"product: MARGIN is for derivatives; {symbol} takes INTRADAY or DELIVERY")
    if inst.instrument_type == "INDEX":
        raise ValueError(f"symbol: {symbol} is an index, which cannot be traded")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ValueError(f"quantity must be a positive integer; got {quantity!r}")
    if quantity % inst.lot_size:
        raise ValueError(f"quantity must be a multiple of the lot size {inst.lot_size} of {symbol}; got {quantity}")
    needs_price = kind in (OrderType.LIMIT, OrderType.STOP_LIMIT)
    needs_trigger = kind in (OrderType.STOP, OrderType.STOP_LIMIT)
    if price is not None and not needs_price:
        raise ValueError(f"price: a {kind.value} order takes no price; got {price!r}")
    if trigger_price is not None and not needs_trigger:
        raise ValueError(f"trigger_price: a {kind.value} order takes no trigger price; got {trigger_price!r}")
    price_ = check_price("price", price, needs_price)
    trigger = check_price("trigger_price", trigger_price, needs_trigger)
    if tag is None:
        tag = new_tag()
    elif not isinstance(tag, str) or not TAG.match(tag):
        raise ValueError(f"tag must be 1-20 letters or digits (every broker accepts that); got {tag!r}")
    return OrderRequest(symbol=symbol.strip().upper(), instrument=inst, side=side_, quantity=quantity,
                        order_type=kind, product=product_, validity=validity_, tag=tag, price=price_,
                        trigger_price=trigger)
