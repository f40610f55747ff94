"""Argument checks every broker shares: ids that go into URL paths, numbers,
and JSON bodies (see :mod:`.orders` for reading an order's answer).

Each broker's ``validate.py`` builds on these. Every failure is a
:class:`ValueError` that names the argument and shows the value, raised before
anything goes on the wire.

Example::

    from brokers.core import checks
    checks.path_id("order_id", "250101000000001", checks.DIGITS)   # '250101000000001'
    checks.path_id("order_id", "../../user/profile", checks.DIGITS)  # ValueError
    checks.quantity("quantity", 10)                                 # 10
    checks.price("price", float("nan"))                             # ValueError
"""

from __future__ import annotations

import json
import math
import numbers
import re
from decimal import Decimal
from typing import Any, Pattern, Sequence
from urllib.parse import quote

__all__ = [
    "DIGITS", "TOKEN", "MAX_PRICE", "MAX_QUANTITY", "path_id", "segment", "quantity", "price",
    "whole_number", "json_body",
]

#: Ids made of ASCII digits only (Kite order ids, Dhan order ids, ...).
DIGITS = re.compile(r"[0-9]{1,30}", re.ASCII)
#: Ids of letters, digits, '-' and '_', not starting with a separator (uuids, alert ids, ...).
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", re.ASCII)

#: No exchange takes an order of more units than an int32 holds.
MAX_QUANTITY = 2**31 - 1
#: A price above this is a typo or an overflow, not a price.
MAX_PRICE = 1e9


def path_id(name: str, value: Any, pattern: Pattern[str] = TOKEN) -> str:
    """``value`` as a percent-encoded URL path segment, if it matches ``pattern``.

    Ints are accepted (as their decimal string); bools, floats, empty strings,
    whitespace, ``/``, ``.``-only segments, ``?``, ``#`` and non-ASCII text are
    refused, whatever ``pattern`` says.

    Raises:
        ValueError: naming ``name`` and showing the value.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{name} must be a string id, got {value!r}")
    text = str(value)
    if (not text or not text.isascii() or not pattern.fullmatch(text) or text.strip(".") == ""
            or any(c in text for c in "/?#% \t\r\n")):
        raise ValueError(f"{name} is not an id the broker issues: {value!r}")
    return quote(text, safe="")


def segment(name: str, value: Any, allowed: Sequence[str]) -> str:
    """``value`` if it is one of ``allowed`` (a fixed path segment such as a variety)."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(str, allowed))}; got {value!r}")
    return quote(value, safe="")


def whole_number(name: str, value: Any, *, minimum: int = 1, maximum: int = MAX_QUANTITY) -> int:
    """An int (not a bool, a float or a string) within ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    number = int(value)
    if not minimum <= number <= maximum:
        raise ValueError(f"{name} must be between {minimum} and {maximum}, got {value!r}")
    return number


def quantity(name: str, value: Any, *, minimum: int = 1, maximum: int = MAX_QUANTITY) -> int:
    """A quantity: a whole number in ``[minimum, maximum]`` (> 0 by default)."""
    return whole_number(name, value, minimum=minimum, maximum=maximum)


def price(name: str, value: Any, *, positive: bool = False, maximum: float = MAX_PRICE) -> float:
    """A finite real number (not a bool or a string) in ``[0, maximum]``; > 0 when ``positive``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number < 0 or number > maximum:
        raise ValueError(f"{name} must be a finite number between 0 and {maximum:g}, got {value!r}")
    if positive and number <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return number


def json_body(name: str, body: Any) -> Any:
    """``body`` if it can be sent as strict JSON (no NaN or infinity, only JSON types).

    A body that cannot even be encoded never leaves: it is an input error, not
    an order whose state is unknown.
    """
    try:
        json.dumps(body, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} cannot be sent as JSON ({e}): {body!r}"[:300]) from None
    return body
