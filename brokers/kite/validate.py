"""Argument checks for the Kite client, run before any network call.

Every bad argument is a :class:`ValueError` naming it and showing the value.
Values that go into a URL path (order ids, GTT ids, SIP ids, alert uuids,
exchanges, intervals) are checked against what Kite issues and come back
percent-encoded; numbers are checked for type, finiteness and range.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple, cast

from ..core import checks
from ..ist import IST

__all__ = [
    "VARIETIES", "TRANSACTION_TYPES", "ORDER_TYPES", "PRODUCTS", "VALIDITIES", "GTT_TYPES", "INTERVALS",
    "EXCHANGES", "one_of", "order", "modify", "order_id", "trigger_id", "sip_id", "alert_uuid", "isin",
    "exchange", "instrument_token", "kite_time", "instrument_list", "gtt_payload", "list_of_dicts",
    "tag", "optional_price", "optional_quantity",
]

VARIETIES = ("regular", "amo", "co", "iceberg", "auction")
TRANSACTION_TYPES = ("BUY", "SELL")
ORDER_TYPES = ("MARKET", "LIMIT", "SL", "SL-M")
PRODUCTS = ("CNC", "NRML", "MIS", "CO", "MTF", "BO")
VALIDITIES = ("DAY", "IOC", "TTL")
GTT_TYPES = ("single", "two-leg")
INTERVALS = ("minute", "3minute", "5minute", "10minute", "15minute", "30minute", "60minute", "day")
EXCHANGES = ("NSE", "BSE", "NFO", "CDS", "BFO", "MCX", "BCD", "NCO", "MF", "GLOBAL", "NSEIX")
MARGIN_SEGMENTS = ("equity", "commodity")

_UUID = re.compile(r"[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}", re.ASCII)
_ISIN = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", re.ASCII)
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?", re.ASCII)
MAX_TOKEN = 2**32 - 1  # instrument tokens are uint32 on the wire


def one_of(name: str, value: Any, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def order_id(value: Any, name: str = "order_id") -> str:
    """A Kite order id (digits; MF orders: a uuid), percent-encoded for the path."""
    return checks.path_id(name, value, checks.TOKEN)


def trigger_id(value: Any, name: str = "trigger_id") -> str:
    """A GTT trigger id (a positive whole number; ``"123"`` is accepted)."""
    return checks.path_id(name, value, checks.DIGITS)


def sip_id(value: Any, name: str = "sip_id") -> str:
    return checks.path_id(name, value, checks.TOKEN)


def alert_uuid(value: Any, name: str = "uuid") -> str:
    """An alert's uuid, as Kite issues it."""
    return checks.path_id(name, value, _UUID)


def isin(value: Any, name: str = "isin") -> str:
    return checks.path_id(name, value, _ISIN)


def exchange(value: Any, name: str = "exchange") -> str:
    return checks.segment(name, value, EXCHANGES)


def instrument_token(value: Any, name: str = "instrument_token") -> str:
    """An instrument token: an int, or a string of ASCII digits, in 1..2**32-1."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,10}", value, re.ASCII):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise ValueError(f"{name} must be a number (an instrument token), got {value!r}")
    if not 1 <= number <= MAX_TOKEN:
        raise ValueError(f"{name} must be between 1 and {MAX_TOKEN}, got {value!r}")
    return str(number)


def tag(value: Any, name: str = "tag") -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,20}", value, re.ASCII):
        raise ValueError(f"{name} must be 1-20 letters, digits, '-' or '_'; got {value!r}")
    return value


def optional_price(name: str, value: Any) -> Optional[float]:
    return None if value is None else checks.price(name, value)


def optional_quantity(name: str, value: Any, minimum: int = 1) -> Optional[int]:
    return None if value is None else checks.quantity(name, value, minimum=minimum)


def order(variety: Any, exchange_: Any, tradingsymbol: Any, transaction_type: Any, quantity: Any, product: Any,
          order_type: Any, price: Any, validity: Any, trigger_price: Any, validity_ttl: Any,
          disclosed_quantity: Any, iceberg_legs: Any, iceberg_quantity: Any, market_protection: Any,
          tag_: Any) -> None:
    """Every check of a new order."""
    one_of("variety", variety, VARIETIES)
    for name, value in (("exchange", exchange_), ("tradingsymbol", tradingsymbol)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string; got {value!r}")
    one_of("transaction_type", transaction_type, TRANSACTION_TYPES)
    checks.quantity("quantity", quantity)
    one_of("product", product, PRODUCTS)
    one_of("order_type", order_type, ORDER_TYPES)
    if validity is not None:
        one_of("validity", validity, VALIDITIES)
    optional_price("price", price)
    optional_price("trigger_price", trigger_price)
    optional_quantity("validity_ttl", validity_ttl)
    optional_quantity("disclosed_quantity", disclosed_quantity, minimum=0)
    optional_quantity("iceberg_legs", iceberg_legs)
    optional_quantity("iceberg_quantity", iceberg_quantity)
    _market_protection(market_protection)
    tag(tag_)
    if order_type in ("LIMIT", "SL") and not price:
        raise ValueError(f"price is required for a {order_type} order")
    if order_type in ("SL", "SL-M") and not trigger_price:
        raise ValueError(f"trigger_price is required for a {order_type} order")


def _market_protection(value: Any) -> None:
    if value is None or value == -1 and not isinstance(value, bool) and isinstance(value, int):
        return
    checks.price("market_protection", value, maximum=100)


def modify(variety: Any, quantity: Any, price: Any, order_type: Any, trigger_price: Any, validity: Any,
           disclosed_quantity: Any, market_protection: Any) -> None:
    one_of("variety", variety, VARIETIES)
    optional_quantity("quantity", quantity)
    optional_price("price", price)
    optional_price("trigger_price", trigger_price)
    optional_quantity("disclosed_quantity", disclosed_quantity, minimum=0)
    if order_type is not None:
        one_of("order_type", order_type, ORDER_TYPES)
    if validity is not None:
        one_of("validity", validity, VALIDITIES)
    _market_protection(market_protection)


def kite_time(value: Any, name: str) -> str:
    """kiteconnect's formatting, made zone-safe: aware datetimes are converted to IST first;
    strings must be ``YYYY-MM-DD[ HH:MM[:SS]]`` with ASCII digits and a real date."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(IST).replace(tzinfo=None)
        return cast("str", value.strftime("%Y-%m-%d %H:%M:%S"))
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, str) and _TIME.fullmatch(value.strip()):
        text = value.strip()
        try:
            dt.datetime.strptime(text, {10: "%Y-%m-%d", 16: "%Y-%m-%d %H:%M"}.get(len(text), "%Y-%m-%d %H:%M:%S"))
        except ValueError:
            raise ValueError(f"{name} is not a real date and time: {value!r}") from None
        return text
    raise ValueError(f"{name} must be a datetime, a date or a 'YYYY-MM-DD HH:MM:SS' string; got {value!r}")


def instrument_list(instruments: Tuple[Any, ...], limit: int, method: str) -> List[str]:
    """kiteconnect's varargs-or-one-list instruments, each ``EXCHANGE:SYMBOL`` or a token."""
    if len(instruments) == 1 and isinstance(instruments[0], (list, tuple)):
        instruments = tuple(instruments[0])
    if not instruments:
        raise ValueError(f"{method}() needs at least one instrument, e.g. \"NSE:INFY\" or an instrument token")
    if len(instruments) > limit:
        raise ValueError(f"{method}() takes at most {limit} instruments per call; got {len(instruments)}")
    out = []
    for i in instruments:
        if isinstance(i, int) and not isinstance(i, bool):
            out.append(instrument_token(i, f"{method}() instrument"))
        elif isinstance(i, str) and i.strip() and i.isprintable() and not any(c.isspace() for c in i):
            out.append(instrument_token(i, f"{method}() instrument") if i.isascii() and i.isdigit() else i)
        else:
            raise ValueError(f"{method}(): {i!r} is not an instrument (\"EXCHANGE:SYMBOL\" or a token)")
    return out


def gtt_payload(trigger_type: Any, tradingsymbol: Any, exchange_: Any, trigger_values: Any, last_price: Any,
                orders: Any) -> Dict[str, Any]:
    """The checked parts of a GTT: ``(condition, orders)`` as kiteconnect builds them."""
    one_of("trigger_type", trigger_type, GTT_TYPES)
    if not isinstance(trigger_values, (list, tuple)):
        raise ValueError(f"trigger_values must be a list; got {trigger_values!r}")
    want = 1 if trigger_type == "single" else 2
    if len(trigger_values) != want:
        raise ValueError(f"a {trigger_type} GTT needs {want} trigger value(s); got {len(trigger_values)}")
    for i, v in enumerate(trigger_values):
        checks.price(f"trigger_values[{i}]", v, positive=True)
    checks.price("last_price", last_price, positive=True)
    if not isinstance(orders, (list, tuple)) or not orders:
        raise ValueError("orders must list at least one order")
    rebuilt = []
    for i, o in enumerate(orders):
        if not isinstance(o, dict):
            raise ValueError(f"orders[{i}] must be a dict; got {o!r}")
        missing = [k for k in ("transaction_type", "quantity", "order_type", "product", "price") if k not in o]
        if missing:
            raise ValueError(f"orders[{i}] lacks {', '.join(missing)}")
        rebuilt.append({"exchange": exchange_, "tradingsymbol": tradingsymbol,
                        "transaction_type": one_of(f"orders[{i}]['transaction_type']", o["transaction_type"],
                                                   TRANSACTION_TYPES),
                        "quantity": checks.quantity(f"orders[{i}]['quantity']", o["quantity"]),
                        "order_type": one_of(f"orders[{i}]['order_type']", o["order_type"], ORDER_TYPES),
                        "product": one_of(f"orders[{i}]['product']", o["product"], PRODUCTS),
                        "price": checks.price(f"orders[{i}]['price']", o["price"])})
    condition = {"exchange": exchange_, "tradingsymbol": tradingsymbol, "trigger_values": list(trigger_values),
                 "last_price": last_price}
    return {"condition": condition, "orders": rebuilt}


def list_of_dicts(name: str, value: Any) -> List[Dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError(f"{name} must be a list of dicts")
    return value
